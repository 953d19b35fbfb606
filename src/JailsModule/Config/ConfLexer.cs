using System.Text;

namespace JailsModule.Config;

/// <summary>Kinds of lexical pieces. Every character of a file belongs to exactly one token (lossless).</summary>
public enum ConfTokenKind : byte
{
    Whitespace,
    Comment,
    /// <summary>Text a lexer error swallowed (unterminated string/comment/variable): not seen by the parser.</summary>
    LexError,
    /// <summary>The closing quote of a double-quoted string that a variable interrupted (flex state DQ): no token.</summary>
    DqEnd,
    Str,
    Str1,
    Var,
    Var1,
    PlusEq,
    Comma,
    Semicolon,
    Equals,
    LBrace,
    RBrace,
    /// <summary>Any other character: the lexer returns it and the parser reports a syntax error.</summary>
    Char,
    Eof,
}

/// <summary>One token: a slice of the text, its start position, and for strings/variables the decoded value.</summary>
public readonly struct ConfToken
{
    public ConfToken(ConfTokenKind kind, int start, int length, string? value)
    {
        Kind = kind;
        Start = start;
        Length = length;
        Value = value;
    }

    public ConfTokenKind Kind { get; }
    public int Start { get; }
    public int Length { get; }
    public int End => Start + Length;

    /// <summary>Decoded text for Str/Str1 (escapes processed, cut at a NUL as C does); the variable name for Var/Var1.</summary>
    public string? Value { get; }

    public bool IsTrivia => Kind <= ConfTokenKind.DqEnd;
    public bool IsString => Kind is ConfTokenKind.Str or ConfTokenKind.Var;
    public bool IsContinuation => Kind is ConfTokenKind.Str1 or ConfTokenKind.Var1;
    public bool IsVariable => Kind is ConfTokenKind.Var or ConfTokenKind.Var1;
}

/// <summary>Line starts of a text: line and column of any offset by binary search (1-based).</summary>
public sealed class ConfLineMap
{
    private readonly int[] _starts;

    public ConfLineMap(string text)
    {
        var starts = new List<int>(Math.Max(4, text.Length / 24)) { 0 };
        int i = -1;
        while ((i = text.IndexOf('\n', i + 1)) >= 0) starts.Add(i + 1);
        _starts = starts.ToArray();
    }

    /// <summary>1 + the number of line breaks before <paramref name="offset"/> (flex's yylineno once it has read that far).</summary>
    public int LineOf(int offset)
    {
        int idx = Array.BinarySearch(_starts, offset);
        return idx >= 0 ? idx + 1 : ~idx;
    }

    public int ColumnOf(int offset) => offset - _starts[LineOf(offset) - 1] + 1;

    public int LineCount => _starts.Length;
}

/// <summary>
/// A hand-written equivalent of FreeBSD's usr.sbin/jail/jaillex.l (flex, longest match, rules in order).
/// Start states "_" (normal) and "DQ" (rest of a double-quoted string after a variable interrupted it).
/// The "in string" flag decides STR/STR1 and VAR/VAR1: whitespace, comments and reserved tokens reset it.
/// </summary>
public sealed class ConfLexer
{
    private readonly string _t;
    private readonly string _file;
    private readonly List<ConfToken> _tokens;
    private readonly List<ConfDiagnostic> _diags;
    private readonly ConfLineMap _lines;
    private int _i;
    private bool _instr;
    private bool _dq;
    private readonly StringBuilder _sb = new();

    private ConfLexer(string text, string file, List<ConfToken> tokens, List<ConfDiagnostic> diags, ConfLineMap lines)
    {
        _lines = lines;
        _t = text;
        _file = file;
        _tokens = tokens;
        _diags = diags;
    }

    /// <summary>Tokenises the whole text (trivia included). Lexer errors are added to <paramref name="diagnostics"/>.</summary>
    public static List<ConfToken> Tokenize(string text, string fileName, List<ConfDiagnostic> diagnostics)
        => Tokenize(text, fileName, diagnostics, new ConfLineMap(text));

    internal static List<ConfToken> Tokenize(string text, string fileName, List<ConfDiagnostic> diagnostics, ConfLineMap lines)
    {
        var tokens = new List<ConfToken>(Math.Max(16, text.Length / 4));
        new ConfLexer(text, fileName, tokens, diagnostics, lines).Run();
        return tokens;
    }

    // [A-Za-z0-9_!%&()\-.:<>?@\[\]^`|~]
    private static readonly bool[] Atomic = BuildAtomic();

    private static bool[] BuildAtomic()
    {
        var a = new bool[128];
        for (char c = 'A'; c <= 'Z'; c++) a[c] = true;
        for (char c = 'a'; c <= 'z'; c++) a[c] = true;
        for (char c = '0'; c <= '9'; c++) a[c] = true;
        foreach (var c in "_!%&()-.:<>?@[]^`|~") a[c] = true;
        return a;
    }

    internal static bool IsAtomic(char c) => c < 128 && Atomic[c];

    private void Emit(ConfTokenKind kind, int start, string? value = null)
        => _tokens.Add(new ConfToken(kind, start, _i - start, value));

    private void Error(int start, string what)
    {
        // flex's yylineno after the match: lines counted through the end of the matched text.
        int line = _lines.LineOf(_i), col = _lines.ColumnOf(start);
        var text = _t.Substring(start, _i - start);
        _diags.Add(new ConfDiagnostic(_file, line, col, text, $"{_file} line {line}: {what}"));
        _tokens.Add(new ConfToken(ConfTokenKind.LexError, start, _i - start, null));
    }

    private void StrToken(int start, string value, bool variable)
    {
        ConfTokenKind kind = variable
            ? (_instr ? ConfTokenKind.Var1 : ConfTokenKind.Var)
            : (_instr ? ConfTokenKind.Str1 : ConfTokenKind.Str);
        _instr = true;
        Emit(kind, start, value);
    }

    private void Run()
    {
        var t = _t;
        int n = t.Length;
        while (_i < n)
        {
            int start = _i;
            char c = t[_i];
            if (_dq)
            {
                if (c == '"') { _i++; _dq = false; Emit(ConfTokenKind.DqEnd, start); continue; }
                if (c == '$') { LexDollar(start, inDq: true); continue; }
                if (c == '\\') { LexEscape(start); continue; }
                // <DQ>[^\"$\\]([^"\\]|\\(.|\n))*\"  (always longer than an atomic run here)
                int stop = ScanDoubleQuoted(_i, out bool closed);
                if (!closed)
                {
                    // Cannot happen: DQ is entered only inside a complete string. Fall back to normal state.
                    _dq = false;
                    continue;
                }
                int atVar = DecodeUntilVar(_i, stop - 1, out var val);
                if (atVar >= 0) { _i = atVar; StrToken(start, val, false); }
                else { _i = stop; _dq = false; StrToken(start, val, false); }
                continue;
            }
            switch (c)
            {
                case ' ': case '\t': case '\r': case '\n':
                    while (_i < n && (t[_i] is ' ' or '\t' or '\r' or '\n')) _i++;
                    _instr = false;
                    Emit(ConfTokenKind.Whitespace, start);
                    continue;
                case '#':
                    SkipToEol();
                    _instr = false;
                    Emit(ConfTokenKind.Comment, start);
                    continue;
                case '/':
                    if (_i + 1 < n && t[_i + 1] == '/')
                    {
                        SkipToEol();
                        _instr = false;
                        Emit(ConfTokenKind.Comment, start);
                        continue;
                    }
                    if (_i + 1 < n && t[_i + 1] == '*')
                    {
                        int close = t.IndexOf("*/", _i + 2, StringComparison.Ordinal);
                        if (close >= 0)
                        {
                            _i = close + 2;
                            _instr = false;
                            Emit(ConfTokenKind.Comment, start);
                        }
                        else
                        {
                            _i = n;
                            Error(start, "unterminated comment");
                        }
                        continue;
                    }
                    _i++;
                    StrToken(start, "/", false);
                    continue;
                case '+':
                    if (_i + 1 < n && t[_i + 1] == '=')
                    {
                        _i += 2;
                        _instr = false;
                        Emit(ConfTokenKind.PlusEq, start);
                        continue;
                    }
                    _i++;
                    StrToken(start, "+", false);
                    continue;
                case ',': _i++; _instr = false; Emit(ConfTokenKind.Comma, start); continue;
                case ';': _i++; _instr = false; Emit(ConfTokenKind.Semicolon, start); continue;
                case '=': _i++; _instr = false; Emit(ConfTokenKind.Equals, start); continue;
                case '{': _i++; _instr = false; Emit(ConfTokenKind.LBrace, start); continue;
                case '}': _i++; _instr = false; Emit(ConfTokenKind.RBrace, start); continue;
                case '*': _i++; StrToken(start, "*", false); continue;
                case '\\': LexEscape(start); continue;
                case '$': LexDollar(start, inDq: false); continue;
                case '\'': LexSingle(start); continue;
                case '"': LexDouble(start); continue;
            }
            if (IsAtomic(c))
            {
                _i++;
                while (_i < n && IsAtomic(t[_i])) _i++;
                StrToken(start, t.Substring(start, _i - start), false);
                continue;
            }
            // <_>. returns the character itself (a syntax error for the parser). No instr change.
            _i++;
            Emit(ConfTokenKind.Char, start);
        }
    }

    private void SkipToEol()
    {
        int nl = _t.IndexOf('\n', _i);
        _i = nl < 0 ? _t.Length : nl;
    }

    /// <summary>\\(.|\n|[0-7]{1,3}|x[0-9A-Fa-f]{1,2}) as its own token; a lone backslash at EOF is "[$*+/\\]".</summary>
    private void LexEscape(int start)
    {
        var t = _t;
        int n = t.Length;
        if (_i + 1 >= n)
        {
            _i++;
            StrToken(start, "", false);
            return;
        }
        char d = t[_i + 1];
        int end = _i + 2;
        if (d is >= '0' and <= '7')
        {
            while (end < n && end < _i + 4 && t[end] is >= '0' and <= '7') end++;
        }
        else if (d == 'x')
        {
            while (end < n && end < _i + 4 && IsHex(t[end])) end++;
        }
        _i = end;
        StrToken(start, Decode(start, end), false);
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private void LexDollar(int start, bool inDq)
    {
        var t = _t;
        int n = t.Length;
        if (_i + 1 < n && (char.IsAsciiLetter(t[_i + 1]) || t[_i + 1] == '_'))
        {
            int e = _i + 2;
            while (e < n && (char.IsAsciiLetterOrDigit(t[e]) || t[e] == '_')) e++;
            _i = e;
            StrToken(start, t.Substring(start + 1, e - start - 1), true);
            return;
        }
        if (_i + 1 < n && t[_i + 1] == '{')
        {
            // complete: \$\{([^\n{}]|\\(.|\n))*\}   (DQ: also no '"')
            int k = _i + 2;
            bool complete = false;
            while (k < n)
            {
                char c = t[k];
                if (c == '\\')
                {
                    if (k + 1 >= n) break;
                    k += 2;
                    continue;
                }
                if (c == '}') { complete = true; break; }
                if (c == '\n' || c == '{' || (inDq && c == '"')) break;
                k++;
            }
            if (complete)
            {
                _i = k + 1;
                StrToken(start, Decode(start + 2, k), true);
                return;
            }
            // unterminated: \$\{([^\n{}]|\\.)*
            k = _i + 2;
            while (k < n)
            {
                char c = t[k];
                if (c == '\\')
                {
                    if (k + 1 >= n || t[k + 1] == '\n') break;
                    k += 2;
                    continue;
                }
                if (c == '\n' || c == '{' || c == '}' || (inDq && c == '"')) break;
                k++;
            }
            _i = k;
            Error(start, "unterminated variable");
            return;
        }
        _i++;
        StrToken(start, "$", false);
    }

    private void LexSingle(int start)
    {
        var t = _t;
        int n = t.Length;
        int k = _i + 1;
        while (k < n)
        {
            char c = t[k];
            if (c == '\\')
            {
                if (k + 1 >= n) { k = n; break; }
                k += 2;
                continue;
            }
            if (c == '\'')
            {
                _i = k + 1;
                StrToken(start, Decode(start + 1, k), false);
                return;
            }
            k++;
        }
        _i = UnterminatedEnd(_i + 1, '\'');
        Error(start, "unterminated string");
    }

    /// <summary>'([^\n'\\]|\\.)*  or  \"([^\n\"\\]|\\.)*</summary>
    private int UnterminatedEnd(int k, char quote)
    {
        var t = _t;
        int n = t.Length;
        while (k < n)
        {
            char c = t[k];
            if (c == '\\')
            {
                if (k + 1 >= n || t[k + 1] == '\n') break;
                k += 2;
                continue;
            }
            if (c == '\n' || c == quote) break;
            k++;
        }
        return k;
    }

    /// <summary>Scans ([^"\\]|\\(.|\n))*\" from <paramref name="k"/>; returns the index after the closing quote.</summary>
    private int ScanDoubleQuoted(int k, out bool closed)
    {
        var t = _t;
        int n = t.Length;
        while (k < n)
        {
            char c = t[k];
            if (c == '\\')
            {
                if (k + 1 >= n) break;
                k += 2;
                continue;
            }
            if (c == '"') { closed = true; return k + 1; }
            k++;
        }
        closed = false;
        return n;
    }

    private void LexDouble(int start)
    {
        int stop = ScanDoubleQuoted(_i + 1, out bool closed);
        if (!closed)
        {
            _i = UnterminatedEnd(_i + 1, '"');
            Error(start, "unterminated string");
            return;
        }
        int atVar = DecodeUntilVar(start + 1, stop - 1, out var val);
        if (atVar >= 0)
        {
            // yyless(atvar): the rest is re-scanned in state DQ.
            _i = atVar;
            _dq = true;
        }
        else _i = stop;
        StrToken(start, val, false);
    }

    /// <summary>text2lval(..., tovar=1): decodes [from, to) and stops at an unescaped '$' (returns its index, or -1).</summary>
    private int DecodeUntilVar(int from, int to, out string value)
    {
        var t = _t;
        int simpleEnd = from;
        while (simpleEnd < to && t[simpleEnd] != '\\' && t[simpleEnd] != '$') simpleEnd++;
        if (simpleEnd == to || t[simpleEnd] == '$')
        {
            value = t.Substring(from, simpleEnd - from);
            return simpleEnd == to ? -1 : simpleEnd;
        }
        var sb = _sb.Clear();
        sb.Append(t, from, simpleEnd - from);
        int k = simpleEnd;
        bool cut = false;
        while (k < to)
        {
            char c = t[k];
            if (c == '$')
            {
                value = Finish(sb, cut);
                return k;
            }
            if (c != '\\') { if (!cut) sb.Append(c); k++; continue; }
            k = DecodeEscape(k, to, sb, ref cut);
        }
        value = Finish(sb, cut);
        return -1;
    }

    private static string Finish(StringBuilder sb, bool cut)
    {
        var s = sb.ToString();
        if (cut) return s;
        int nul = s.IndexOf('\0');
        return nul < 0 ? s : s[..nul];
    }

    /// <summary>text2lval without variable stop; the C string ends at the first NUL.</summary>
    private string Decode(int from, int to)
    {
        var t = _t;
        int k = from;
        while (k < to && t[k] != '\\') k++;
        if (k == to) return t.Substring(from, to - from);
        var sb = _sb.Clear();
        sb.Append(t, from, k - from);
        bool cut = false;
        while (k < to)
        {
            char c = t[k];
            if (c != '\\') { if (!cut) sb.Append(c); k++; continue; }
            k = DecodeEscape(k, to, sb, ref cut);
        }
        return Finish(sb, cut);
    }

    /// <summary>One backslash escape at <paramref name="k"/> (t[k] == '\\'); returns the index after it.</summary>
    private int DecodeEscape(int k, int to, StringBuilder sb, ref bool cut)
    {
        var t = _t;
        k++;
        if (k >= to) return k;
        char s = t[k];
        char d;
        if (s is >= '0' and <= '7')
        {
            int v = s - '0';
            if (k + 1 < to && t[k + 1] is >= '0' and <= '7')
            {
                v = v * 8 + (t[++k] - '0');
                if (k + 1 < to && t[k + 1] is >= '0' and <= '7') v = v * 8 + (t[++k] - '0');
            }
            d = (char)(v & 0xFF);
        }
        else
        {
            switch (s)
            {
                case 'a': d = '\a'; break;
                case 'b': d = '\b'; break;
                case 'f': d = '\f'; break;
                case 'n': d = '\n'; break;
                case 'r': d = '\r'; break;
                case 't': d = '\t'; break;
                case 'v': d = '\v'; break;
                case '\n': return k + 1; // backslash-newline vanishes
                case 'x':
                {
                    int v = 0;
                    if (k + 1 < to && IsHex(t[k + 1]))
                    {
                        v = HexVal(t[++k]);
                        if (k + 1 < to && IsHex(t[k + 1])) v = v * 16 + HexVal(t[++k]);
                    }
                    d = (char)v;
                    break;
                }
                default: d = s; break;
            }
        }
        if (d == '\0') cut = true;
        if (!cut) sb.Append(d);
        return k + 1;
    }

    private static int HexVal(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
