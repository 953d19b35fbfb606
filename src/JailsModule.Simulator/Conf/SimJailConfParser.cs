using System.Text;

namespace JailsModule.Simulation.Conf;

/// <summary>One parameter of a jail after jail(8)'s load_config (config.c): the last spelling used and its strings.</summary>
public sealed class SimConfParam
{
    internal SimConfParam(string name, List<string> values) { Name = name; List = values; }

    public string Name { get; }

    /// <summary>The strings, empty for the valueless form (persist;).</summary>
    public IReadOnlyList<string> List { get; }

    /// <summary>null for the valueless form, as jail(8)'s TAILQ_EMPTY(&amp;p-&gt;val).</summary>
    public IReadOnlyList<string>? Values => List.Count == 0 ? null : List;

    public override string ToString() => List.Count == 0 ? Name : Name + "=" + string.Join(",", List);
}

/// <summary>A non-wildcard jail of the file, its parameters in jail -e order and the warnings that failed it (JF_FAILED).</summary>
public sealed class SimConfJail
{
    internal SimConfJail(string name, List<SimConfParam> parameters, List<string> errors)
    {
        Name = name;
        Parameters = parameters;
        Errors = errors;
    }

    public string Name { get; }
    public IReadOnlyList<SimConfParam> Parameters { get; }

    /// <summary>jail_warnx texts ("NAME: ...") that marked this jail failed; empty when it is usable.</summary>
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>What load_config leaves: the jails in file order, the messages that make jail(8) exit 1 before doing anything, and every jail_warnx it printed while loading.</summary>
public sealed class SimConfLoadResult
{
    internal SimConfLoadResult(List<SimConfJail> jails, List<string> errors, List<string> warnings)
    {
        Jails = jails;
        Errors = errors;
        Warnings = warnings;
    }

    public IReadOnlyList<SimConfJail> Jails { get; }

    /// <summary>Lexer, parser and include messages, as printed after "jail: ".</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Per-jail warnings in the order load_config prints them (also in each jail's Errors).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public bool Success => Errors.Count == 0;
}

/// <summary>Where the simulated jail(8) reads files, in the paths it sees (a jail's own view inside a jail).</summary>
public interface ISimConfFiles
{
    bool FileExists(string path);
    string ReadAllText(string path);

    /// <summary>glob(3) matches of an absolute pattern, sorted.</summary>
    IReadOnlyList<string> Glob(string pattern);
}

/// <summary>
/// The simulator's own jail.conf(5) reader, written from FreeBSD's usr.sbin/jail: the flex scanner of
/// jaillex.l (two start states, "instr" continuation tokens, text2lval escapes), the grammar of jailparse.y
/// with bison's error recovery (param: error, three shifted tokens before another message), nested blocks
/// and .include, and load_config/add_param/equalopts/wild_jail_match of config.c and jail.c.
/// It shares no code with the module's engine (src/JailsModule/Config), so each checks the other.
/// </summary>
public static class SimJailConfParser
{
    public const int MaxIncludeDepth = 32;

    /// <summary>jail -f FILE: <paramref name="name"/> is the name jail(8) prints in messages (cfname, "STDIN" for -).</summary>
    public static SimConfLoadResult Load(string name, ISimConfFiles files)
    {
        if (!files.FileExists(name))
            return new SimConfLoadResult(new(), new() { $"{name}: No such file or directory" }, new());
        return LoadText(files.ReadAllText(name), name, files);
    }

    public static SimConfLoadResult LoadText(string text, string name, ISimConfFiles files)
    {
        var ctx = new ParseContext(files);
        try { ParseFile(ctx, text, name, null, 0); }
        catch (FatalConf e) { ctx.Errors.Add(e.Message); }
        if (ctx.Errors.Count > 0) return new SimConfLoadResult(new(), ctx.Errors, new());
        return Evaluate(ctx);
    }

    /// <summary>print_jail for jail -e SEP: every parameter but jid, values through quoted_print, joined by SEP.</summary>
    public static string RenderJailE(IEnumerable<SimConfJail> jails, string sep)
    {
        var sb = new StringBuilder();
        foreach (var j in jails)
        {
            bool first = true;
            foreach (var p in j.Parameters)
            {
                if (p.Name == "jid") continue;
                if (!first) sb.Append(sep);
                first = false;
                sb.Append(p.Name);
                if (p.List.Count == 0) continue;
                sb.Append('=');
                for (int i = 0; i < p.List.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    QuotedPrint(sb, p.List[i]);
                }
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>quoted_print of jail.c: " for an empty value or one with ', else ' for one with ", else " for blanks; the quote and every backslash escaped.</summary>
    public static void QuotedPrint(StringBuilder sb, string s)
    {
        char q = s.Length == 0 || s.Contains('\'') ? '"' : s.Contains('"') ? '\'' : s.Contains(' ') || s.Contains('\t') ? '"' : '\0';
        if (q != '\0') sb.Append(q);
        foreach (var c in s)
        {
            if (c == '\\' || (q != '\0' && c == q)) sb.Append('\\');
            sb.Append(c);
        }
        if (q != '\0') sb.Append(q);
    }

    /// <summary>equalopts() of jail.c, quirks included: "noX" is "X", also after any common dotted prefix.</summary>
    public static bool EqualOpts(string a, string b)
    {
        if (a == b) return true;
        if (a.StartsWith("no", StringComparison.Ordinal) && a[2..] == b) return true;
        if (b.StartsWith("no", StringComparison.Ordinal) && a == b[2..]) return true;
        int dot;
        while ((dot = a.IndexOf('.')) >= 0)
        {
            int n = dot + 1;
            if (b.Length < n || string.CompareOrdinal(a, 0, b, 0, n) != 0) break;
            a = a[n..];
            b = b[n..];
            if (a.StartsWith("no", StringComparison.Ordinal) && a[2..] == b) return true;
            if (b.StartsWith("no", StringComparison.Ordinal) && a == b[2..]) return true;
        }
        return false;
    }

    /// <summary>The name without a "no" on its last component, for parameters the kernel or jail(8) knows under the other spelling.</summary>
    public static string StripNo(string name)
    {
        int dot = name.LastIndexOf('.');
        var last = name[(dot + 1)..];
        return last.StartsWith("no", StringComparison.Ordinal) && last.Length > 2 ? name[..(dot + 1)] + last[2..] : name;
    }

    /// <summary>wild_jail_name: a '*' that is a whole dot-separated component.</summary>
    public static bool IsWildName(string name)
    {
        for (int i = name.IndexOf('*'); i >= 0; i = name.IndexOf('*', i + 1))
            if ((i == 0 || name[i - 1] == '.') && (i + 1 == name.Length || name[i + 1] == '.')) return true;
        return false;
    }

    /// <summary>wild_jail_match: a non-final '*' component matches one component, a final one one or more.</summary>
    public static bool WildMatch(string jail, string wild)
    {
        var jc = jail.Split('.');
        var wc = wild.Split('.');
        for (int i = 0; i < wc.Length; i++)
        {
            if (i >= jc.Length) return false;
            if (wc[i] == "*")
            {
                if (i == wc.Length - 1) return true;
                continue;
            }
            if (wc[i] != jc[i]) return false;
        }
        return jc.Length == wc.Length;
    }

    // ================================================================= scanner (jaillex.l)

    private enum T { Str, Str1, Var, Var1, Pleq, Comma, Semi, Eq, LBrace, RBrace, Other, Eof }

    private sealed record Tok(T Kind, string Text, string Value, int Line);

    private sealed class FatalConf : Exception { public FatalConf(string m) : base(m) { } }

    private const string AtomChars = "_!%&()-.:<>?@[]^`|~";

    private static bool IsAtom(char c) => char.IsAsciiLetterOrDigit(c) || AtomChars.IndexOf(c) >= 0;

    private sealed class Scanner
    {
        private readonly string _s;
        private readonly string _file;
        private readonly List<string> _errors;
        private int _i;
        private bool _dq, _instr;
        public int Line = 1;

        public Scanner(string s, string file, List<string> errors) { _s = s; _file = file; _errors = errors; }

        private void Advance(int to)
        {
            for (; _i < to; _i++) if (_s[_i] == '\n') Line++;
        }

        /// <summary>STR (or VAR) after a separator, STR1 (VAR1) right after another string piece: "return instr ? STR1 : (instr = 1, STR)".</summary>
        private Tok Make(T plain, T cont, string text, string value)
        {
            var kind = _instr ? cont : plain;
            _instr = true;
            return new Tok(kind, text, value, Line);
        }

        private void LexError(string what) => _errors.Add($"{_file} line {Line}: {what}");

        /// <summary>End (exclusive, after the closing quote) of a quoted string ([^q\\]|\\(.|\n))*q from <paramref name="from"/>, or -1.</summary>
        private int QuotedEnd(int from, char q)
        {
            for (int k = from; k < _s.Length; k++)
            {
                if (_s[k] == '\\') { if (k + 1 >= _s.Length) return -1; k++; continue; }
                if (_s[k] == q) return k + 1;
            }
            return -1;
        }

        /// <summary>The unterminated-string / unterminated-variable prefix: ([^\n q \\]|\\.)* (\\. excludes newline).</summary>
        private int BrokenEnd(int from, string stops)
        {
            int k = from;
            while (k < _s.Length)
            {
                char c = _s[k];
                if (c == '\\') { if (k + 1 < _s.Length && _s[k + 1] != '\n') { k += 2; continue; } break; }
                if (c == '\n' || stops.IndexOf(c) >= 0) break;
                k++;
            }
            return k;
        }

        /// <summary>${...}: ([^\n{}"?]|\\(.|\n))* '}' — end after the brace, or -1.</summary>
        private int BraceVarEnd(int from, bool dq)
        {
            for (int k = from; k < _s.Length; k++)
            {
                char c = _s[k];
                if (c == '\\') { if (k + 1 >= _s.Length) return -1; k++; continue; }
                if (c == '}') return k + 1;
                if (c == '\n' || c == '{' || (dq && c == '"')) return -1;
            }
            return -1;
        }

        /// <summary>\ followed by 1-3 octal digits, x and 1-2 hex digits, or any one character (newline too).</summary>
        private int EscapeEnd(int at)
        {
            int k = at + 1;
            if (k >= _s.Length) return k;
            if (_s[k] is >= '0' and <= '7')
            {
                int e = k;
                while (e < _s.Length && e < k + 3 && _s[e] is >= '0' and <= '7') e++;
                return e;
            }
            if (_s[k] == 'x')
            {
                int e = k + 1;
                while (e < _s.Length && e < k + 3 && char.IsAsciiHexDigit(_s[e])) e++;
                return e;
            }
            return k + 1;
        }

        public Tok Next()
        {
            while (true)
            {
                if (_dq)
                {
                    if (_i >= _s.Length) { _dq = false; continue; }
                    char d = _s[_i];
                    if (d == '"') { Advance(_i + 1); _dq = false; continue; }
                    if (d == '$' && _i + 1 < _s.Length && (char.IsAsciiLetter(_s[_i + 1]) || _s[_i + 1] == '_'))
                        return SimpleVar();
                    if (d == '$' && _i + 1 < _s.Length && _s[_i + 1] == '{')
                    {
                        int e = BraceVarEnd(_i + 2, dq: true);
                        if (e > 0) return BraceVar(e);
                        Advance(BrokenEnd(_i + 2, "\"{}"));
                        LexError("unterminated variable");
                        continue;
                    }
                    if (d != '$' && d != '\\')
                    {
                        int e = QuotedEnd(_i, '"');
                        if (e > 0) return DoubleQuoted(_i, e);
                        if (!IsAtom(d)) { _dq = false; continue; }
                    }
                    var atom = AtomToken();
                    if (atom != null) return atom;
                    _dq = false;
                    continue;
                }
                if (_i >= _s.Length) return new Tok(T.Eof, "", "", Line);
                char c = _s[_i];
                if (c is ' ' or '\t' or '\r' or '\n')
                {
                    int e = _i;
                    while (e < _s.Length && _s[e] is ' ' or '\t' or '\r' or '\n') e++;
                    Advance(e);
                    _instr = false;
                    continue;
                }
                if (c == '#' || (c == '/' && At(_i + 1, '/')))
                {
                    int e = _s.IndexOf('\n', _i);
                    Advance(e < 0 ? _s.Length : e);
                    _instr = false;
                    continue;
                }
                if (c == '/' && At(_i + 1, '*'))
                {
                    int e = _s.IndexOf("*/", _i + 2, StringComparison.Ordinal);
                    if (e < 0)
                    {
                        Advance(_s.Length);
                        LexError("unterminated comment");
                        continue;
                    }
                    Advance(e + 2);
                    _instr = false;
                    continue;
                }
                if (c == '+' && At(_i + 1, '='))
                {
                    Advance(_i + 2);
                    _instr = false;
                    return new Tok(T.Pleq, "+=", "+=", Line);
                }
                if (c is ',' or ';' or '=' or '{' or '}')
                {
                    Advance(_i + 1);
                    _instr = false;
                    var k = c switch { ',' => T.Comma, ';' => T.Semi, '=' => T.Eq, '{' => T.LBrace, _ => T.RBrace };
                    return new Tok(k, c.ToString(), c.ToString(), Line);
                }
                if (c == '$' && _i + 1 < _s.Length && (char.IsAsciiLetter(_s[_i + 1]) || _s[_i + 1] == '_'))
                    return SimpleVar();
                if (c == '$' && At(_i + 1, '{'))
                {
                    int e = BraceVarEnd(_i + 2, dq: false);
                    if (e > 0) return BraceVar(e);
                    Advance(BrokenEnd(_i + 2, "{}"));
                    LexError("unterminated variable");
                    continue;
                }
                if (c == '\'')
                {
                    int e = QuotedEnd(_i + 1, '\'');
                    if (e < 0)
                    {
                        Advance(BrokenEnd(_i + 1, "'"));
                        LexError("unterminated string");
                        continue;
                    }
                    var text = _s[_i..e];
                    var value = Text2Lval(text, 1, 1, false, out _);
                    Advance(e);
                    return Make(T.Str, T.Str1, text, value);
                }
                if (c == '"')
                {
                    int e = QuotedEnd(_i + 1, '"');
                    if (e < 0)
                    {
                        Advance(BrokenEnd(_i + 1, "\""));
                        LexError("unterminated string");
                        continue;
                    }
                    return DoubleQuoted(_i, e);
                }
                var a = AtomToken();
                if (a != null) return a;
                // <_>. : any other character is a token of its own, which no rule of the grammar accepts.
                Advance(_i + 1);
                return new Tok(T.Other, c.ToString(), c.ToString(), Line);
            }
        }

        private bool At(int k, char c) => k < _s.Length && _s[k] == c;

        /// <summary>The atomic-string rules: a run of token characters, a backslash escape, or one of $ * + / \.</summary>
        private Tok? AtomToken()
        {
            char c = _s[_i];
            int e;
            if (IsAtom(c)) { e = _i; while (e < _s.Length && IsAtom(_s[e])) e++; }
            else if (c == '\\') e = EscapeEnd(_i);
            else if (c is '$' or '*' or '+' or '/') e = _i + 1;
            else return null;
            var text = _s[_i..e];
            var value = Text2Lval(text, 0, 0, false, out _);
            Advance(e);
            return Make(T.Str, T.Str1, text, value);
        }

        private Tok SimpleVar()
        {
            int e = _i + 1;
            while (e < _s.Length && (char.IsAsciiLetterOrDigit(_s[e]) || _s[e] == '_')) e++;
            var text = _s[_i..e];
            Advance(e);
            return Make(T.Var, T.Var1, text, text[1..]);
        }

        private Tok BraceVar(int end)
        {
            var text = _s[_i..end];
            var value = Text2Lval(text, 2, 1, false, out _);
            Advance(end);
            return Make(T.Var, T.Var1, text, value);
        }

        /// <summary>A double-quoted string (or its rest after a variable): the text up to an unescaped $ is one token, the scanner stays in DQ for the variable.</summary>
        private Tok DoubleQuoted(int start, int end)
        {
            var text = _s[start..end];
            int skip = text[0] == '"' ? 1 : 0;
            var value = Text2Lval(text, skip, 1, true, out int atVar);
            if (atVar < 0)
            {
                _dq = false;
                Advance(end);
                return Make(T.Str, T.Str1, text, value);
            }
            _dq = true;
            Advance(start + atVar);
            return Make(T.Str, T.Str1, text[..atVar], value);
        }
    }

    /// <summary>text2lval: backslash escapes (\a \b \f \n \r \t \v, octal, \x hex, backslash-newline removed, \c is c); optionally stops at an unescaped $.</summary>
    private static string Text2Lval(string t, int trimL, int trimR, bool toVar, out int atVar)
    {
        var sb = new StringBuilder();
        var text = Text2LvalRaw(t, trimL, trimR, toVar, out atVar, sb);
        // The value is a C string: an escaped NUL (\0, \x0) ends it where the rest of jail(8) reads it (strlen).
        int nul = text.IndexOf('\0');
        return nul < 0 ? text : text[..nul];
    }

    private static string Text2LvalRaw(string t, int trimL, int trimR, bool toVar, out int atVar, StringBuilder sb)
    {
        int end = t.Length - trimR;
        atVar = -1;
        for (int k = trimL; k < end; k++)
        {
            char c = t[k];
            if (c != '\\')
            {
                if (toVar && c == '$') { atVar = k; return sb.ToString(); }
                sb.Append(c);
                continue;
            }
            k++;
            if (k >= end) break;
            c = t[k];
            if (c is >= '0' and <= '7')
            {
                int v = c - '0';
                if (k + 1 < end && t[k + 1] is >= '0' and <= '7')
                {
                    v = v * 8 + (t[++k] - '0');
                    if (k + 1 < end && t[k + 1] is >= '0' and <= '7') v = v * 8 + (t[++k] - '0');
                }
                sb.Append((char)(v & 0xff));
                continue;
            }
            switch (c)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\n': break;
                case 'x':
                    {
                        int v = 0, n = 0;
                        while (n < 2 && k + 1 < end && char.IsAsciiHexDigit(t[k + 1]))
                        {
                            v = v * 16 + Convert.ToInt32(t[++k].ToString(), 16);
                            n++;
                        }
                        sb.Append((char)v);
                        break;
                    }
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    // ================================================================= parser (jailparse.y)

    private sealed class RawString
    {
        public StringBuilder S = new();
        public readonly List<(string Name, int Pos)> Vars = new();
    }

    private sealed class RawParam
    {
        public string Name = "";
        public bool IsVar, Append;
        public readonly List<RawString> Values = new();
    }

    private sealed class RawJail
    {
        public string Name = "";
        public int Seq;
        public readonly List<RawParam> Params = new();
    }

    private sealed class ParseContext
    {
        public ParseContext(ISimConfFiles files) => Files = files;
        public readonly ISimConfFiles Files;
        public readonly List<RawJail> Jails = new();
        public RawJail? Global;
        public readonly List<string> Errors = new();
    }

    private sealed class Parser
    {
        private readonly ParseContext _ctx;
        private readonly Scanner _sc;
        private readonly string _file;
        private readonly int _depth;
        private readonly List<Tok> _ahead = new();
        private int _errStatus;
        private bool _aborted;

        public Parser(ParseContext ctx, Scanner sc, string file, int depth) { _ctx = ctx; _sc = sc; _file = file; _depth = depth; }

        private Tok Peek(int n = 0)
        {
            while (_ahead.Count <= n) _ahead.Add(_sc.Next());
            return _ahead[n];
        }

        private Tok Shift()
        {
            var t = Peek();
            _ahead.RemoveAt(0);
            if (_errStatus > 0) _errStatus--;
            return t;
        }

        /// <summary>yyerror and bison's recovery: report unless within three tokens of the last error, then discard up to the next ';' (param: error ';').</summary>
        private void SyntaxError(Tok t)
        {
            if (_errStatus == 0)
                _ctx.Errors.Add(t.Kind == T.Eof ? $"{_file}: unexpected EOF" : $"{_file} line {t.Line}: {t.Text}: syntax error");
            _errStatus = 3;
            while (true)
            {
                var k = Peek();
                if (k.Kind == T.Eof) { _aborted = true; return; }
                _ahead.RemoveAt(0);
                if (k.Kind == T.Semi) { _errStatus = 2; return; }
            }
        }

        /// <summary>conf: conf jail | conf param ';' | conf ';' — until '}' in a block or EOF at the top.</summary>
        public void Conf(RawJail? cur, bool fileTop)
        {
            while (!_aborted)
            {
                var t = Peek();
                switch (t.Kind)
                {
                    case T.Eof:
                        if (!fileTop) SyntaxError(t);
                        return;
                    case T.RBrace:
                        if (!fileTop) return;
                        SyntaxError(t);
                        continue;
                    case T.Semi:
                        Shift();
                        continue;
                    case T.Str when Peek(1).Kind == T.LBrace:
                        {
                            var name = Shift().Value;
                            var j = new RawJail { Name = cur is null ? name : cur.Name + "." + name, Seq = _ctx.Jails.Count + 1 };
                            _ctx.Jails.Add(j);
                            Shift(); // {
                            Conf(j, fileTop: false);
                            if (_aborted) return;
                            if (Peek().Kind == T.RBrace) Shift();
                            continue;
                        }
                    case T.Str:
                    case T.Var:
                        Param(cur);
                        continue;
                    default:
                        SyntaxError(t);
                        continue;
                }
            }
        }

        private void Param(RawJail? cur)
        {
            var nameTok = Shift();
            var p = new RawParam { Name = nameTok.Value, IsVar = nameTok.Kind == T.Var };
            bool plain = false;
            var t = Peek();
            if (t.Kind == T.Eq) Shift();
            else if (t.Kind == T.Pleq) { Shift(); p.Append = true; }
            else if (t.Kind is T.Str or T.Var) plain = true;
            else if (t.Kind != T.Semi) { SyntaxError(t); return; }
            if (Peek().Kind != T.Semi || t.Kind is T.Eq or T.Pleq)
            {
                while (true)
                {
                    var s = Peek();
                    if (s.Kind is not (T.Str or T.Var)) { SyntaxError(s); return; }
                    var rs = new RawString();
                    Piece(rs, Shift());
                    while (Peek().Kind is T.Str1 or T.Var1) Piece(rs, Shift());
                    p.Values.Add(rs);
                    if (Peek().Kind != T.Comma) break;
                    Shift();
                }
            }
            var semi = Peek();
            if (semi.Kind != T.Semi) { SyntaxError(semi); return; }
            Shift();
            if (plain && !p.IsVar && p.Name == ".include" && p.Values.Count > 0)
            {
                Include(p, cur, semi.Line);
                return;
            }
            var target = cur;
            if (target is null)
            {
                if (_ctx.Global is null)
                {
                    _ctx.Global = new RawJail { Name = "*", Seq = _ctx.Jails.Count + 1 };
                    _ctx.Jails.Add(_ctx.Global);
                }
                target = _ctx.Global;
            }
            target.Params.Add(p);
        }

        private static void Piece(RawString rs, Tok t)
        {
            if (t.Kind is T.Str or T.Str1) rs.S.Append(t.Value);
            else rs.Vars.Add((t.Value, rs.S.Length));
        }

        /// <summary>.include "PATH"[, ...]; : relative to the including file's folder, a glob may match nothing, a plain path must exist.</summary>
        private void Include(RawParam p, RawJail? cur, int line)
        {
            if (p.Values.Any(v => v.Vars.Count > 0))
            {
                _ctx.Errors.Add($"{_file} line {line}: variables not permitted in '.include' filename");
                return;
            }
            foreach (var v in p.Values)
            {
                var path = v.S.ToString();
                if (!path.StartsWith('/') && _file != "STDIN")
                {
                    int slash = _file.LastIndexOf('/');
                    var dir = slash < 0 ? "." : slash == 0 ? "" : _file[..slash];
                    path = dir + "/" + path;
                }
                IEnumerable<string> matches;
                if (SimGlob.HasMagic(path)) matches = _ctx.Files.Glob(path).Where(_ctx.Files.FileExists).ToList();
                else if (_ctx.Files.FileExists(path)) matches = new[] { path };
                else throw new FatalConf($"{path}: No such file or directory");
                foreach (var m in matches)
                {
                    if (_depth + 1 > MaxIncludeDepth) throw new FatalConf("maximum include depth exceeded");
                    ParseFile(_ctx, _ctx.Files.ReadAllText(m), m, cur, _depth + 1);
                }
            }
        }
    }

    private static void ParseFile(ParseContext ctx, string text, string file, RawJail? cur, int depth)
    {
        var sc = new Scanner(text, file, ctx.Errors);
        new Parser(ctx, sc, file, depth).Conf(cur, fileTop: true);
    }

    // ================================================================= load_config (config.c)

    private sealed class Str
    {
        public string S = "";
        public List<(string Name, int Pos)> Vars = new();
        public Str Copy() => new() { S = S, Vars = new(Vars) };
    }

    private sealed class Param
    {
        public string Name = "";
        public bool IsVar, Immutable, Bad;
        public int Gen;
        public List<Str> Val = new();
    }

    /// <summary>intparams[] of config.c (the non-PF_CONV names): what a variable may not be called, and name/jid immutable.</summary>
    private static readonly string[] IntParamNames =
    {
        "allow.dying", "command", "depend", "exec.clean", "exec.consolelog", "exec.fib", "exec.jail_user",
        "exec.poststart", "exec.poststop", "exec.prepare", "exec.prestart", "exec.prestop", "exec.release",
        "exec.created", "exec.start", "exec.stop", "exec.system_jail_user", "exec.system_user", "exec.timeout",
        "interface", "ip_hostname", "mount", "mount.devfs", "mount.fdescfs", "mount.procfs", "mount.fstab",
        "stop.timeout", "vnet.interface", "zfs.dataset",
        "allow.chflags", "allow.mount", "allow.raw_sockets", "allow.set_hostname", "allow.socket_af", "allow.sysvipc",
        "devfs_ruleset", "host.hostname", "ip4.addr", "ip6.addr", "jid", "name", "path", "persist", "securelevel", "vnet",
    };

    private sealed class EvalJail
    {
        public string Name = "";
        public readonly List<Param> Params = new();
        public readonly List<string> Errors = new();
        public bool HasName;
        public void Warn(List<string> all, string msg)
        {
            var m = $"{Name}: {msg}";
            Errors.Add(m);
            all.Add(m);
        }
    }

    private static SimConfLoadResult Evaluate(ParseContext ctx)
    {
        var wild = ctx.Jails.Where(j => IsWildName(j.Name)).ToList();
        var warnings = new List<string>();
        var result = new List<SimConfJail>();
        foreach (var rj in ctx.Jails)
        {
            if (IsWildName(rj.Name)) continue;
            var j = new EvalJail { Name = rj.Name };
            bool numeric = long.TryParse(rj.Name, System.Globalization.NumberStyles.AllowLeadingSign, null, out var n) && n != 0;
            AddInternal(j, numeric ? "jid" : "name", rj.Name);
            bool didSelf = false;
            foreach (var wj in wild)
            {
                if (rj.Seq < wj.Seq && !didSelf)
                {
                    foreach (var p in rj.Params) AddParam(j, p, warnings);
                    didSelf = true;
                }
                if (WildMatch(rj.Name, wj.Name))
                    foreach (var p in wj.Params) AddParam(j, p, warnings);
            }
            if (!didSelf) foreach (var p in rj.Params) AddParam(j, p, warnings);
            if (numeric && !j.HasName) AddInternal(j, "name", rj.Name);
            Substitute(j, warnings);
            var ps = j.Params.Where(p => !p.IsVar).Select(p => new SimConfParam(p.Name, p.Val.Select(s => s.S).ToList())).ToList();
            result.Add(new SimConfJail(j.Name, ps, j.Errors));
        }
        return new SimConfLoadResult(result, new(), warnings);
    }

    private static void AddInternal(EvalJail j, string name, string value)
    {
        j.Params.Add(new Param { Name = name, Immutable = true, Val = new() { new Str { S = value } } });
        if (name == "name") j.HasName = true;
    }

    /// <summary>add_param: an existing parameter (equalopts) is replaced, or appended to by +=; its name becomes the last spelling.</summary>
    private static void AddParam(EvalJail j, RawParam p, List<string> warnings)
    {
        var values = p.Values.Select(v => new Str { S = v.S.ToString(), Vars = new(v.Vars) }).ToList();
        var dp = j.Params.FirstOrDefault(x => EqualOpts(x.Name, p.Name));
        if (dp != null)
        {
            if (dp.IsVar != p.IsVar)
            {
                j.Warn(warnings, $"variable \"${p.Name}\" cannot have the same name as a parameter.");
                return;
            }
            if (dp.Immutable)
            {
                j.Warn(warnings, $"cannot redefine parameter \"{dp.Name}\".");
                return;
            }
            dp.Name = p.Name;
            if (!p.Append || values.Count == 0) dp.Val.Clear();
            dp.Val.AddRange(values);
            return;
        }
        var np = new Param { Name = p.Name, IsVar = p.IsVar, Val = values };
        j.Params.Add(np);
        foreach (var ip in IntParamNames)
        {
            if (!EqualOpts(p.Name, ip)) continue;
            if (p.IsVar)
            {
                j.Warn(warnings, $"variable \"${p.Name}\" cannot have the same name as a parameter.");
                return;
            }
            if (ip is "name" or "jid") np.Immutable = true;
            if (ip == "name") j.HasName = true;
            break;
        }
    }

    /// <summary>The variable pass of load_config: exact-name lookup among the jail's parameters, a parameter still holding variables moved ahead and resolved first.</summary>
    private static void Substitute(EvalJail j, List<string> warnings)
    {
        int pgen = 0;
        for (int pi = 0; pi < j.Params.Count; pi++)
        {
            var p = j.Params[pi];
            p.Gen = ++pgen;
        findVars:
            for (int si = 0; si < p.Val.Count; si++)
            {
                var s = p.Val[si];
                while (s.Vars.Count > 0)
                {
                    var v = s.Vars[0];
                    var vp = j.Params.FirstOrDefault(x => x.Name == v.Name);
                    bool bad = false;
                    if (vp is null || vp.Val.Count == 0)
                    {
                        j.Warn(warnings, $"{p.Name}: variable \"{v.Name}\" not found");
                        bad = true;
                    }
                    else if (vp.Bad) bad = true;
                    else if (vp.Gen == pgen)
                    {
                        j.Warn(warnings, $"{v.Name}: variable loop");
                        bad = true;
                    }
                    else if (vp.Val.Any(x => x.Vars.Count > 0))
                    {
                        vp.Gen = pgen;
                        j.Params.Remove(vp);
                        pi = j.Params.IndexOf(p);
                        j.Params.Insert(pi, vp);
                        p = vp;
                        goto findVars;
                    }
                    else if (vp.Val.Count > 1 && (s.S.Length != 0 || s.Vars.Count > 1))
                    {
                        j.Warn(warnings, $"{p.Name}: array cannot be substituted inline");
                        bad = true;
                    }
                    if (bad)
                    {
                        foreach (var x in j.Params) if (x.Gen == pgen) x.Bad = true;
                        s.Vars.RemoveAt(0);
                        continue;
                    }
                    var first = vp!.Val[0].S;
                    s.S = s.S.Insert(v.Pos, first);
                    s.Vars.RemoveAt(0);
                    for (int k = 0; k < s.Vars.Count; k++) s.Vars[k] = (s.Vars[k].Name, s.Vars[k].Pos + first.Length);
                    for (int k = 1; k < vp.Val.Count; k++)
                    {
                        p.Val.Insert(++si, new Str { S = vp.Val[k].S });
                    }
                    s = p.Val[si];
                }
            }
        }
    }
}
