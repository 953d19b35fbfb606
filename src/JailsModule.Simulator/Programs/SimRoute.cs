using System.Globalization;
using System.Net;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// route(8), the default route of the caller's network stack (the host's, or a vnet jail's under jexec):
/// add/delete/get/change default [-inet6]. Texts per sbin/route/route.c (newroute, print_getmsg).
/// </summary>
[SimulatedTool("/sbin/route")]
public sealed class SimRoute : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var st = ctx.State;
        var vnet = SimNetwork.StackOf(ctx.Jail);
        var key = vnet.ToString(CultureInfo.InvariantCulture);
        var rest = args.Where(a => a is not ("-n" or "-q" or "-v")).ToList();
        if (rest.Count == 0) return Usage();
        var cmd = rest[0];
        bool v6 = rest.Remove("-inet6") | rest.Remove("-6");
        rest.Remove("-inet"); rest.Remove("-4"); rest.Remove("-net");
        var table = v6 ? st.Net().DefaultRoutes6 : st.Net().DefaultRoutes;
        if (cmd is not ("add" or "delete" or "get" or "change")) return Usage();
        if (rest.Count < 2) return Usage();
        var dest = rest[1];
        if (dest is not ("default" or "0.0.0.0/0" or "::/0")) return SimResult.Fail($"route: {dest}: only the default route is simulated");
        if (cmd is "add" or "delete" or "change" && !ctx.IsRoot) return SimResult.Fail("route: must be root to alter routing table");
        switch (cmd)
        {
            case "get":
                if (!table.TryGetValue(key, out var gw)) return SimResult.Fail("route: route has not been found");
                var ifname = InterfaceFor(st, vnet, gw) ?? "";
                return SimResult.Ok(
                    "   route to: default\ndestination: default\n       mask: default\n" +
                    $"    gateway: {gw}\n        fib: 0\n  interface: {ifname}\n      flags: <UP,GATEWAY,DONE,STATIC>\n" +
                    " recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire\n       0         0         0         0      1500         1         0 \n");
            case "add" or "change":
                {
                    if (rest.Count < 3) return Usage();
                    var g = rest[2];
                    if (!IPAddress.TryParse(g, out var ip) || (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != v6)
                        return SimResult.Fail($"route: bad address: {g}");
                    if (cmd == "add" && table.ContainsKey(key))
                        return new SimResult(1, $"add net default: gateway {g} fib 0: route already in table\n", "route: route already in table\n");
                    if (cmd == "change" && !table.ContainsKey(key))
                        return new SimResult(1, $"change net default: gateway {g} fib 0: not in table\n", "route: route has not been found\n");
                    if (!v6 && InterfaceFor(st, vnet, g) is null)
                        return new SimResult(1, $"{cmd} net default: gateway {g} fib 0: Network is unreachable\n", "route: route has not been found\n");
                    table[key] = g;
                    ctx.Dirty = true;
                    return SimResult.Ok($"{cmd} net default: gateway {g}\n");
                }
            default:
                if (!table.Remove(key, out var old))
                    return new SimResult(1, "delete net default: not in table\n", "route: route has not been found\n");
                ctx.Dirty = true;
                return SimResult.Ok($"delete net default: gateway {old}\n");
        }
    }

    /// <summary>The interface of the stack whose IPv4 subnet holds <paramref name="gateway"/>, or null (unreachable).</summary>
    internal static string? InterfaceFor(SimState st, int vnet, string gateway)
    {
        if (!SimInterfaces.IsIPv4(gateway)) return SimInterfaces.InStack(st, vnet).FirstOrDefault(i => i.Inet6.Count > 0)?.Name;
        uint G(string a) => BitConverter.ToUInt32(IPAddress.Parse(a).GetAddressBytes().AsEnumerable().Reverse().ToArray());
        var g = G(gateway);
        foreach (var ifc in SimInterfaces.InStack(st, vnet))
            foreach (var a in ifc.Inet)
            {
                var (ip, len) = SimInterfaces.SplitCidr(a);
                var mask = len == 0 ? 0u : uint.MaxValue << (32 - len);
                if ((G(ip) & mask) == (g & mask)) return ifc.Name;
            }
        return null;
    }

    private static SimResult Usage() => SimResult.Fail("usage: route [-46dnqtv] command [[modifiers] args]");
}
