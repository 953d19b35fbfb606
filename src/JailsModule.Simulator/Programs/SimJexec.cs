namespace JailsModule.Simulation.Tools;

/// <summary>
/// jexec(8) (reference §5 and §17.2, usr.sbin/jexec/jexec.c): getopt "lnu:U:". -l clears the environment (TERM
/// kept, PATH=/bin:/usr/bin) and, like -u/-U, applies the user's login class (PATH from login.conf's "path"),
/// sets USER, HOME, SHELL; -l then always changes to the home directory. The 14.3 jexec has no -d (it is
/// only in the newest man page), so -d is a usage error here. The jail is a jid or a name; the
/// command is found through PATH under the jail's root; the exit status is the command's.
/// </summary>
[SimulatedTool("/usr/sbin/jexec")]
public sealed class SimJexec : ISimulatedStreamTool
{
    private const string Usage = "usage: jexec [-l] [-u username | -U username] jail [command ...]";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool clean = false;
        string? hostUser = null, jailUser = null;
        var g = new SimGetopt(args, "lnu:U:");
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'l': clean = true; break;
                case 'n': break;
                case 'u': hostUser = a; break;
                case 'U': jailUser = a; break;
                default: return SimResult.Fail(Usage);
            }
        }
        if (g.OptInd >= args.Count || (hostUser != null && jailUser != null)) return SimResult.Fail(Usage);
        var key = args[g.OptInd];
        var jail = SimKernel.Lookup(ctx.State, ctx.Jail, key);
        if (jail is null)
            return SimResult.Fail(key.Length > 0 && key.All(char.IsAsciiDigit) && key != "0" ? $"jexec: jail {key} not found" : $"jexec: jail \"{key}\" not found");

        // -u (and -l without -U) look the user up on the host before jail_attach; -U inside the jail after it.
        SimUser? user = null;
        if (hostUser != null)
        {
            user = SimExec.FindUser(ctx.Fs, ctx.Jail, hostUser);
            if (user is null) return SimResult.Fail($"jexec: {hostUser}: no such user");
        }
        if (!ctx.IsRoot) return SimResult.Fail($"jexec: jail_attach({jail.Jid}): Operation not permitted");
        if (jailUser != null)
        {
            user = SimExec.FindUser(ctx.Fs, jail, jailUser);
            if (user is null) return SimResult.Fail($"jexec: {jailUser}: no such user");
        }

        var env = SimExec.CopyEnv(ctx.Environment);
        var who = user ?? SimExec.CurrentUser(ctx);
        env["PWD"] = "/";
        if (clean)
        {
            var term = env.TryGetValue("TERM", out var t) ? t : null;
            env.Clear();
            env["PATH"] = "/bin:/usr/bin";
            if (term != null) env["TERM"] = term;
        }
        if (clean || user != null)
        {
            // setusercontext(LOGIN_SETPATH | LOGIN_SETENV ...): the class comes from the login.conf of where the
            // user was looked up: the jail's with -U (after jail_attach), the caller's otherwise (before it).
            SimLoginClass.Apply(ctx.Fs, jailUser != null ? jail : ctx.Jail, who, env);
            env["USER"] = who.Name;
            env["HOME"] = who.Home;
            env["SHELL"] = who.Shell.Length > 0 ? who.Shell : "/bin/sh";
            if (clean)
            {
                // jexec -l changes to the user's home inside the jail, and fails when it is missing.
                if (!ctx.Fs.DirectoryExists(SimExec.HostPath(jail, who.Home)))
                    return SimResult.Fail($"jexec: chdir: {who.Home}: No such file or directory");
                env["PWD"] = who.Home;
            }
        }

        var argv = args.Skip(g.OptInd + 1).ToList();
        if (argv.Count == 0)
        {
            // No command: execlp($SHELL, "-i").
            var shell = env.TryGetValue("SHELL", out var sh) && sh.Length > 0 ? sh : "/bin/sh";
            return SimExec.Run(ctx, jail, new List<string> { shell, "-i" }, env, "jexec", user, call: "execlp", inheritInput: true);
        }
        return SimExec.Run(ctx, jail, argv, env, "jexec", user, inheritInput: true);
    }
}
