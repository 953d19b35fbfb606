using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// sysctl(8) (reference §12, sbin/sysctl/sysctl.c): "name: value" lines; -n values only, -N names
/// only, -e name=value, -d descriptions, -q/-i quiet about unknown OIDs (-i also exit 0), -a all,
/// name=value sets writable OIDs ("name: old -> new"). A name that is a node lists its subtree.
/// The jail parameter catalogue appears as security.jail.param.* (a parameter that also has
/// children, like allow.mount or the jailsys ones, is a leaf named with a trailing dot).
/// Inside a jail: security.jail.jailed is 1, and kern.hostname/osrelease are the jail's.
/// </summary>
[SimulatedTool("/sbin/sysctl")]
public sealed class SimSysctl : ISimulatedTool
{
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "kern.ostype", "kern.osrelease", "kern.osreldate", "hw.machine", "hw.machine_arch", "hw.ncpu", "security.jail.jailed",
    };

    /// <summary>Loader tunables: read-only at run time, set in /boot/loader.conf.</summary>
    private static readonly HashSet<string> Tunables = new(StringComparer.Ordinal) { "kern.racct.enable" };

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["kern.ostype"] = "Operating system type",
        ["kern.osrelease"] = "Operating system release",
        ["kern.osreldate"] = "Kernel release date",
        ["kern.hostname"] = "Hostname",
        ["hw.machine"] = "Machine class",
        ["hw.machine_arch"] = "System architecture",
        ["hw.ncpu"] = "Number of active CPUs",
        ["kern.features.vimage"] = "VIMAGE kernel virtualization",
        ["kern.features.inet"] = "Internet protocol version 4",
        ["kern.features.inet6"] = "Internet Protocol version 6",
        ["kern.racct.enable"] = "Enable RACCT/RCTL",
        ["security.jail.jailed"] = "Process in jail?",
        ["security.jail.enforce_statfs"] = "Processes in jail cannot see all mounted file systems",
        ["security.jail.param.persist"] = "Jail persistence",
        ["security.jail.param.vnet."] = "Virtual network stack",
        ["security.jail.param.path"] = "Jail root path",
        ["security.jail.param.name"] = "Jail name",
        ["security.jail.param.jid"] = "Jail ID",
    };

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool valuesOnly = false, namesOnly = false, quiet = false, ignore = false, desc = false, all = false, eq = false;
        var g = new SimGetopt(args, "AabB:dehiNnoqtTwxXf:");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            switch (c)
            {
                case 'n': valuesOnly = true; break;
                case 'N': namesOnly = true; break;
                case 'q': quiet = true; break;
                case 'i': ignore = true; break;
                case 'd': desc = true; break;
                case 'a': case 'A': case 'X': all = true; break;
                case 'e': eq = true; break;
                case 'h': case 'o': case 'x': case 't': case 'T': case 'w': case 'b': break;
                default: return SimResult.Fail("usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a");
            }
        }
        var table = Table(ctx);
        var names = args.Skip(g.OptInd).ToList();
        var sb = new StringBuilder();
        var err = new StringBuilder();
        int rc = 0;

        void Print(string name)
        {
            var value = table[name];
            if (namesOnly) sb.Append(name).Append('\n');
            else if (desc) sb.Append(valuesOnly ? "" : name + ": ").Append(Descriptions.GetValueOrDefault(name, "")).Append('\n');
            else if (valuesOnly) sb.Append(value).Append('\n');
            else sb.Append(name).Append(eq ? "=" : ": ").Append(value).Append('\n');
        }

        if (names.Count == 0)
        {
            if (!all) return SimResult.Fail("usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a");
            foreach (var n in table.Keys) Print(n);
            return SimResult.Ok(sb.ToString());
        }
        foreach (var arg in names)
        {
            int e = arg.IndexOf('=');
            var name = e < 0 ? arg : arg[..e];
            if (e >= 0)
            {
                var nv = arg[(e + 1)..];
                if (!table.ContainsKey(name))
                {
                    if (!ignore && !quiet) err.Append($"sysctl: unknown oid '{name}'\n");
                    if (!ignore) rc = 1;
                    continue;
                }
                if (Tunables.Contains(name))
                {
                    err.Append($"sysctl: oid '{name}' is a read only tunable\nsysctl: Tunable values are set in /boot/loader.conf\n");
                    rc = 1;
                    continue;
                }
                if (ReadOnly.Contains(name) || name.StartsWith("kern.features.", StringComparison.Ordinal) || name.StartsWith("security.jail.param.", StringComparison.Ordinal))
                {
                    err.Append($"sysctl: oid '{name}' is read only\n");
                    rc = 1;
                    continue;
                }
                if (!ctx.IsRoot || ctx.Jail != null)
                {
                    err.Append($"sysctl: {name}={nv}: Operation not permitted\n");
                    rc = 1;
                    continue;
                }
                var old = table[name];
                if (long.TryParse(old, out _) && !long.TryParse(nv, out _))
                {
                    err.Append($"sysctl: invalid integer '{nv}'\n");
                    rc = 1;
                    continue;
                }
                ctx.State.Sysctls[name] = nv;
                if (name == "kern.hostname") ctx.State.Hostname = nv;
                ctx.Dirty = true;
                if (valuesOnly) sb.Append(nv).Append('\n');
                else sb.Append($"{name}: {old} -> {nv}\n");
                continue;
            }
            if (table.ContainsKey(name)) { Print(name); continue; }
            var prefix = name + ".";
            var sub = table.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (sub.Count > 0) { foreach (var k in sub) Print(k); continue; }
            if (!ignore && !quiet) err.Append($"sysctl: unknown oid '{name}'\n");
            if (!ignore) rc = 1;
        }
        return new SimResult(rc, sb.ToString(), err.ToString());
    }

    /// <summary>Every OID the caller can see, sorted, with its current value.</summary>
    public static SortedDictionary<string, string> Table(SimContext ctx)
    {
        var t = new SortedDictionary<string, string>(ctx.State.Sysctls, StringComparer.Ordinal);
        foreach (var p in SimKernel.Params)
        {
            // SYSCTL_JAIL_PARAM_SYS_NODE (jailsys) and parameters with sub-parameters are nodes whose value leaf has an empty name.
            bool node = p.Type == SimParamType.JailSys || SimKernel.Params.Any(o => o.Name.StartsWith(p.Name + ".", StringComparison.Ordinal));
            var oid = "security.jail.param." + p.Name + (node ? "." : "");
            t[oid] = p.Type is SimParamType.String ? "" : "0";
        }
        if (ctx.State.Sysctls.GetValueOrDefault("kern.features.vimage") != "1")
            t.Remove("security.jail.param.vnet.");
        if (ctx.Jail != null)
        {
            t["security.jail.jailed"] = "1";
            t["kern.hostname"] = ctx.Jail.HostName;
            t["kern.osrelease"] = SimIdentity.KernelRelease(ctx);
            t["kern.osreldate"] = SimIdentity.KernelOsRelDate(ctx);
        }
        return t;
    }
}
