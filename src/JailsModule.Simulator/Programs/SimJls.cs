using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// jls(8) (reference §4, usr.sbin/jls/jls.c): getopt "adj:hNnqsv" after libxo's own --libxo
/// arguments; text and libxo JSON in the default, -N, -v, -n/-s, -h and parameter modes.
/// </summary>
[SimulatedTool("/usr/sbin/jls")]
public sealed class SimJls : ISimulatedTool
{
    private const int Default = 1, Header = 2, NameVal = 4, Quoted = 8, Skip = 16, Verbose = 32, JailName = 64;

    public SimResult Run(SimContext ctx, IReadOnlyList<string> argv)
    {
        // libxo's xo_parse_args: --libxo FMT, --libxo=FMT, --libxo:FLAGS, and its shorthands.
        bool json = false;
        var args = new List<string>();
        for (int i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "--libxo")
            {
                if (i + 1 >= argv.Count) return SimResult.Fail("jls: missing libxo option");
                json |= argv[++i].Split(',').Contains("json");
                continue;
            }
            if (a.StartsWith("--libxo=", StringComparison.Ordinal) || a.StartsWith("--libxo:", StringComparison.Ordinal))
            {
                json |= a[8..].Split(',', ':').Contains("json") || a.StartsWith("--libxo:", StringComparison.Ordinal) && a.Contains('J');
                continue;
            }
            args.Add(a);
        }

        int pflags = 0;
        bool dying = false;
        string? jname = null;
        int jid = 0;
        var g = new SimGetopt(args, "adj:hNnqsv");
        for (var (c, arg) = g.Next(); c != '\0'; (c, arg) = g.Next())
        {
            switch (c)
            {
                case 'a': case 'd': dying = true; break;
                case 'j':
                    if (arg!.Length > 0 && arg.All(char.IsAsciiDigit) && int.TryParse(arg, out var n) && n != 0) { jid = n; jname = null; }
                    else { jid = 0; jname = arg; }
                    break;
                case 'h': pflags = (pflags & ~(Skip | Verbose)) | Header; break;
                case 'N': pflags |= JailName; break;
                case 'n': pflags = (pflags & ~Verbose) | NameVal; break;
                case 'q': pflags |= Quoted; break;
                case 's': pflags = (pflags & ~(Header | Verbose)) | NameVal | Quoted | Skip; break;
                case 'v': pflags = (pflags & ~(Header | NameVal | Skip)) | Verbose; break;
                default: return SimResult.Fail("jls: usage: jls [-dhNnqv] [-j jail] [param ...]");
            }
        }

        var paramNames = new List<string>();
        if (g.OptInd == args.Count)
        {
            if ((pflags & (Header | NameVal)) != 0)
                paramNames.AddRange(SimKernel.SortedForJls().Select(p => p.Name));
            else if ((pflags & Verbose) == 0)
                pflags |= Default;
        }
        else
        {
            pflags &= ~Verbose;
            for (int i = g.OptInd; i < args.Count; i++)
            {
                var name = args[i];
                if (name == "all") { paramNames.AddRange(SimKernel.SortedForJls().Select(p => p.Name)); continue; }
                // libjail's jailparam_init looks the name up in security.jail.param: no vnet without VIMAGE.
                if ((SimKernel.Find(name) is null && SimKernel.Find(NoName(name) ?? "") is null)
                    || (name == "vnet" && ctx.State.Sysctls.GetValueOrDefault("kern.features.vimage") != "1"))
                    return SimResult.Fail($"jls: unknown parameter: {name}");
                if (!paramNames.Contains(name)) paramNames.Add(name);
            }
        }

        // Select the jails.
        List<SimJail> jails;
        if (jid != 0 || jname != null)
        {
            var key = jid != 0 ? jid.ToString() : jname!;
            var j = SimKernel.Lookup(ctx.State, ctx.Jail, key, dying);
            if (j is null)
            {
                // libjail: "jail "x" not found" for a name, "jail N not found" for a jid.
                var msg = jid != 0 ? $"jls: jail {jid} not found" : $"jls: jail \"{jname}\" not found";
                return SimResult.Fail(msg);
            }
            jails = new() { j };
        }
        else
        {
            jails = SimKernel.Visible(ctx.State, ctx.Jail, dying).ToList();
        }

        return json ? Json(ctx, pflags, jails, paramNames) : Text(ctx, pflags, jails, paramNames);
    }

    private static string? NoName(string name)
    {
        int dot = name.LastIndexOf('.');
        var last = dot < 0 ? name : name[(dot + 1)..];
        if (!last.StartsWith("no", StringComparison.Ordinal)) return null;
        return dot < 0 ? last[2..] : name[..(dot + 1)] + last[2..];
    }

    private static string Value(SimContext ctx, SimJail j, string name)
    {
        if (name == "name") return SimKernel.RelativeName(j, ctx.Jail);
        if (name == "path") return PathOf(ctx, j);
        var p = SimKernel.Find(name) ?? SimKernel.Find(NoName(name)!)!;
        return SimKernel.Value(j, p);
    }

    // ---------------- text ----------------

    private static SimResult Text(SimContext ctx, int pflags, List<SimJail> jails, List<string> names)
    {
        var sb = new StringBuilder();
        if ((pflags & Verbose) != 0)
        {
            sb.Append("   JID  Hostname                      Path\n");
            sb.Append("        Name                          State\n");
            sb.Append("        CPUSetID\n");
            sb.Append("        IP Address(es)\n");
            foreach (var j in jails)
            {
                sb.Append($"{j.Jid,6}  {Trunc(j.HostName, 29),-29} {Trunc(PathOf(ctx, j), 74)}\n");
                sb.Append($"        {Trunc(SimKernel.RelativeName(j, ctx.Jail), 29),-29} {(j.Dying ? "DYING" : "ACTIVE")}\n");
                sb.Append($"        {j.CpusetId}\n");
                foreach (var a in j.Ip4) sb.Append($"        {a}\n");
                foreach (var a in j.Ip6) sb.Append($"        {a}\n");
            }
            return SimResult.Ok(sb.ToString());
        }
        if ((pflags & Default) != 0)
        {
            if ((pflags & JailName) != 0)
                sb.Append(" JID             IP Address      Hostname                      Path\n");
            else
                sb.Append("   JID  IP Address      Hostname                      Path\n");
            foreach (var j in jails)
            {
                if ((pflags & JailName) != 0) sb.Append($" {SimKernel.RelativeName(j, ctx.Jail),-15} ");
                else sb.Append($"{j.Jid,6}  ");
                sb.Append($"{Trunc(j.Ip4.FirstOrDefault() ?? "", 15),-15} {Trunc(j.HostName, 29),-29} {Trunc(PathOf(ctx, j), 74)}\n");
            }
            return SimResult.Ok(sb.ToString());
        }
        if ((pflags & Header) != 0)
            sb.Append(string.Join(' ', names)).Append('\n');
        foreach (var j in jails)
        {
            var parts = new List<string>();
            foreach (var n in names)
            {
                var p = SimKernel.Find(n) ?? SimKernel.Find(NoName(n)!)!;
                if ((pflags & Skip) != 0 && (p.ReadOnly || ParentNotNew(j, p))) continue;
                var v = Value(ctx, j, n);
                if ((pflags & NameVal) != 0)
                {
                    if (p.Type == SimParamType.Bool)
                    {
                        bool on = v == "true";
                        bool asNo = n != p.Name; // asked as "noX"
                        parts.Add((on ^ asNo) ? n : (asNo ? p.Name : NoFor(p.Name)));
                        continue;
                    }
                    parts.Add(n + "=" + QuoteText(pflags, v, nameval: true));
                    continue;
                }
                if (p.Type == SimParamType.Bool) v = v == "true" ? "true" : "false";
                parts.Add(QuoteText(pflags, v, nameval: false));
            }
            sb.Append(string.Join(' ', parts)).Append('\n');
        }
        return SimResult.Ok(sb.ToString());
    }

    private static bool ParentNotNew(SimJail j, SimParam p)
    {
        int dot = p.Name.IndexOf('.');
        if (dot < 0) return false;
        var parent = SimKernel.Find(p.Name[..dot]);
        return parent is { Type: SimParamType.JailSys } && SimKernel.Value(j, parent) != "new";
    }

    private static string NoFor(string name)
    {
        int dot = name.LastIndexOf('.');
        return dot < 0 ? "no" + name : name[..(dot + 1)] + "no" + name[(dot + 1)..];
    }

    private static string QuoteText(int pflags, string v, bool nameval)
    {
        if (v.Length == 0)
            return (pflags & Quoted) != 0 ? "\"\"" : (nameval ? "" : "-");
        char qc = v.Contains('\'') ? '"' : v.Contains('"') ? '\'' : (v.Contains(' ') || v.Contains('\t')) ? '"' : '\0';
        if (qc != '\0' && (pflags & Quoted) != 0) return qc + v + qc;
        return v;
    }

    /// <summary>The kernel reports a jail's path relative to the viewer's root (jls run inside a parent jail).</summary>
    private static string PathOf(SimContext ctx, SimJail j) => SimExec.ViewPath(ctx.Jail, j.Path);

    private static string Trunc(string s, int n) => s.Length > n ? s[..n] : s;

    // ---------------- libxo JSON ----------------
    // libxo writes "key":value for fields and ", \"list\": [" with spaces around lists; the
    // simulator reproduces that spacing so parsers are tested against the real shape.

    private static SimResult Json(SimContext ctx, int pflags, List<SimJail> jails, List<string> names)
    {
        var sb = new StringBuilder();
        sb.Append("{\"__version\": \"2\", \"jail-information\": {\"jail\": [");
        bool firstJail = true;
        foreach (var j in jails)
        {
            if (!firstJail) sb.Append(", ");
            firstJail = false;
            sb.Append('{');
            var w = new FieldWriter(sb);
            if ((pflags & Verbose) != 0)
            {
                w.Raw("jid", j.Jid.ToString());
                w.Str("hostname", j.HostName);
                w.Str("path", PathOf(ctx, j));
                w.Str("name", SimKernel.RelativeName(j, ctx.Jail));
                w.Str("state", j.Dying ? "DYING" : "ACTIVE");
                w.Raw("cpusetid", j.CpusetId.ToString());
                w.List("ipv4_addrs", j.Ip4);
                w.List("ipv6_addrs", j.Ip6);
            }
            else if ((pflags & Default) != 0)
            {
                if ((pflags & JailName) != 0) w.Str("name", SimKernel.RelativeName(j, ctx.Jail));
                else w.Raw("jid", j.Jid.ToString());
                w.Str("ipv4", j.Ip4.FirstOrDefault() ?? "");
                w.Str("hostname", j.HostName);
                w.Str("path", PathOf(ctx, j));
            }
            else
            {
                foreach (var n in names)
                {
                    var p = SimKernel.Find(n) ?? SimKernel.Find(NoName(n)!)!;
                    if ((pflags & Skip) != 0 && (p.ReadOnly || ParentNotNew(j, p))) continue;
                    var v = Value(ctx, j, n);
                    if (p.Type == SimParamType.Bool)
                    {
                        bool asNo = n != p.Name;
                        // JP_NOBOOL prints true in both branches (a bug in jls.c, reproduced).
                        w.Raw(n, asNo ? "true" : (v == "true" ? "true" : "false"));
                        continue;
                    }
                    if (p.Type == SimParamType.Ip4List) { w.List(n, j.Ip4); continue; }
                    if (p.Type == SimParamType.Ip6List) { w.List(n, j.Ip6); continue; }
                    w.Str(n, v);
                }
            }
            sb.Append('}');
        }
        sb.Append("]}}\n");
        return SimResult.Ok(sb.ToString());
    }

    private sealed class FieldWriter
    {
        private readonly StringBuilder _sb;
        private bool _first = true;

        public FieldWriter(StringBuilder sb) => _sb = sb;

        private void Sep(bool list)
        {
            if (!_first) _sb.Append(list ? ", " : ",");
            _first = false;
        }

        /// <summary>libxo's JSON escaping: quote, backslash and control characters only.</summary>
        private static string Q(string s)
        {
            var b = new StringBuilder("\"");
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': b.Append("\\\""); break;
                    case '\\': b.Append("\\\\"); break;
                    case '\n': b.Append("\\n"); break;
                    case '\t': b.Append("\\t"); break;
                    case '\r': b.Append("\\r"); break;
                    default:
                        if (c < ' ') b.Append("\\u").Append(((int)c).ToString("x4"));
                        else b.Append(c);
                        break;
                }
            }
            return b.Append('"').ToString();
        }

        public void Raw(string key, string raw)
        {
            Sep(false);
            _sb.Append(Q(key)).Append(':').Append(raw);
        }

        public void Str(string key, string value)
        {
            Sep(false);
            _sb.Append(Q(key)).Append(':').Append(Q(value));
        }

        public void List(string key, IEnumerable<string> items)
        {
            Sep(true);
            _sb.Append(Q(key)).Append(": [");
            _sb.Append(string.Join(", ", items.Select(i => Q(i))));
            _sb.Append(']');
        }
    }
}
