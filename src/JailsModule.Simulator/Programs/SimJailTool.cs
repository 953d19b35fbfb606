using System.Net;
using System.Net.Sockets;
using System.Text;
using JailsModule.Simulation.Conf;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// jail(8) (reference §1, §1.1, §1.2, §2.3, §3.1, §3.2, §14; usr.sbin/jail/jail.c, config.c,
/// command.c). getopt "cde:f:hiJ:lmn:p:qrRs:u:U:v". Command-line mode (param=value ...), config-file
/// mode (-f FILE -c|-m|-r|-rc|-cm [NAME | '*']), the old four-argument form and -e SEP.
/// Named SimJailTool because SimJail is the kernel's jail record.
///
/// Messages: in config-file mode jail(8)'s jail_warnx prefixes the jail name ("jail: web: ..."); in
/// command-line mode it does not (TESTS nested: "jail: prison limit exceeded"). "already exists"
/// and "not found" are plain warnx with the name in quotes.
/// </summary>
[SimulatedTool("/usr/sbin/jail")]
public sealed class SimJailTool : ISimulatedTool
{
    private const string Usage =
        "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n" +
        "            -[cmr] param=value ... [command=command ...]\n" +
        "       jail [-dqv] [-f file] -[cmr] [jail]\n" +
        "       jail [-qv] [-f file] -[rR] ['*' | jail ...]\n" +
        "       jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n" +
        "            [-n jailname] [-s securelevel]\n" +
        "            path hostname ip[,...] command ...\n" +
        "       jail [-f file] -e separator\n";

    private const int OpCreate = 1, OpSet = 2, OpRemove = 4;

    /// <summary>jail(8)'s own pseudo-parameters (config.c intparams[]): name and type.</summary>
    internal static readonly Dictionary<string, SimParamType> IntParams = new(StringComparer.Ordinal)
    {
        ["exec.prepare"] = SimParamType.String, ["exec.prestart"] = SimParamType.String, ["exec.created"] = SimParamType.String,
        ["exec.start"] = SimParamType.String, ["command"] = SimParamType.String, ["exec.poststart"] = SimParamType.String,
        ["exec.prestop"] = SimParamType.String, ["exec.stop"] = SimParamType.String, ["exec.poststop"] = SimParamType.String,
        ["exec.release"] = SimParamType.String, ["exec.clean"] = SimParamType.Bool, ["exec.jail_user"] = SimParamType.String,
        ["exec.system_jail_user"] = SimParamType.Bool, ["exec.system_user"] = SimParamType.String, ["exec.timeout"] = SimParamType.Int,
        ["exec.consolelog"] = SimParamType.String, ["exec.fib"] = SimParamType.Int, ["stop.timeout"] = SimParamType.Int,
        ["interface"] = SimParamType.String, ["ip_hostname"] = SimParamType.Bool, ["mount"] = SimParamType.String,
        ["mount.fstab"] = SimParamType.String, ["mount.devfs"] = SimParamType.Bool, ["mount.fdescfs"] = SimParamType.Bool,
        ["mount.procfs"] = SimParamType.Bool, ["allow.dying"] = SimParamType.Bool, ["depend"] = SimParamType.String,
        ["vnet.interface"] = SimParamType.String, ["zfs.dataset"] = SimParamType.String,
    };

    /// <summary>Parameters whose repeats append on the command line and whose values are lists.</summary>
    private static readonly HashSet<string> ListParams = new(StringComparer.Ordinal)
    {
        "ip4.addr", "ip6.addr", "vnet.interface", "mount", "depend", "zfs.dataset",
        "exec.prepare", "exec.prestart", "exec.created", "exec.start", "exec.poststart",
        "exec.prestop", "exec.stop", "exec.poststop", "exec.release",
    };

    /// <summary>One parameter as jail(8) holds it: null values is the valueless form (persist;).</summary>
    internal sealed class JParam
    {
        public JParam(string name, List<string>? values) { Name = name; Values = values; }
        public string Name { get; set; }
        public List<string>? Values { get; set; }
        public string? Last => Values is { Count: > 0 } ? Values[^1] : null;
    }

    private sealed class JailRun
    {
        public required SimContext Ctx;
        public readonly StringBuilder Out = new();
        public readonly StringBuilder Err = new();
        public int Verbose;
        public bool PrintJid;
        public bool ConfigMode;
        public string? JidFile;
        public bool Failed;
        /// <summary>jail.c note_remove: docf || argc > 1 || a wildcard argument.</summary>
        public bool NoteRemove;
        public readonly StringBuilder JidLines = new();
        /// <summary>exec.consolelog of the jail being worked on, or null.</summary>
        public string? ConsoleLog;
        /// <summary>exec.clean and exec.system_jail_user of the jail being worked on (command.c run_command).</summary>
        public bool Clean, SystemJailUser;
    }

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args) => Execute(ctx, args);

    private static SimResult Execute(SimContext ctx, IReadOnlyList<string> args)
    {
        var run = new JailRun { Ctx = ctx };
        int op = 0;
        bool rflagR = false, dflag = false, docf = true;
        string? conffile = null, sep = null;
        var cmdParams = new List<JParam>();
        var g = new SimGetopt(args, "cde:f:hiJ:lmn:p:qrRs:u:U:v");
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'c': op |= OpCreate; break;
                case 'm': op |= OpSet; break;
                case 'r': op |= OpRemove; break;
                case 'R': op |= OpRemove; rflagR = true; break;
                case 'd': dflag = true; break;
                case 'e': sep = a; break;
                case 'f': conffile = a; break;
                case 'h': cmdParams.Add(new JParam("ip_hostname", null)); docf = false; break;
                case 'i': run.PrintJid = true; run.Verbose = -1; break;
                case 'J': run.JidFile = a; break;
                case 'l': cmdParams.Add(new JParam("exec.clean", null)); docf = false; break;
                case 'n': cmdParams.Add(new JParam("name", new() { a! })); docf = false; break;
                case 'p': break; // strtol, no validation; parallelism means nothing here
                case 'q': run.Verbose = -1; break;
                case 's': cmdParams.Add(new JParam("securelevel", new() { a! })); docf = false; break;
                case 'u': cmdParams.Add(new JParam("exec.jail_user", new() { a! })); cmdParams.Add(new JParam("exec.system_jail_user", null)); docf = false; break;
                case 'U': cmdParams.Add(new JParam("exec.jail_user", new() { a! })); cmdParams.Add(new JParam("exec.system_jail_user", new() { "false" })); docf = false; break;
                case 'v': run.Verbose = 1; break;
                default: return new SimResult(1, "", Usage);
            }
        }
        var rest = args.Skip(g.OptInd).ToList();
        // -e SEP: the config oracle (§1.1). No op and no jail argument allowed.
        if (sep != null)
        {
            if (op != 0 || rest.Count > 0) return new SimResult(1, "", Usage);
            var loaded = LoadConfig(run, conffile ?? "/etc/jail.conf");
            if (loaded is null) return Finish(run);
            run.Out.Append(SimJailConfParser.RenderJailE(loaded.Jails, sep));
            return Finish(run);
        }

        // jail.c prints the -d deprecation warning in its main loop, which -e never reaches.
        if (dflag)
            run.Err.Append("jail: the 'allow.dying' parameter and '-d' flagare deprecated and have no effect.\n");

        if (op == 0)
        {
            // Old style: jail path hostname ip[,ip...] command ...
            if (rest.Count < 4 || !rest[0].StartsWith('/')) return new SimResult(1, "", Usage);
            var p = new List<JParam>(cmdParams)
            {
                new("path", new() { rest[0] }),
                new("host.hostname", new() { rest[1] }),
            };
            var ip4 = new List<string>();
            var ip6 = new List<string>();
            foreach (var ip in rest[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
                (ip.Contains(':') ? ip6 : ip4).Add(ip);
            if (ip4.Count > 0) p.Add(new JParam("ip4.addr", ip4));
            if (ip6.Count > 0) p.Add(new JParam("ip6.addr", ip6));
            p.Add(new JParam("command", rest.Skip(3).ToList()));
            Create(run, p);
            return Finish(run);
        }

        if (op == OpRemove)
        {
            // Jail remove, perhaps using the config file (jail.c main: JF_STOP).
            if (!docf || rest.Count == 0) return new SimResult(1, "", Usage);
            if (!rflagR && rest.Any(x => x.Contains('='))) return new SimResult(1, "", Usage);
            // -r reads the config file only when it exists; -R never reads it.
            SimConfLoadResult? conf = null;
            var file = conffile ?? "/etc/jail.conf";
            if (!rflagR && (file == "-" || run.Ctx.Fs.FileExists(SimExec.HostPath(ctx.Jail, file))))
            {
                conf = LoadConfig(run, file);
                if (conf is null) return Finish(run);
                run.ConfigMode = true;
            }
            run.NoteRemove = conf != null || rest.Count > 1 || rest[0].Contains('*');
            var removed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in ExpandStar(run, rest, conf, running: true))
            {
                var name = NameOf(run, key);
                var cj = conf?.Jails.FirstOrDefault(j => j.Name == name);
                if (cj != null && !rflagR) RemoveDependents(run, conf!, cj.Name, removed, new HashSet<string>(StringComparer.Ordinal));
                if (removed.Contains(name)) continue; // already removed as another's dependent
                Remove(run, key, cj, useConfig: conf != null && !rflagR);
                removed.Add(name);
            }
            return Finish(run);
        }

        if (rest.Count > 1 || (rest.Count == 1 && rest[0].Contains('=')))
        {
            // Command-line mode: the config file is not read.
            if (rflagR) return new SimResult(1, "", Usage);
            var p = new List<JParam>(cmdParams);
            for (int i = 0; i < rest.Count; i++)
            {
                var arg = rest[i];
                if (arg == "command" || arg.StartsWith("command=", StringComparison.Ordinal))
                {
                    var cmd = new List<string>();
                    if (arg.Length > 8) cmd.Add(arg[8..]);
                    cmd.AddRange(rest.Skip(i + 1));
                    p.Add(new JParam("command", cmd));
                    break;
                }
                int eq = arg.IndexOf('=');
                var name = eq < 0 ? arg : arg[..eq];
                List<string>? vals = eq < 0 ? null : new() { arg[(eq + 1)..] };
                if (vals != null && name is "ip4.addr" or "ip6.addr" or "vnet.interface")
                    vals = vals[0].Split(',').ToList();
                var prev = p.FindLast(x => x.Name == name);
                if (prev != null && ListParams.Contains(name) && prev.Values != null && vals != null) prev.Values.AddRange(vals);
                else
                {
                    p.RemoveAll(x => x.Name == name);
                    p.Add(new JParam(name, vals));
                }
            }
            // dep_setup without a config file: "depend" looks at the running jails only (warnx, no jail name).
            if ((op & OpCreate) != 0)
                foreach (var dep in p.Where(x => x.Name == "depend" && x.Values != null).SelectMany(x => x.Values!)
                             .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                    if (SimKernel.Lookup(ctx.State, ctx.Jail, dep) is null)
                    {
                        run.Err.Append($"jail: depends on nonexistent jail \"{dep}\"\n");
                        run.Failed = true;
                    }
            if (run.Failed) return Finish(run);
            DoOp(run, op, p, null);
            return Finish(run);
        }

        // Config-file mode: one jail or all of them.
        {
            if (rflagR || !docf) return new SimResult(1, "", Usage);
            var file = conffile ?? "/etc/jail.conf";
            var conf = LoadConfig(run, file);
            if (conf is null) return Finish(run);
            run.ConfigMode = true;
            run.NoteRemove = true;
            var keys = rest.Count == 0 ? new List<string> { "*" } : rest;
            var done = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in ExpandStar(run, keys, conf, running: (op & OpCreate) == 0))
            {
                var cj = conf.Jails.FirstOrDefault(j => j.Name == key);
                if (cj is null)
                {
                    var runningJail = SimKernel.Lookup(ctx.State, ctx.Jail, key);
                    cj = runningJail is null ? null : conf.Jails.FirstOrDefault(j => j.Name == SimKernel.RelativeName(runningJail, ctx.Jail));
                }
                if (cj is null)
                {
                    if (op == OpRemove || (op & OpCreate) == 0)
                    {
                        // -r/-m of a running jail that is not in the file: no config, still acted on.
                        if (op == OpRemove) { Remove(run, key, null, useConfig: false); continue; }
                    }
                    run.Err.Append($"jail: \"{key}\" not found\n");
                    run.Failed = true;
                    continue;
                }
                if (cj.Errors.Count > 0)
                {
                    run.Failed = true; // its jail_warnx lines were printed while loading
                    continue;
                }
                if ((op & OpCreate) != 0 && op != (OpCreate | OpRemove) && done.Contains(cj.Name)) continue; // started as a dependency
                if ((op & OpCreate) != 0 && !StartDependencies(run, conf, cj, done, new HashSet<string>(StringComparer.Ordinal))) continue;
                DoOp(run, op, ConfParams(cj), cj);
                done.Add(cj.Name);
            }
            return Finish(run);
        }
    }

    private static List<JParam> ConfParams(SimConfJail cj)
    {
        var p = cj.Parameters.Select(x => new JParam(x.Name, x.Values?.ToList())).ToList();
        if (!p.Any(x => x.Name == "name")) p.Insert(0, new JParam("name", new() { cj.Name }));
        return p;
    }

    /// <summary>
    /// depend: the jails a jail depends on are started first (dep_setup/dep_check in state.c); one that is
    /// already running is fine. A name the config file does not define fails the dependent jail even when
    /// a jail of that name runs: with a config file, dep_setup looks only at the file's jails (find_jail).
    /// </summary>
    private static bool StartDependencies(JailRun run, SimConfLoadResult conf, SimConfJail cj, HashSet<string> done, HashSet<string> visiting)
    {
        if (!visiting.Add(cj.Name)) return true;
        foreach (var dep in Depends(cj))
        {
            var dj = conf.Jails.FirstOrDefault(j => j.Name == dep);
            if (dj is null)
            {
                run.Err.Append(Prefix(run, cj.Name)).Append($"depends on undefined jail \"{dep}\"\n");
                run.Failed = true;
                return false;
            }
            if (done.Contains(dep) || SimKernel.Lookup(run.Ctx.State, run.Ctx.Jail, dep) != null) continue;
            if (!StartDependencies(run, conf, dj, done, visiting)) return false;
            if (!Create(run, ConfParams(dj), dj.Name)) return false;
            done.Add(dep);
        }
        return true;
    }

    /// <summary>
    /// Removing a jail first removes the running jails of the same file that depend on it, dependents of
    /// dependents first (state.c dep_check: a jail being stopped puts JF_STOP on the jails that depend on it
    /// and waits for them). Jails of other files are unknown to this run and stay.
    /// </summary>
    private static void RemoveDependents(JailRun run, SimConfLoadResult conf, string name, HashSet<string> removed, HashSet<string> visiting)
    {
        if (!visiting.Add(name)) return;
        foreach (var dj in conf.Jails)
        {
            if (removed.Contains(dj.Name) || !Depends(dj).Contains(name)) continue;
            if (SimKernel.Lookup(run.Ctx.State, run.Ctx.Jail, dj.Name) is null) continue;
            RemoveDependents(run, conf, dj.Name, removed, visiting);
            if (removed.Contains(dj.Name)) continue;
            Remove(run, dj.Name, dj, useConfig: true);
            removed.Add(dj.Name);
        }
    }

    private static IEnumerable<string> Depends(SimConfJail cj) => cj.Parameters.Where(x => x.Name == "depend" && x.Values != null)
        .SelectMany(x => x.Values!).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static SimResult Finish(JailRun run)
    {
        if (run.JidFile != null && run.JidLines.Length > 0)
            run.Ctx.Fs.WriteAllText(SimExec.HostPath(run.Ctx.Jail, run.JidFile), run.JidLines.ToString());
        return new SimResult(run.Failed ? 1 : 0, run.Out.ToString(), run.Err.ToString());
    }

    private static string NameOf(JailRun run, string key)
    {
        var j = SimKernel.Lookup(run.Ctx.State, run.Ctx.Jail, key);
        return j is null ? key : SimKernel.RelativeName(j, run.Ctx.Jail);
    }

    /// <summary>'*' means every jail of the file (or every running jail for -r without one).</summary>
    private static IEnumerable<string> ExpandStar(JailRun run, IReadOnlyList<string> keys, SimConfLoadResult? conf, bool running)
    {
        foreach (var k in keys)
        {
            if (k != "*") { yield return k; continue; }
            if (conf != null && !running)
                foreach (var j in conf.Jails) yield return j.Name;
            else
                foreach (var j in SimKernel.Visible(run.Ctx.State, run.Ctx.Jail, false).Where(j => j.Parent == (run.Ctx.Jail?.Jid ?? 0)).Reverse().ToList())
                    yield return SimKernel.RelativeName(j, run.Ctx.Jail);
        }
    }

    private static SimConfLoadResult? LoadConfig(JailRun run, string file)
    {
        var ctx = run.Ctx;
        // The simulator's own jail.conf reader (Simulation/Conf), reading the files jail(8) sees from where it runs.
        var files = new SimJailViewFiles(ctx.Fs, ctx.Jail);
        SimConfLoadResult res;
        if (file == "-") res = SimJailConfParser.LoadText(ctx.StandardInput ?? "", "STDIN", files);
        else
        {
            if (!files.FileExists(file))
            {
                run.Err.Append($"jail: {file}: No such file or directory\n");
                run.Failed = true;
                return null;
            }
            res = SimJailConfParser.Load(file, files);
        }
        // load_config prints jail_warnx for every jail of the file (bad variables, redefined name), not only the selected ones.
        foreach (var w in res.Warnings) run.Err.Append($"jail: {w}\n");
        if (res.Success) return res;
        foreach (var e in res.Errors) run.Err.Append($"jail: {e}\n");
        run.Failed = true;
        return null;
    }

    private static void DoOp(JailRun run, int op, List<JParam> p, SimConfJail? cj)
    {
        var name = p.FindLast(x => x.Name == "name")?.Last;
        var jidText = p.FindLast(x => x.Name == "jid")?.Last;
        SimJail? existing = null;
        if (name != null) existing = SimKernel.Lookup(run.Ctx.State, run.Ctx.Jail, name);
        else if (jidText != null) existing = SimKernel.Lookup(run.Ctx.State, run.Ctx.Jail, jidText);
        var label = cj?.Name ?? name ?? jidText ?? "";
        switch (op)
        {
            case OpCreate:
                if (existing != null) { run.Err.Append($"jail: \"{label}\" already exists\n"); run.Failed = true; return; }
                Create(run, p, cj?.Name);
                return;
            case OpSet:
                if (existing is null) { run.Err.Append($"jail: \"{label}\" not found\n"); run.Failed = true; return; }
                Modify(run, existing, p, label);
                return;
            case OpCreate | OpSet:
                if (existing is null) Create(run, p, cj?.Name);
                else Modify(run, existing, p, label);
                return;
            case OpRemove | OpCreate | OpSet when existing != null && RdtunChanged(run.Ctx, existing, p) is null:
                Modify(run, existing, p, label);
                return;
            case OpRemove | OpCreate:
            case OpRemove | OpCreate | OpSet:
                if (existing != null && !Remove(run, label, cj, useConfig: cj != null)) return;
                Create(run, p, cj?.Name);
                return;
            case OpRemove | OpSet:
                if (existing is null) { run.Err.Append($"jail: \"{label}\" not found\n"); run.Failed = true; return; }
                if (RdtunChanged(run.Ctx, existing, p) is null) { Modify(run, existing, p, label); return; }
                if (Remove(run, label, cj, useConfig: cj != null)) Create(run, p, cj?.Name);
                return;
            case OpRemove:
                // jail.c JF_STOP: "not found" only under verbose >= 0 (-q and -i silence it); still a failure.
                if (existing is null) { if (run.Verbose >= 0) run.Err.Append($"jail: \"{label}\" not found\n"); run.Failed = true; return; }
                Remove(run, label, cj, useConfig: cj != null);
                return;
        }
    }

    // ------------------------------------------------------------ validation

    /// <summary>
    /// jail_note: "NAME: created" / "NAME: updated" only when the jail has a name, which in jail.c means
    /// config-file mode (command-line jails have none, so they print nothing unless -v).
    /// </summary>
    private static void Note(JailRun run, string label, string what)
    {
        if (run.Verbose < 0) return;
        if (run.ConfigMode) run.Out.Append($"{label}: {what}\n");
        else if (run.Verbose > 0) run.Out.Append($"{what}\n");
    }

    private static string Prefix(JailRun run, string? name) => run.ConfigMode && name != null ? $"jail: {name}: " : "jail: ";

    /// <summary>bool_param() of config.c: a "no" last component XOR (no value, or "true", or a non-zero integer).</summary>
    internal static bool BoolValue(JParam p)
    {
        bool no = IsNoName(p.Name);
        string? v = p.Last;
        bool on = p.Values is null || p.Values.Count == 0 || v!.Equals("true", StringComparison.OrdinalIgnoreCase) ||
                  (long.TryParse(v, out var n) && n != 0);
        return no ^ on;
    }

    private static bool IsNoName(string name)
    {
        int dot = name.LastIndexOf('.');
        var last = dot < 0 ? name : name[(dot + 1)..];
        return last.StartsWith("no", StringComparison.Ordinal) && last.Length > 2 && SimJailConfParser.StripNo(name) != name
               && SimKernel.Find(name) is null && !IntParams.ContainsKey(name);
    }

    private static string Canon(string name) => IsNoName(name) ? SimJailConfParser.StripNo(name) : name;

    private static bool IsBoolText(string v) => v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase) || long.TryParse(v, out _);

    /// <summary>check_intparams + jailparam_import: types, addresses, path. Returns the error text (without "jail: ") or null.</summary>
    private static string? Validate(SimContext ctx, List<JParam> p, bool creating)
    {
        foreach (var prm in p)
        {
            var canon = Canon(prm.Name);
            SimParamType type;
            if (IntParams.TryGetValue(canon, out var it)) type = it;
            else if (SimKernel.Find(canon) is { } kp)
            {
                if (kp.ReadOnly) return $"{prm.Name}: parameter is read-only";
                type = kp.Type;
            }
            else return $"unknown parameter: {prm.Name}";
            // Without VIMAGE the kernel has no security.jail.param.vnet.
            if (canon == "vnet" && ctx.State.Sysctls.GetValueOrDefault("kern.features.vimage") != "1") return $"unknown parameter: {prm.Name}";
            if (IsNoName(prm.Name) && type != SimParamType.Bool) return $"unknown parameter: {prm.Name}";
            var v = prm.Last;
            switch (type)
            {
                case SimParamType.Bool:
                    if (v != null && !IsBoolText(v)) return $"{prm.Name}: unknown boolean value \"{v}\"";
                    break;
                case SimParamType.Int:
                    if (v is null || !long.TryParse(v, out _)) return $"{prm.Name}: non-integer value \"{v ?? ""}\"";
                    break;
                case SimParamType.JailSys:
                    if (v != null && v is not ("new" or "inherit" or "disable") && !IsBoolText(v))
                        return $"{prm.Name}: unknown jailsys value \"{v}\"";
                    break;
                case SimParamType.Ip4List:
                case SimParamType.Ip6List:
                    foreach (var item in prm.Values ?? new List<string>())
                        foreach (var raw in item.Split(',', StringSplitOptions.RemoveEmptyEntries))
                        {
                            var (_, addr) = SplitAddress(raw);
                            var fam = type == SimParamType.Ip4List ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                            if (!IPAddress.TryParse(addr, out var ip) || ip.AddressFamily != fam || (fam == AddressFamily.InterNetwork && addr.Count(ch => ch == '.') != 3))
                                return $"{prm.Name}: not an {(fam == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address: {addr}";
                        }
                    break;
            }
        }
        var path = p.FindLast(x => x.Name == "path")?.Last;
        if (creating && path != null)
        {
            if (!path.StartsWith('/')) return $"path {path}: not an absolute pathname";
            if (!ctx.Fs.DirectoryExists(SimExec.HostPath(ctx.Jail, path))) return $"path {path}: No such file or directory";
        }
        var name = p.FindLast(x => x.Name == "name")?.Last;
        if (name != null && name.Length == 0) return "name: empty name";
        return null;
    }

    /// <summary>An ip4.addr item: "iface|addr/mask" → (iface, addr).</summary>
    private static (string? Iface, string Addr) SplitAddress(string raw)
    {
        string? iface = null;
        var a = raw.Trim();
        int bar = a.IndexOf('|');
        if (bar >= 0) { iface = a[..bar]; a = a[(bar + 1)..]; }
        int sp = a.IndexOf(' ');
        if (sp >= 0) a = a[..sp];
        int slash = a.IndexOf('/');
        if (slash >= 0) a = a[..slash];
        return (iface, a);
    }

    private static List<string> Values(List<JParam> p, string name)
        => p.Where(x => x.Name == name && x.Values != null).SelectMany(x => x.Values!).ToList();

    private static bool Flag(List<JParam> p, string name)
    {
        var prm = p.FindLast(x => Canon(x.Name) == name);
        return prm != null && BoolValue(prm);
    }

    // ------------------------------------------------------------ create

    /// <summary>What a create did so far, undone in reverse when a later step fails.</summary>
    private sealed class Undo
    {
        public readonly List<Action> Steps = new();
        public void Add(Action a) => Steps.Add(a);
        public void Run() { for (int i = Steps.Count - 1; i >= 0; i--) Steps[i](); }
    }

    private static bool Create(JailRun run, List<JParam> p, string? confName = null)
    {
        var ctx = run.Ctx;
        var st = ctx.State;
        var nameParam = p.FindLast(x => x.Name == "name")?.Last;
        var jidParam = p.FindLast(x => x.Name == "jid")?.Last;
        var display = confName ?? nameParam ?? jidParam;
        string pre = Prefix(run, display);

        var bad = Validate(ctx, p, creating: true);
        if (bad != null) { run.Err.Append(pre).Append(bad).Append('\n'); run.Failed = true; return false; }
        if (!ctx.IsRoot) { run.Err.Append(pre).Append("jail_set: Operation not permitted\n"); run.Failed = true; return false; }

        // Parent: the jail we run in, plus any dotted prefix of the name.
        SimJail? parent = ctx.Jail;
        string? fullName = null;
        if (nameParam != null)
        {
            var rel = nameParam;
            int dot = rel.LastIndexOf('.');
            if (dot > 0)
            {
                parent = SimKernel.Lookup(st, ctx.Jail, rel[..dot]);
                if (parent is null) { run.Err.Append(pre).Append("jail_set: No such file or directory\n"); run.Failed = true; return false; }
            }
            fullName = ctx.Jail is null ? rel : ctx.Jail.Name + "." + rel;
        }
        if (parent != null)
        {
            int max = int.TryParse(SimKernel.Value(parent, SimKernel.Find("children.max")!), out var m) ? m : 0;
            int cur = st.Jails.Count(j => j.Parent == parent.Jid);
            if (max == 0) { run.Err.Append(pre).Append("jail_set: Operation not permitted\n"); run.Failed = true; return false; }
            if (cur >= max) { run.Err.Append(pre).Append("prison limit exceeded\n"); run.Failed = true; return false; }
        }
        int jid = 0;
        if (jidParam != null && (!int.TryParse(jidParam, out jid) || jid < 0 || jid > 999999))
        {
            run.Err.Append(pre).Append("jail_set: Invalid argument\n");
            run.Failed = true;
            return false;
        }
        if (jid != 0)
        {
            if (st.Jails.Any(j => j.Jid == jid)) { run.Err.Append(pre).Append("jail_set: File exists\n"); run.Failed = true; return false; }
        }
        else
        {
            jid = st.LastJid;
            do { jid = jid >= 999999 ? 1 : jid + 1; } while (st.Jails.Any(j => j.Jid == jid));
        }
        var label = confName ?? nameParam ?? jid.ToString();
        fullName ??= ctx.Jail is null ? jid.ToString() : ctx.Jail.Name + "." + jid;
        if (st.Jails.Any(j => j.Name == fullName)) { run.Err.Append($"jail: \"{label}\" already exists\n"); run.Failed = true; return false; }

        var path = SimExec.HostPath(ctx.Jail, p.FindLast(x => x.Name == "path")?.Last ?? "/");
        run.ConsoleLog = p.FindLast(x => x.Name == "exec.consolelog")?.Last;
        run.Clean = Flag(p, "exec.clean");
        run.SystemJailUser = Flag(p, "exec.system_jail_user");
        var env = HookEnv(ctx, label, null, p.FindLast(x => x.Name == "path")?.Last ?? "/");
        var undo = new Undo();
        var jailMounts = new List<string>();
        var aliases = new List<string>();

        bool Step(Func<bool> f)
        {
            if (f()) return true;
            undo.Run();
            run.Failed = true;
            return false;
        }

        if (!Step(() => Hooks(run, label, Values(p, "exec.prepare"), env))) return false;
        // ip4/ip6 aliases on the host interface (interface= or iface|addr).
        var defIface = p.FindLast(x => x.Name == "interface")?.Last;
        foreach (var (fam, param) in new[] { ("inet", "ip4.addr"), ("inet6", "ip6.addr") })
        {
            foreach (var item in Values(p, param).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                var (iface, addr) = SplitAddress(item);
                iface ??= defIface;
                if (iface is null) continue;
                if (!Step(() => AddAlias(run, label, iface, fam, addr, undo, aliases))) return false;
            }
        }
        // mount, mount.fstab, mount.devfs, mount.fdescfs, mount.procfs
        var fstabLines = new List<string>(Values(p, "mount"));
        var fstab = p.FindLast(x => x.Name == "mount.fstab")?.Last;
        if (fstab != null)
        {
            var real = SimExec.HostPath(ctx.Jail, fstab);
            if (!ctx.Fs.FileExists(real))
            {
                run.Err.Append(pre).Append($"mount.fstab: {fstab}: No such file or directory\n");
                undo.Run();
                run.Failed = true;
                return false;
            }
            fstabLines.AddRange(ctx.Fs.ReadAllText(real).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }
        foreach (var line in fstabLines)
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3) { run.Err.Append(pre).Append($"mount: {line}: missing information\n"); undo.Run(); run.Failed = true; return false; }
            var opts = f.Length > 3 ? f[3] : "rw";
            if (!Step(() => Mount(run, label, "mount", f[2], f[0], SimExec.HostPath(ctx.Jail, f[1]), opts, undo, jailMounts))) return false;
        }
        var ruleset = p.FindLast(x => x.Name == "devfs_ruleset")?.Last ?? "4";
        if (Flag(p, "mount.devfs") && !Step(() => Mount(run, label, "mount.devfs", "devfs", "devfs", path + "/dev", "ruleset=" + ruleset, undo, jailMounts))) return false;
        if (Flag(p, "mount.fdescfs") && !Step(() => Mount(run, label, "mount.fdescfs", "fdescfs", "fdescfs", path + "/dev/fd", "rw", undo, jailMounts))) return false;
        if (Flag(p, "mount.procfs") && !Step(() => Mount(run, label, "mount.procfs", "procfs", "procfs", path + "/proc", "rw", undo, jailMounts))) return false;
        if (!Step(() => Hooks(run, label, Values(p, "exec.prestart"), env))) return false;

        // jail_set(JAIL_CREATE)
        var jail = new SimJail
        {
            Jid = jid,
            Name = fullName,
            Parent = parent?.Jid ?? 0,
            CpusetId = ++st.LastCpusetId,
        };
        ApplyKernelParams(ctx, jail, p, creating: true);
        if (AddressClash(st, jail, parent) is { } clash)
        {
            run.Err.Append(pre).Append(clash).Append('\n');
            undo.Run();
            run.Failed = true;
            return false;
        }
        jail.Mounts.AddRange(jailMounts);
        jail.HostAliases.AddRange(aliases);
        st.Jails.Add(jail);
        st.LastJid = jid;
        ctx.Dirty = true;
        undo.Add(() =>
        {
            // A failed create walks back through IP__OP: jail_remove, noted as for any named jail.
            RemoveFromKernel(ctx, jail);
            if (run.Verbose > 0 || (run.Verbose == 0 && run.ConfigMode)) run.Out.Append($"{label}: removed\n");
        });
        if (run.PrintJid) run.Out.Append(jid).Append('\n');
        else Note(run, label, "created");
        run.JidLines.Append($"jid={jid}\tname={QuotedPrint(label)}");
        foreach (var prm in p.Where(x => x.Name is not ("name" or "jid")))
            run.JidLines.Append('\t').Append(prm.Values is null ? prm.Name : prm.Name + "=" + string.Join(",", prm.Values.Select(QuotedPrint)));
        run.JidLines.Append('\n');

        env = HookEnv(ctx, label, jid, p.FindLast(x => x.Name == "path")?.Last ?? "/");
        if (!Step(() => Hooks(run, label, Values(p, "exec.created"), env))) return false;
        // zfs.dataset (command.c): /bin/sh -c 'if [ $(zfs get -H -o value jailed DS) = on ]; then zfs jail JID DS ||
        // echo error, attaching...; else echo error, you need to set jailed=on...; fi'. It never fails the create.
        var jidRef = jidParam ?? nameParam ?? jid.ToString();
        foreach (var ds in Values(p, "zfs.dataset"))
        {
            var jailed = ctx.RunTool("/sbin/zfs", new[] { "get", "-H", "-o", "value", "jailed", ds });
            run.Err.Append(jailed.StandardError);
            if (jailed.ExitCode == 0 && jailed.StandardOutput.Trim() == "on")
            {
                var r = ctx.RunTool("/sbin/zfs", new[] { "jail", jidRef, ds });
                run.Err.Append(r.StandardError);
                if (r.ExitCode != 0) run.Out.Append($"error, attaching {ds} to jail {jidRef} failed\n");
            }
            else run.Out.Append($"error, you need to set jailed=on for dataset {ds}\n");
        }
        foreach (var ifname in Values(p, "vnet.interface").Where(x => x.Length > 0))
            if (!Step(() => MoveInterface(run, label, jail, ifname, jidParam ?? nameParam ?? jid.ToString(), undo))) return false;

        // exec.start and command run inside the jail; jail(8) holds a temporary persist meanwhile.
        var inJailEnv = InJailEnv(ctx, p, env);
        if (!JailUser(run, label, jail, p, out var jailUser)) { undo.Run(); run.Failed = true; return false; }
        foreach (var cmd in Values(p, "exec.start"))
        {
            if (!Step(() => RunInJail(run, label, jail, CommandArgv(cmd), inJailEnv, jailUser))) return false;
            jail.Processes = Math.Max(jail.Processes, 1); // the services /etc/rc started keep running
        }
        var command = Values(p, "command");
        if (command.Count > 0)
        {
            // A command-line jail has no name: "command" is its argv. A configured one runs each string as a command line.
            if (!run.ConfigMode)
            {
                if (!Step(() => RunInJail(run, label, jail, command, inJailEnv, jailUser))) return false;
            }
            else
                foreach (var line in command)
                    if (!Step(() => RunInJail(run, label, jail, CommandArgv(line), inJailEnv, jailUser))) return false;
        }
        if (!Step(() => Hooks(run, label, Values(p, "exec.poststart"), env))) return false;

        // clear_persist: a jail with no persist and nothing running dies now.
        if (!jail.Persist && jail.Processes == 0) RemoveFromKernel(ctx, jail);
        return true;
    }

    private static Dictionary<string, string> HookEnv(SimContext ctx, string name, int? jid, string path)
    {
        var env = SimExec.CopyEnv(ctx.Environment);
        env["JNAME"] = name;
        env["JPATH"] = path;
        if (jid != null) env["JID"] = jid.Value.ToString();
        return env;
    }

    private static Dictionary<string, string> InJailEnv(SimContext ctx, List<JParam> p, Dictionary<string, string> hostEnv)
    {
        if (!Flag(p, "exec.clean")) return new Dictionary<string, string>(hostEnv, StringComparer.Ordinal) { ["PWD"] = "/" };
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = "/bin:/usr/bin", ["PWD"] = "/" };
        if (hostEnv.TryGetValue("TERM", out var t)) env["TERM"] = t;
        return env;
    }

    /// <summary>
    /// command.c run_command's argv for one exec.* string: through /bin/sh -c when it holds a shell
    /// metacharacter (!"$&amp;'()*;&lt;&gt;?[\]`{|}~, a lone trailing &amp; aside), else split on whitespace and execvp'd.
    /// </summary>
    internal static List<string> CommandArgv(string command)
    {
        int meta = command.IndexOfAny("!\"$&'()*;<>?[\\]`{|}~".ToCharArray());
        if (meta >= 0 && !(command[meta] == '&' && meta == command.Length - 1))
            return new List<string> { "/bin/sh", "-c", command };
        var words = command.TrimEnd('&').Split(new[] { ' ', '\t', '\f', '\v', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries);
        return words.ToList();
    }

    /// <summary>Runs host-side exec.* commands in order (in the caller's own root); the first failure stops.</summary>
    private static bool Hooks(JailRun run, string label, List<string> commands, Dictionary<string, string> env)
    {
        foreach (var cmd in commands)
            if (!RunCommand(run, label, run.Ctx.Jail, CommandArgv(cmd), env, null, injail: false)) return false;
        return true;
    }

    /// <summary>exec.jail_user: looked up in the jail's passwd, or the host's with exec.system_jail_user.</summary>
    private static bool JailUser(JailRun run, string label, SimJail jail, List<JParam> p, out SimUser? user)
    {
        user = null;
        var name = p.FindLast(x => x.Name == "exec.jail_user")?.Last;
        if (name is null) return true;
        user = SimExec.FindUser(run.Ctx.Fs, Flag(p, "exec.system_jail_user") ? run.Ctx.Jail : jail, name);
        if (user != null) return true;
        run.Err.Append(Prefix(run, label)).Append($"{name}: no such user\n");
        return false;
    }

    private static bool RunInJail(JailRun run, string label, SimJail jail, IReadOnlyList<string> argv, Dictionary<string, string> env, SimUser? user = null)
        => RunCommand(run, label, jail, argv, env, user, injail: true);

    /// <summary>
    /// One command as command.c runs it: in-jail output may go to exec.consolelog; a program that
    /// cannot be executed gives "exec PROG: ..."; a non-zero exit gives "COMLINE: failed".
    /// </summary>
    private static bool RunCommand(JailRun run, string label, SimJail? root, IReadOnlyList<string> argv, Dictionary<string, string> env, SimUser? user, bool injail)
    {
        if (argv.Count == 0) return true;
        var comline = string.Join(' ', argv);
        var pre = Prefix(run, label);
        string? conslog = injail ? run.ConsoleLog : null;
        if (conslog != null)
        {
            var dir = conslog.Contains('/') ? conslog[..conslog.LastIndexOf('/')] : "";
            if (!conslog.StartsWith('/')) { run.Err.Append(pre).Append($"exec.consolelog: {conslog}: not an absolute pathname\n"); return false; }
            if (!run.Ctx.Fs.DirectoryExists(SimExec.HostPath(run.Ctx.Jail, dir.Length == 0 ? "/" : dir)))
            {
                run.Err.Append(pre).Append($"open {conslog}: No such file or directory\n");
                return false;
            }
        }
        if (run.Verbose > 0)
            run.Out.Append(run.ConfigMode ? label + ": " : "")
                .Append($"run command{(injail ? " in jail" : "")}{(user != null ? " as " + user.Name : "")}: {comline}\n");
        if (run.Clean || user != null)
        {
            // command.c run_command: exec.clean clears the environment (TERM kept, PATH=/bin:/usr/bin), then for the
            // command's user (exec.jail_user / exec.system_user, else getpwuid(getuid()) where the command runs)
            // setusercontext applies the login class (PATH from login.conf), USER/HOME/SHELL are set and
            // exec.clean changes to the home directory: host-side exec.* hooks included.
            var ctx = run.Ctx;
            var lookupRoot = injail && !(user != null && run.SystemJailUser) ? root : ctx.Jail;
            var who = user ?? (injail ? SimExec.FindUser(ctx.Fs, root, ctx.State.Uid.ToString()) : null) ?? SimExec.CurrentUser(ctx);
            var e = new Dictionary<string, string>(StringComparer.Ordinal);
            if (run.Clean)
            {
                e["PATH"] = "/bin:/usr/bin";
                if (env.TryGetValue("TERM", out var term)) e["TERM"] = term;
            }
            else foreach (var kv in env) e[kv.Key] = kv.Value;
            SimLoginClass.Apply(ctx.Fs, lookupRoot, who, e);
            e["USER"] = who.Name;
            e["HOME"] = who.Home;
            e["SHELL"] = who.Shell.Length > 0 ? who.Shell : "/bin/sh";
            if (run.Clean)
            {
                if (!ctx.Fs.DirectoryExists(SimExec.HostPath(injail ? root : ctx.Jail, who.Home)))
                {
                    run.Err.Append(pre).Append($"chdir {who.Home}: No such file or directory\n");
                    run.Err.Append(pre).Append($"{comline}: failed\n");
                    return false;
                }
                e["PWD"] = who.Home;
            }
            env = e;
        }
        SimResult r;
        var program = SimExec.Resolve(run.Ctx.Fs, root, argv[0], env.TryGetValue("PATH", out var path) ? path : SimExec.DefaultPath);
        if (program is null)
            r = new SimResult(1, "", $"{pre}exec {argv[0]}: No such file or directory\n");
        else
            r = SimExec.Run(run.Ctx, root, argv, env, "jail", user);
        if (conslog != null) run.Ctx.Fs.AppendAllText(SimExec.HostPath(run.Ctx.Jail, conslog), r.StandardOutput + r.StandardError);
        else
        {
            run.Out.Append(r.StandardOutput);
            run.Err.Append(r.StandardError);
        }
        if (r.ExitCode == 0) return true;
        run.Err.Append(pre).Append($"{comline}: failed\n");
        return false;
    }

    private static bool AddAlias(JailRun run, string label, string iface, string fam, string addr, Undo undo, List<string> aliases)
    {
        var cmd = fam == "inet" ? $"/sbin/ifconfig {iface} inet {addr} netmask 255.255.255.255 alias" : $"/sbin/ifconfig {iface} inet6 {addr} prefixlen 128 alias";
        if (SimNetwork.AddAlias(run.Ctx.State, run.Ctx.Jail, iface, fam, addr, out var entry, out var back) is { } error)
        {
            run.Err.Append(error).Append('\n');
            run.Err.Append(Prefix(run, label)).Append($"{cmd}: failed\n");
            return false;
        }
        aliases.Add(entry);
        run.Ctx.Dirty = true;
        undo.Add(back);
        return true;
    }

    /// <summary>A mount jail(8) makes; check_path first ("PNAME: PATH: No such file or directory"), then mount(8).</summary>
    private static bool Mount(JailRun run, string label, string pname, string fstype, string special, string node, string opts, Undo undo, List<string> jailMounts)
    {
        var fs = run.Ctx.Fs;
        node = SimFileSystem.Normalize(node);
        if (!fs.DirectoryExists(node))
        {
            run.Err.Append(Prefix(run, label)).Append($"{pname}: {SimExec.ViewPath(run.Ctx.Jail, node)}: No such file or directory\n");
            return false;
        }
        // fstab lines (mount, mount.fstab) keep their options: "ro" makes a read-only mount (mount -p shows it)
        var back = SimMountTable.AddForJail(run.Ctx.State, fstype, special, node, opts, fromFstabLine: pname == "mount");
        jailMounts.Add(node);
        run.Ctx.Dirty = true;
        undo.Add(back);
        return true;
    }

    private static bool MoveInterface(JailRun run, string label, SimJail jail, string ifname, string jailRef, Undo undo)
    {
        if (SimNetwork.MoveToVnet(run.Ctx.State, run.Ctx.Jail, ifname, jail, out var back) is { } error)
        {
            run.Err.Append(error).Append('\n');
            run.Err.Append(Prefix(run, label)).Append($"/sbin/ifconfig {ifname} vnet {jailRef}: failed\n");
            return false;
        }
        run.Ctx.Dirty = true;
        undo.Add(back);
        return true;
    }

    /// <summary>Stores the kernel parameters of a create or modify in the jail record.</summary>
    /// <summary>
    /// kern_jail.c's check for conflicting addresses: among the live jails of the same network stack
    /// (below the nearest vnet jail, or the host), a shared address is refused unless both jails have
    /// exactly one address of that family ("IPv4 addresses clash", EADDRINUSE; libjail passes the
    /// kernel's errmsg through as is).
    /// </summary>
    private static string? AddressClash(SimState st, SimJail jail, SimJail? parent)
    {
        // kern_jail.c, before anything else about addresses: a vnet jail owns its stack.
        if (jail.IsVnet && (jail.Ip4.Count > 0 || jail.Ip6.Count > 0))
            return "vnet jails cannot have IP address restrictions";
        var stackRoot = parent;
        while (stackRoot != null && !stackRoot.IsVnet)
            stackRoot = stackRoot.Parent == 0 ? null : st.Jails.FirstOrDefault(j => j.Jid == stackRoot.Parent);
        bool SameStack(SimJail t)
        {
            for (var a = t.Parent == 0 ? null : st.Jails.FirstOrDefault(j => j.Jid == t.Parent); ; a = a.Parent == 0 ? null : st.Jails.FirstOrDefault(j => j.Jid == a.Parent))
            {
                if (a == stackRoot) return !(t.IsVnet && t != stackRoot);
                if (a is null) return false;
                if (a.IsVnet) return false;
            }
        }
        foreach (var (mine, theirs, family) in new (Func<SimJail, List<string>>, Func<SimJail, List<string>>, string)[]
                 { (j => j.Ip4, j => j.Ip4, "IPv4"), (j => j.Ip6, j => j.Ip6, "IPv6") })
        {
            var addrs = mine(jail);
            if (addrs.Count == 0) continue;
            foreach (var t in st.Jails)
            {
                if (t.Dying || !SameStack(t)) continue;
                var other = theirs(t);
                if (other.Count == 0 || (addrs.Count == 1 && other.Count == 1)) continue;
                if (addrs.Any(a => other.Contains(a, StringComparer.OrdinalIgnoreCase)))
                    return $"{family} addresses clash";
            }
        }
        return null;
    }

    private static void ApplyKernelParams(SimContext ctx, SimJail jail, List<JParam> p, bool creating)
    {
        foreach (var prm in p)
        {
            var canon = Canon(prm.Name);
            var kp = SimKernel.Find(canon);
            if (kp is null || canon is "jid" or "name") continue;
            switch (kp.Type)
            {
                case SimParamType.Bool:
                    jail.Params[canon] = BoolValue(prm) ? "true" : "false";
                    break;
                case SimParamType.JailSys:
                    var v = prm.Last;
                    jail.Params[canon] = v switch
                    {
                        null or "" => "new",
                        "new" or "inherit" or "disable" => v,
                        _ => BoolValue(prm) ? "new" : "disable",
                    };
                    break;
                case SimParamType.Ip4List:
                case SimParamType.Ip6List:
                    var list = (prm.Values ?? new List<string>()).SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(x => SplitAddress(x).Addr).ToList();
                    if (kp.Type == SimParamType.Ip4List) { jail.Ip4.Clear(); jail.Ip4.AddRange(list); jail.Params["ip4"] = list.Count > 0 ? "new" : jail.Params.GetValueOrDefault("ip4", "disable"); }
                    else { jail.Ip6.Clear(); jail.Ip6.AddRange(list); jail.Params["ip6"] = list.Count > 0 ? "new" : jail.Params.GetValueOrDefault("ip6", "disable"); }
                    break;
                case SimParamType.String when canon == "path":
                    jail.Params["path"] = SimExec.HostPath(ctx.Jail, prm.Last ?? "/");
                    break;
                default:
                    jail.Params[canon] = prm.Last ?? "";
                    break;
            }
        }
        if (!creating) return;
        jail.Params.TryAdd("path", SimExec.HostPath(ctx.Jail, "/"));
        // The kernel copies the parent's hostname for host=new; osrelease/osreldate come from the parent.
        jail.Params.TryAdd("host.hostname", SimIdentity.HostName(ctx));
        jail.Params.TryAdd("osrelease", SimIdentity.KernelRelease(ctx));
        jail.Params.TryAdd("osreldate", SimIdentity.KernelOsRelDate(ctx));
        if (jail.IsVnet)
        {
            jail.Params.TryAdd("ip4", "inherit");
            jail.Params.TryAdd("ip6", "inherit");
        }
        jail.Params.TryAdd("enforce_statfs", ctx.State.Sysctls.GetValueOrDefault("security.jail.enforce_statfs", "2"));
    }

    // ------------------------------------------------------------ modify

    /// <summary>Create-only (CTLFLAG_RDTUN) kernel parameters: changing one needs a restart (jail -mr).</summary>
    private static readonly string[] CreateOnly = { "path", "vnet", "osrelease", "osreldate" };

    /// <summary>rdtun_params: the first create-only parameter whose value would change, or null.</summary>
    private static string? RdtunChanged(SimContext ctx, SimJail jail, List<JParam> p)
    {
        foreach (var prm in p)
        {
            if (!CreateOnly.Contains(prm.Name)) continue;
            var now = SimKernel.Value(jail, SimKernel.Find(prm.Name)!);
            var want = prm.Name switch
            {
                "path" => SimExec.HostPath(ctx.Jail, prm.Last ?? "/"),
                "vnet" => prm.Last is null or "" ? "new" : prm.Last is "new" or "inherit" or "disable" ? prm.Last : (BoolValue(prm) ? "new" : "disable"),
                _ => prm.Last ?? "",
            };
            if (now != want) return prm.Name;
        }
        return null;
    }

    private static void Modify(JailRun run, SimJail jail, List<JParam> p, string label)
    {
        var bad = Validate(run.Ctx, p.Where(x => x.Name != "path").ToList(), creating: false);
        if (bad != null) { run.Err.Append(Prefix(run, label)).Append(bad).Append('\n'); run.Failed = true; return; }
        var rd = RdtunChanged(run.Ctx, jail, p);
        if (rd != null) { run.Err.Append(Prefix(run, label)).Append($"{rd} cannot be changed after creation\n"); run.Failed = true; return; }
        if (!run.Ctx.IsRoot) { run.Err.Append(Prefix(run, label)).Append("jail_set: Operation not permitted\n"); run.Failed = true; return; }
        ApplyKernelParams(run.Ctx, jail, p.Where(x => x.Name is not ("path" or "vnet")).ToList(), creating: false);
        run.Ctx.Dirty = true;
        Note(run, label, "updated");
        if (!jail.Persist && jail.Processes == 0) RemoveFromKernel(run.Ctx, jail);
    }

    // ------------------------------------------------------------ remove

    private static bool Remove(JailRun run, string key, SimConfJail? cj, bool useConfig)
    {
        var ctx = run.Ctx;
        var jail = SimKernel.Lookup(ctx.State, ctx.Jail, key);
        if (jail is null) { if (run.Verbose >= 0) run.Err.Append($"jail: \"{key}\" not found\n"); run.Failed = true; return false; }
        if (!ctx.IsRoot) { run.Err.Append(Prefix(run, key)).Append("jail_remove: Operation not permitted\n"); run.Failed = true; return false; }
        var label = cj?.Name ?? key;
        useConfig &= cj != null;
        var p = useConfig ? cj!.Parameters.Select(x => new JParam(x.Name, x.Values?.ToList())).ToList() : new List<JParam>();
        var env = HookEnv(ctx, SimKernel.RelativeName(jail, ctx.Jail), jail.Jid, SimExec.ViewPath(ctx.Jail, jail.Path));
        run.ConsoleLog = p.FindLast(x => x.Name == "exec.consolelog")?.Last;
        run.Clean = Flag(p, "exec.clean");
        run.SystemJailUser = Flag(p, "exec.system_jail_user");
        if (!Hooks(run, label, Values(p, "exec.prestop"), env)) { run.Failed = true; return false; }
        var inJailEnv = InJailEnv(ctx, p, env);
        JailUser(run, label, jail, p, out var jailUser);
        foreach (var cmd in Values(p, "exec.stop"))
            if (!RunInJail(run, label, jail, CommandArgv(cmd), inJailEnv, jailUser)) { run.Failed = true; return false; }

        // jail_remove: the jail and its children go; interfaces moved in go back home.
        RemoveFromKernel(ctx, jail);
        if (run.Verbose >= 0 && run.NoteRemove) run.Out.Append($"{label}: removed\n");
        bool ok = Hooks(run, label, Values(p, "exec.poststop"), env);

        if (useConfig)
        {
            // Unmount (procfs, fdescfs, devfs, fstab, mount: the reverse of creation) and drop the aliases.
            foreach (var node in jail.Mounts.AsEnumerable().Reverse())
                SimMountTable.RemoveNewestAt(ctx.State, node);
            foreach (var alias in jail.HostAliases.AsEnumerable().Reverse())
                SimNetwork.RemoveAlias(ctx.State, alias);
            ok &= Hooks(run, label, Values(p, "exec.release"), env);
        }
        ctx.Dirty = true;
        if (!ok) run.Failed = true;
        return ok;
    }

    /// <summary>jail_remove(2) in the simulated kernel: children first, vnet interfaces back to the parent vnet.</summary>
    internal static void RemoveFromKernel(SimContext ctx, SimJail jail)
    {
        foreach (var child in ctx.State.Jails.Where(j => j.Parent == jail.Jid).ToList())
            RemoveFromKernel(ctx, child);
        SimNetwork.ReturnHome(ctx.State, jail);
        ctx.State.Jails.Remove(jail);
        ctx.Dirty = true;
    }

    /// <summary>jail(8)'s quoted_print (reference §1.1 and §16.1).</summary>
    internal static string QuotedPrint(string s)
    {
        if (s.Length == 0) return "\"\"";
        char qc = s.Contains('\'') ? '"' : s.Contains('"') ? '\'' : (s.Contains(' ') || s.Contains('\t')) ? '"' : '\0';
        var sb = new StringBuilder();
        if (qc != '\0') sb.Append(qc);
        foreach (var c in s)
        {
            if (c == '\\' || c == qc) sb.Append('\\');
            sb.Append(c);
        }
        if (qc != '\0') sb.Append(qc);
        return sb.ToString();
    }
}
