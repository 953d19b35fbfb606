using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using JailsModule.Simulation.Tools;

namespace JailsModule.Simulation;

/// <summary>
/// The kernel's interface rules (if_clone, if_bridge, if_epair, if_vlan, SIOCSIFNAME, SIOCSIFVNET,
/// SIOCAIFADDR...), whichever program triggers them. Every method works in one network stack
/// (0 = the host, else the jid of a vnet jail) and returns ifconfig's error text, or null.
/// Texts per reference §7 and §18 and sbin/ifconfig (ifclone.c, ifbridge.c, ifconfig.c).
/// </summary>
public static class SimInterfaces
{
    /// <summary>IFNAMSIZ: 16 bytes with the NUL.</summary>
    public const int IfNamSiz = 16;

    // if.h IFF_* bits, in bit order (printb order).
    private static readonly (int Bit, string Name)[] FlagBits =
    {
        (0x1, "UP"), (0x2, "BROADCAST"), (0x4, "DEBUG"), (0x8, "LOOPBACK"), (0x10, "POINTOPOINT"),
        (0x40, "RUNNING"), (0x80, "NOARP"), (0x100, "PROMISC"), (0x200, "ALLMULTI"), (0x800, "SIMPLEX"),
        (0x8000, "MULTICAST"), (0x1000000, "LOWER_UP"),
    };

    // if.h IFCAP_* bits (the ones the simulated drivers have).
    private static readonly (int Bit, string Name)[] CapBits =
    {
        (0x1, "RXCSUM"), (0x2, "TXCSUM"), (0x8, "VLAN_MTU"), (0x10, "VLAN_HWTAGGING"), (0x20, "JUMBO_MTU"),
        (0x80, "VLAN_HWCSUM"), (0x100, "TSO4"), (0x200, "TSO6"), (0x400, "LRO"), (0x2000, "WOL_MAGIC"),
        (0x10000, "VLAN_HWFILTER"), (0x40000, "VLAN_HWTSO"), (0x80000, "LINKSTATE"), (0x200000, "RXCSUM_IPV6"),
        (0x400000, "TXCSUM_IPV6"),
    };

    /// <summary>Capabilities an em(4)/re(4)/igb(4) NIC of the simulator supports (and has on after boot).</summary>
    public static readonly string[] NicCapabilities =
        { "RXCSUM", "TXCSUM", "VLAN_MTU", "VLAN_HWTAGGING", "JUMBO_MTU", "VLAN_HWCSUM", "TSO4", "TSO6", "LRO", "WOL_MAGIC", "VLAN_HWFILTER", "VLAN_HWTSO", "RXCSUM_IPV6", "TXCSUM_IPV6" };

    /// <summary>Cloners and the kernel file each lives in (ifconfig -C; ifmaybeload).</summary>
    private static readonly (string Cloner, string Module)[] Cloners =
    {
        ("bridge", "if_bridge"), ("epair", "if_epair"), ("vlan", "if_vlan"), ("lo", "if_lo"), ("tap", "if_tuntap"), ("tun", "if_tuntap"),
    };

    public static IEnumerable<SimInterface> InStack(SimState st, int vnet) => st.Interfaces.Where(i => i.Vnet == vnet);

    public static SimInterface? Find(SimState st, string name, int vnet) => SimNetwork.Find(st, name, vnet);

    /// <summary>Loaded cloners of the stack's kernel (what ifconfig -C lists).</summary>
    public static IEnumerable<string> LoadedCloners(SimState st)
        => Cloners.Where(c => SimKldTable.IsLoaded(st, c.Module + ".ko")).Select(c => c.Cloner);

    private static bool Is15(SimState st)
        => int.TryParse(st.KernelRelease.Split('.')[0], out var major) && major >= 15;

    /// <summary>15.0's rule (bridge(4), commit b61850c4e6f6): bridge members may not hold addresses unless net.link.bridge.member_ifaddrs=1.</summary>
    public static bool MemberAddressesRefused(SimState st)
        => Is15(st) && st.Sysctls.GetValueOrDefault("net.link.bridge.member_ifaddrs", "0") != "1";

    private static string NextMac(SimState st, string prefix)
    {
        var n = ++st.Net().MacCounter;
        return $"{prefix}:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}";
    }

    private static int NextIndex(SimState st) => st.Interfaces.Count == 0 ? 1 : st.Interfaces.Max(i => i.Index) + 1;

    /// <summary>
    /// SIOCIFCREATE2 with ifconfig's ifmaybeload(): the cloner's module is loaded first when needed.
    /// Returns the error, or null with the name the kernel gave (for epair the a side).
    /// </summary>
    public static string? Create(SimState st, int vnet, string requested, out string created, string? vlanParent = null, int? vlanTag = null)
    {
        created = "";
        if (Encoding.UTF8.GetByteCount(requested) >= IfNamSiz) return $"ifconfig: interface name '{requested}' too long";
        // vlan by name: PARENT.TAG
        string? cloner = null;
        int? unit = null;
        var dot = requested.LastIndexOf('.');
        if (dot > 0 && int.TryParse(requested[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var dotTag))
        {
            cloner = "vlan";
            vlanParent = requested[..dot];
            vlanTag = dotTag;
        }
        else
        {
            int k = requested.Length;
            while (k > 0 && char.IsAsciiDigit(requested[k - 1])) k--;
            cloner = requested[..k];
            if (k < requested.Length) unit = int.Parse(requested[k..], CultureInfo.InvariantCulture);
            if (!Cloners.Any(c => c.Cloner == cloner)) return $"ifconfig: SIOCIFCREATE2 ({requested}): Invalid argument";
        }
        var module = Cloners.First(c => c.Cloner == cloner).Module + ".ko";
        if (!SimKldTable.IsLoaded(st, module))
        {
            if (SimKldTable.LoadWithDependencies(st, module) == 0) return $"ifconfig: SIOCIFCREATE2 ({requested}): Invalid argument";
        }
        bool Taken(string n) => st.Interfaces.Any(i => i.Name == n && i.Vnet == vnet);
        int NextUnit(Func<int, bool> free) { int u = 0; while (!free(u)) u++; return u; }

        if (cloner == "epair")
        {
            int u = unit ?? NextUnit(x => !Taken($"epair{x}a") && !Taken($"epair{x}b"));
            if (Taken($"epair{u}a") || Taken($"epair{u}b")) return $"ifconfig: SIOCIFCREATE2 ({requested}): File exists";
            var n = ++st.Net().MacCounter;
            var stem = $"02:{(n >> 24) & 0xff:x2}:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}";
            var a = new SimInterface { Name = $"epair{u}a", Driver = "epair", Vnet = vnet, Ether = stem + ":0a", Groups = { "epair" }, Peer = $"epair{u}b", Index = NextIndex(st), Options = { "VLAN_MTU" }, Capabilities = { "VLAN_MTU" } };
            st.Interfaces.Add(a);
            var b = new SimInterface { Name = $"epair{u}b", Driver = "epair", Vnet = vnet, Ether = stem + ":0b", Groups = { "epair" }, Peer = a.Name, Index = NextIndex(st), Options = { "VLAN_MTU" }, Capabilities = { "VLAN_MTU" } };
            st.Interfaces.Add(b);
            created = a.Name;
            return null;
        }
        string name;
        if (cloner == "vlan")
        {
            if (dot > 0) name = requested;
            else name = unit is int vu ? requested : $"vlan{NextUnit(x => !Taken($"vlan{x}"))}";
        }
        else name = unit is int un ? $"{cloner}{un}" : $"{cloner}{NextUnit(x => !Taken($"{cloner}{x}"))}";
        if (Taken(name)) return $"ifconfig: SIOCIFCREATE2 ({requested}): File exists";
        var ifc = new SimInterface { Name = name, Driver = cloner!, Vnet = vnet, Groups = { cloner! }, Index = NextIndex(st) };
        if (cloner == "bridge") ifc.Ether = NextMac(st, "58:9c:fc");
        if (cloner == "lo") { ifc.Mtu = 16384; }
        if (cloner == "vlan" && vlanParent != null)
        {
            if (vlanTag is not int tag || tag < 1 || tag > 4094) return "ifconfig: value for vlan out of range";
            var parent = Find(st, vlanParent, vnet);
            if (parent is null) return $"ifconfig: SIOCIFCREATE2 ({requested}): Device not configured";
            ifc.VlanParent = parent.Name;
            ifc.VlanTag = tag;
            ifc.Ether = parent.Ether;
            ifc.Options.AddRange(new[] { "RXCSUM", "TXCSUM", "TSO4", "TSO6", "LRO", "RXCSUM_IPV6", "TXCSUM_IPV6" }.Where(parent.Options.Contains));
            ifc.Capabilities.AddRange(ifc.Options);
        }
        st.Interfaces.Add(ifc);
        created = name;
        return null;
    }

    /// <summary>SIOCIFDESTROY: an epair takes its peer along, wherever it is; a bridge lets its members go.</summary>
    public static string? Destroy(SimState st, int vnet, string name)
    {
        var ifc = Find(st, name, vnet);
        if (ifc is null) return $"ifconfig: interface {name} does not exist";
        if (ifc.Driver is not ("bridge" or "epair" or "vlan" or "lo" or "tap" or "tun") || ifc.Name == "lo0")
            return "ifconfig: SIOCIFDESTROY: Invalid argument";
        var gone = new List<SimInterface> { ifc };
        if (ifc.Driver == "epair" && st.Interfaces.FirstOrDefault(i => i.Driver == "epair" && i.Peer == ifc.Name && ifc.Peer == i.Name) is { } peer)
            gone.Add(peer);
        foreach (var g in gone)
        {
            foreach (var br in st.Interfaces.Where(b => b.Members.Contains(g.Name) && b.Vnet == g.Vnet)) br.Members.Remove(g.Name);
            foreach (var br in st.Interfaces.Where(b => b.MemberInfo.ContainsKey(g.Name) && b.Vnet == g.Vnet).ToList()) br.MemberInfo.Remove(g.Name);
            if (g.Driver == "bridge")
                foreach (var m in g.Members.Select(m => Find(st, m, g.Vnet)).Where(m => m != null)) m!.Promisc = false;
            // vlans on top of it go too
            foreach (var v in st.Interfaces.Where(v => v.VlanParent == g.Name && v.Vnet == g.Vnet).ToList()) st.Interfaces.Remove(v);
            foreach (var j in st.Jails) j.VnetInterfaces.Remove(g.Name);
            st.Interfaces.Remove(g);
        }
        return null;
    }

    /// <summary>SIOCSIFNAME. An epair's peer follows the new name; the driver group stays (reference §7).</summary>
    public static string? Rename(SimState st, int vnet, string name, string newName)
    {
        var ifc = Find(st, name, vnet);
        if (ifc is null) return $"ifconfig: interface {name} does not exist";
        if (Encoding.UTF8.GetByteCount(newName) >= IfNamSiz || newName.Length == 0)
            return "ifconfig: ioctl SIOCSIFNAME (set name): Invalid argument";
        if (Find(st, newName, vnet) != null) return "ifconfig: ioctl SIOCSIFNAME (set name): File exists";
        if (ifc.Peer != null && st.Interfaces.FirstOrDefault(i => i.Name == ifc.Peer && i.Peer == ifc.Name) is { } peer) peer.Peer = newName;
        foreach (var br in st.Interfaces.Where(b => b.Vnet == vnet))
        {
            var k = br.Members.IndexOf(name);
            if (k >= 0) br.Members[k] = newName;
            if (br.MemberInfo.Remove(name, out var info)) br.MemberInfo[newName] = info;
        }
        foreach (var v in st.Interfaces.Where(v => v.VlanParent == name && v.Vnet == vnet)) v.VlanParent = newName;
        foreach (var j in st.Jails.Where(j => j.Jid == vnet))
        {
            var k = j.VnetInterfaces.IndexOf(name);
            if (k >= 0) j.VnetInterfaces[k] = newName;
        }
        ifc.Name = newName;
        return null;
    }

    /// <summary>BRDGADD (if_bridge.c bridge_ioctl_add): EEXIST for a member of this bridge, EBUSY of another, EINVAL for itself or (15.0) an addressed member.</summary>
    public static string? AddMember(SimState st, int vnet, SimInterface bridge, string member)
    {
        if (bridge.Driver != "bridge") return $"ifconfig: BRDGADD {member}: Invalid argument";
        var m = Find(st, member, vnet);
        if (m is null) return $"ifconfig: BRDGADD {member}: No such file or directory";
        if (bridge.Members.Contains(member)) return $"ifconfig: BRDGADD {member}: File exists";
        if (m == bridge || m.Driver == "lo") return $"ifconfig: BRDGADD {member}: Invalid argument";
        if (st.Interfaces.Any(b => b.Vnet == vnet && b.Members.Contains(member))) return $"ifconfig: BRDGADD {member}: Device busy";
        if (MemberAddressesRefused(st) && (m.Inet.Count > 0 || m.Inet6.Any(a => !a.StartsWith("fe80:", StringComparison.Ordinal))))
            return $"ifconfig: BRDGADD {member}: Invalid argument";
        bridge.Members.Add(member);
        var port = bridge.NextPort++;
        var vf = bridge.DefVlanFilter;
        bridge.MemberInfo[member] = new SimBridgeMember { Port = m.Index, PathCost = m.Driver == "epair" ? 2000 : 20000, Untagged = vf ? bridge.DefUntagged : null, VlanFilter = vf };
        m.Promisc = true;
        return null;
    }

    public static string? DeleteMember(SimState st, int vnet, SimInterface bridge, string member)
    {
        if (!bridge.Members.Remove(member)) return $"ifconfig: BRDGDEL {member}: No such file or directory";
        bridge.MemberInfo.Remove(member);
        if (Find(st, member, vnet) is { } m) m.Promisc = false;
        return null;
    }

    /// <summary>SIOCAIFADDR: adds (or with <paramref name="alias"/> false, replaces the first) address. 15.0 refuses an address on a bridge member.</summary>
    public static string? AddAddress(SimState st, SimInterface ifc, bool inet6, string address, bool alias)
    {
        if (!inet6 && MemberAddressesRefused(st) && st.Interfaces.Any(b => b.Vnet == ifc.Vnet && b.Members.Contains(ifc.Name)))
            return "ifconfig: ioctl (SIOCAIFADDR): Invalid argument";
        if (inet6 && MemberAddressesRefused(st) && st.Interfaces.Any(b => b.Vnet == ifc.Vnet && b.Members.Contains(ifc.Name)))
            return "ifconfig: ioctl (SIOCAIFADDR_IN6): Invalid argument";
        var list = inet6 ? ifc.Inet6 : ifc.Inet;
        var bare = address.Split('/')[0];
        var existing = list.FindIndex(a => a.Split('/')[0] == bare);
        if (existing >= 0) { list[existing] = address; return null; }
        if (!alias && !inet6 && list.Count > 0) list[0] = address;
        else list.Add(address);
        return null;
    }

    public static string? RemoveAddress(SimInterface ifc, bool inet6, string? address)
    {
        var list = inet6 ? ifc.Inet6 : ifc.Inet;
        if (address is null)
        {
            if (list.Count == 0) return inet6 ? "ifconfig: ioctl (SIOCDIFADDR_IN6): Can't assign requested address" : "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address";
            list.RemoveAt(0);
            return null;
        }
        var bare = address.Split('/')[0];
        var k = list.FindIndex(a => a.Split('/')[0] == bare);
        if (k < 0) return inet6 ? "ifconfig: ioctl (SIOCDIFADDR_IN6): Can't assign requested address" : "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address";
        list.RemoveAt(k);
        return null;
    }

    /// <summary>The IFF_* word of an interface as the kernel reports it.</summary>
    public static int Flags(SimState st, SimInterface ifc)
    {
        int f = ifc.Driver == "lo" ? 0x8 | 0x8000 : 0x2 | 0x800 | 0x8000;
        if (ifc.Up) f |= 0x1 | 0x40;
        if (ifc.Promisc) f |= 0x100;
        // Link: a physical NIC and an up vlan have carrier; an epair end has it once both ends are up.
        bool lower = ifc.Driver switch
        {
            "epair" => ifc.Up && st.Interfaces.FirstOrDefault(p => p.Name == ifc.Peer && p.Peer == ifc.Name)?.Up == true,
            "em" or "re" or "igb" or "vlan" => ifc.Up,
            _ => false,
        };
        if (lower) f |= 0x1000000;
        return f;
    }

    public static string Printb(int value, (int Bit, string Name)[] bits)
        => $"{value:x}<{string.Join(",", bits.Where(b => (value & b.Bit) != 0).Select(b => b.Name))}>";

    private static int CapWord(IEnumerable<string> caps) => CapBits.Where(b => caps.Contains(b.Name)).Sum(b => b.Bit);

    /// <summary>ifconfig IF: the status block (ifconfig.c status(), af_inet, af_inet6, af_link, ifbridge, ifvlan, ifmedia, ifgroup).</summary>
    public static string Status(SimState st, SimInterface ifc, bool verbose = false)
    {
        var sb = new StringBuilder();
        sb.Append($"{ifc.Name}: flags={Printb(Flags(st, ifc), FlagBits)} metric 0 mtu {ifc.Mtu}\n");
        if (ifc.Description.Length > 0) sb.Append($"\tdescription: {ifc.Description}\n");
        if (ifc.Options.Count > 0) sb.Append($"\toptions={Printb(CapWord(ifc.Options), CapBits)}\n");
        if (verbose && ifc.Capabilities.Count > 0) sb.Append($"\tcapabilities={Printb(CapWord(ifc.Capabilities), CapBits)}\n");
        if (ifc.Ether.Length > 0) sb.Append($"\tether {ifc.Ether}\n");
        foreach (var a in ifc.Inet)
        {
            var (ip, len) = SplitCidr(a);
            var mask = len == 0 ? 0u : uint.MaxValue << (32 - len);
            var addr = BitConverter.ToUInt32(IPAddress.Parse(ip).GetAddressBytes().AsEnumerable().Reverse().ToArray());
            var bcast = new IPAddress(BitConverter.GetBytes(addr | ~mask).AsEnumerable().Reverse().ToArray());
            sb.Append($"\tinet {ip} netmask 0x{mask:x8}");
            if (ifc.Driver != "lo") sb.Append($" broadcast {bcast}");
            sb.Append('\n');
        }
        foreach (var a in ifc.Inet6)
        {
            var (ip, len) = SplitCidr(a);
            sb.Append($"\tinet6 {ip} prefixlen {len}");
            if (ip.StartsWith("fe80:", StringComparison.Ordinal) || ip == "::1") sb.Append($" scopeid 0x{ifc.Index:x}");
            sb.Append('\n');
        }
        if (ifc.Driver == "bridge")
        {
            sb.Append($"\tid {ifc.Ether} priority 32768 hellotime 2 fwddelay 15\n");
            sb.Append("\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200\n");
            sb.Append($"\troot id {ifc.Ether} priority 32768 ifcost 0 port 0\n");
            foreach (var m in ifc.Members)
            {
                var info = ifc.MemberInfo.GetValueOrDefault(m) ?? new SimBridgeMember();
                var flags = 0x143 | (info.VlanFilter ? 0x2000 : 0);
                var names = info.VlanFilter ? "LEARNING,DISCOVER,AUTOEDGE,AUTOPTP,VLANFILTER" : "LEARNING,DISCOVER,AUTOEDGE,AUTOPTP";
                sb.Append($"\tmember: {m} flags={flags:x}<{names}>\n");
                sb.Append($"\t        ifmaxaddr 0 port {info.Port} priority 128 path cost {info.PathCost}");
                if (info.Untagged is int pvid) sb.Append($" untagged {pvid}");
                if (info.Tagged.Count > 0) sb.Append($" tagged {FormatVlanList(info.Tagged)}");
                sb.Append('\n');
            }
        }
        var groups = ifc.Groups.Where(g => g != "all").ToList();
        if (groups.Count > 0) sb.Append("\tgroups: ").Append(string.Concat(groups.Select(g => g + " "))).Append('\n');
        if (ifc.VlanTag is int tag)
            sb.Append($"\tvlan: {tag} vlanproto: 802.1q vlanpcp: 0 parent interface: {ifc.VlanParent}\n");
        switch (ifc.Driver)
        {
            case "epair":
                sb.Append("\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)\n");
                sb.Append($"\tstatus: {((Flags(st, ifc) & 0x1000000) != 0 ? "active" : "no carrier")}\n");
                break;
            case "em" or "re" or "igb":
                sb.Append("\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n");
                sb.Append($"\tstatus: {(ifc.Up ? "active" : "no carrier")}\n");
                break;
            case "vlan":
                sb.Append("\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n");
                sb.Append($"\tstatus: {(ifc.Up ? "active" : "no carrier")}\n");
                break;
        }
        sb.Append(ifc.Driver == "lo" || ifc.Inet6.Count > 0 ? "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n"
            : ifc.Driver == "bridge" ? "\tnd6 options=9<PERFORMNUD,IFDISABLED>\n"
            : "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n");
        return sb.ToString();
    }

    public static (string Ip, int Len) SplitCidr(string a)
    {
        var slash = a.IndexOf('/');
        return slash < 0 ? (a, a.Contains(':') ? 128 : 32) : (a[..slash], int.Parse(a[(slash + 1)..], CultureInfo.InvariantCulture));
    }

    public static string FormatVlanList(IEnumerable<int> vids)
    {
        var sorted = vids.Distinct().OrderBy(v => v).ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? sorted[i].ToString(CultureInfo.InvariantCulture) : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    /// <summary>An ifconfig VLAN list ("10,20-30"): null when malformed or out of 1-4094.</summary>
    public static List<int>? ParseVlanList(string text)
    {
        var list = new List<int>();
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1 || v > 4094) return null;
                list.Add(v);
            }
            else
            {
                if (!int.TryParse(part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var lo) ||
                    !int.TryParse(part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var hi) || lo < 1 || hi > 4094 || lo > hi) return null;
                for (int v = lo; v <= hi; v++) list.Add(v);
            }
        }
        return list;
    }

    /// <summary>A MAC as ifconfig's ether/lladdr takes it: six hex octets separated by ':'.</summary>
    public static bool TryParseMac(string text, out byte[] mac)
    {
        mac = Array.Empty<byte>();
        var parts = text.Split(':');
        if (parts.Length != 6) return false;
        var b = new byte[6];
        for (int i = 0; i < 6; i++)
            if (parts[i].Length is < 1 or > 2 || !byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out b[i])) return false;
        mac = b;
        return true;
    }

    /// <summary>Default routes by network stack (0 = host, else a vnet jail's jid).</summary>
    public static SimNetState Net(this SimState st)
    {
        if (st.NetState is null) st.NetState = new SimNetState();
        return st.NetState;
    }

    /// <summary>A vnet is gone (jail_remove): interfaces cloned inside it are destroyed, its routes go.</summary>
    public static void VnetGone(SimState st, int vnet)
    {
        st.Net().DefaultRoutes.Remove(vnet.ToString(CultureInfo.InvariantCulture));
        st.Net().DefaultRoutes6.Remove(vnet.ToString(CultureInfo.InvariantCulture));
    }

    public static bool IsIPv4(string s) => IPAddress.TryParse(s, out var a) && a.AddressFamily == AddressFamily.InterNetwork && s.Count(c => c == '.') == 3;
}

/// <summary>A bridge port (bridge_ioctl_gifs fields the simulator keeps).</summary>
public sealed class SimBridgeMember
{
    public int Port { get; set; }
    public int PathCost { get; set; } = 20000;
    public bool VlanFilter { get; set; }
    public int? Untagged { get; set; }
    public List<int> Tagged { get; set; } = new();
}

/// <summary>Network state beyond the interface list: routes per stack, the MAC counter.</summary>
public sealed class SimNetState
{
    public int MacCounter { get; set; }

    /// <summary>Default IPv4 gateway per stack ("0" host, else jid).</summary>
    public Dictionary<string, string> DefaultRoutes { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> DefaultRoutes6 { get; set; } = new(StringComparer.Ordinal);
}
