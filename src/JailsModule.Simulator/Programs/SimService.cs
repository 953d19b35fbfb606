using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// service(8) with rc.d/jail (reference §6, libexec/rc/rc.d/jail): start/stop/restart/status and
/// their one* forms, per-jail config choice (/etc/jail.NAME.conf, /etc/jail.conf.d/NAME.conf,
/// $jail_conf), /var/run/jail_NAME.id, and the screen output "Starting jails: a b." /
/// "Stopping jails: a b.". Other services: a simple rcvar check and a running flag in
/// SimState.RunningServices (later features register their own rc.d behaviour here).
/// </summary>
[SimulatedTool("/usr/sbin/service")]
public sealed class SimService : ISimulatedTool
{
    /// <summary>rc.d scripts the simulated base system has.</summary>
    private static readonly HashSet<string> BaseScripts = new(StringComparer.Ordinal)
    {
        "jail", "sshd", "cron", "syslogd", "linux", "rctl", "zfs", "netif", "routing", "devfs", "pf", "ntpd", "sendmail", "local_unbound",
    };

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "ejlrRvq");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            if (c == '?') return SimResult.Fail("usage: service [-j <jail name or id>] -e\n       service [-j <jail name or id>] -R\n       service [-j <jail name or id>] [-v] -l | -r\n       service [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.\n       service -h");
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count < 2) return SimResult.Fail("usage: service [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.");
        var script = rest[0];
        var verb = rest[1];
        var names = rest.Skip(2).ToList();
        if (!BaseScripts.Contains(script) && !ctx.Fs.FileExists(SimExec.HostPath(ctx.Jail, "/usr/local/etc/rc.d/" + script)))
            return SimResult.Fail($"{script} does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable");

        bool one = verb.StartsWith("one", StringComparison.Ordinal) && verb.Length > 3;
        bool force = verb.StartsWith("force", StringComparison.Ordinal) && verb.Length > 5;
        var baseVerb = one ? verb[3..] : force ? verb[5..] : verb;
        var rcvar = script + "_enable";
        if (baseVerb is "start" or "stop" or "restart" && !one && !force && !SimRcConf.IsYes(SimRcConf.Get(ctx.Fs, ctx.Jail, rcvar, script)))
            return SimResult.Ok($"Cannot '{baseVerb}' {script}. Set {rcvar} to YES in /etc/rc.conf or use 'one{baseVerb}' instead of '{baseVerb}'.\n");
        if (baseVerb == "enabled")
            return new SimResult(SimRcConf.IsYes(SimRcConf.Get(ctx.Fs, ctx.Jail, rcvar, script)) ? 0 : 1);
        if (baseVerb == "rcvar")
            return SimResult.Ok($"# {script}\n#\n{rcvar}=\"{SimRcConf.Get(ctx.Fs, ctx.Jail, rcvar, script) ?? "NO"}\"\n#   (default: \"\")\n");

        if (script == "jail") return Jail(ctx, baseVerb, names);
        return Generic(ctx, script, baseVerb);
    }

    private static SimResult Generic(SimContext ctx, string script, string verb)
    {
        var running = ctx.State.RunningServices.Contains(script);
        switch (verb)
        {
            case "start":
                if (running) return SimResult.Ok($"{script} already running? (pid=4242).\n");
                ctx.State.RunningServices.Add(script);
                ctx.Dirty = true;
                return SimResult.Ok($"Starting {script}.\n");
            case "stop":
                if (!running) return SimResult.Fail($"{script} not running?");
                ctx.State.RunningServices.Remove(script);
                ctx.Dirty = true;
                return SimResult.Ok($"Stopping {script}.\n");
            case "restart":
                var sb = new StringBuilder();
                if (running) sb.Append($"Stopping {script}.\n");
                ctx.State.RunningServices.Remove(script);
                ctx.State.RunningServices.Add(script);
                ctx.Dirty = true;
                return SimResult.Ok(sb.Append($"Starting {script}.\n").ToString());
            case "status":
                return running ? SimResult.Ok($"{script} is running as pid 4242.\n") : new SimResult(1, $"{script} is not running.\n");
            default:
                return SimResult.Fail($"/etc/rc.d/{script}: unknown directive '{verb}'.");
        }
    }

    // ------------------------------------------------------------ rc.d/jail

    /// <summary>rc.d/jail's name mangling: "_j" is the name with '/' and '.' turned into '_'; "_jv" every non-alphanumeric.</summary>
    private static string Jv(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
    private static string J(string name) => name.Replace('/', '_').Replace('.', '_');

    /// <summary>parse_options: jail_JV_conf, /etc/jail.J.conf, /etc/jail.conf.d/J.conf, $jail_conf; null when none is readable.</summary>
    public static string? ConfigFor(SimContext ctx, string name)
    {
        var j = J(name);
        var perJail = SimRcConf.Get(ctx.Fs, ctx.Jail, $"jail_{Jv(name)}_conf", "jail");
        foreach (var f in new[] { perJail ?? $"/etc/jail.{j}.conf", $"/etc/jail.conf.d/{j}.conf", SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_conf", "jail") ?? "/etc/jail.conf" })
            if (ctx.Fs.FileExists(SimExec.HostPath(ctx.Jail, f))) return f;
        return null;
    }

    private static SimResult Jail(SimContext ctx, string verb, List<string> names)
    {
        switch (verb)
        {
            case "start": return JailStart(ctx, names);
            case "stop": return JailStop(ctx, names);
            case "restart":
                var stop = JailStop(ctx, names);
                var start = JailStart(ctx, names);
                return new SimResult(start.ExitCode, stop.StandardOutput + start.StandardOutput, stop.StandardError + start.StandardError);
            case "status":
                return ctx.RunTool("/usr/sbin/jls", new[] { "-N" });
            case "config":
                return SimResult.Ok();
            default:
                return SimResult.Fail($"/etc/rc.d/jail: unknown directive '{verb}'.");
        }
    }

    /// <summary>${jail_JV_flags:-$jail_flags} (or $jail_flags alone), split as an unquoted expansion is (IFS: space, tab, newline).</summary>
    private static List<string> JailFlags(SimContext ctx, string? name)
    {
        var flags = name is null ? null : SimRcConf.Get(ctx.Fs, ctx.Jail, $"jail_{Jv(name)}_flags", "jail");
        if (string.IsNullOrEmpty(flags)) flags = SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_flags", "jail") ?? "";
        return Words(flags);
    }

    private static List<string> Words(string s) => s.Split(new[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>${jail_JV_program:-$jail_program}, jail_program defaulting to /usr/sbin/jail; "$command" is unquoted, so it splits too.</summary>
    private static List<string> JailProgram(SimContext ctx, string name)
    {
        var p = SimRcConf.Get(ctx.Fs, ctx.Jail, $"jail_{Jv(name)}_program", "jail");
        if (string.IsNullOrEmpty(p)) p = SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_program", "jail");
        var words = Words(string.IsNullOrEmpty(p) ? "/usr/sbin/jail" : p);
        return words.Count == 0 ? new List<string> { "/usr/sbin/jail" } : words;
    }

    /// <summary>What "service jail start NAME" runs for one jail: $command $rc_flags -i -f CONF -c J (program, then argv).</summary>
    public static (string Program, List<string> Arguments) StartCommand(SimContext ctx, string name, string conf)
    {
        var cmd = JailProgram(ctx, name);
        var argv = cmd.Skip(1).ToList();
        argv.AddRange(JailFlags(ctx, name));
        argv.AddRange(new[] { "-i", "-f", conf, "-c", J(name) });
        return (cmd[0], argv);
    }

    /// <summary>What "service jail stop NAME" runs for one jail: $command -q -f CONF -r J (program, then argv).</summary>
    public static (string Program, List<string> Arguments) StopCommand(SimContext ctx, string name, string? conf)
    {
        var cmd = JailProgram(ctx, name);
        var argv = cmd.Skip(1).ToList();
        argv.Add("-q");
        if (conf != null) argv.AddRange(new[] { "-f", conf });
        argv.AddRange(new[] { "-r", J(name) });
        return (cmd[0], argv);
    }

    private static SimResult JailStart(SimContext ctx, List<string> names)
    {
        var sb = new StringBuilder();
        var err = new StringBuilder();
        if (names.Count == 0)
        {
            var list = SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_list", "jail") ?? "";
            names = list.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        sb.Append("Starting jails:");
        if (names.Count == 0)
        {
            // _ALL: one jail(8) run over $jail_conf, then a .id file per running jail.
            var conf = SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_conf", "jail") ?? "/etc/jail.conf";
            var argv = JailFlags(ctx, null);
            if (!SimRcConf.IsYes(SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_parallel_start", "jail"))) argv.Add("-p1");
            argv.AddRange(new[] { "-f", conf, "-c" });
            var r = ctx.RunTool("/usr/sbin/jail", argv);
            foreach (var line in r.StandardOutput.Split('\n'))
                if (line.EndsWith(": created", StringComparison.Ordinal)) sb.Append(' ').Append(line[..^9]);
            if (r.ExitCode != 0) sb.Append('\n').Append(r.StandardOutput).Append(r.StandardError);
            foreach (var j in SimKernel.Visible(ctx.State, ctx.Jail, false))
                ctx.Fs.WriteAllText(SimExec.HostPath(ctx.Jail, $"/var/run/jail_{SimKernel.RelativeName(j, ctx.Jail)}.id"), j.Jid + "\n");
            sb.Append(".\n");
            return new SimResult(r.ExitCode == 0 ? 0 : 1, sb.ToString(), err.ToString());
        }
        int rc = 0;
        foreach (var name in names)
        {
            var conf = ConfigFor(ctx, name);
            if (conf is null)
            {
                err.Append($"/etc/rc.d/jail: WARNING: Invalid configuration for {J(name)} (no jail.conf, no hostname, or no path).  Jail {J(name)} was ignored.\n");
                continue;
            }
            // rc.d/jail has no "already running" skip: jail -c runs and says "already exists" (§17.9).
            var (program, argv) = StartCommand(ctx, name, conf);
            var r = ctx.RunTool(program, argv, stdin: "");
            if (r.ExitCode == 0)
            {
                sb.Append(' ').Append(name);
                var jid = SimKernel.Lookup(ctx.State, ctx.Jail, name)?.Jid;
                if (jid != null) ctx.Fs.WriteAllText(SimExec.HostPath(ctx.Jail, $"/var/run/jail_{J(name)}.id"), jid + "\n");
            }
            else
            {
                // echo " cannot start jail " "\"NAME\": " (two words: two spaces), then cat of jail's captured output.
                // jail_start ends with echo '.', so the service still exits 0.
                sb.Append($" cannot start jail  \"{name}\": \n").Append(r.StandardOutput).Append(r.StandardError);
            }
        }
        sb.Append(".\n");
        ctx.Dirty = true;
        return new SimResult(rc, sb.ToString(), err.ToString());
    }

    private static SimResult JailStop(SimContext ctx, List<string> names)
    {
        var sb = new StringBuilder("Stopping jails:");
        var err = new StringBuilder();
        int rc = 0;
        if (names.Count == 0)
        {
            var list = SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_list", "jail") ?? "";
            names = list.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        if (names.Count == 0)
        {
            var conf = SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_conf", "jail") ?? "/etc/jail.conf";
            var running = SimKernel.Visible(ctx.State, ctx.Jail, false).Where(j => j.Parent == (ctx.Jail?.Jid ?? 0)).Select(j => SimKernel.RelativeName(j, ctx.Jail)).ToList();
            if (SimRcConf.IsYes(SimRcConf.Get(ctx.Fs, ctx.Jail, "jail_reverse_stop", "jail"))) running.Reverse();
            foreach (var name in running)
            {
                sb.Append(' ').Append(name);
                var argv = JailFlags(ctx, null);
                argv.AddRange(ctx.Fs.FileExists(SimExec.HostPath(ctx.Jail, conf)) ? new[] { "-f", conf, "-r", name } : new[] { "-r", name });
                var r = ctx.RunTool("/usr/sbin/jail", argv);
                if (r.ExitCode != 0) { err.Append(r.StandardError); rc = 1; }
                ctx.Fs.DeleteIfExists(SimExec.HostPath(ctx.Jail, $"/var/run/jail_{J(name)}.id"));
            }
            return new SimResult(rc, sb.Append(".\n").ToString(), err.ToString());
        }
        foreach (var name in names)
        {
            if (SimKernel.Lookup(ctx.State, ctx.Jail, name) is null) continue; // "jls -j NAME" failed: skipped
            var conf = ConfigFor(ctx, name);
            sb.Append(' ').Append(name);
            var (program, argv) = StopCommand(ctx, name, conf);
            var r = ctx.RunTool(program, argv);
            sb.Append(r.StandardOutput);
            if (r.ExitCode != 0) { err.Append(r.StandardError); rc = 1; }
            ctx.Fs.DeleteIfExists(SimExec.HostPath(ctx.Jail, $"/var/run/jail_{J(name)}.id"));
        }
        ctx.Dirty = true;
        return new SimResult(rc, sb.Append(".\n").ToString(), err.ToString());
    }
}
