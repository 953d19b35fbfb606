using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// A tiny sh(1): enough for jail(8)'s exec.* hooks and jexec. Handles `sh -c 'cmd'`, `sh FILE` and
/// a script on stdin: simple commands of the simulated userland joined by `;`, `&&`, `||` or
/// newlines, with '...' and "..." quoting, backslash escapes, $VAR / ${VAR} / $? expansion,
/// `NAME=value` assignments, `#` comments, and `>` / `>>` redirection of stdout.
/// Builtins: echo, true, false, :, exit, cd, export. Anything else runs through execvp under the
/// current root (a jail's path inside a jail).
/// </summary>
[SimulatedTool("/bin/sh")]
public sealed class SimShell : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        string? script = null;
        int i = 0;
        for (; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "-c")
            {
                if (i + 1 >= args.Count) return new SimResult(2, "", "sh: -c: option requires an argument\n");
                script = args[++i];
                i++;
                break;
            }
            if (a == "--") { i++; break; }
            if (a.Length > 1 && a[0] == '-' && a.Skip(1).All(c => "eilx".Contains(c))) continue; // -e -i -l -x: accepted
            break;
        }
        if (script is null)
        {
            if (i < args.Count)
            {
                var file = SimExec.HostPath(ctx.Jail, args[i]);
                if (!ctx.Fs.FileExists(file))
                    return new SimResult(127, "", $"sh: cannot open {args[i]}: No such file or directory\n");
                script = ctx.Fs.ReadAllText(file);
            }
            else script = ctx.StandardInput ?? "";
        }
        var env = SimExec.CopyEnv(ctx.Environment);
        return Execute(ctx, script, env);
    }

    /// <summary>Runs a script text in the context's root with the given (mutable) environment.</summary>
    public static SimResult Execute(SimContext ctx, string script, Dictionary<string, string> env)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        int status = 0;
        List<Token> tokens;
        try { tokens = Lex(script); }
        catch (FormatException ex) { return new SimResult(2, "", $"sh: {ex.Message}\n"); }

        string pendingOp = ";";
        var words = new List<Token>();
        int pos = 0;
        while (true)
        {
            bool end = pos >= tokens.Count;
            var t = end ? null : tokens[pos++];
            if (t is { IsOperator: false }) { words.Add(t); continue; }
            // A command is complete: run it unless && / || short-circuit it.
            if (words.Count > 0)
            {
                bool run = pendingOp switch { "&&" => status == 0, "||" => status != 0, _ => true };
                if (run)
                {
                    var (code, exit) = RunSimple(ctx, words, env, stdout, stderr, status);
                    status = code;
                    if (exit) break;
                }
            }
            words.Clear();
            if (end) break;
            pendingOp = t!.Text;
        }
        return new SimResult(status, stdout.ToString(), stderr.ToString());
    }

    private static (int Status, bool Exit) RunSimple(SimContext ctx, List<Token> tokens, Dictionary<string, string> env,
        StringBuilder stdout, StringBuilder stderr, int lastStatus)
    {
        env["?"] = lastStatus.ToString();
        var argv = new List<string>();
        // Where each stream goes: null = the shell's own stream, "&1"/"&2" = the other stream, else a file.
        string? outTo = null, errTo = null;
        bool outAppend = false, errAppend = false;
        var assigns = new List<(string, string)>();
        for (int k = 0; k < tokens.Count; k++)
        {
            var t = tokens[k];
            if (t.IsRedirect)
            {
                bool isErr = t.Text[0] == '2';
                if (t.IsDup)
                {
                    var to = "&" + t.Text[^1];
                    if (isErr) errTo = to == "&2" ? null : to; else outTo = to == "&1" ? null : to;
                    continue;
                }
                if (k + 1 >= tokens.Count) { stderr.Append("sh: syntax error: unexpected end of file\n"); return (2, true); }
                var target = Expand(tokens[++k], env);
                if (isErr) { errTo = target; errAppend = t.Text.EndsWith(">>", StringComparison.Ordinal); }
                else { outTo = target; outAppend = t.Text.EndsWith(">>", StringComparison.Ordinal); }
                continue;
            }
            var w = Expand(t, env);
            if (argv.Count == 0 && !t.Quoted && IsAssignment(w)) { var eq = w.IndexOf('='); assigns.Add((w[..eq], w[(eq + 1)..])); continue; }
            argv.Add(w);
        }
        if (argv.Count == 0)
        {
            foreach (var (n, v) in assigns) env[n] = v;
            return (0, false);
        }
        var cmdEnv = assigns.Count == 0 ? env : new Dictionary<string, string>(env, StringComparer.Ordinal);
        foreach (var (n, v) in assigns) cmdEnv[n] = v;

        SimResult r;
        bool exit = false;
        switch (argv[0])
        {
            case "echo":
                r = SimResult.Ok(EchoText(argv.Skip(1).ToList()));
                break;
            case "true":
            case ":":
                r = SimResult.Ok();
                break;
            case "false":
                r = new SimResult(1);
                break;
            case "exit":
                exit = true;
                r = new SimResult(argv.Count > 1 && int.TryParse(argv[1], out var ec) ? ec & 0xff : lastStatus);
                break;
            case "cd":
                var dir = argv.Count > 1 ? argv[1] : (env.TryGetValue("HOME", out var h) ? h : "/");
                r = ctx.Fs.DirectoryExists(SimExec.HostPath(ctx.Jail, dir)) ? SimResult.Ok() : new SimResult(2, "", $"cd: {dir}: No such file or directory\n");
                break;
            case "export":
                foreach (var a in argv.Skip(1))
                {
                    var eq = a.IndexOf('=');
                    if (eq > 0) env[a[..eq]] = a[(eq + 1)..];
                }
                r = SimResult.Ok();
                break;
            default:
                var toRun = new List<string>(argv);
                var pathEnv = cmdEnv.Where(kv => kv.Key != "?").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                r = SimExec.Run(ctx, ctx.Jail, toRun, pathEnv, "sh");
                break;
        }
        if (!Deliver(ctx, r.StandardOutput, outTo, outAppend, stdout, stderr, stderr) | !Deliver(ctx, r.StandardError, errTo, errAppend, stderr, stdout, stderr))
            return (2, exit);
        return (r.ExitCode, exit);
    }

    /// <summary>Sends a stream where its redirection says: its own buffer, the other one (&amp;1/&amp;2), /dev/null, or a file under the root.</summary>
    private static bool Deliver(SimContext ctx, string text, string? to, bool append, StringBuilder own, StringBuilder other, StringBuilder shellErr)
    {
        if (to is null) { own.Append(text); return true; }
        if (to is "&1" or "&2") { other.Append(text); return true; }
        if (to == "/dev/null") return true;
        var abs = to.StartsWith('/') ? to : "/" + to;
        var dir = abs[..abs.LastIndexOf('/')];
        if (!ctx.Fs.DirectoryExists(SimExec.HostPath(ctx.Jail, dir.Length == 0 ? "/" : dir)))
        {
            shellErr.Append($"sh: cannot create {to}: No such file or directory\n");
            return false;
        }
        var target = SimExec.HostPath(ctx.Jail, abs);
        // open(2) of the redirection: EROFS below a read-only mount; EPERM on an immutable (or, for >, append-only)
        // file or, for a new file, in an immutable or append-only folder. sh prints "cannot create NAME: strerror".
        string? why = null;
        try
        {
            var real = ctx.Fs.MapForWrite(target);
            bool exists = File.Exists(real);
            if (exists ? !(append ? SimFileFlags.CanAppend(ctx.State, ctx.Fs, real) : SimFileFlags.CanWrite(ctx.State, ctx.Fs, real))
                       : !SimFileFlags.CanChangeEntries(ctx.State, ctx.Fs, Path.GetDirectoryName(real)!))
                why = "Operation not permitted";
        }
        catch (IOException) { why = "Read-only file system"; }
        if (why != null)
        {
            shellErr.Append($"sh: cannot create {to}: {why}\n");
            return false;
        }
        if (append) ctx.Fs.AppendAllText(target, text);
        else ctx.Fs.WriteAllText(target, text);
        return true;
    }

    /// <summary>echo(1): -n suppresses the newline; arguments joined by one space.</summary>
    public static string EchoText(IReadOnlyList<string> args)
    {
        bool nl = true;
        int start = 0;
        if (args.Count > 0 && args[0] == "-n") { nl = false; start = 1; }
        var text = string.Join(' ', args.Skip(start));
        return nl ? text + "\n" : text;
    }

    private static bool IsAssignment(string w)
    {
        var eq = w.IndexOf('=');
        if (eq <= 0) return false;
        var name = w[..eq];
        return (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    // ---------------- lexer ----------------

    private sealed class Token
    {
        public string Text = "";
        public bool IsOperator;
        public bool IsRedirect;
        public bool IsDup;
        public bool Quoted;

        /// <summary>Word pieces: (text, expand variables?).</summary>
        public List<(string Text, bool Expand)> Parts = new();
    }

    private static string Expand(Token t, Dictionary<string, string> env)
    {
        var sb = new StringBuilder();
        foreach (var (text, expand) in t.Parts)
        {
            if (!expand) { sb.Append(text); continue; }
            for (int i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c != '$' || i + 1 >= text.Length) { sb.Append(c); continue; }
                string name;
                if (text[i + 1] == '{')
                {
                    var close = text.IndexOf('}', i + 2);
                    if (close < 0) { sb.Append(c); continue; }
                    name = text[(i + 2)..close];
                    i = close;
                }
                else if (text[i + 1] == '?') { name = "?"; i++; }
                else
                {
                    int j = i + 1;
                    while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_')) j++;
                    if (j == i + 1) { sb.Append(c); continue; }
                    name = text[(i + 1)..j];
                    i = j - 1;
                }
                if (env.TryGetValue(name, out var v)) sb.Append(v);
            }
        }
        return sb.ToString();
    }

    private static List<Token> Lex(string s)
    {
        var list = new List<Token>();
        Token? cur = null;
        var piece = new StringBuilder();

        void FlushPiece(bool expand)
        {
            if (cur is null) cur = new Token();
            cur.Parts.Add((piece.ToString(), expand));
            piece.Clear();
        }
        void EndWord()
        {
            if (piece.Length > 0) FlushPiece(true);
            if (cur != null) { cur.Text = string.Concat(cur.Parts.Select(p => p.Text)); list.Add(cur); }
            cur = null;
        }

        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case ' ':
                case '\t':
                    EndWord();
                    break;
                case '#' when cur is null && piece.Length == 0:
                    while (i + 1 < s.Length && s[i + 1] != '\n') i++;
                    break;
                case '\n':
                case ';':
                    EndWord();
                    list.Add(new Token { Text = ";", IsOperator = true });
                    break;
                case '&' when i + 1 < s.Length && s[i + 1] == '&':
                    EndWord();
                    list.Add(new Token { Text = "&&", IsOperator = true });
                    i++;
                    break;
                case '|' when i + 1 < s.Length && s[i + 1] == '|':
                    EndWord();
                    list.Add(new Token { Text = "||", IsOperator = true });
                    i++;
                    break;
                case '>':
                {
                    // [n]> [n]>> [n]>&m : a single-digit word right before '>' is the descriptor.
                    string fd = "1";
                    if (cur is null && piece.Length == 1 && (piece[0] == '1' || piece[0] == '2')) { fd = piece.ToString(); piece.Clear(); }
                    EndWord();
                    bool app = i + 1 < s.Length && s[i + 1] == '>';
                    if (app) i++;
                    if (i + 2 < s.Length + 1 && i + 1 < s.Length && s[i + 1] == '&' && i + 2 < s.Length && (s[i + 2] == '1' || s[i + 2] == '2'))
                    {
                        list.Add(new Token { Text = fd + ">&" + s[i + 2], IsRedirect = true, IsDup = true });
                        i += 2;
                        break;
                    }
                    list.Add(new Token { Text = fd + (app ? ">>" : ">"), IsRedirect = true });
                    break;
                }
                case '\'':
                {
                    if (piece.Length > 0) FlushPiece(true);
                    int close = s.IndexOf('\'', i + 1);
                    if (close < 0) throw new FormatException("Syntax error: Unterminated quoted string");
                    piece.Append(s, i + 1, close - i - 1);
                    FlushPiece(false);
                    cur!.Quoted = true;
                    i = close;
                    break;
                }
                case '"':
                {
                    if (piece.Length > 0) FlushPiece(true);
                    int j = i + 1;
                    for (; j < s.Length && s[j] != '"'; j++)
                    {
                        if (s[j] == '\\' && j + 1 < s.Length && "$`\"\\\n".Contains(s[j + 1])) { j++; if (s[j] != '\n') piece.Append(s[j] == '$' ? "\u0000" : s[j].ToString()); continue; }
                        piece.Append(s[j]);
                    }
                    if (j >= s.Length) throw new FormatException("Syntax error: Unterminated quoted string");
                    // An escaped $ stays literal: split around the placeholder.
                    var text = piece.ToString();
                    piece.Clear();
                    var segs = text.Split('\u0000');
                    for (int k = 0; k < segs.Length; k++)
                    {
                        piece.Append(segs[k]);
                        FlushPiece(true);
                        if (k < segs.Length - 1) { piece.Append('$'); FlushPiece(false); }
                    }
                    cur!.Quoted = true;
                    i = j;
                    break;
                }
                case '\\':
                    if (i + 1 < s.Length)
                    {
                        if (s[i + 1] == '\n') { i++; break; }
                        if (piece.Length > 0) FlushPiece(true);
                        piece.Append(s[++i]);
                        FlushPiece(false);
                    }
                    break;
                default:
                    piece.Append(c);
                    break;
            }
        }
        EndWord();
        return list;
    }
}
