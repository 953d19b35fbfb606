using System.Text;

namespace JailsModule.Simulation.Conf;

/// <summary>
/// The simulator's own reading of rc.conf(5) files as sh(1) sources them for rc.subr (load_rc_config) and
/// sysrc(8): the file is split into simple commands (ended by an unquoted newline, ';' or '&amp;'); a command
/// made only of NAME=word assignments sets the variables, left to right, each seeing the earlier ones.
/// A command with a command word sets nothing in the shell (its NAME=word prefixes only reach the command),
/// except the special builtins ':', export and readonly, whose assignments stay. Commands are never run:
/// a word with a command substitution makes its command one whose result is unknown, so it is skipped;
/// the rest of a pipeline or an and/or list after a command is skipped with it; a function definition
/// is skipped whole. Words follow sh's quoting: '...' literal, "..." with \$ \` \" \\ and
/// backslash-newline, unquoted backslash, $'...' with C escapes, and parameter expansion $NAME, ${NAME}, ${NAME:-w}, ${NAME-w},
/// ${NAME:+w}, ${NAME+w}, ${NAME:=w}, ${NAME=w}, ${#NAME}, ${NAME%w}, ${NAME%%w}, ${NAME#w}, ${NAME##w}.
/// An unterminated quote is a syntax error: sh stops reading the file there.
/// Written from sh(1) and libexec/rc/rc.subr; shares no code with the module's RcConf.
/// </summary>
public static class SimShVars
{
    /// <summary>Sources <paramref name="text"/> into <paramref name="vars"/> (which also feeds its expansions).</summary>
    public static Dictionary<string, string> Source(string text, Dictionary<string, string>? vars = null)
    {
        vars ??= new Dictionary<string, string>(StringComparer.Ordinal);
        new Sourcer(text, vars).Run();
        return vars;
    }

    /// <summary>
    /// The folders load_rc_config NAME looks in for rc.conf.d/NAME: "for _d in /etc ${local_startup}; do _d=${_d%/rc.d}".
    /// </summary>
    public static IEnumerable<string> ServiceConfDirs(IReadOnlyDictionary<string, string> vars)
    {
        var list = new List<string> { "/etc" };
        if (vars.TryGetValue("local_startup", out var ls))
            foreach (var d in ls.Split(new[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries))
                list.Add(d.EndsWith("/rc.d", StringComparison.Ordinal) ? d[..^5] : d);
        return list;
    }

    public static bool IsName(string s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] == '_')) return false;
        foreach (var c in s) if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private sealed class Unknown : Exception { }

    private sealed class SyntaxError : Exception { }

    private sealed class Sourcer
    {
        private readonly string _s;
        private readonly Dictionary<string, string> _vars;
        private int _i;

        public Sourcer(string s, Dictionary<string, string> vars) { _s = s; _vars = vars; }

        private bool At(int k, char c) => k < _s.Length && _s[k] == c;

        public void Run()
        {
            try
            {
                while (_i < _s.Length) Command();
            }
            catch (SyntaxError) { /* sh stops sourcing the file at a syntax error */ }
        }

        /// <summary>One simple command and what ends it.</summary>
        private void Command()
        {
            // Blanks, empty commands and comments.
            while (_i < _s.Length && _s[_i] is ' ' or '\t' or '\r') _i++;
            if (_i >= _s.Length) return;
            char c = _s[_i];
            if (c is '\n' or ';' or '&') { _i++; return; }
            if (c == '#') { while (_i < _s.Length && _s[_i] != '\n') _i++; return; }
            if (c == '\\' && At(_i + 1, '\n')) { _i += 2; return; }

            var words = new List<(int Start, int End)>();
            while (true)
            {
                while (_i < _s.Length && _s[_i] is ' ' or '\t' or '\r') _i++;
                if (_i < _s.Length && _s[_i] == '\\' && At(_i + 1, '\n')) { _i += 2; continue; }
                if (_i >= _s.Length || IsOperator(_s[_i])) break;
                if (_s[_i] == '#') { while (_i < _s.Length && _s[_i] != '\n') _i++; break; }
                int start = _i;
                ScanWord();
                words.Add((start, _i));
            }
            bool simpleEnd = _i >= _s.Length || _s[_i] == '\n' || _s[_i] == ';' || (_s[_i] == '&' && !At(_i + 1, '&'));
            // A function definition NAME() BODY: skip the body.
            if (words.Count == 1 && At(_i, '('))
            {
                SkipFunction();
                return;
            }
            if (!simpleEnd)
            {
                SkipList();
                return;
            }
            if (words.Count == 0) { if (_i < _s.Length) _i++; return; }

            int n = 0;
            while (n < words.Count && AssignmentName(words[n]) != null) n++;
            bool keep = n == words.Count;
            string? builtin = null;
            if (!keep)
            {
                var w = _s[words[n].Start..words[n].End];
                if (w is ":" or "export" or "readonly") { keep = true; builtin = w; }
            }
            if (!keep) return;
            var pending = new List<(string Name, string Value)>();
            try
            {
                for (int k = 0; k < n; k++) pending.Add(Assign(words[k]));
                if (builtin is "export" or "readonly")
                    for (int k = n + 1; k < words.Count; k++)
                        if (AssignmentName(words[k]) != null) pending.Add(Assign(words[k]));
            }
            catch (Unknown) { return; }
            foreach (var (name, value) in pending) _vars[name] = value;
        }

        private static bool IsOperator(char c) => c is '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>';

        /// <summary>The rest of an and/or list or pipeline after a command word: up to the next newline, ';' or lone '&amp;'.</summary>
        private void SkipList()
        {
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c == '\n' || c == ';') { _i++; return; }
                if (c == '&' && !At(_i + 1, '&')) { _i++; return; }
                if (c == '&' || c == '|') { _i += At(_i + 1, c) ? 2 : 1; continue; }
                if (c is ' ' or '\t' or '\r' or '(' or ')' or '<' or '>') { _i++; continue; }
                if (c == '#') { while (_i < _s.Length && _s[_i] != '\n') _i++; continue; }
                ScanWord();
            }
        }

        /// <summary>NAME ( ) { ... } or a one-command body: skipped up to the matching brace.</summary>
        private void SkipFunction()
        {
            int depth = 0;
            bool seenBody = false;
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c is '(' or ')' or ' ' or '\t' or '\r' or ';' or '&' or '|' or '<' or '>') { _i++; continue; }
                if (c == '\n') { _i++; if (seenBody && depth == 0) return; continue; }
                if (c == '#') { while (_i < _s.Length && _s[_i] != '\n') _i++; continue; }
                int start = _i;
                ScanWord();
                var w = _s[start.._i];
                seenBody = true;
                if (w == "{") depth++;
                else if (w == "}" && --depth <= 0) return;
            }
        }

        /// <summary>Moves past one word: quotes, escapes, ${...}, $(...) and `...` kept inside it.</summary>
        private void ScanWord()
        {
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c is ' ' or '\t' or '\r' || IsOperator(c)) return;
                if (c == '\\') { _i += 2; continue; }
                if (c == '\'')
                {
                    int e = _s.IndexOf('\'', _i + 1);
                    if (e < 0) throw new SyntaxError();
                    _i = e + 1;
                    continue;
                }
                if (c == '"') { _i++; ScanDouble(); continue; }
                if (c == '`') { ScanBackquote(); continue; }
                if (c == '$' && At(_i + 1, '\'')) { _i = CStyleEnd(_i + 2) + 1; continue; }
                if (c == '$' && At(_i + 1, '{')) { _i += 2; ScanBraces(); continue; }
                if (c == '$' && At(_i + 1, '(')) { _i += 2; ScanParens(); continue; }
                _i++;
            }
        }

        /// <summary>The closing quote of $'...' (a backslash escapes the next character), or a syntax error.</summary>
        private int CStyleEnd(int k)
        {
            for (; k < _s.Length; k++)
            {
                if (_s[k] == '\\') { k++; continue; }
                if (_s[k] == '\'') return k;
            }
            throw new SyntaxError();
        }

        /// <summary>$'...' of FreeBSD sh: \a \b \e \f \n \r \t \v \\ \' \" \? octal \NNN and \xHH; other text literal.</summary>
        private string CStyle(int from, int to)
        {
            var sb = new StringBuilder();
            for (int k = from; k < to; k++)
            {
                char c = _s[k];
                if (c != '\\' || k + 1 >= to) { sb.Append(c); continue; }
                char d = _s[++k];
                switch (d)
                {
                    case 'a': sb.Append('\a'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'e': sb.Append('\u001b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'v': sb.Append('\v'); break;
                    case '\\' or '\'' or '"' or '?': sb.Append(d); break;
                    case >= '0' and <= '7':
                        {
                            int v = d - '0', n = 1;
                            while (n < 3 && k + 1 < to && _s[k + 1] is >= '0' and <= '7') { v = v * 8 + (_s[++k] - '0'); n++; }
                            sb.Append((char)v);
                            break;
                        }
                    case 'x':
                        {
                            int v = 0, n = 0;
                            while (n < 2 && k + 1 < to && char.IsAsciiHexDigit(_s[k + 1])) { v = v * 16 + Convert.ToInt32(_s[++k].ToString(), 16); n++; }
                            sb.Append((char)v);
                            break;
                        }
                    default: sb.Append('\\').Append(d); break;
                }
            }
            return sb.ToString();
        }

        private void ScanDouble()
        {
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c == '"') { _i++; return; }
                if (c == '\\') { _i += 2; continue; }
                if (c == '`') { ScanBackquote(); continue; }
                if (c == '$' && At(_i + 1, '{')) { _i += 2; ScanBraces(); continue; }
                if (c == '$' && At(_i + 1, '(')) { _i += 2; ScanParens(); continue; }
                _i++;
            }
            throw new SyntaxError();
        }

        private void ScanBraces()
        {
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c == '}') { _i++; return; }
                if (c == '\\') { _i += 2; continue; }
                if (c == '\'')
                {
                    int e = _s.IndexOf('\'', _i + 1);
                    if (e < 0) throw new SyntaxError();
                    _i = e + 1;
                    continue;
                }
                if (c == '"') { _i++; ScanDouble(); continue; }
                if (c == '$' && At(_i + 1, '{')) { _i += 2; ScanBraces(); continue; }
                _i++;
            }
            throw new SyntaxError();
        }

        private void ScanParens()
        {
            int depth = 1;
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c == '\\') { _i += 2; continue; }
                if (c == '\'') { int e = _s.IndexOf('\'', _i + 1); if (e < 0) throw new SyntaxError(); _i = e + 1; continue; }
                if (c == '"') { _i++; ScanDouble(); continue; }
                if (c == '(') depth++;
                if (c == ')' && --depth == 0) { _i++; return; }
                _i++;
            }
            throw new SyntaxError();
        }

        private void ScanBackquote()
        {
            _i++;
            while (_i < _s.Length)
            {
                if (_s[_i] == '\\') { _i += 2; continue; }
                if (_s[_i] == '`') { _i++; return; }
                _i++;
            }
            throw new SyntaxError();
        }

        private string? AssignmentName((int Start, int End) w)
        {
            int k = w.Start;
            if (k >= w.End || !(char.IsAsciiLetter(_s[k]) || _s[k] == '_')) return null;
            while (k < w.End && (char.IsAsciiLetterOrDigit(_s[k]) || _s[k] == '_')) k++;
            return k < w.End && _s[k] == '=' ? _s[w.Start..k] : null;
        }

        private (string, string) Assign((int Start, int End) w)
        {
            var name = AssignmentName(w)!;
            int k = w.Start + name.Length + 1;
            var value = Expand(k, w.End, quoted: false);
            // Assignments of one command take effect in order: a later word sees an earlier one.
            _vars[name] = value;
            return (name, value);
        }

        /// <summary>Expands text [from, to) of a word: quote removal and parameter expansion (no field splitting or globbing in assignments).</summary>
        private string Expand(int from, int to, bool quoted)
        {
            var sb = new StringBuilder();
            int k = from;
            while (k < to)
            {
                char c = _s[k];
                if (c == '\\')
                {
                    if (k + 1 >= to) { sb.Append('\\'); k++; continue; }
                    char d = _s[k + 1];
                    if (d == '\n') { k += 2; continue; }
                    if (quoted && d is not ('$' or '`' or '"' or '\\')) { sb.Append('\\'); k++; continue; }
                    sb.Append(d);
                    k += 2;
                    continue;
                }
                if (!quoted && c == '\'')
                {
                    int e = _s.IndexOf('\'', k + 1);
                    sb.Append(_s, k + 1, e - k - 1);
                    k = e + 1;
                    continue;
                }
                if (!quoted && c == '"')
                {
                    int e = DoubleEnd(k + 1);
                    sb.Append(Expand(k + 1, e, quoted: true));
                    k = e + 1;
                    continue;
                }
                if (c == '`') throw new Unknown();
                if (!quoted && c == '$' && k + 1 < to && _s[k + 1] == '\'')
                {
                    int e = CStyleEnd(k + 2);
                    sb.Append(CStyle(k + 2, e));
                    k = e + 1;
                    continue;
                }
                if (c == '$')
                {
                    k = Dollar(k, sb);
                    continue;
                }
                sb.Append(c);
                k++;
            }
            return sb.ToString();
        }

        /// <summary>Index of the closing quote of a double-quoted part starting at <paramref name="k"/>.</summary>
        private int DoubleEnd(int k)
        {
            int save = _i;
            _i = k;
            ScanDouble();
            int end = _i - 1;
            _i = save;
            return end;
        }

        private int BraceEnd(int k)
        {
            int save = _i;
            _i = k;
            ScanBraces();
            int end = _i - 1;
            _i = save;
            return end;
        }

        /// <summary>A $ at <paramref name="k"/>: returns the index after the expansion.</summary>
        private int Dollar(int k, StringBuilder sb)
        {
            int j = k + 1;
            if (j >= _s.Length) { sb.Append('$'); return j; }
            char c = _s[j];
            if (c == '(') throw new Unknown();
            if (c == '{')
            {
                int close = BraceEnd(j + 1);
                sb.Append(Braced(j + 1, close));
                return close + 1;
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                int e = j;
                while (e < _s.Length && (char.IsAsciiLetterOrDigit(_s[e]) || _s[e] == '_')) e++;
                sb.Append(_vars.GetValueOrDefault(_s[j..e], ""));
                return e;
            }
            if (char.IsAsciiDigit(c) || c is '#' or '?' or '$' or '!' or '-' or '*' or '@')
            {
                // Special and positional parameters: a sourced rc.conf has none worth knowing.
                if (c == '#' || c == '?') sb.Append('0');
                return j + 1;
            }
            sb.Append('$');
            return j;
        }

        /// <summary>${...} between <paramref name="from"/> and the closing brace at <paramref name="to"/>.</summary>
        private string Braced(int from, int to)
        {
            if (from < to && _s[from] == '#' && to - from > 1)
            {
                var n = _s[(from + 1)..to];
                return IsName(n) ? _vars.GetValueOrDefault(n, "").Length.ToString() : throw new Unknown();
            }
            int e = from;
            while (e < to && (char.IsAsciiLetterOrDigit(_s[e]) || _s[e] == '_')) e++;
            var name = _s[from..e];
            if (!IsName(name)) throw new Unknown();
            bool set = _vars.TryGetValue(name, out var v);
            if (e == to) return v ?? "";
            bool colon = _s[e] == ':';
            int op = colon ? e + 1 : e;
            if (op >= to) throw new Unknown();
            char o = _s[op];
            bool nullOrUnset = !set || (colon && string.IsNullOrEmpty(v));
            switch (o)
            {
                case '-':
                    return nullOrUnset ? Expand(op + 1, to, quoted: false) : v!;
                case '+':
                    return nullOrUnset ? "" : Expand(op + 1, to, quoted: false);
                case '=':
                    if (!nullOrUnset) return v!;
                    var w = Expand(op + 1, to, quoted: false);
                    _vars[name] = w;
                    return w;
                case '?':
                    if (!nullOrUnset) return v!;
                    throw new SyntaxError(); // sh prints the message and a non-interactive shell exits
                case '%' when !colon:
                case '#' when !colon:
                    {
                        bool longest = op + 1 < to && _s[op + 1] == o;
                        var pat = Expand(op + (longest ? 2 : 1), to, quoted: false);
                        return Trim(v ?? "", pat, suffix: o == '%', longest);
                    }
                default:
                    throw new Unknown();
            }
        }

        private static string Trim(string v, string pat, bool suffix, bool longest)
        {
            if (suffix)
            {
                if (longest) { for (int k = 0; k <= v.Length; k++) if (SimGlob.IsMatch(v[k..], pat)) return v[..k]; }
                else { for (int k = v.Length; k >= 0; k--) if (SimGlob.IsMatch(v[k..], pat)) return v[..k]; }
            }
            else
            {
                if (longest) { for (int k = v.Length; k >= 0; k--) if (SimGlob.IsMatch(v[..k], pat)) return v[k..]; }
                else { for (int k = 0; k <= v.Length; k++) if (SimGlob.IsMatch(v[..k], pat)) return v[k..]; }
            }
            return v;
        }
    }
}
