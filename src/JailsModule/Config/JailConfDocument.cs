using System.Text;

namespace JailsModule.Config;

/// <summary>The text of a file does not parse; <see cref="Diagnostics"/> says where, as jail(8) would.</summary>
public sealed class JailConfSyntaxException : Exception
{
    public JailConfSyntaxException(IReadOnlyList<ConfDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Select(d => d.Message)))
    {
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<ConfDiagnostic> Diagnostics { get; }
}

/// <summary>
/// A lossless, editable syntax tree of ONE jail.conf file (includes are not expanded). Untouched text is kept
/// byte for byte; every edit changes only the statements (lines) concerned and must leave a file that parses,
/// otherwise it throws and the document stays as it was.
/// </summary>
public sealed class JailConfDocument
{
    private ConfSyntaxTree _tree;

    private JailConfDocument(ConfSyntaxTree tree) => _tree = tree;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="JailConfSyntaxException"/> when jail(8) would refuse it.</summary>
    public static JailConfDocument Parse(string text, string fileName)
    {
        var tree = ConfSyntaxTree.Parse(text, fileName);
        if (tree.HasErrors) throw new JailConfSyntaxException(tree.Diagnostics.ToList());
        return new JailConfDocument(tree);
    }

    public static JailConfDocument Empty(string fileName) => new(ConfSyntaxTree.Parse("", fileName));

    public string FileName => _tree.FileName;

    /// <summary>The syntax tree of the current text.</summary>
    public ConfSyntaxTree Tree => _tree;

    /// <summary>Block names in file order, nested blocks as <c>outer.inner</c>.</summary>
    public IReadOnlyList<string> JailNames
    {
        get
        {
            var names = new List<string>();
            foreach (var (b, full) in Blocks(_tree.Items, null)) names.Add(full);
            return names;
        }
    }

    public bool HasJail(string name) => FindBlock(name) != null;

    public override string ToString() => _tree.Text;

    private static IEnumerable<(ConfBlockItem Block, string FullName)> Blocks(List<ConfItem> items, string? prefix)
    {
        foreach (var item in items)
            if (item is ConfBlockItem b)
            {
                var full = prefix is null ? b.Name : prefix + "." + b.Name;
                yield return (b, full);
                foreach (var inner in Blocks(b.Items, full)) yield return inner;
            }
    }

    private ConfBlockItem? FindBlock(string name)
    {
        foreach (var (b, full) in Blocks(_tree.Items, null))
            if (full == name) return b;
        return null;
    }

    private List<ConfItem> ItemsOf(string? jail)
    {
        if (jail is null) return _tree.Items;
        return (FindBlock(jail) ?? throw new InvalidOperationException($"Jail '{jail}' is not defined in {FileName}.")).Items;
    }

    // ------------------------------------------------------------------ edits

    /// <summary>Appends <c>name {\n}\n</c> (after a blank line when the file has text).</summary>
    public void AddJail(string name)
    {
        if (HasJail(name)) throw new InvalidOperationException($"Jail '{name}' is already defined in {FileName}.");
        var text = _tree.Text;
        var nl = NewLine;
        var sb = new StringBuilder(text);
        if (text.Length > 0)
        {
            if (!text.EndsWith('\n')) sb.Append(nl);
            if (!EndsWithBlankLine(sb)) sb.Append(nl);
        }
        sb.Append(JailConfWriter.QuoteName(name)).Append(" {").Append(nl).Append('}').Append(nl);
        Commit(sb.ToString());
    }

    private static bool EndsWithBlankLine(StringBuilder sb)
    {
        var s = sb.ToString().TrimEnd(' ', '\t', '\r');
        return s.Length == 0 || s.EndsWith("\n\n", StringComparison.Ordinal) || s.EndsWith("\n\r\n", StringComparison.Ordinal);
    }

    /// <summary>Removes every block with this name (with its lines), and one blank line it leaves doubled.</summary>
    public bool RemoveJail(string name)
    {
        var spans = new List<(int Start, int End)>();
        foreach (var (b, full) in Blocks(_tree.Items, null))
            if (full == name) spans.Add(StatementSpan(b.FirstToken, b.LastToken));
        if (spans.Count == 0) return false;
        var text = _tree.Text;
        var sb = new StringBuilder();
        int pos = 0;
        foreach (var (s, e) in spans.OrderBy(x => x.Start))
        {
            if (s < pos) continue; // nested inside an earlier one
            int start = s;
            // A block removed from after a blank line, with a blank line or the end of the file after it,
            // would leave a doubled (or trailing) blank line: the blank line before it goes too.
            if (start == LineStart(text, start) && start > 0 && IsBlankLineBefore(text, start)
                && (e >= text.Length || IsBlankLineAt(text, e)))
                start = Math.Max(pos, LineStart(text, start - 1));
            sb.Append(text, pos, start - pos);
            pos = e;
        }
        sb.Append(text, pos, text.Length - pos);
        Commit(sb.ToString());
        return true;
    }

    /// <summary>Sets <paramref name="name"/> in a block (null: top level). The first assignment of the name (or its
    /// "no" form) is rewritten in place; later ones in the same block are removed; if none, a line is added.</summary>
    public void SetParameter(string? jail, string name, IReadOnlyList<string>? values, bool expand = false)
    {
        var statement = JailConfWriter.Statement(name, values, expand: expand);
        var items = ItemsOf(jail);
        var found = items.OfType<ConfParamItem>().Where(p => !p.IsVariable && !p.IsInclude && ConfEvaluator.EqualOpts(p.Name, name)).ToList();
        if (found.Count == 0)
        {
            Commit(Insert(jail, items, statement));
            return;
        }
        var edits = new List<(int Start, int End, string Text)>();
        var first = found[0];
        edits.Add((_tree.Tokens[first.FirstToken].Start, _tree.Tokens[first.LastToken].End, statement));
        foreach (var p in found.Skip(1))
        {
            var (s, e) = StatementSpan(p.FirstToken, p.LastToken);
            edits.Add((s, e, ""));
        }
        Commit(Apply(edits));
    }

    /// <summary>Adds <c>name += v;</c> after the last assignment of the name in that block (or at the block's end).</summary>
    public void AppendParameter(string? jail, string name, IReadOnlyList<string> values, bool expand = false)
    {
        var statement = JailConfWriter.Statement(name, values, append: true, expand: expand);
        var items = ItemsOf(jail);
        var last = items.OfType<ConfParamItem>().LastOrDefault(p => !p.IsVariable && !p.IsInclude && ConfEvaluator.EqualOpts(p.Name, name));
        if (last is null)
        {
            Commit(Insert(jail, items, statement));
            return;
        }
        Commit(InsertAfter(last, statement));
    }

    /// <summary>Removes every assignment of <paramref name="name"/> and its "no" form in that block.</summary>
    public bool RemoveParameter(string? jail, string name)
    {
        var items = ItemsOf(jail);
        var found = items.OfType<ConfParamItem>().Where(p => !p.IsVariable && !p.IsInclude && ConfEvaluator.EqualOpts(p.Name, name)).ToList();
        if (found.Count == 0) return false;
        Commit(Apply(found.Select(p => { var (s, e) = StatementSpan(p.FirstToken, p.LastToken); return (s, e, ""); }).ToList()));
        return true;
    }

    // ------------------------------------------------------------------ text helpers

    private string NewLine => _tree.Text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

    private void Commit(string text)
    {
        var tree = ConfSyntaxTree.Parse(text, FileName);
        if (tree.HasErrors) throw new JailConfSyntaxException(tree.Diagnostics.ToList());
        _tree = tree;
    }

    private string Apply(List<(int Start, int End, string Text)> edits)
    {
        var text = _tree.Text;
        var sb = new StringBuilder(text.Length + 64);
        int pos = 0;
        foreach (var (s, e, t) in edits.OrderBy(x => x.Start))
        {
            if (s < pos) continue;
            sb.Append(text, pos, s - pos).Append(t);
            pos = e;
        }
        sb.Append(text, pos, text.Length - pos);
        return sb.ToString();
    }

    private static int LineStart(string text, int offset)
    {
        int nl = offset == 0 ? -1 : text.LastIndexOf('\n', offset - 1);
        return nl + 1;
    }

    /// <summary>Index after the end of the line holding <paramref name="offset"/> (after its '\n').</summary>
    private static int LineEnd(string text, int offset)
    {
        int nl = text.IndexOf('\n', offset);
        return nl < 0 ? text.Length : nl + 1;
    }

    private static bool OnlySpaces(string text, int from, int to)
    {
        for (int i = from; i < to; i++) if (text[i] is not (' ' or '\t')) return false;
        return true;
    }

    private static bool IsBlankLineAt(string text, int lineStart)
    {
        if (lineStart >= text.Length) return false;
        int end = LineEnd(text, lineStart);
        for (int i = lineStart; i < end; i++) if (text[i] is not (' ' or '\t' or '\r' or '\n')) return false;
        return true;
    }

    private static bool IsBlankLineBefore(string text, int lineStart)
    {
        if (lineStart == 0) return true;
        int prev = LineStart(text, lineStart - 1);
        return IsBlankLineAt(text, prev);
    }

    /// <summary>
    /// What deleting a statement removes: its whole line(s) when nothing but blanks and comments share them,
    /// otherwise the statement and the blanks after it.
    /// </summary>
    private (int Start, int End) StatementSpan(int firstToken, int lastToken) => StatementSpan(firstToken, lastToken, out _);

    private (int Start, int End) StatementSpan(int firstToken, int lastToken, out bool ownsLine)
    {
        var text = _tree.Text;
        var tokens = _tree.Tokens;
        int s = tokens[firstToken].Start, e = tokens[lastToken].End;
        int ls = LineStart(text, s);
        bool aloneBefore = OnlySpaces(text, ls, s);
        // after: only trivia up to the end of the line?
        bool aloneAfter = true;
        int k = lastToken + 1;
        int lineEnd = LineEnd(text, e);
        for (; k < tokens.Count && tokens[k].Start < lineEnd; k++)
        {
            var t = tokens[k];
            if (t.Kind == ConfTokenKind.Whitespace || (t.Kind == ConfTokenKind.Comment && text.IndexOf('\n', t.Start, t.Length) < 0)) continue;
            aloneAfter = false;
            break;
        }
        ownsLine = aloneBefore && aloneAfter;
        if (ownsLine)
        {
            // A trailing block comment may run past the line: keep everything from the first line break it holds.
            return (ls, LineEnd(text, e));
        }
        int end = e;
        while (end < text.Length && text[end] is ' ' or '\t') end++;
        return (s, end);
    }

    private string IndentOfLine(int offset)
    {
        var text = _tree.Text;
        int ls = LineStart(text, offset);
        int i = ls;
        while (i < text.Length && text[i] is ' ' or '\t') i++;
        return text[ls..i];
    }

    private string InsertAfter(ConfParamItem after, string statement)
    {
        var text = _tree.Text;
        int first = _tree.Tokens[after.FirstToken].Start;
        int afterEnd = _tree.Tokens[after.LastToken].End;
        var (_, spanEnd) = StatementSpan(after.FirstToken, after.LastToken, out bool ownsLine);
        if (ownsLine)
        {
            // the statement owns its line: add a line below with the same indentation
            var nl = NewLine;
            var prefix = spanEnd == text.Length && !text.EndsWith('\n') ? nl : "";
            return text[..spanEnd] + prefix + IndentOfLine(first) + statement + nl + text[spanEnd..];
        }
        return text[..afterEnd] + " " + statement + text[afterEnd..];
    }

    private string Insert(string? jail, List<ConfItem> items, string statement)
    {
        var text = _tree.Text;
        var nl = NewLine;
        var tokens = _tree.Tokens;
        if (jail is null)
        {
            var lastParam = items.OfType<ConfParamItem>().LastOrDefault(p => !p.IsInclude);
            if (lastParam != null) return InsertAfter(lastParam, statement);
            if (items.Count == 0)
            {
                var pre = text.Length > 0 && !text.EndsWith('\n') ? nl : "";
                return text + pre + statement + nl;
            }
            // before the first item: global defaults come before every jail (§16.3)
            int at = LineStart(text, tokens[items[0].FirstToken].Start);
            if (!OnlySpaces(text, at, tokens[items[0].FirstToken].Start)) at = tokens[items[0].FirstToken].Start;
            var sep = at == tokens[items[0].FirstToken].Start && at != LineStart(text, at) ? " " : nl;
            return text[..at] + statement + (sep == " " ? " " : nl + (items[0] is ConfBlockItem ? nl : "")) + text[at..];
        }
        var block = FindBlock(jail)!;
        int rb = tokens[block.RBraceToken].Start;
        int rbLine = LineStart(text, rb);
        if (OnlySpaces(text, rbLine, rb))
        {
            var lastItem = block.Items.Count > 0 ? block.Items[^1] : null;
            string indent;
            if (lastItem != null && OnlySpaces(text, LineStart(text, tokens[lastItem.FirstToken].Start), tokens[lastItem.FirstToken].Start)
                && LineStart(text, tokens[lastItem.FirstToken].Start) != LineStart(text, tokens[block.NameToken].Start))
                indent = IndentOfLine(tokens[lastItem.FirstToken].Start);
            else
                indent = IndentOfLine(rb) + "\t";
            return text[..rbLine] + indent + statement + nl + text[rbLine..];
        }
        // "bar { persist; }" on one line: keep it on one line.
        int before = rb;
        bool spaceBefore = rb > 0 && text[rb - 1] is ' ' or '\t';
        return text[..before] + (spaceBefore ? "" : " ") + statement + " " + text[before..];
    }
}
