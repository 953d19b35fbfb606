using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// ifconfig(8) (reference §7 and §18; sbin/ifconfig/ifconfig.c, ifclone.c, ifbridge.c, ifvlan.c, ifgroup.c):
/// listing (-a, -l [-u|-d], -g GROUP, -C), IF create/destroy, and the parameters the jail tools use.
/// Runs in the caller's network stack: on the host, or a vnet jail's own table under jexec.
/// </summary>
[SimulatedTool("/sbin/ifconfig")]
public sealed class SimIfconfig : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var st = ctx.State;
        int vnet = SimNetwork.StackOf(ctx.Jail);
        bool all = false, list = false, up = false, down = false, cloners = false, verbose = false;
        string? group = null;
        int i = 0;
        for (; i < args.Count && args[i].StartsWith('-') && args[i].Length > 1; i++)
        {
            var a = args[i];
            if (a == "-g") { if (i + 1 >= args.Count) return Usage(); group = args[++i]; continue; }
            foreach (var c in a[1..])
            {
                switch (c)
                {
                    case 'a': all = true; break;
                    case 'l': list = true; break;
                    case 'u': up = true; break;
                    case 'd': down = true; break;
                    case 'C': cloners = true; break;
                    case 'v': verbose = true; break;
                    case 'm': break;
                    default: return Usage();
                }
            }
        }
        if (cloners)
            return SimResult.Ok(string.Join(" ", SimInterfaces.LoadedCloners(st)) + "\n");
        if (group != null)
        {
            var members = SimInterfaces.InStack(st, vnet).Where(x => x.Groups.Contains(group) || group == "all").Select(x => x.Name);
            return SimResult.Ok(SimText.Lines(members));
        }
        if (list)
        {
            if (all) return Usage();
            var names = SimInterfaces.InStack(st, vnet).OrderBy(x => x.Index)
                .Where(x => (!up || x.Up) && (!down || !x.Up)).Select(x => x.Name);
            return SimResult.Ok(string.Join(" ", names) + "\n");
        }
        if (i >= args.Count || all)
        {
            var sb = new StringBuilder();
            foreach (var x in SimInterfaces.InStack(st, vnet).OrderBy(x => x.Index).Where(x => (!up || x.Up) && (!down || !x.Up)))
                sb.Append(SimInterfaces.Status(st, x, verbose));
            return SimResult.Ok(sb.ToString());
        }

        var name = args[i++];
        if (Encoding.UTF8.GetByteCount(name) >= SimInterfaces.IfNamSiz) return SimResult.Fail($"ifconfig: interface name '{name}' too long");
        if (!ctx.IsRoot && i < args.Count) return SimResult.Fail("ifconfig: ioctl (SIOCSIFFLAGS): Operation not permitted");
        var output = new StringBuilder();
        bool created0 = false, printName = false;

        if (i < args.Count && args[i] is "create" or "plumb")
        {
            i++;
            string? vlanDev = null;
            int? vlanTag = null;
            // vlan's create arguments: vlan N vlandev IF
            for (int k = i; k + 1 < args.Count; k++)
            {
                if (args[k] == "vlan") { if (!int.TryParse(args[k + 1], out var t) || t < 0 || t > 4095) return SimResult.Fail("ifconfig: value for vlan out of range"); vlanTag = t; }
                if (args[k] == "vlandev") vlanDev = args[k + 1];
            }
            if (name.StartsWith("vlan", StringComparison.Ordinal) && (vlanTag is null) != (vlanDev is null))
                return SimResult.Fail("ifconfig: both vlan and vlandev must be specified");
            if (SimInterfaces.Create(st, vnet, name, out var created, vlanDev, vlanTag) is { } err) return SimResult.Fail(err);
            ctx.Dirty = true;
            printName = created != name;
            name = created;
            created0 = true;
            // skip the vlan create args
            var rest = new List<string>();
            for (int k = i; k < args.Count; k++)
            {
                if (args[k] is "vlan" or "vlandev" && k + 1 < args.Count) { k++; continue; }
                rest.Add(args[k]);
            }
            args = rest;
            i = 0;
        }
        else if (i < args.Count && args[i] == "-vnet")
        {
            // Run on the host: take IF back from the jail (SIOCSIFRVNET).
            if (i + 1 >= args.Count) return SimResult.Fail("ifconfig: -vnet: missing argument");
            var jail = SimKernel.Lookup(st, ctx.Jail, args[i + 1]);
            if (jail is null) return SimResult.Fail($"ifconfig: jail \"{args[i + 1]}\" not found");
            var inJail = SimNetwork.Find(st, name, jail.Jid);
            if (inJail is null || !jail.IsVnet) return SimResult.Fail($"ifconfig: SIOCSIFRVNET({jail.Jid}, {name}): Invalid argument");
            if (SimNetwork.Find(st, name, vnet) != null) return SimResult.Fail($"ifconfig: SIOCSIFRVNET({jail.Jid}, {name}): File exists");
            inJail.Vnet = vnet;
            jail.VnetInterfaces.Remove(name);
            ctx.Dirty = true;
            return SimResult.Ok();
        }

        var ifc = SimNetwork.Find(st, name, vnet);
        if (ifc is null) return SimResult.Fail($"ifconfig: interface {name} does not exist");
        if (i < args.Count && args[i] == "destroy")
        {
            if (SimInterfaces.Destroy(st, vnet, name) is { } err) return SimResult.Fail(err);
            ctx.Dirty = true;
            return SimResult.Ok();
        }
        if (i >= args.Count && !created0)
            return SimResult.Ok(SimInterfaces.Status(st, ifc, verbose));

        string family = "";
        bool addrSet = false;
        while (i < args.Count)
        {
            var a = args[i++];
            string? Arg() => i < args.Count ? args[i++] : null;
            string? error = null;
            switch (a)
            {
                case "inet" or "inet6" when family == "" && !addrSet && !(a is "ether" && i < args.Count && !args[i].Contains(':')):
                    family = a;
                    if (i < args.Count && !IsKeyword(args[i]))
                    {
                        addrSet = true;
                        var addr = args[i++];
                        // prefixlen / netmask modifiers and alias/-alias come after
                        string? prefix = null;
                        bool alias = false, remove = false;
                        while (i < args.Count && args[i] is "netmask" or "prefixlen" or "alias" or "-alias" or "delete" or "broadcast")
                        {
                            var m = args[i++];
                            if (m is "netmask" or "prefixlen" or "broadcast") { var v = Arg(); if (v is null) return SimResult.Fail($"ifconfig: {m}: missing argument"); if (m != "broadcast") prefix = m == "netmask" ? MaskLen(v)?.ToString(CultureInfo.InvariantCulture) : v; if (m != "broadcast" && prefix is null) return SimResult.Fail($"ifconfig: {v}: bad value"); }
                            else if (m == "alias") alias = true;
                            else remove = true;
                        }
                        var slash = addr.IndexOf('/');
                        var bare = slash < 0 ? addr : addr[..slash];
                        var len = slash < 0 ? prefix : addr[(slash + 1)..];
                        bool v6 = family == "inet6";
                        if (!IPAddress.TryParse(bare.Split('%')[0], out var ip) || (ip.AddressFamily == AddressFamily.InterNetworkV6) != v6 || (!v6 && !SimInterfaces.IsIPv4(bare)))
                            return SimResult.Fail(output + $"ifconfig: error in parsing address string: {addr}"[..] );
                        int plen = len is null ? (v6 ? 64 : DefaultLen(ip)) : int.TryParse(len, out var pl) && pl >= 0 && pl <= (v6 ? 128 : 32) ? pl : -1;
                        if (plen < 0) return SimResult.Fail($"ifconfig: {len}: bad value");
                        error = remove ? SimInterfaces.RemoveAddress(ifc, v6, bare) : SimInterfaces.AddAddress(st, ifc, v6, $"{bare}/{plen}", alias);
                    }
                    break;
                case "-alias" or "delete":
                    error = SimInterfaces.RemoveAddress(ifc, family == "inet6", null);
                    break;
                case "alias":
                    break;
                case "lladdr" or "ether" or "link" when a == "lladdr" || (i < args.Count && args[i].Contains(':')):
                    {
                        var v = Arg();
                        if (v is null || !SimInterfaces.TryParseMac(v, out var mac)) return SimResult.Fail(output + "ifconfig: malformed link-level address");
                        if ((mac[0] & 1) != 0 || mac.All(b => b == 0)) return SimResult.Fail(output + "ifconfig: SIOCSIFLLADDR: Invalid argument");
                        ifc.Ether = string.Join(":", mac.Select(b => b.ToString("x2")));
                        break;
                    }
                case "up": ifc.Up = true; break;
                case "down": ifc.Up = false; break;
                case "mtu":
                    {
                        var v = Arg();
                        if (v is null || !int.TryParse(v, out var mtu) || mtu < 72 || mtu > 65535) return SimResult.Fail(output + $"ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument");
                        ifc.Mtu = mtu;
                        break;
                    }
                case "name":
                    {
                        var v = Arg();
                        if (v is null) return SimResult.Fail("ifconfig: name: missing argument");
                        error = SimInterfaces.Rename(st, vnet, ifc.Name, v);
                        if (error is null) { printName = true; name = v; }
                        break;
                    }
                case "description" or "descr":
                    ifc.Description = Arg() ?? "";
                    break;
                case "-description" or "-descr":
                    ifc.Description = "";
                    break;
                case "group":
                    {
                        var v = Arg() ?? "";
                        if (v.Length > 0 && char.IsAsciiDigit(v[^1])) return SimResult.Fail(output + "ifconfig: setifgroup: group names may not end in a digit");
                        if (v.Length >= SimInterfaces.IfNamSiz) return SimResult.Fail(output + "ifconfig: setifgroup: group name too long");
                        if (ifc.Groups.Contains(v)) return SimResult.Fail(output + "ifconfig: SIOCAIFGROUP: File exists");
                        ifc.Groups.Add(v);
                        break;
                    }
                case "-group":
                    {
                        var v = Arg() ?? "";
                        if (!ifc.Groups.Remove(v)) return SimResult.Fail(output + "ifconfig: SIOCDIFGROUP: No such file or directory");
                        break;
                    }
                case "-lro" or "lro" or "-tso" or "tso" or "-tso4" or "tso4" or "-tso6" or "tso6" or "-rxcsum" or "rxcsum" or "-txcsum" or "txcsum" or "-vlanhwtag" or "vlanhwtag":
                    {
                        bool on = a[0] != '-';
                        var cap = a.TrimStart('-') switch
                        {
                            "lro" => new[] { "LRO" }, "tso" => new[] { "TSO4", "TSO6" }, "tso4" => new[] { "TSO4" }, "tso6" => new[] { "TSO6" },
                            "rxcsum" => new[] { "RXCSUM" }, "txcsum" => new[] { "TXCSUM" }, _ => new[] { "VLAN_HWTAGGING" },
                        };
                        foreach (var c in cap)
                        {
                            ifc.Options.Remove(c);
                            if (on && ifc.Capabilities.Contains(c)) ifc.Options.Add(c);
                        }
                        ifc.Options.Sort((x, y) => CapOrder(x).CompareTo(CapOrder(y)));
                        // vlan(4) follows its parent's offload capabilities (vlan_capabilities()).
                        foreach (var v in st.Interfaces.Where(v => v.VlanParent == ifc.Name && v.Vnet == vnet))
                            v.Options = v.Capabilities.Where(c => ifc.Options.Contains(c)).ToList();
                        break;
                    }
                case "vnet":
                    {
                        var v = Arg();
                        if (v is null) return SimResult.Fail("ifconfig: vnet: missing argument");
                        var jail = SimKernel.Lookup(st, ctx.Jail, v);
                        if (jail is null) return SimResult.Fail(output + $"ifconfig: jail \"{v}\" not found");
                        if (SimNetwork.MoveToVnet(st, ctx.Jail, ifc.Name, jail, out _) is { } e2) return SimResult.Fail(output + e2);
                        foreach (var br in st.Interfaces.Where(b => b.Vnet == vnet && b.Members.Contains(ifc.Name)))
                        {
                            br.Members.Remove(ifc.Name);
                            br.MemberInfo.Remove(ifc.Name);
                        }
                        ifc.Promisc = false;
                        ctx.Dirty = true;
                        return SimResult.Ok(printName ? name + "\n" : "");
                    }
                case "addm" or "deletem":
                    {
                        var v = Arg();
                        if (v is null) return SimResult.Fail($"ifconfig: {a}: missing argument");
                        error = a == "addm" ? SimInterfaces.AddMember(st, vnet, ifc, v) : SimInterfaces.DeleteMember(st, vnet, ifc, v);
                        break;
                    }
                case "vlanfilter" or "-vlanfilter":
                    {
                        var v = Arg();
                        if (v is null) return SimResult.Fail($"ifconfig: {a}: missing argument");
                        if (!ifc.MemberInfo.TryGetValue(v, out var mi)) return SimResult.Fail(output + "ifconfig: BRDGSIFFLGS: No such file or directory");
                        mi.VlanFilter = a[0] != '-';
                        ifc.VlanFilter = ifc.MemberInfo.Values.Any(m => m.VlanFilter);
                        break;
                    }
                case "defuntagged":
                    {
                        var v = Arg();
                        if (v is null || !int.TryParse(v, out var vid) || vid < 1 || vid > 4094) return SimResult.Fail(output + $"ifconfig: invalid VLAN identifier: {v}");
                        ifc.DefUntagged = vid;
                        ifc.DefVlanFilter = true;
                        break;
                    }
                case "defvlanfilter": ifc.DefVlanFilter = true; break;
                case "-defvlanfilter": ifc.DefVlanFilter = false; break;
                case "untagged":
                    {
                        var m = Arg(); var v = Arg();
                        if (m is null || v is null) return SimResult.Fail("ifconfig: untagged: missing argument");
                        if (!int.TryParse(v, out var vid) || vid < 0 || vid > 4094) return SimResult.Fail(output + $"ifconfig: invalid VLAN identifier: {v}");
                        if (vid == 0) return SimResult.Fail(output + "ifconfig: invalid VLAN identifier: 0");
                        if (!ifc.MemberInfo.TryGetValue(m, out var mi)) return SimResult.Fail(output + $"ifconfig: BRDGSIFUNTAGGED {v}: No such file or directory");
                        mi.Untagged = vid;
                        break;
                    }
                case "-untagged":
                    {
                        var m = Arg();
                        if (m is null || !ifc.MemberInfo.TryGetValue(m, out var mi)) return SimResult.Fail(output + "ifconfig: BRDGSIFUNTAGGED: No such file or directory");
                        mi.Untagged = null;
                        break;
                    }
                case "tagged" or "+tagged" or "-tagged":
                    {
                        var m = Arg(); var v = Arg();
                        if (m is null || v is null) return SimResult.Fail($"ifconfig: {a}: missing argument");
                        var set = v == "none" ? new List<int>() : v == "all" ? Enumerable.Range(1, 4094).ToList() : SimInterfaces.ParseVlanList(v);
                        if (set is null) return SimResult.Fail(output + $"ifconfig: invalid vlan set: {v}");
                        if (!ifc.MemberInfo.TryGetValue(m, out var mi)) return SimResult.Fail(output + $"ifconfig: BRDGSIFVLANSET {v}: No such file or directory");
                        if (a == "tagged") mi.Tagged = set;
                        else if (a == "+tagged") mi.Tagged = mi.Tagged.Union(set).ToList();
                        else mi.Tagged = mi.Tagged.Except(set).ToList();
                        break;
                    }
                case "metric" or "stp" or "-stp" or "private" or "-private" or "edge" or "-edge" or "ifpriority" or "ifpathcost" or "learn" or "-learn":
                    if (a is not ("metric")) Arg();
                    if (a is "ifpriority" or "ifpathcost") Arg();
                    break;
                default:
                    if (family is "inet" or "inet6" && !addrSet && !IsKeyword(a))
                    {
                        i--;
                        args = args.Take(i).Append(family).Concat(args.Skip(i)).ToList();
                        family = "";
                        continue;
                    }
                    return SimResult.Fail(output + $"ifconfig: {a}: bad value");
            }
            if (error != null) return SimResult.Fail(output + error);
            ctx.Dirty = true;
        }
        return SimResult.Ok(printName ? name + "\n" : "");
    }

    private static int CapOrder(string c) => Array.IndexOf(SimInterfaces.NicCapabilities, c);

    private static bool IsKeyword(string a) => a is "up" or "down" or "alias" or "-alias" or "netmask" or "prefixlen" or "mtu" or "name" or "description" or "vnet" or "group";

    private static int DefaultLen(IPAddress ip)
    {
        var b = ip.GetAddressBytes()[0];
        return b < 128 ? 8 : b < 192 ? 16 : 24;
    }

    private static int? MaskLen(string mask)
    {
        uint m;
        if (mask.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) { if (!uint.TryParse(mask[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out m)) return null; }
        else if (SimInterfaces.IsIPv4(mask)) m = BitConverter.ToUInt32(IPAddress.Parse(mask).GetAddressBytes().AsEnumerable().Reverse().ToArray());
        else return null;
        int len = 0;
        while (len < 32 && (m & (0x80000000u >> len)) != 0) len++;
        return len;
    }

    private static SimResult Usage() => SimResult.Fail(
        "usage: ifconfig [-j jail] [-f type:format] %sinterface address_family\n\t[address [dest_address]] [parameters]\n\tifconfig [-j jail] interface create\n\tifconfig [-j jail] -a [-dkLmuv] [-f type:format] [-G groupname]\n\t[-g groupname] [address_family]\n\tifconfig -C\n\tifconfig [-j jail] -g groupname\n\tifconfig [-j jail] -l [-du] [address_family]\n\tifconfig [-j jail] [-dkLmuv] [-f type:format]".Replace("%s", ""));
}
