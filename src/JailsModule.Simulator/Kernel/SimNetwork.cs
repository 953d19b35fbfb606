namespace JailsModule.Simulation;

/// <summary>
/// The kernel's network interfaces (Kernel: the rules live here once, whichever program triggers
/// them): lookup within a network stack (the host's, or a vnet jail's), address aliases, moving an
/// interface into a vnet jail (SIOCSIFVNET) and back home when the jail goes. jail(8) uses them for
/// ip4.addr/ip6.addr with interface= and for vnet.interface; texts are ifconfig(8)'s.
/// </summary>
public static class SimNetwork
{
    /// <summary>The jid of the network stack <paramref name="viewer"/> sees: its own when it is a vnet jail, else the host's (0).</summary>
    public static int StackOf(SimJail? viewer) => viewer?.IsVnet == true ? viewer.Jid : 0;

    /// <summary>The interface named <paramref name="name"/> in the network stack <paramref name="vnet"/>, or null.</summary>
    public static SimInterface? Find(SimState state, string name, int vnet)
        => state.Interfaces.FirstOrDefault(i => i.Name == name && i.Vnet == vnet);

    /// <summary>
    /// ifconfig IFACE inet ADDR netmask 255.255.255.255 alias (or inet6 ADDR prefixlen 128 alias) in the
    /// stack of <paramref name="viewer"/>: adds ADDR/32 (ADDR/128). Returns ifconfig's error, or null with
    /// the entry added ("IFACE|ADDR/LEN", as a jail records its aliases) and the undo.
    /// </summary>
    public static string? AddAlias(SimState state, SimJail? viewer, string iface, string family, string addr, out string entry, out Action undo)
    {
        entry = "";
        undo = () => { };
        var ifc = Find(state, iface, StackOf(viewer));
        if (ifc is null) return $"ifconfig: interface {iface} does not exist";
        var address = family == "inet" ? addr + "/32" : addr + "/128";
        var list = family == "inet" ? ifc.Inet : ifc.Inet6;
        list.Add(address);
        entry = $"{iface}|{address}";
        undo = () => list.Remove(address);
        return null;
    }

    /// <summary>ifconfig IFACE -alias for an entry <see cref="AddAlias"/> made ("IFACE|ADDR/LEN").</summary>
    public static void RemoveAlias(SimState state, string entry)
    {
        var bar = entry.IndexOf('|');
        var ifc = state.Interfaces.FirstOrDefault(i => i.Name == entry[..bar]);
        ifc?.Inet.Remove(entry[(bar + 1)..]);
        ifc?.Inet6.Remove(entry[(bar + 1)..]);
    }

    /// <summary>
    /// ifconfig IFNAME vnet JAIL from the stack of <paramref name="viewer"/>: the interface moves into
    /// <paramref name="jail"/>'s stack. Returns ifconfig's error, or null with the undo.
    /// </summary>
    public static string? MoveToVnet(SimState state, SimJail? viewer, string ifname, SimJail jail, out Action undo)
    {
        undo = () => { };
        var from = StackOf(viewer);
        var ifc = Find(state, ifname, from);
        if (ifc is null) return $"ifconfig: interface {ifname} does not exist";
        if (!jail.IsVnet) return "ifconfig: SIOCSIFVNET: Invalid argument";
        ifc.Vnet = jail.Jid;
        jail.VnetInterfaces.Add(ifname);
        undo = () => { ifc.Vnet = from; jail.VnetInterfaces.Remove(ifname); };
        return null;
    }

    /// <summary>jail_remove: the interfaces in the jail's stack go back to its parent's stack (the nearest vnet parent, or the host).</summary>
    public static void ReturnHome(SimState state, SimJail jail)
    {
        var home = state.Jails.FirstOrDefault(j => j.Jid == jail.Parent && j.IsVnet)?.Jid ?? 0;
        foreach (var ifc in state.Interfaces.Where(i => i.Vnet == jail.Jid))
        {
            // The interface leaves any bridge of the dying stack and comes home as it is named now.
            foreach (var br in state.Interfaces.Where(b => b.Vnet == jail.Jid)) { br.Members.Remove(ifc.Name); br.MemberInfo.Remove(ifc.Name); }
            ifc.Promisc = false;
            ifc.Vnet = home;
        }
        jail.VnetInterfaces.Clear();
        SimInterfaces.VnetGone(state, jail.Jid);
    }
}
