using System.Globalization;
using JailsModule.Config;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;
using JailsModule.Tools;

namespace JailsModule.Features.Network;

/// <summary>What New-JailBridge was asked for (validated by <see cref="NetworkPlanner.PlanNewBridge"/> before anything runs).</summary>
public sealed class NewBridgeRequest
{
    public string Name { get; set; } = "";
    public string[] Member { get; set; } = Array.Empty<string>();
    public int? VlanId { get; set; }
    public string[] IPv4Address { get; set; } = Array.Empty<string>();
    public bool Persist { get; set; }
    public bool KeepOffload { get; set; }

    /// <summary>FreeBSD 15: move a member's address to the bridge instead of stopping (bridge members may not hold addresses).</summary>
    public bool MoveAddress { get; set; }
}

/// <summary>
/// Plans of the Network feature: bridges (New/Add/Remove), read-only views (Get-JailBridge). Every
/// change is a plan of ifconfig and sysrc commands, each with its undo; nothing runs while a plan is
/// built (only reads: ifconfig -a, rc.conf, sysctl).
/// </summary>
public sealed class NetworkPlanner
{
    public const string RcConf = "/etc/rc.conf";

    private readonly IJailHost _host;
    private readonly CommandRunner _runner;

    public NetworkPlanner(IJailHost host, CancellationToken ct, Action<ProcessRequest>? onCommand = null)
    {
        _host = host;
        _runner = new CommandRunner(host, ct, onCommand);
    }

    public IJailHost Host => _host;

    // ---------------- reads ----------------

    /// <summary>Every interface of the host's stack (ifconfig -a).</summary>
    public List<IfconfigInterface> Interfaces() => IfconfigTool.ParseStatus(_runner.Run(IfconfigTool.All()).StandardOutput);

    public Dictionary<string, string> RcVars() => Config.RcConf.Read(_host);

    private string Sysctl(string name)
    {
        var r = _runner.RunUnchecked(SysctlTool.Value(name));
        return r.ExitCode == 0 ? SysctlTool.ParseValue(r.StandardOutput) : "";
    }

    /// <summary>FreeBSD 15.0 and later refuse addresses on bridge members unless net.link.bridge.member_ifaddrs=1.</summary>
    public bool MemberAddressesRefused()
    {
        var rel = Sysctl("kern.osrelease");
        return int.TryParse(rel.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) && major >= 15
               && Sysctl("net.link.bridge.member_ifaddrs") != "1";
    }

    public bool HasVimage() => Sysctl("kern.features.vimage") == "1";

    /// <summary>Bridges of the host with their members, VLANs and the jails hanging on them.</summary>
    public List<JailBridge> Bridges(IReadOnlyList<Jail>? jails = null)
    {
        var all = Interfaces();
        var rc = RcVars();
        var cloned = Words(rc.GetValueOrDefault("cloned_interfaces", ""));
        var byName = all.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var list = new List<JailBridge>();
        foreach (var b in all.Where(i => i.IsBridge))
        {
            var users = new SortedSet<string>(StringComparer.Ordinal);
            var uplinks = new List<string>();
            var vlans = new SortedSet<int>();
            var offload = new List<string>();
            foreach (var m in b.Members)
            {
                if (m.Untagged is int u) vlans.Add(u);
                if (!byName.TryGetValue(m.Name, out var mi)) continue;
                if (mi.Description is { } d && d.StartsWith(VnetPlanner.DescriptionPrefix, StringComparison.Ordinal))
                    users.Add(d[VnetPlanner.DescriptionPrefix.Length..].Split(' ')[0]);
                else
                {
                    uplinks.Add(m.Name);
                    if (mi.VlanTag is int t) vlans.Add(t);
                    if (mi.HasOffload) offload.Add(m.Name);
                }
            }
            if (jails != null)
                foreach (var j in jails.Where(j => VnetPlanner.BridgesOf(j).Contains(b.Name)))
                    users.Add(j.Name);
            list.Add(new JailBridge
            {
                Name = b.Name, Up = b.Up, MacAddress = b.Ether, Member = b.Members.Select(m => m.Name).ToArray(),
                Uplink = uplinks.ToArray(), IPv4Address = b.Inet.ToArray(), IPv6Address = b.Inet6.ToArray(),
                VlanId = vlans.ToArray(), Jail = users.ToArray(), OffloadMember = offload.ToArray(),
                Persistent = cloned.Contains(b.Name), ComputerName = _host.ComputerName,
            });
        }
        return list;
    }

    public static List<string> Words(string s) => s.Split(new[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries).ToList();

    // ---------------- steps ----------------

    private static CommandStep Ifconfig(string description, string[] args, params string[][] undo)
        => new(description, IfconfigTool.Run(args), undo.Select(u => IfconfigTool.Run(u)).ToArray());

    /// <summary>sysrc NAME=VALUE, undone by putting the previous value back (or deleting a variable that was not set).</summary>
    public static CommandStep SysrcSet(string name, string value, string? previous, string? file = null)
        => new($"Set {name}=\"{value}\" in {file ?? RcConf}", SysrcTool.Set(name, value, file),
            previous is null ? SysrcTool.Delete(name, file) : SysrcTool.Set(name, previous, file));

    /// <summary>sysrc NAME+=WORD undone by NAME-=WORD (and deleting the variable when it was not set).</summary>
    public static CommandStep SysrcAppend(string name, string word, string? previous, string? file = null)
        => new($"Add {word} to {name} in {file ?? RcConf}", SysrcTool.Append(name, word, file),
            previous is null ? SysrcTool.Delete(name, file) : SysrcTool.Set(name, previous, file));

    private static PlanPreconditionException Invalid(string id, string message, object? target)
        => new(id, message, target, PlanErrorKind.InvalidArgument);

    /// <summary>rc.conf words without <paramref name="remove"/> (for ifconfig_IF values).</summary>
    private static string WithWords(string? value, params string[] add)
    {
        var w = Words(value ?? "");
        foreach (var a in add) if (!w.Contains(a)) w.Add(a);
        return string.Join(" ", w);
    }

    /// <summary>Validation shared by the cmdlets: throws before anything runs.</summary>
    public static void ValidateName(string name, string what)
    {
        if (IfconfigTool.CheckName(name) is { } err) throw Invalid("InvalidInterfaceName", $"{what}: {err}", name);
    }

    /// <summary>New-JailBridge: [vlan on the parent], bridge, offload off on the uplink, [address move], addm, address, rc.conf.</summary>
    public Plan PlanNewBridge(NewBridgeRequest req)
    {
        ValidateName(req.Name, "Bridge name");
        foreach (var m in req.Member) ValidateName(m, "Member");
        if (req.VlanId is int vid && IfconfigTool.CheckVlanId(vid) is { } ve) throw Invalid("InvalidVlanId", ve, vid);
        if (req.VlanId != null && req.Member.Length != 1)
            throw Invalid("VlanNeedsOneParent", "-VlanId needs exactly one -Member: the parent interface of the VLAN (like re0 for re0.7).", req.Member);
        var addresses = new List<string>();
        foreach (var a in req.IPv4Address)
        {
            if (IfconfigTool.CheckIPv4Cidr(a, out var n) is { } err) throw Invalid("InvalidAddress", err, a);
            addresses.Add(n);
        }

        var all = Interfaces();
        var byName = all.ToDictionary(i => i.Name, StringComparer.Ordinal);
        if (byName.ContainsKey(req.Name))
            throw new PlanPreconditionException("BridgeExists", $"An interface named '{req.Name}' already exists on {_host.ComputerName}.", req.Name, PlanErrorKind.ResourceExists);
        foreach (var m in req.Member)
            if (!byName.ContainsKey(m))
                throw new PlanPreconditionException("InterfaceNotFound", $"Member interface '{m}' does not exist on {_host.ComputerName}.", m, PlanErrorKind.ObjectNotFound);
        var rc = RcVars();
        var refused = MemberAddressesRefused();
        var plan = new Plan($"Create bridge '{req.Name}'" + (req.Member.Length > 0 ? $" with {string.Join(", ", req.Member)}" : "") + (req.VlanId is int v0 ? $" on VLAN {v0}" : ""));
        plan.Lock("interface", req.Name);
        var uplinks = new List<string>();
        var ifconfigBridge = new List<string>();

        // A VLAN parent: the vlan interface PARENT.VID is the bridge's member.
        if (req.VlanId is int vlan)
        {
            var parent = req.Member[0];
            var vname = $"{parent}.{vlan}";
            ValidateName(vname, "VLAN interface");
            plan.Lock("interface", vname);
            if (!byName.ContainsKey(vname))
            {
                plan.Add(Ifconfig($"Create VLAN interface {vname}", new[] { vname, "create" }, new[] { vname, "destroy" }));
                plan.Add(Ifconfig($"Bring {vname} up", new[] { vname, "up" }));
            }
            if (!req.KeepOffload && byName[parent].HasOffload)
                plan.Add(Ifconfig($"Disable LRO/TSO on {parent}", new[] { parent, "-lro", "-tso" }, RestoreOffload(parent, byName[parent])));
            if (req.Persist)
            {
                var vv = $"vlans_{parent.Replace('.', '_')}";
                plan.Add(SysrcAppend(vv, vlan.ToString(CultureInfo.InvariantCulture), rc.GetValueOrDefault(vv)));
                var vi = SysrcTool.IfconfigVariable(vname);
                plan.Add(SysrcSet(vi, WithWords(rc.GetValueOrDefault(vi), "up"), rc.GetValueOrDefault(vi)));
                var pv = SysrcTool.IfconfigVariable(parent);
                var parentValue = req.KeepOffload ? WithWords(rc.GetValueOrDefault(pv), "up") : WithWords(rc.GetValueOrDefault(pv), "up", "-lro", "-tso");
                if (parentValue != (rc.GetValueOrDefault(pv) ?? "")) plan.Add(SysrcSet(pv, parentValue, rc.GetValueOrDefault(pv)));
            }
            uplinks.Add(vname);
        }
        else uplinks.AddRange(req.Member);

        plan.Add(Ifconfig($"Create bridge {req.Name}", new[] { req.Name, "create" }, new[] { req.Name, "destroy" }));
        var moved = new List<string>();
        foreach (var m in uplinks)
        {
            var info = byName.GetValueOrDefault(m);
            if (info != null && req.VlanId is null)
            {
                if (!req.KeepOffload && info.HasOffload)
                    plan.Add(Ifconfig($"Disable LRO/TSO on {m}", new[] { m, "-lro", "-tso" }, RestoreOffload(m, info)));
                if (refused && info.Inet.Count > 0)
                {
                    if (!req.MoveAddress)
                        throw new PlanPreconditionException("MemberHasAddress",
                            $"{m} holds {string.Join(", ", info.Inet)}: on FreeBSD 15 a bridge member may not hold an address (EINVAL unless net.link.bridge.member_ifaddrs=1). " +
                            $"Use -MoveAddress to move the address to {req.Name} (runtime and rc.conf), or take it off {m} first.", m, PlanErrorKind.InvalidOperation);
                    foreach (var a in info.Inet)
                    {
                        var ip = a[..a.IndexOf('/')];
                        plan.Add(Ifconfig($"Take {a} off {m}", new[] { m, "inet", ip, "-alias" }, new[] { m, "inet", a, "alias" }));
                        moved.Add(a);
                    }
                }
            }
            plan.Add(Ifconfig($"Add {m} to {req.Name}", new[] { req.Name, "addm", m }, new[] { req.Name, "deletem", m }));
        }
        foreach (var a in moved.Concat(addresses))
            plan.Add(Ifconfig($"Put {a} on {req.Name}", new[] { req.Name, "inet", a, "alias" }, new[] { req.Name, "inet", a[..a.IndexOf('/')], "-alias" }));
        plan.Add(Ifconfig($"Bring {req.Name} up", new[] { req.Name, "up" }));

        if (req.Persist)
        {
            plan.Add(SysrcAppend("cloned_interfaces", req.Name, rc.GetValueOrDefault("cloned_interfaces")));
            var words = new List<string>();
            foreach (var a in moved.Concat(addresses)) { words.Add(words.Any(w => w == "inet") ? "alias" : "inet"); words.Add(a); }
            foreach (var m in uplinks) { words.Add("addm"); words.Add(m); }
            words.Add("up");
            var bv = SysrcTool.IfconfigVariable(req.Name);
            plan.Add(SysrcSet(bv, string.Join(" ", words), rc.GetValueOrDefault(bv)));
            if (req.VlanId is null)
                foreach (var m in uplinks)
                {
                    var mv = SysrcTool.IfconfigVariable(m);
                    var old = rc.GetValueOrDefault(mv);
                    var w = Words(old ?? "");
                    if (moved.Count > 0) w = StripAddresses(w);
                    if (!req.KeepOffload) { if (!w.Contains("-lro")) w.Add("-lro"); if (!w.Contains("-tso")) w.Add("-tso"); }
                    if (!w.Contains("up")) w.Add("up");
                    var nv = string.Join(" ", w);
                    if (nv != (old ?? "")) plan.Add(SysrcSet(mv, nv, old));
                }
        }
        return plan;
    }

    /// <summary>ifconfig words without inet ADDR / netmask X / alias pairs (what moves to the bridge).</summary>
    private static List<string> StripAddresses(List<string> w)
    {
        var r = new List<string>();
        for (int i = 0; i < w.Count; i++)
        {
            if (w[i] is "inet" && i + 1 < w.Count) { i++; continue; }
            if (w[i] is "netmask" or "broadcast" && i + 1 < w.Count) { i++; continue; }
            if (w[i] is "alias") continue;
            if (w[i].Equals("DHCP", StringComparison.OrdinalIgnoreCase) || w[i].Equals("SYNCDHCP", StringComparison.OrdinalIgnoreCase)) continue;
            r.Add(w[i]);
        }
        return r;
    }

    private static string[] RestoreOffload(string name, IfconfigInterface info)
    {
        var back = new List<string> { name };
        if (info.Options.Contains("LRO")) back.Add("lro");
        if (info.Options.Contains("TSO4") || info.Options.Contains("TSO6")) back.Add("tso");
        return back.ToArray();
    }

    private IfconfigInterface RequireBridge(List<IfconfigInterface> all, string name)
    {
        var b = all.FirstOrDefault(i => i.Name == name);
        if (b is null || !b.IsBridge)
            throw new PlanPreconditionException("BridgeNotFound", $"No bridge named '{name}' exists on {_host.ComputerName}.", name, PlanErrorKind.ObjectNotFound);
        return b;
    }

    /// <summary>Add-JailBridgeMember: addm (LRO/TSO off unless kept), and the bridge's ifconfig_ line when it is persisted.</summary>
    public Plan PlanAddMember(string bridge, string member, bool keepOffload, bool persist)
    {
        ValidateName(bridge, "Bridge name");
        ValidateName(member, "Member");
        var all = Interfaces();
        var b = RequireBridge(all, bridge);
        var m = all.FirstOrDefault(i => i.Name == member)
                ?? throw new PlanPreconditionException("InterfaceNotFound", $"Interface '{member}' does not exist on {_host.ComputerName}.", member, PlanErrorKind.ObjectNotFound);
        if (b.Members.Any(x => x.Name == member))
            throw new PlanPreconditionException("AlreadyMember", $"{member} is already a member of {bridge}.", member, PlanErrorKind.ResourceExists);
        if (all.FirstOrDefault(x => x.Members.Any(y => y.Name == member)) is { } other)
            throw new PlanPreconditionException("MemberBusy", $"{member} is a member of {other.Name}; an interface can be in one bridge only.", member, PlanErrorKind.ResourceBusy);
        if (m.Inet.Count > 0 && MemberAddressesRefused())
            throw new PlanPreconditionException("MemberHasAddress",
                $"{member} holds {string.Join(", ", m.Inet)}: on FreeBSD 15 a bridge member may not hold an address (EINVAL unless net.link.bridge.member_ifaddrs=1). Move it to {bridge} first.", member, PlanErrorKind.InvalidOperation);
        var plan = new Plan($"Add {member} to bridge '{bridge}'").Lock("interface", bridge);
        if (!keepOffload && m.HasOffload) plan.Add(Ifconfig($"Disable LRO/TSO on {member}", new[] { member, "-lro", "-tso" }, RestoreOffload(member, m)));
        plan.Add(Ifconfig($"Add {member} to {bridge}", new[] { bridge, "addm", member }, new[] { bridge, "deletem", member }));
        if (persist) AddPersistWords(plan, bridge, member, keepOffload, add: true);
        return plan;
    }

    /// <summary>Remove-JailBridgeMember: deletem, and the addm words out of ifconfig_BRIDGE.</summary>
    public Plan PlanRemoveMember(string bridge, string member)
    {
        ValidateName(bridge, "Bridge name");
        ValidateName(member, "Member");
        var all = Interfaces();
        var b = RequireBridge(all, bridge);
        if (!b.Members.Any(x => x.Name == member))
            throw new PlanPreconditionException("NotAMember", $"{member} is not a member of {bridge}.", member, PlanErrorKind.ObjectNotFound);
        var plan = new Plan($"Remove {member} from bridge '{bridge}'").Lock("interface", bridge);
        plan.Add(Ifconfig($"Remove {member} from {bridge}", new[] { bridge, "deletem", member }, new[] { bridge, "addm", member }));
        AddPersistWords(plan, bridge, member, keepOffload: true, add: false);
        return plan;
    }

    private void AddPersistWords(Plan plan, string bridge, string member, bool keepOffload, bool add)
    {
        var rc = RcVars();
        var bv = SysrcTool.IfconfigVariable(bridge);
        if (!rc.TryGetValue(bv, out var old)) return; // not persisted: runtime only
        var w = Words(old);
        var idx = w.FindIndex(x => x == "addm");
        if (add)
        {
            var at = w.LastIndexOf("up") is int u && u >= 0 ? u : w.Count;
            w.InsertRange(at, new[] { "addm", member });
        }
        else
        {
            for (int i = 0; i + 1 < w.Count; i++)
                if (w[i] == "addm" && w[i + 1] == member) { w.RemoveRange(i, 2); break; }
        }
        var nv = string.Join(" ", w);
        if (nv != old) plan.Add(SysrcSet(bv, nv, old));
        if (add && !keepOffload)
        {
            var mv = SysrcTool.IfconfigVariable(member);
            var mo = rc.GetValueOrDefault(mv);
            var mw = WithWords(mo, "up", "-lro", "-tso");
            if (mw != (mo ?? "")) plan.Add(SysrcSet(mv, mw, mo));
        }
    }

    /// <summary>Remove-JailBridge: refuses while jails use it (unless force), deletem each member, destroy, rc.conf cleanup.</summary>
    public Plan PlanRemoveBridge(string bridge, bool force, IReadOnlyList<Jail> jails)
    {
        ValidateName(bridge, "Bridge name");
        var view = Bridges(jails).FirstOrDefault(b => b.Name == bridge)
                   ?? throw new PlanPreconditionException("BridgeNotFound", $"No bridge named '{bridge}' exists on {_host.ComputerName}.", bridge, PlanErrorKind.ObjectNotFound);
        if (view.Jail.Length > 0 && !force)
            throw new PlanPreconditionException("BridgeInUse", $"Bridge '{bridge}' is used by jail(s) {string.Join(", ", view.Jail)}; remove their vnet interfaces first, or use -Force.", bridge, PlanErrorKind.ResourceBusy);
        var rc = RcVars();
        var plan = new Plan($"Remove bridge '{bridge}'").Lock("interface", bridge);
        foreach (var m in view.Member)
            plan.Add(Ifconfig($"Remove {m} from {bridge}", new[] { bridge, "deletem", m }, new[] { bridge, "addm", m }));
        var bv = SysrcTool.IfconfigVariable(bridge);
        if (rc.TryGetValue(bv, out var old)) plan.Add(new CommandStep($"Delete {bv} from {RcConf}", SysrcTool.Delete(bv), SysrcTool.Set(bv, old)));
        if (rc.TryGetValue("cloned_interfaces", out var cl) && Words(cl).Contains(bridge))
            plan.Add(new CommandStep($"Take {bridge} out of cloned_interfaces", SysrcTool.RemoveWord("cloned_interfaces", bridge), SysrcTool.Set("cloned_interfaces", cl)));
        // Destroying cannot be undone (the bridge's MAC and port numbers would change): it runs last.
        plan.Add(new CommandStep($"Destroy {bridge}", IfconfigTool.Destroy(bridge)) { Irreversible = true });
        return plan;
    }
}
