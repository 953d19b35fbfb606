using System.Text;

namespace JailsModule.Config;

/// <summary>An item of a block or file. Token indexes point into <see cref="ConfSyntaxTree.Tokens"/> (inclusive).</summary>
public abstract class ConfItem
{
    public int FirstToken { get; internal set; }
    public int LastToken { get; internal set; }
}

public enum ConfOperator : byte { None, Assign, Append }

/// <summary>One string of a value: its pieces (tokens), already decoded, with variable references and positions.</summary>
public readonly struct ConfValue
{
    public ConfValue(string text, List<ConfVarRef>? vars, int firstToken, int lastToken)
    {
        Text = text;
        Vars = vars;
        FirstToken = firstToken;
        LastToken = lastToken;
    }

    /// <summary>The literal text with variables removed (they are inserted at their positions when evaluated).</summary>
    public string Text { get; }
    public List<ConfVarRef>? Vars { get; }
    public int FirstToken { get; }
    public int LastToken { get; }
    public bool HasVars => Vars is { Count: > 0 };
}

public readonly record struct ConfVarRef(string Name, int Position);

/// <summary><c>name;</c>, <c>name = v, w;</c>, <c>name += v;</c>, <c>name v;</c>, <c>$var = v;</c> or <c>.include "path";</c>.</summary>
public sealed class ConfParamItem : ConfItem
{
    public int NameToken { get; internal set; }
    public string Name { get; internal set; } = "";
    public bool IsVariable { get; internal set; }
    public bool IsInclude { get; internal set; }
    public ConfOperator Operator { get; internal set; }
    public IReadOnlyList<ConfValue> Values { get; internal set; } = Array.Empty<ConfValue>();
    public int Line { get; internal set; }

    /// <summary>The evaluated form when this assignment alone gives a jail its value (shared by all such jails).</summary>
    internal ConfParameter? Shared;

    internal int NameKey => _nameKey ??= ConfEvaluator.OptKey(Name);
    private int? _nameKey;
}

/// <summary><c>name { ... }</c>; blocks nest.</summary>
public sealed class ConfBlockItem : ConfItem
{
    public int NameToken { get; internal set; }
    public string Name { get; internal set; } = "";
    public int LBraceToken { get; internal set; }
    public int RBraceToken { get; internal set; } = -1;
    public List<ConfItem> Items { get; } = new();
    public int Line { get; internal set; }
}

/// <summary>A lossless syntax tree of one file: the tokens cover every character; items are what parsed.</summary>
public sealed class ConfSyntaxTree
{
    internal ConfSyntaxTree(string fileName, string text, List<ConfToken> tokens, List<ConfItem> items, List<(int Offset, ConfDiagnostic Diag)> diagnostics, ConfLineMap lines)
    {
        Lines = lines;
        FileName = fileName;
        Text = text;
        Tokens = tokens;
        Items = items;
        OrderedDiagnostics = diagnostics;
    }

    public string FileName { get; }
    public string Text { get; }
    public ConfLineMap Lines { get; }
    public List<ConfToken> Tokens { get; }
    public List<ConfItem> Items { get; }

    internal List<(int Offset, ConfDiagnostic Diag)> OrderedDiagnostics { get; }
    public IEnumerable<ConfDiagnostic> Diagnostics => OrderedDiagnostics.Select(d => d.Diag);
    public bool HasErrors => OrderedDiagnostics.Count > 0;

    /// <summary>Prints the tree: the tokens' text in order (byte-exact).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Text.Length);
        foreach (var t in Tokens) sb.Append(Text, t.Start, t.Length);
        return sb.ToString();
    }

    public string TokenText(int index) => Text.Substring(Tokens[index].Start, Tokens[index].Length);

    /// <summary>flex's yylineno once the token is read: 1 + line breaks up to the token's end.</summary>
    internal int EndLine(int index) => Lines.LineOf(Tokens[index].End);

    public int LineOf(int index) => Lines.LineOf(Tokens[index].Start);
    public int ColumnOf(int index) => Lines.ColumnOf(Tokens[index].Start);

    public static ConfSyntaxTree Parse(string text, string fileName) => ConfParser.Parse(text, fileName);
}

/// <summary>
/// The grammar of usr.sbin/jail/jailparse.y (nested-block version) with byacc's error recovery approximated:
/// a syntax error is reported unless one was reported within the last three shifted tokens, then tokens are
/// discarded up to and including the next ';' in the same block (`param: error`); EOF while discarding aborts.
/// </summary>
internal sealed class ConfParser
{
    /// <summary>
    /// Deepest nesting of jail blocks accepted (a block inside an included file counts the blocks around
    /// its .include). jail(8) documents no limit; its byacc parser stops with "yacc stack overflow" when
    /// the parse stack passes YYMAXDEPTH (10000 entries, three per nested block, so a little over 3,000
    /// levels). The module refuses far earlier so a hostile file can neither overflow the .NET stack nor
    /// make every walk of the tree quadratic; real configurations nest two or three levels.
    /// </summary>
    public const int MaxBlockDepth = 256;

    private readonly ConfSyntaxTree _tree;
    private readonly List<ConfToken> _tok;
    private readonly string _file;
    private int _pos; // index of the next token to look at
    private int _errflag;
    private bool _aborted;
    private int _outerDepth; // blocks around the .include that brought this file in

    private ConfParser(ConfSyntaxTree tree)
    {
        _tree = tree;
        _tok = tree.Tokens;
        _file = tree.FileName;
    }

    public static ConfSyntaxTree Parse(string text, string fileName) => Parse(text, fileName, keepTrivia: true);

    /// <summary>Without trivia the tree is not lossless (ToString is not the text) but parses faster: for evaluation only.</summary>
    public static ConfSyntaxTree Parse(string text, string fileName, bool keepTrivia) => Parse(text, fileName, keepTrivia, 0);

    /// <param name="outerDepth">How many blocks enclose this file's text (an .include inside blocks): counts toward <see cref="MaxBlockDepth"/>.</param>
    public static ConfSyntaxTree Parse(string text, string fileName, bool keepTrivia, int outerDepth)
    {
        var lexDiags = new List<ConfDiagnostic>();
        var lines = new ConfLineMap(text);
        var tokens = ConfLexer.Tokenize(text, fileName, lexDiags, lines, keepTrivia);
        var diags = new List<(int, ConfDiagnostic)>();
        if (lexDiags.Count > 0)
        {
            int li = 0;
            foreach (var t in tokens)
                if (t.Kind == ConfTokenKind.LexError) diags.Add((t.Start, lexDiags[li++]));
        }
        var tree = new ConfSyntaxTree(fileName, text, tokens, new List<ConfItem>(), diags, lines);
        new ConfParser(tree) { _outerDepth = outerDepth }.Run();
        if (lexDiags.Count > 0) diags.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return tree;
    }

    private int NextSig()
    {
        var tok = _tok;
        int p = _pos;
        while (p < tok.Count && tok[p].IsTrivia) p++;
        return p < tok.Count ? p : -1;
    }

    private void Shift(int k)
    {
        _pos = k + 1;
        if (_errflag > 0) _errflag--;
    }

    private int _lineHint;

    /// <summary>Line of an offset; offsets only grow while parsing, so a moving hint makes it O(1).</summary>
    private int LineAt(int offset) => _tree.Lines.LineOfFrom(ref _lineHint, offset);

    private ConfTokenKind KindAt(int k) => k < 0 ? ConfTokenKind.Eof : _tok[k].Kind;

    private void SyntaxError(int k)
    {
        if (_errflag == 0)
        {
            ConfDiagnostic d;
            // yyerror(): a token whose text starts with NUL (a NUL byte in the file) reads as end of input.
            if (k < 0 || (_tok[k].Kind == ConfTokenKind.Char && _tree.Text[_tok[k].Start] == '\0'))
            {
                int lastLine = _tok.Count == 0 ? 1 : _tree.EndLine(_tok.Count - 1);
                if (k >= 0) lastLine = _tree.EndLine(k);
                d = new ConfDiagnostic(_file, lastLine, 1, "", $"{_file}: unexpected EOF");
            }
            else
            {
                var text = _tree.TokenText(k);
                int line = _tree.EndLine(k);
                d = new ConfDiagnostic(_file, line, _tree.ColumnOf(k), text, $"{_file} line {line}: {text}: syntax error");
            }
            _tree.OrderedDiagnostics.Add((k < 0 ? _tree.Text.Length : _tok[k].Start, d));
        }
        _errflag = 3;
        // shift `error`, then discard tokens that cannot follow it (everything but ';').
        while (true)
        {
            if (k < 0) { _aborted = true; _pos = _tok.Count; return; }
            if (_tok[k].Kind == ConfTokenKind.Semicolon) { Shift(k); return; }
            _pos = k + 1;
            k = NextSig();
        }
    }

    private void Run()
    {
        var root = _tree.Items;
        var stack = new List<ConfBlockItem>();
        while (!_aborted)
        {
            int k = NextSig();
            var items = stack.Count == 0 ? root : stack[^1].Items;
            switch (KindAt(k))
            {
                case ConfTokenKind.Eof:
                    if (stack.Count > 0) SyntaxError(-1);
                    _aborted = true;
                    break;
                case ConfTokenKind.Semicolon:
                    Shift(k);
                    break;
                case ConfTokenKind.RBrace:
                    if (stack.Count == 0) { SyntaxError(k); break; }
                    var b = stack[^1];
                    b.RBraceToken = k;
                    b.LastToken = k;
                    Shift(k);
                    stack.RemoveAt(stack.Count - 1);
                    break;
                case ConfTokenKind.Str:
                case ConfTokenKind.Var:
                    ParseStatement(k, items, stack);
                    break;
                default:
                    SyntaxError(k);
                    break;
            }
        }
        // Blocks left open (EOF): mark their extent to the end.
        foreach (var b in stack) b.LastToken = _tok.Count - 1;
    }

    private void ParseStatement(int k, List<ConfItem> items, List<ConfBlockItem> stack)
    {
        var nameTok = _tok[k];
        Shift(k);
        int n = NextSig();
        var kind = KindAt(n);
        if (kind is ConfTokenKind.Str1 or ConfTokenKind.Var1) { SyntaxError(n); return; }
        if (kind == ConfTokenKind.LBrace)
        {
            if (nameTok.Kind == ConfTokenKind.Var) { SyntaxError(n); return; }
            if (stack.Count + _outerDepth >= MaxBlockDepth)
            {
                // Like byacc's "yacc stack overflow": reported once, and the parse stops here.
                int line = _tree.EndLine(n);
                var d = new ConfDiagnostic(_file, line, _tree.ColumnOf(k), nameTok.Value ?? "",
                    $"{_file} line {line}: jail blocks nested deeper than {MaxBlockDepth} levels");
                _tree.OrderedDiagnostics.Add((_tok[n].Start, d));
                _aborted = true;
                _pos = _tok.Count;
                return;
            }
            Shift(n);
            var block = new ConfBlockItem
            {
                FirstToken = k,
                NameToken = k,
                Name = nameTok.Value!,
                LBraceToken = n,
                Line = LineAt(nameTok.Start),
            };
            items.Add(block);
            stack.Add(block);
            return;
        }
        var param = new ConfParamItem
        {
            FirstToken = k,
            NameToken = k,
            Name = nameTok.Value!,
            IsVariable = nameTok.Kind == ConfTokenKind.Var,
            Line = LineAt(nameTok.Start),
        };
        if (kind == ConfTokenKind.Semicolon)
        {
            Shift(n);
            param.LastToken = n;
            items.Add(param);
            return;
        }
        if (kind is ConfTokenKind.Equals or ConfTokenKind.PlusEq)
        {
            param.Operator = kind == ConfTokenKind.Equals ? ConfOperator.Assign : ConfOperator.Append;
            Shift(n);
            n = NextSig();
            kind = KindAt(n);
        }
        else if (kind is ConfTokenKind.Str or ConfTokenKind.Var && !param.IsVariable && param.Name == ".include")
        {
            param.IsInclude = true;
        }
        while (true)
        {
            if (kind is not (ConfTokenKind.Str or ConfTokenKind.Var)) { _values.Clear(); SyntaxError(n); return; }
            _values.Add(ParseString(n));
            n = NextSig();
            kind = KindAt(n);
            if (kind == ConfTokenKind.Comma)
            {
                Shift(n);
                n = NextSig();
                kind = KindAt(n);
                continue;
            }
            if (kind == ConfTokenKind.Semicolon)
            {
                param.Values = _values.ToArray();
                _values.Clear();
                if (param.IsInclude)
                    foreach (var v in param.Values)
                        if (v.HasVars)
                        {
                            // special_param(): reported with yylineno at the reduction (the ';'); the other paths are still read.
                            int line = _tree.EndLine(n);
                            var d = new ConfDiagnostic(_file, line, _tree.ColumnOf(v.FirstToken), _tree.TokenText(v.FirstToken),
                                $"{_file} line {line}: variables not permitted in '.include' filename");
                            _tree.OrderedDiagnostics.Add((_tok[n].Start, d));
                        }
                Shift(n);
                param.LastToken = n;
                items.Add(param);
                return;
            }
            _values.Clear();
            SyntaxError(n);
            return;
        }
    }

    private readonly List<ConfValue> _values = new(4);

    private ConfValue ParseString(int k)
    {
        var first = _tok[k];
        Shift(k);
        int last = k;
        int n = NextSig();
        if (n < 0 || !_tok[n].IsContinuation)
        {
            if (first.IsVariable) return new ConfValue("", new List<ConfVarRef> { new(first.Value!, 0) }, k, k);
            return new ConfValue(first.Value!, null, k, k);
        }
        var sb = new StringBuilder();
        List<ConfVarRef>? vars = null;
        Add(first);
        while (n >= 0 && _tok[n].IsContinuation)
        {
            Add(_tok[n]);
            Shift(n);
            last = n;
            n = NextSig();
        }
        return new ConfValue(sb.ToString(), vars, k, last);

        void Add(ConfToken t)
        {
            if (t.IsVariable) (vars ??= new()).Add(new ConfVarRef(t.Value!, sb.Length));
            else sb.Append(t.Value);
        }
    }
}
