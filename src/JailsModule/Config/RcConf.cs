using System.Text;
using JailsModule.Host;

namespace JailsModule.Config;

/// <summary>
/// rc.conf(5) variables as an rc.d script sees them after load_rc_config: /etc/defaults/rc.conf, then
/// each file of its rc_conf_files ("/etc/rc.conf /etc/rc.conf.local"), sourced by sh(1) in that order,
/// so a later assignment wins. Only what rc.conf files hold in practice is evaluated: assignments
/// (<c>name=value</c>, several per line, <c>;</c>-separated), with unquoted, '…' and "…" parts joined
/// as sh joins them, backslash escapes, and <c>$name</c>, <c>${name}</c>, <c>${name:-word}</c> and
/// <c>${name-word}</c> expanded from the variables assigned so far. Anything else on a line (a command,
/// a function, <c>if</c>) is not run: that line sets nothing. A quote that is never closed is sh's syntax
/// error: nothing from there on is assigned. Read-only: sysrc(8) is the writer.
/// </summary>
public static class RcConf
{
    /// <summary>
    /// Longest value an assignment may build (characters): an expansion past it leaves the variable as it was,
    /// so a few lines of a="$a$a" cannot exhaust memory. sh(1) has no limit, but no rc.conf value is anywhere near it.
    /// </summary>
    public const int MaxValueLength = 1 << 20;

    public const string Defaults = "/etc/defaults/rc.conf";
    public const string DefaultConfFiles = "/etc/rc.conf /etc/rc.conf.local";

    /// <summary>
    /// The variables an rc.d script named <paramref name="service"/> sees after <c>load_rc_config service</c>
    /// (rc.subr): /etc/defaults/rc.conf and its rc_conf_files (only /etc/rc.conf when there are no
    /// defaults), then, for a service, DIR/rc.conf.d/SERVICE (a file, or every file of that folder) for
    /// DIR in /etc and each $local_startup folder without its /rc.d. Missing files are skipped.
    /// </summary>
    public static Dictionary<string, string> Read(IJailHost host, string? service = null)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        if (host.FileExists(Defaults))
        {
            ReadFile(host, Defaults, vars);
            var files = vars.TryGetValue("rc_conf_files", out var f) ? f : DefaultConfFiles;
            foreach (var file in Words(files)) ReadFile(host, file, vars);
        }
        else ReadFile(host, "/etc/rc.conf", vars);
        if (service is null) return vars;
        foreach (var d in ServiceConfDirs(vars))
        {
            var path = d + "/rc.conf.d/" + service;
            if (host.FileExists(path)) ReadFile(host, path, vars);
            else if (host.DirectoryExists(path))
                foreach (var file in host.ListDirectory(path))
                    ReadFile(host, file, vars);
        }
        return vars;
    }

    /// <summary>/etc, then each $local_startup folder with a trailing /rc.d taken off (rc.subr's ${_d%/rc.d}).</summary>
    public static IEnumerable<string> ServiceConfDirs(IReadOnlyDictionary<string, string> vars)
    {
        yield return "/etc";
        foreach (var d in Words(vars.TryGetValue("local_startup", out var ls) ? ls : ""))
            yield return d.EndsWith("/rc.d", StringComparison.Ordinal) ? d[..^"/rc.d".Length] : d;
    }

    private static string[] Words(string s) => s.Split(new[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries);

    private static void ReadFile(IJailHost host, string path, Dictionary<string, string> vars)
    {
        if (!path.StartsWith('/')) return;
        string text;
        try
        {
            if (!host.FileExists(path)) return;
            text = host.ReadRegularFile(path, BoundedFile.MaxConfigFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        Parse(text, vars);
    }

    /// <summary>Evaluates the assignments of <paramref name="text"/> into <paramref name="vars"/> (which also feeds expansions).</summary>
    public static Dictionary<string, string> Parse(string text, Dictionary<string, string>? vars = null)
    {
        vars ??= new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        while (i < text.Length)
        {
            // At the start of a command: blanks, separators, comments.
            char c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r' or ';') { i++; continue; }
            if (c == '#') { SkipLine(text, ref i); continue; }
            int start = i;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
            bool assignment = i > start && i < text.Length && text[i] == '=' && !char.IsAsciiDigit(text[start]);
            // export and readonly are special builtins whose NAME=value arguments assign in the shell (sh(1)).
            if (!assignment && text[start..i] is "export" or "readonly" && i < text.Length && text[i] is ' ' or '\t'
                && LooksLikeAssignment(text, SkipBlanks(text, i))) { i = SkipBlanks(text, i); continue; }
            if (!assignment) { SkipLine(text, ref i); continue; }
            var name = text[start..i];
            i++; // '='
            // A quote never closed runs to the end of the file: sh's readtoken1 stops with "Unterminated quoted
            // string" (bin/sh/parser.c synerror), which ends the sourced file; nothing after it is assigned.
            var read = ReadWord(text, ref i, vars, out var value);
            if (read == WordEnd.Unterminated) break;
            // A value past MaxValueLength (doubling assignments) is not assigned: the variable keeps what it had.
            if (read == WordEnd.TooLong) { SkipLine(text, ref i); continue; }
            // Something other than another assignment or a comment after the word: a command with
            // a prefix assignment (NAME=value cmd), which sets nothing in the shell itself.
            int save = i;
            while (i < text.Length && text[i] is ' ' or '\t') i++;
            if (i < text.Length && text[i] is not ('\n' or '\r' or ';' or '#') && !LooksLikeAssignment(text, i))
            {
                SkipLine(text, ref i);
                continue;
            }
            i = save;
            vars[name] = value;
        }
        return vars;
    }

    private static bool LooksLikeAssignment(string text, int i)
    {
        int start = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
        return i > start && i < text.Length && text[i] == '=' && !char.IsAsciiDigit(text[start]);
    }

    private static int SkipBlanks(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t') i++;
        return i;
    }

    private static void SkipLine(string text, ref int i)
    {
        while (i < text.Length && text[i] != '\n') i++;
    }

    private enum WordEnd { Complete, Unterminated, TooLong }

    /// <summary>One sh word after '=': ends at an unquoted blank, newline or ';'. Unterminated when a quote is never closed; TooLong past <see cref="MaxValueLength"/>.</summary>
    private static WordEnd ReadWord(string text, ref int i, Dictionary<string, string> vars, out string value)
    {
        var sb = new StringBuilder();
        value = "";
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r' or ';') break;
            if (c == '\'')
            {
                int end = text.IndexOf('\'', i + 1);
                if (end < 0) return WordEnd.Unterminated;
                sb.Append(text, i + 1, end - i - 1);
                i = end + 1;
            }
            else if (c == '"')
            {
                i++;
                bool closed = false;
                while (i < text.Length)
                {
                    char d = text[i];
                    if (d == '"') { closed = true; i++; break; }
                    if (d == '\\' && i + 1 < text.Length && text[i + 1] is '$' or '`' or '"' or '\\' or '\n')
                    {
                        if (text[i + 1] != '\n') sb.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (d == '$') { Expand(text, ref i, vars, sb); if (sb.Length > MaxValueLength) return WordEnd.TooLong; }
                    else { sb.Append(d); i++; }
                }
                if (!closed) return WordEnd.Unterminated;
            }
            else if (c == '\\')
            {
                if (i + 1 < text.Length && text[i + 1] != '\n') sb.Append(text[i + 1]);
                i += 2;
            }
            else if (c == '$') { Expand(text, ref i, vars, sb); if (sb.Length > MaxValueLength) return WordEnd.TooLong; }
            else { sb.Append(c); i++; }
        }
        value = sb.ToString();
        return WordEnd.Complete;
    }

    /// <summary>$name, ${name}, ${name:-word}, ${name-word}; anything else stays as written.</summary>
    private static void Expand(string text, ref int i, Dictionary<string, string> vars, StringBuilder sb)
    {
        int j = i + 1;
        if (j < text.Length && text[j] == '{')
        {
            int close = text.IndexOf('}', j);
            if (close < 0) { sb.Append('$'); i++; return; }
            var inner = text[(j + 1)..close];
            int n = 0;
            while (n < inner.Length && (char.IsAsciiLetterOrDigit(inner[n]) || inner[n] == '_')) n++;
            var name = inner[..n];
            var rest = inner[n..];
            vars.TryGetValue(name, out var v);
            if (n == 0) sb.Append(text, i, close - i + 1);
            else if (rest.Length == 0) sb.Append(v);
            else if (rest.StartsWith(":-", StringComparison.Ordinal)) sb.Append(string.IsNullOrEmpty(v) ? rest[2..] : v);
            else if (rest.StartsWith('-')) sb.Append(v ?? rest[1..]);
            else sb.Append(text, i, close - i + 1);
            i = close + 1;
            return;
        }
        int k = j;
        while (k < text.Length && (char.IsAsciiLetterOrDigit(text[k]) || text[k] == '_')) k++;
        if (k == j) { sb.Append('$'); i++; return; }
        if (vars.TryGetValue(text[j..k], out var value)) sb.Append(value);
        i = k;
    }
}
