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
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool valuesOnly = false, namesOnly = false, quiet = false, ignore = false, desc = false, all = false, eq = false, opaque = false;
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
                case 'o': case 'x': opaque = true; break;
                case 'h': case 't': case 'T': case 'w': case 'b': break;
                default: return SimResult.Fail("usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a");
            }
        }
        var table = SimSysctlTree.Table(ctx);
        var names = args.Skip(g.OptInd).ToList();
        var sb = new StringBuilder();
        var err = new StringBuilder();
        int rc = 0;

        void Print(string name)
        {
            var value = table[name];
            if (namesOnly) { sb.Append(name).Append('\n'); return; }
            // show_var: an opaque struct without -o/-x is skipped (ip4.addr, ip6.addr).
            if (SimSysctlTree.IsOpaque(name) && !opaque && !desc) return;
            if (SimSysctlTree.IsOpaque(name) && !desc)
            {
                var dump = "0x" + new string('0', 2 * int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
                sb.Append(valuesOnly ? "" : name + (eq ? "=" : ": ")).Append($"Format:S,{(value == "4" ? "in_addr" : "in6_addr")},a Length:{value} Dump:{dump}").Append('\n');
                return;
            }
            if (desc) sb.Append(valuesOnly ? "" : name + ": ").Append(SimSysctlTree.Description(name)).Append('\n');
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
                if (SimSysctlTree.IsTunable(name))
                {
                    err.Append($"sysctl: oid '{name}' is a read only tunable\nsysctl: Tunable values are set in /boot/loader.conf\n");
                    rc = 1;
                    continue;
                }
                if (SimSysctlTree.IsReadOnly(name))
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
                SimSysctlTree.Set(ctx.State, name, nv);
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
}
