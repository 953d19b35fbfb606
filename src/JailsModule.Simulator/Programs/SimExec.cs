namespace JailsModule.Simulation;

/// <summary>A passwd(5) entry of the simulated host or of a jail.</summary>
public sealed record SimUser(string Name, int Uid, int Gid, string Home, string Shell);

/// <summary>
/// Running programs the way execvp(3) does, inside a root (the host's "/" or a jail's path): the
/// program file must exist under that root and a simulated class must answer for its path.
/// Also the passwd lookups jexec and id need.
/// </summary>
public static class SimExec
{
    public const string DefaultPath = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";

    /// <summary>The host path of a path seen from inside <paramref name="jail"/> (or the host when null).</summary>
    public static string HostPath(SimJail? jail, string path)
    {
        var n = SimFileSystem.Normalize(path.StartsWith('/') ? path : "/" + path);
        if (jail is null || jail.Path == "/") return n;
        return n == "/" ? SimFileSystem.Normalize(jail.Path) : SimFileSystem.Normalize(jail.Path + n);
    }

    /// <summary>The path a jail's viewer sees for a host path (the prefix of its own root removed).</summary>
    public static string ViewPath(SimJail? viewer, string hostPath)
    {
        if (viewer is null || viewer.Path == "/") return hostPath;
        var root = SimFileSystem.Normalize(viewer.Path);
        if (hostPath == root) return "/";
        return hostPath.StartsWith(root + "/", StringComparison.Ordinal) ? hostPath[root.Length..] : hostPath;
    }

    /// <summary>
    /// execvp: resolves <paramref name="argv"/>[0] through PATH under the root of <paramref name="jail"/>
    /// and runs it there. Failure texts are the caller's (jexec: "jexec: execvp: cmd: ..."), given as
    /// <paramref name="errPrefix"/> ("jexec" or "jail").
    /// </summary>
    public static SimResult Run(SimContext ctx, SimJail? jail, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> env,
        string errPrefix, SimUser? user = null, string? stdin = null, string call = "execvp", bool inheritInput = false)
    {
        var cmd = argv[0];
        var program = Resolve(ctx.Fs, jail, cmd, env.TryGetValue("PATH", out var p) ? p : DefaultPath);
        if (program is null)
            return new SimResult(errPrefix == "sh" ? 127 : 1, "",
                errPrefix == "sh" ? $"{cmd}: not found\n" : $"{errPrefix}: {call}: {cmd}: No such file or directory\n");
        var tool = SimToolRegistry.Find(program);
        if (tool is null)
            return new SimResult(errPrefix == "sh" ? 126 : 1, "",
                errPrefix == "sh" ? $"{cmd}: Exec format error\n" : $"{errPrefix}: {call}: {cmd}: Exec format error\n");
        // inheritInput: an exec (jexec) hands its own standard input on, a byte stream as it is.
        var (text, stream, streaming) = inheritInput ? ctx.InheritedInput : (stdin, null, false);
        var child = new SimContext(ctx.State, ctx.Fs, program, text, env, ctx.CancellationToken)
        {
            Jail = jail, User = user ?? ctx.User, StandardInputStream = stream, Streaming = streaming,
        };
        var r = tool.Run(child, argv.Skip(1).ToList());
        if (child.Dirty) ctx.Dirty = true;
        return r;
    }

    /// <summary>The in-root path of a program, or null: a name with a slash is taken as is, else each PATH folder is tried.</summary>
    public static string? Resolve(SimFileSystem fs, SimJail? jail, string cmd, string path)
    {
        if (cmd.Length == 0) return null;
        if (cmd.Contains('/'))
        {
            var abs = cmd.StartsWith('/') ? SimFileSystem.Normalize(cmd) : SimFileSystem.Normalize("/" + cmd);
            return fs.FileExists(HostPath(jail, abs)) ? abs : null;
        }
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!dir.StartsWith('/')) continue;
            var cand = SimFileSystem.Normalize(dir + "/" + cmd);
            if (fs.FileExists(HostPath(jail, cand))) return cand;
        }
        return null;
    }

    /// <summary>passwd entries of a root: its /etc/passwd (name:pw:uid:gid:class:change:expire:gecos:home:shell or the 7-field form).</summary>
    public static IReadOnlyList<SimUser> Users(SimFileSystem fs, SimJail? jail)
    {
        var file = HostPath(jail, "/etc/passwd");
        var list = new List<SimUser>();
        if (!fs.FileExists(file)) return list;
        foreach (var raw in fs.ReadAllText(file).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split(':');
            if (f.Length < 7 || !int.TryParse(f[2], out var uid) || !int.TryParse(f[3], out var gid)) continue;
            list.Add(new SimUser(f[0], uid, gid, f[^2], f[^1]));
        }
        return list;
    }

    public static SimUser? FindUser(SimFileSystem fs, SimJail? jail, string nameOrUid)
    {
        var users = Users(fs, jail);
        return users.FirstOrDefault(u => u.Name == nameOrUid)
               ?? (int.TryParse(nameOrUid, out var id) ? users.FirstOrDefault(u => u.Uid == id) : null);
    }

    /// <summary>Who a program runs as: the jexec user, else the simulated caller.</summary>
    public static SimUser CurrentUser(SimContext ctx)
    {
        if (ctx.User != null) return ctx.User;
        var known = FindUser(ctx.Fs, null, ctx.State.Uid.ToString());
        return known ?? new SimUser(ctx.State.UserName, ctx.State.Uid, ctx.State.Uid, ctx.State.Uid == 0 ? "/root" : "/home/" + ctx.State.UserName, "/bin/sh");
    }

    public static Dictionary<string, string> CopyEnv(IReadOnlyDictionary<string, string> env)
        => new(env, StringComparer.Ordinal);
}
