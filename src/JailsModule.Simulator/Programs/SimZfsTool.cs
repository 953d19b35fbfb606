using System.Globalization;
using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// zfs(8) (reference §8; OpenZFS cmd/zfs/zfs_main.c): parses argv and formats output; the dataset
/// logic lives in <see cref="SimZfsPool"/>. Usage errors print "usage:" and exit 2 (usage(B_FALSE)),
/// operation errors print "ACTION: DESCRIPTION" and exit 1.
/// </summary>
[SimulatedTool("/sbin/zfs")]
public sealed class SimZfsTool : ISimulatedTool
{
    private static readonly Dictionary<string, string> Usages = new(StringComparer.Ordinal)
    {
        ["create"] = "\tcreate [-Pnpuv] [-o property=value] ... <filesystem>\n\tcreate [-Pnpsv] [-b blocksize] [-o property=value] ... -V <size> <volume>\n",
        ["destroy"] = "\tdestroy [-fnpRrv] <filesystem|volume>\n\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n\tdestroy <filesystem|volume>#<bookmark>\n",
        ["snapshot"] = "\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n",
        ["clone"] = "\tclone [-p] [-o property=value] ... <snapshot> <filesystem|volume>\n",
        ["promote"] = "\tpromote <clone-filesystem>\n",
        ["rollback"] = "\trollback [-rRf] <snapshot>\n",
        ["rename"] = "\trename [-f] <filesystem|volume|snapshot> <filesystem|volume|snapshot>\n\trename -p [-f] <filesystem|volume> <filesystem|volume>\n\trename -u [-f] <filesystem> <filesystem>\n\trename -r <snapshot> <snapshot>\n",
        ["list"] = "\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n",
        ["set"] = "\tset <property=value> ... <filesystem|volume|snapshot> ...\n",
        ["get"] = "\tget [-rHp] [-d max] [-o \"all\" | field[,...]]\n\t    [-t type[,...]] [-s source[,...]]\n\t    <\"all\" | property[,...]> [filesystem|volume|snapshot|bookmark] ...\n",
        ["inherit"] = "\tinherit [-rS] <property> <filesystem|volume|snapshot> ...\n",
        ["mount"] = "\tmount\n\tmount [-flvO] [-o opts] <-a | filesystem>\n",
        ["unmount"] = "\tunmount [-fu] <-a | filesystem|mountpoint>\n",
        ["jail"] = "\tjail <jailid|jailname> <filesystem>\n",
        ["unjail"] = "\tunjail <jailid|jailname> <filesystem>\n",
    };

    public SimResult Run(SimContext ctx, IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) return new SimResult(2, "", "usage: zfs command args ...\nwhere 'command' is one of the following:\n\n" + string.Concat(Usages.Values));
        var cmd = argv[0] switch { "umount" => "unmount", "snap" => "snapshot", var c => c };
        var args = argv.Skip(1).ToList();
        if (!Usages.ContainsKey(cmd)) return new SimResult(2, "", $"unrecognized command '{argv[0]}'\nusage: zfs command args ...\n");
        if (cmd is not ("list" or "get") && !ctx.IsRoot && !(cmd == "mount" && args.Count == 0))
            return SimResult.Fail("Permission denied the ZFS utilities must be run as root.");
        var pool = new SimZfsPool(ctx);
        try
        {
            return cmd switch
            {
                "list" => List(ctx, pool, args),
                "get" => GetCmd(ctx, pool, args),
                "create" => Create(pool, args),
                "snapshot" => Snapshot(pool, args),
                "clone" => Clone(pool, args),
                "destroy" => Destroy(pool, args),
                "rename" => Rename(pool, args),
                "promote" => Promote(pool, args),
                "rollback" => RollbackCmd(pool, args),
                "set" => SetCmd(pool, args),
                "inherit" => InheritCmd(pool, args),
                "mount" => MountCmd(pool, args),
                "unmount" => UnmountCmd(pool, args),
                "jail" or "unjail" => JailCmd(ctx, pool, cmd, args),
                _ => Usage(cmd),
            };
        }
        catch (UsageException u)
        {
            return Usage(cmd, u.Message);
        }
    }

    private sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    private static SimResult Usage(string cmd, string? message = null)
        => new(2, "", (message is null ? "" : message + "\n") + "usage:\n" + Usages[cmd]);

    /// <summary>getopt loop shared by the subcommands; option errors are usage errors (zfs_main.c texts).</summary>
    private static List<(char Opt, string? Arg)> Options(IReadOnlyList<string> args, string optstring, out int optind)
    {
        var g = new SimGetopt(args, optstring);
        var list = new List<(char, string?)>();
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            if (c == '?')
            {
                int k = optstring.IndexOf(a![0]);
                throw new UsageException(k >= 0 ? $"missing argument for '{a}' option" : $"invalid option '{a}'");
            }
            list.Add((c, a));
        }
        optind = g.OptInd;
        return list;
    }

    private static Dictionary<string, string> PropOptions(IEnumerable<(char Opt, string? Arg)> opts, char letter)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, a) in opts.Where(o => o.Opt == letter))
        {
            int eq = a!.IndexOf('=');
            if (eq < 0) throw new UsageException($"missing '=' for property=value argument");
            var key = a[..eq];
            if (props.ContainsKey(key)) throw new UsageException($"property '{key}' specified multiple times");
            props[key] = a[(eq + 1)..];
        }
        return props;
    }

    private static SimResult Outcome(string? error) => error is null ? SimResult.Ok() : SimResult.Fail(error);

    // ---------------------------------------------------------------- list / get

    private static IEnumerable<SimDataset> Visible(SimContext ctx, SimZfsPool pool)
    {
        if (ctx.Jail is null) return pool.State.Datasets;
        var jid = ctx.Jail.Jid;
        return pool.State.Datasets.Where(d => pool.State.Datasets.Any(a => pool.AttachedJail(a) == jid && (a.Name == d.Name || SimZfsPool.IsUnder(d.Name, a.Name))));
    }

    private static HashSet<string> ParseTypes(string spec)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in spec.Split(','))
        {
            switch (t)
            {
                case "filesystem": case "fs": set.Add("filesystem"); break;
                case "snapshot": case "snap": set.Add("snapshot"); break;
                case "volume": case "vol": set.Add("volume"); break;
                case "bookmark": case "bookmarks": set.Add("bookmark"); break;
                case "all": set.UnionWith(new[] { "filesystem", "snapshot", "volume", "bookmark" }); break;
                default: throw new UsageException($"invalid type '{t}'");
            }
        }
        return set;
    }

    /// <summary>zfs_for_each: operands (or every dataset), recursion/depth, type filter; errors for missing operands.</summary>
    private static List<SimDataset> Select(SimContext ctx, SimZfsPool pool, IReadOnlyList<string> operands, bool recurse, int? depth, HashSet<string>? types, StringBuilder err, ref int rc)
    {
        var visible = Visible(ctx, pool).ToList();
        var result = new List<SimDataset>();
        types ??= new HashSet<string> { "filesystem", "volume" };
        if (operands.Count == 0)
        {
            result.AddRange(visible.Where(d => types.Contains(d.Type) && (depth is null || SimZfsPool.Depth(d.Name, SimZfsPool.Pool(d.Name)) <= depth)));
        }
        // zfs list -t snapshot FS (no -r/-d): the snapshots of FS (zfs_do_list sets depth 1).
        if (operands.Count > 0 && !recurse && depth is null && types.SetEquals(new[] { "snapshot" })) depth = 1;
        foreach (var op in operands)
        {
            var ds = visible.FirstOrDefault(d => d.Name == op);
            if (ds is null)
            {
                err.Append($"cannot open '{op}': dataset does not exist\n");
                rc = 1;
                continue;
            }
            if (!recurse && depth is null)
            {
                result.Add(ds);
                continue;
            }
            foreach (var d in visible)
                if ((d == ds || SimZfsPool.IsUnder(d.Name, ds.Name)) && (d == ds || types.Contains(d.Type)) && (depth is null || SimZfsPool.Depth(d.Name, ds.Name) <= depth)
                    && (d != ds || types.Contains(d.Type)))
                    result.Add(d);
        }
        return result.Distinct().ToList();
    }

    /// <summary>The options zfs list and zfs get share (-H -p -r -d -t).</summary>
    private sealed class Iteration
    {
        public Iteration(IEnumerable<(char Opt, string? Arg)> opts)
        {
            foreach (var (c, a) in opts)
            {
                switch (c)
                {
                    case 'H': Scripted = true; break;
                    case 'p': Parsable = true; break;
                    case 'r': Recurse = true; break;
                    case 'd':
                        if (!int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var dd)) throw new UsageException($"invalid depth '{a}'");
                        Depth = dd; Recurse = true; break;
                    case 't': Types = ParseTypes(a!); break;
                }
            }
        }

        public bool Scripted { get; }
        public bool Parsable { get; }
        public bool Recurse { get; }
        public int? Depth { get; }
        public HashSet<string>? Types { get; }
    }

    private SimResult List(SimContext ctx, SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":d:Ho:prs:S:t:", out var optind);
        var it = new Iteration(opts);
        var fields = "name,used,available,referenced,mountpoint".Split(',').ToList();
        var sorts = new List<(string Prop, bool Desc)>();
        foreach (var (c, a) in opts)
        {
            switch (c)
            {
                case 'o':
                    fields = a!.Split(',').SelectMany(f => f == "space" ? new[] { "name", "available", "used", "usedbysnapshots", "usedbydataset", "usedbyrefreservation", "usedbychildren" } : new[] { f }).ToList();
                    break;
                case 's': case 'S': sorts.Add((a!, c == 'S')); break;
            }
        }
        var (scripted, parsable, recurse, depth, types) = (it.Scripted, it.Parsable, it.Recurse, it.Depth, it.Types);
        foreach (var f in fields.Concat(sorts.Select(s => s.Prop)))
            if (!SimZfsPool.IsKnownProp(f) || f == "space") throw new UsageException($"invalid property '{f}'");
        var operands = args.Skip(optind).ToList();
        if (types is null && operands.Any(SimZfsPool.IsSnapshotName)) types = new() { "filesystem", "volume", "snapshot" };
        var err = new StringBuilder();
        int rc = 0;
        var rows = Select(ctx, pool, operands, recurse, depth, types, err, ref rc);
        rows.Sort((a, b) =>
        {
            foreach (var (prop, desc) in sorts)
            {
                int c = CompareProp(pool, a, b, prop);
                if (c != 0) return desc ? -c : c;
            }
            return SimZfsPool.CompareDefault(a, b);
        });
        var table = rows.Select(d => fields.Select(f => pool.Get(d, SimZfsPool.Canonical(f), parsable).Value).ToList()).ToList();
        // current zfs_do_list: an empty result without -H prints "no datasets available" on stderr, exit 0
        if (table.Count == 0 && rc == 0 && !scripted) return new SimResult(0, "", "no datasets available\n");
        return new SimResult(rc, FormatTable(fields.Select(Header).ToList(), fields.Select(RightAligned).ToList(), table, scripted), err.ToString());
    }

    private static int CompareProp(SimZfsPool pool, SimDataset a, SimDataset b, string prop)
    {
        var def = SimZfsPool.NativeProp(prop);
        var va = pool.Get(a, SimZfsPool.Canonical(prop), true).Value;
        var vb = pool.Get(b, SimZfsPool.Canonical(prop), true).Value;
        if ((def?.Numeric ?? false) || prop is "creation" or "createtxg" or "guid")
            if (long.TryParse(va, out var na) && long.TryParse(vb, out var nb)) return na.CompareTo(nb);
        if (prop == "name") return SimZfsPool.CompareDefault(a, b);
        return string.CompareOrdinal(va, vb);
    }

    private static string Header(string field)
        => SimZfsPool.IsUserProp(field) ? field : field == "name" ? "NAME" : SimZfsPool.NativeProp(field)!.Header;

    private static bool RightAligned(string field)
        => SimZfsPool.NativeProp(field) is { } p && (p.Numeric || p.Name is "compressratio") && p.Name is not "createtxg" and not "guid";

    /// <summary>zfs_main.c print_header/print_dataset: two spaces between columns, numbers right-aligned, last left column unpadded; -H: TABs.</summary>
    internal static string FormatTable(IReadOnlyList<string> headers, IReadOnlyList<bool> right, IReadOnlyList<List<string>> rows, bool scripted)
    {
        var sb = new StringBuilder();
        if (scripted)
        {
            foreach (var r in rows) sb.Append(string.Join('\t', r)).Append('\n');
            return sb.ToString();
        }
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Line(IReadOnlyList<string> cells)
        {
            for (int i = 0; i < cells.Count; i++)
            {
                if (i > 0) sb.Append("  ");
                bool last = i == cells.Count - 1;
                if (right[i]) sb.Append(cells[i].PadLeft(widths[i]));
                else sb.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
            }
            sb.Append('\n');
        }
        Line(headers);
        foreach (var r in rows) Line(r);
        return sb.ToString();
    }

    private SimResult GetCmd(SimContext ctx, SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":d:o:s:rt:Hp", out var optind);
        var it = new Iteration(opts);
        var fields = new List<string> { "name", "property", "value", "source" };
        HashSet<string>? sources = null;
        foreach (var (c, a) in opts)
        {
            switch (c)
            {
                case 'o':
                    fields = a == "all" ? new() { "name", "property", "value", "received", "source" } : a!.Split(',').ToList();
                    foreach (var f in fields)
                        if (f is not ("name" or "property" or "value" or "received" or "source"))
                            throw new UsageException($"invalid column name '{f}'");
                    break;
                case 's':
                    sources = a!.Split(',').ToHashSet(StringComparer.Ordinal);
                    foreach (var s in sources)
                        if (s is not ("local" or "default" or "inherited" or "temporary" or "received" or "none"))
                            throw new UsageException($"invalid source '{s}'");
                    break;
            }
        }
        var (scripted, parsable, recurse, depth, types) = (it.Scripted, it.Parsable, it.Recurse, it.Depth, it.Types);
        if (optind >= args.Count) throw new UsageException("missing property argument");
        var propSpec = args[optind];
        var props = propSpec == "all" ? null : propSpec.Split(',').ToList();
        if (props != null)
            foreach (var p in props)
                if (!SimZfsPool.IsKnownProp(p) || p == "space") throw new UsageException($"bad property list: invalid property '{p}'");
        var operands = args.Skip(optind + 1).ToList();
        types ??= new() { "filesystem", "volume", "snapshot" };
        var err = new StringBuilder();
        int rc = 0;
        var datasets = Select(ctx, pool, operands, recurse || operands.Count == 0, depth, types, err, ref rc);
        datasets.Sort(SimZfsPool.CompareDefault);
        var table = new List<List<string>>();
        foreach (var d in datasets)
        {
            var names = props ?? AllProps(pool, d);
            foreach (var p in names)
            {
                var (value, source) = pool.Get(d, SimZfsPool.Canonical(p), parsable);
                var kind = source switch { "local" => "local", "default" => "default", "-" => "none", _ when source.StartsWith("inherited", StringComparison.Ordinal) => "inherited", _ => source };
                if (sources != null && !sources.Contains(kind)) continue;
                table.Add(fields.Select(f => f switch
                {
                    "name" => d.Name,
                    "property" => p,
                    "value" => value,
                    "received" => "-",
                    _ => source,
                }).ToList());
            }
        }
        var stdout = FormatTable(fields.Select(f => f.ToUpperInvariant()).ToList(), fields.Select(_ => false).ToList(), table, scripted);
        return new SimResult(rc, table.Count == 0 && scripted ? "" : stdout, err.ToString());
    }

    private static List<string> AllProps(SimZfsPool pool, SimDataset d)
    {
        bool snap = d.Type == "snapshot";
        var list = SimZfsPool.Props
            .Where(p => snap ? p.OnSnapshot : p.Name != "clones")
            .Where(p => d.Type == "volume" ? pool.Get(d, p.Name, true).Value != "-" || p.Name is "origin" : p.Name != "volsize")
            .Select(p => p.Name).ToList();
        var user = new SortedSet<string>(StringComparer.Ordinal);
        for (SimDataset? x = d; x != null; x = SimZfsPool.ParentName(x.Name) is { } pn ? pool.Find(pn) : null)
            foreach (var k in x.Properties.Keys.Where(SimZfsPool.IsUserProp)) user.Add(k);
        list.AddRange(user);
        return list;
    }

    // ---------------------------------------------------------------- changes

    private SimResult Create(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":PV:b:nso:puv", out var optind);
        var props = PropOptions(opts, 'o');
        long? volsize = null;
        foreach (var (c, a) in opts)
            if (c == 'V')
            {
                if (!SimZfsPool.TryParseSize(a!, out var vs)) return SimResult.Fail($"bad volume size '{a}'");
                volsize = vs;
            }
        if (optind >= args.Count) throw new UsageException(volsize is null ? "missing filesystem argument" : "missing volume argument");
        if (args.Count - optind > 1) throw new UsageException("too many arguments");
        var name = args[optind];
        if (opts.Any(o => o.Opt == 'n'))
        {
            var verbose = opts.Any(o => o.Opt == 'v');
            return SimResult.Ok(verbose ? $"would create {name}\n" : "");
        }
        return Outcome(pool.Create(name, props, opts.Any(o => o.Opt == 'p'), opts.Any(o => o.Opt == 'u'), volsize));
    }

    private SimResult Snapshot(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":ro:", out var optind);
        var props = PropOptions(opts, 'o');
        if (optind >= args.Count) throw new UsageException("missing snapshot argument");
        return Outcome(pool.Snapshot(args.Skip(optind).ToList(), opts.Any(o => o.Opt == 'r'), props));
    }

    private SimResult Clone(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":o:pu", out var optind);
        var props = PropOptions(opts, 'o');
        var rest = args.Skip(optind).ToList();
        if (rest.Count < 1) throw new UsageException("missing source dataset argument");
        if (rest.Count < 2) throw new UsageException("missing target dataset argument");
        if (rest.Count > 2) throw new UsageException("too many arguments");
        return Outcome(pool.Clone(rest[0], rest[1], opts.Any(o => o.Opt == 'p'), props));
    }

    private SimResult Destroy(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":vpndfrR", out var optind);
        var rest = args.Skip(optind).ToList();
        if (rest.Count == 0) throw new UsageException("missing dataset argument");
        if (rest.Count > 1) throw new UsageException("too many arguments");
        bool Has(char c) => opts.Any(o => o.Opt == c);
        var r = pool.Destroy(rest[0], Has('r'), Has('R'), Has('f'), Has('n'), Has('v'), Has('p'));
        return new SimResult(r.ExitCode, r.StandardOutput, r.StandardError);
    }

    private SimResult Rename(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":fpru", out var optind);
        var rest = args.Skip(optind).ToList();
        if (rest.Count < 1) throw new UsageException("missing source dataset argument");
        if (rest.Count < 2) throw new UsageException("missing target dataset argument");
        if (rest.Count > 2) throw new UsageException("too many arguments");
        return Outcome(pool.Rename(rest[0], rest[1], opts.Any(o => o.Opt == 'p'), opts.Any(o => o.Opt == 'r')));
    }

    private SimResult RollbackCmd(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":rRf", out var optind);
        var rest = args.Skip(optind).ToList();
        if (rest.Count < 1) throw new UsageException("missing dataset argument");
        if (rest.Count > 1) throw new UsageException("too many arguments");
        var r = pool.Rollback(rest[0], opts.Any(o => o.Opt == 'r'), opts.Any(o => o.Opt == 'R'), opts.Any(o => o.Opt == 'f'));
        return new SimResult(r.ExitCode, r.StandardOutput, r.StandardError);
    }

    private SimResult Promote(SimZfsPool pool, List<string> args)
    {
        Options(args, "", out var optind);
        var rest = args.Skip(optind).ToList();
        if (rest.Count < 1) throw new UsageException("missing clone filesystem argument");
        if (rest.Count > 1) throw new UsageException("too many arguments");
        return Outcome(pool.Promote(rest[0]));
    }

    private SimResult SetCmd(SimZfsPool pool, List<string> args)
    {
        Options(args, "", out var optind);
        var rest = args.Skip(optind).ToList();
        if (rest.Count < 1) throw new UsageException("missing arguments");
        var assignments = new List<KeyValuePair<string, string>>();
        int i = 0;
        for (; i < rest.Count && rest[i].Contains('='); i++)
        {
            int eq = rest[i].IndexOf('=');
            assignments.Add(new(rest[i][..eq], rest[i][(eq + 1)..]));
        }
        if (assignments.Count == 0) throw new UsageException($"missing '=' for property=value argument");
        if (i >= rest.Count) throw new UsageException("missing dataset name(s)");
        var err = new StringBuilder();
        int rc = 0;
        foreach (var name in rest.Skip(i))
        {
            var ds = pool.Find(name);
            var e = ds is null ? $"cannot open '{name}': dataset does not exist" : pool.Set(ds, assignments);
            if (e != null) { err.Append(e).Append('\n'); rc = 1; }
        }
        return new SimResult(rc, "", err.ToString());
    }

    private SimResult InheritCmd(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":rS", out var optind);
        var rest = args.Skip(optind).ToList();
        if (rest.Count < 1) throw new UsageException("missing property argument");
        if (rest.Count < 2) throw new UsageException("missing dataset argument");
        var prop = rest[0];
        if (!SimZfsPool.IsUserProp(prop) && SimZfsPool.NativeProp(prop) is null) throw new UsageException($"invalid property '{prop}'");
        var err = new StringBuilder();
        int rc = 0;
        foreach (var name in rest.Skip(1))
        {
            var ds = pool.Find(name);
            var e = ds is null ? $"cannot open '{name}': dataset does not exist" : pool.Inherit(ds, prop, opts.Any(o => o.Opt == 'r'));
            if (e != null) { err.Append(e).Append('\n'); rc = 1; }
        }
        return new SimResult(rc, "", err.ToString());
    }

    private SimResult MountCmd(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":alvo:Of", out var optind);
        var rest = args.Skip(optind).ToList();
        bool all = opts.Any(o => o.Opt == 'a');
        if (!all && rest.Count == 0 && opts.Count == 0)
        {
            // zfs mount without arguments: "%-30s  %s\n" per mounted ZFS filesystem.
            var sb = new StringBuilder();
            foreach (var m in pool.State.Mounts.Where(m => m.FsType == "zfs"))
                sb.Append(m.Special.PadRight(30)).Append("  ").Append(m.Node).Append('\n');
            return SimResult.Ok(sb.ToString());
        }
        if (all)
        {
            if (rest.Count > 0) throw new UsageException("too many arguments");
            foreach (var d in pool.State.Datasets.Where(d => !d.Mounted && pool.ShouldAutoMount(d)).OrderBy(d => d.Name.Count(c => c == '/')).ThenBy(d => d.Name, StringComparer.Ordinal).ToList())
                pool.Mount(d);
            return SimResult.Ok();
        }
        if (rest.Count != 1) throw new UsageException(rest.Count == 0 ? "missing filesystem argument" : "too many arguments");
        var ds = pool.Find(rest[0]);
        if (ds is null) return SimResult.Fail($"cannot open '{rest[0]}': dataset does not exist");
        if (ds.Type != "filesystem") return SimResult.Fail($"cannot open '{rest[0]}': operation not applicable to datasets of this type");
        var mp = pool.Mountpoint(ds).Value;
        if (mp == "legacy") return SimResult.Fail($"cannot mount '{ds.Name}': legacy mountpoint\nuse mount(8) to mount this filesystem");
        if (mp == "none") return SimResult.Fail($"cannot mount '{ds.Name}': no mountpoint set");
        return Outcome(pool.Mount(ds));
    }

    private SimResult UnmountCmd(SimZfsPool pool, List<string> args)
    {
        var opts = Options(args, ":afu", out var optind);
        var rest = args.Skip(optind).ToList();
        bool force = opts.Any(o => o.Opt == 'f');
        if (opts.Any(o => o.Opt == 'a'))
        {
            foreach (var d in pool.State.Datasets.Where(d => d.Mounted && pool.MountPath(d) != "/").OrderByDescending(d => d.Name.Length).ToList())
                pool.Unmount(d, force);
            return SimResult.Ok();
        }
        if (rest.Count != 1) throw new UsageException(rest.Count == 0 ? "missing filesystem argument" : "too many arguments");
        var target = rest[0];
        SimDataset? ds;
        if (target.StartsWith('/'))
        {
            var node = SimFileSystem.Normalize(target);
            var m = pool.State.Mounts.LastOrDefault(x => x.Node == node);
            if (m is null || m.FsType != "zfs") return SimResult.Fail($"cannot unmount '{target}': not a ZFS filesystem");
            ds = pool.Find(m.Special);
        }
        else
        {
            ds = pool.Find(target);
            if (ds is null) return SimResult.Fail($"cannot open '{target}': dataset does not exist");
        }
        return Outcome(pool.Unmount(ds!, force));
    }

    /// <summary>zfs jail/unjail (zfs-jail.8): needs a running jail and jailed=on.</summary>
    private SimResult JailCmd(SimContext ctx, SimZfsPool pool, string cmd, List<string> args)
    {
        Options(args, "", out var optind);
        var rest = args.Skip(optind).ToList();
        if (rest.Count < 2) throw new UsageException(rest.Count == 0 ? "missing jail id or name" : "missing dataset argument");
        if (rest.Count > 2) throw new UsageException("too many arguments");
        var jail = ctx.State.Jails.FirstOrDefault(j => !j.Dying && (j.Name == rest[0] || j.Jid.ToString(CultureInfo.InvariantCulture) == rest[0]));
        if (jail is null) throw new UsageException("invalid jail id or name");
        var ds = pool.Find(rest[1]);
        if (ds is null) return SimResult.Fail($"cannot open '{rest[1]}': dataset does not exist");
        var action = $"cannot {cmd} '{ds.Name}'";
        if (ds.Type != "filesystem") return SimResult.Fail($"{action}: operation not applicable to datasets of this type");
        // UNVERIFIED description: the kernel refuses a dataset whose jailed property is off.
        if (pool.Get(ds, "jailed", false).Value != "on") return SimResult.Fail($"{action}: dataset is not jailed ('jailed' property is off)");
        if (cmd == "jail")
        {
            if (pool.AttachedJail(ds) != 0) return SimResult.Fail($"{action}: dataset is busy");
            if (ds.Mounted) pool.Unmount(ds, true);
            ds.AttachedJail = jail.Jid;
        }
        else
        {
            if (pool.AttachedJail(ds) != jail.Jid) return SimResult.Fail($"{action}: dataset is not attached to this jail");
            ds.AttachedJail = 0;
        }
        ctx.Dirty = true;
        return SimResult.Ok();
    }
}

/// <summary>zpool(8), minimal: list [-H] [-p] [-o props] [pool...].</summary>
[SimulatedTool("/sbin/zpool")]
public sealed class SimZpoolTool : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> argv)
    {
        if (argv.Count == 0 || argv[0] != "list")
            return new SimResult(2, "", argv.Count == 0 ? "usage: zpool command args ...\n" : $"unrecognized command '{argv[0]}'\nusage: zpool command args ...\n");
        var args = argv.Skip(1).ToList();
        var g = new SimGetopt(args, ":gHLo:pPT:v");
        bool scripted = false, parsable = false;
        var fields = "name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,altroot".Split(',').ToList();
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            if (c == '?') return new SimResult(2, "", $"invalid option '{a}'\nusage:\n\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n");
            if (c == 'H') scripted = true;
            else if (c == 'p') parsable = true;
            else if (c == 'o') fields = a!.Split(',').ToList();
        }
        var pool = new SimZfsPool(ctx);
        var pools = ctx.State.Datasets.Where(d => !d.Name.Contains('/') && !d.Name.Contains('@')).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        var operands = args.Skip(g.OptInd).ToList();
        var err = new StringBuilder();
        int rc = 0;
        if (operands.Count > 0)
        {
            foreach (var o in operands.Where(o => pools.All(p => p.Name != o))) { err.Append($"cannot open '{o}': no such pool\n"); rc = 1; }
            pools = pools.Where(p => operands.Contains(p.Name)).ToList();
        }
        var headers = new List<string>();
        foreach (var f in fields)
        {
            var h = f switch
            {
                "name" => "NAME", "size" => "SIZE", "allocated" or "alloc" => "ALLOC", "free" => "FREE", "checkpoint" => "CKPOINT",
                "expandsize" => "EXPANDSZ", "fragmentation" or "frag" => "FRAG", "capacity" or "cap" => "CAP", "dedupratio" or "dedup" => "DEDUP",
                "health" => "HEALTH", "altroot" => "ALTROOT", "guid" => "GUID", _ => null,
            };
            if (h is null) return new SimResult(2, "", $"invalid property '{f}'\n");
            headers.Add(h);
        }
        var rows = pools.Select(p =>
        {
            long alloc = pool.Used(p);
            return fields.Select(f => f switch
            {
                "name" => p.Name,
                "size" => SimZfsPool.Num(SimZfsPool.PoolSize, parsable),
                "allocated" or "alloc" => SimZfsPool.Num(alloc, parsable),
                "free" => SimZfsPool.Num(SimZfsPool.PoolSize - alloc, parsable),
                "fragmentation" or "frag" => parsable ? "0" : "0%",
                "capacity" or "cap" => parsable ? (alloc * 100 / SimZfsPool.PoolSize).ToString(CultureInfo.InvariantCulture) : (alloc * 100 / SimZfsPool.PoolSize) + "%",
                "dedupratio" or "dedup" => parsable ? "1.00" : "1.00x",
                "health" => "ONLINE",
                "guid" => p.Guid.ToString(CultureInfo.InvariantCulture),
                _ => "-",
            }).ToList();
        }).ToList();
        var right = fields.Select(f => f is "size" or "allocated" or "alloc" or "free" or "fragmentation" or "frag" or "capacity" or "cap" or "dedupratio" or "dedup" or "checkpoint" or "expandsize").ToList();
        return new SimResult(rc, SimZfsTool.FormatTable(headers, right, rows, scripted), err.ToString());
    }
}
