using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using JailsModule.Config;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;
using JailsModule.Tools;

namespace JailsModule.Features.Network;

/// <summary>What Add-JailVnet was asked for.</summary>
public sealed class AddVnetRequest
{
    public string Name { get; set; } = "";
    public string Bridge { get; set; } = "";
    public string? IPv4Address { get; set; }
    public bool Dhcp { get; set; }
    public string? DefaultRoute { get; set; }
    public string? MacAddress { get; set; }
}

/// <summary>
/// Vnet interfaces of jails, written into the jail's own config in the style of seed 004 / the Handbook so
/// that plain `service jail start NAME` works without the module:
/// <code>
/// vnet;
/// vnet.interface += "epair4711b";
/// exec.prestart += "/sbin/ifconfig epair4711 create";
/// exec.prestart += "/sbin/ifconfig epair4711a description jail:web group jailvnet up";
/// exec.prestart += "/sbin/ifconfig epair4711b ether 02:.. up";
/// exec.prestart += "/sbin/ifconfig bridge0 addm epair4711a";
/// exec.start    += "/sbin/ifconfig epair4711b name eth0";          (before /bin/sh /etc/rc)
/// exec.start    += "/sbin/ifconfig eth0 inet 10.0.0.9/24 up";
/// exec.start    += "/sbin/route add default 10.0.0.1";
/// exec.stop     += "/sbin/ifconfig eth0 name epair4711b";          (it goes home under its own name)
/// exec.poststop += "/sbin/ifconfig epair4711a destroy";            (takes the b end along)
/// </code>
/// The unit (epair NNNNN, at most 11 characters with the a/b) comes from the jail's uuid (or its name),
/// is unique among configured jails and existing interfaces, and is stable because the config keeps it.
/// </summary>
public sealed class VnetPlanner
{
    public const string DescriptionPrefix = "jail:";
    public const string Group = "jailvnet";
    private const int Units = 32768;

    private static readonly Regex EpairB = new(@"^epair(\d+)b$", RegexOptions.CultureInvariant);

    private readonly NetworkPlanner _net;
    private readonly IJailHost _host;

    public VnetPlanner(NetworkPlanner net)
    {
        _net = net;
        _host = net.Host;
    }

    /// <summary>Bridges a (configured) jail's vnet hooks add its epairs to.</summary>
    public static IEnumerable<string> BridgesOf(Jail jail)
    {
        if (jail.Parameters["exec.prestart"] is not string pre) yield break;
        foreach (Match m in Regex.Matches(pre, @"/sbin/ifconfig (\S+) addm epair\d+a"))
            yield return m.Groups[1].Value;
    }

    /// <summary>The vnet interfaces the configs describe, plus epairs of the module whose jail is gone.</summary>
    public List<JailVnet> Read(string? jailName = null)
    {
        var (configured, _) = JailInventory.ReadConfigured(_host);
        var ifs = _net.Interfaces();
        var names = ifs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var list = new List<JailVnet>();
        foreach (var (cj, path) in configured)
        {
            if (jailName != null && cj.Name != jailName) continue;
            list.AddRange(Describe(cj, path, names));
        }
        // Orphans: host ends tagged by the module whose jail has no config block and no running jail.
        var running = JailInventory.ReadRunning(_host, CancellationToken.None).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var i in ifs.Where(i => i.Groups.Contains(Group) && i.Description?.StartsWith(DescriptionPrefix, StringComparison.Ordinal) == true))
        {
            var owner = i.Description![DescriptionPrefix.Length..].Split(' ')[0];
            if (running.Contains(owner)) continue;
            if (list.Any(v => v.HostInterface == i.Name && v.JailName == owner) && configured.Any(c => c.Jail.Name == owner)) { MarkLeak(list, i.Name); continue; }
            if (jailName != null && owner != jailName) continue;
            list.Add(new JailVnet
            {
                JailName = owner, HostInterface = i.Name, JailInterface = i.Name[..^1] + "b", Present = true, Orphaned = true,
                MacAddress = null, Bridge = ifs.FirstOrDefault(b => b.Members.Any(m => m.Name == i.Name))?.Name ?? "", ComputerName = _host.ComputerName,
            });
        }
        return list;
    }

    /// <summary>A configured jail that is not running but whose epair still exists: a leak, also an orphan to clean.</summary>
    private static void MarkLeak(List<JailVnet> list, string hostIf)
    {
        foreach (var v in list.Where(v => v.HostInterface == hostIf)) v.Orphaned = true;
    }

    private IEnumerable<JailVnet> Describe(ConfJail cj, string path, HashSet<string> present)
    {
        var vif = Values(cj, "vnet.interface");
        var pre = Values(cj, "exec.prestart");
        var start = Values(cj, "exec.start");
        foreach (var b in vif)
        {
            var m = EpairB.Match(b);
            if (!m.Success) continue;
            var unit = m.Groups[1].Value;
            var a = $"epair{unit}a";
            var bridge = pre.Select(p => Regex.Match(p, $@"^/sbin/ifconfig (\S+) addm {a}$")).FirstOrDefault(x => x.Success)?.Groups[1].Value;
            if (bridge is null) continue; // not one of the module's (a hand-written vnet.interface)
            var mac = pre.Select(p => Regex.Match(p, $@"^/sbin/ifconfig {b} ether (\S+)")).FirstOrDefault(x => x.Success)?.Groups[1].Value;
            var inside = start.Select(p => Regex.Match(p, $@"^/sbin/ifconfig {b} name (\S+)$")).FirstOrDefault(x => x.Success)?.Groups[1].Value ?? b;
            var ip = start.Select(p => Regex.Match(p, $@"^/sbin/ifconfig {Regex.Escape(inside)} inet (\S+) up$")).Where(x => x.Success).Select(x => x.Groups[1].Value).ToArray();
            var gw = start.Select(p => Regex.Match(p, @"^/sbin/route add default (\S+)$")).FirstOrDefault(x => x.Success)?.Groups[1].Value;
            var dhcp = start.Any(p => p == $"/sbin/dhclient {inside}");
            yield return new JailVnet
            {
                JailName = cj.Name, HostInterface = a, JailInterface = b, InterfaceName = inside, Bridge = bridge, MacAddress = mac,
                IPv4Address = ip, Dhcp = dhcp, DefaultRoute = ip.Length > 0 || dhcp ? gw : null, Present = present.Contains(a),
                ConfigPath = path, ComputerName = _host.ComputerName,
            };
        }
    }

    private static List<string> Values(ConfJail cj, string name)
        => cj.Parameters.Where(p => p.Name == name && p.Values != null).SelectMany(p => p.Values!).ToList();

    /// <summary>A stable 15-bit number from text (FNV-1a of its SHA-256).</summary>
    private static int Hash(string text, int salt)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"{text}#{salt}"));
        return (int)(BitConverter.ToUInt32(h, 0) % Units);
    }

    /// <summary>A locally administered unicast MAC from the uuid (02:xx:xx:xx:xx:xx).</summary>
    public static string DeriveMac(string seed, int salt)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"mac:{seed}#{salt}"));
        return "02:" + string.Join(":", h.Take(5).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>The jail's uuid (the module's metadata, host.hostuuid) or, without one, its name.</summary>
    private string Seed(ConfJail cj, string path)
    {
        if (_host.FileExists(path) && JailConfigBuilder.ReadMetadata(_host.ReadRegularFile(path, JailsModule.Host.BoundedFile.MaxConfigFileBytes)).TryGetValue("uuid", out var u)) return u;
        var hu = cj.Find("host.hostuuid")?.Value;
        return hu is { Length: > 0 } ? hu : "name:" + cj.Name;
    }

    public Plan PlanAdd(AddVnetRequest req)
    {
        // ---- bad input first, nothing read yet ----
        NetworkPlanner.ValidateName(req.Bridge, "Bridge");
        string? ip = null, mac = null;
        if (req.IPv4Address != null)
        {
            if (IfconfigTool.CheckIPv4Cidr(req.IPv4Address, out var n) is { } e) throw Invalid("InvalidAddress", e, req.IPv4Address);
            ip = n;
        }
        if (req.DefaultRoute != null)
        {
            if (!IfconfigTool.IsIPv4(req.DefaultRoute)) throw Invalid("InvalidGateway", $"'{req.DefaultRoute}' is not an IPv4 gateway address.", req.DefaultRoute);
            if (ip is null && !req.Dhcp) throw Invalid("GatewayWithoutAddress", "-DefaultRoute needs -IPv4Address (or use -Dhcp, which sets the route itself).", req.DefaultRoute);
            if (ip != null && !IfconfigTool.InSubnet(ip, req.DefaultRoute))
                throw Invalid("GatewayUnreachable", $"Gateway {req.DefaultRoute} is not in the jail's subnet {ip}: the route would fail with 'Network is unreachable'.", req.DefaultRoute);
            if (ip != null && ip.StartsWith(req.DefaultRoute + "/", StringComparison.Ordinal))
                throw Invalid("InvalidGateway", $"The gateway {req.DefaultRoute} is the jail's own address.", req.DefaultRoute);
        }
        if (req.MacAddress != null)
        {
            if (IfconfigTool.CheckMac(req.MacAddress, out var nm) is { } e) throw Invalid("InvalidMacAddress", e, req.MacAddress);
            mac = nm;
        }

        // ---- the host ----
        if (!_net.HasVimage())
            throw new PlanPreconditionException("VimageMissing",
                $"The kernel of {_host.ComputerName} has no VIMAGE (sysctl kern.features.vimage is not 1): vnet jails need a kernel with 'options VIMAGE' (GENERIC has it since FreeBSD 12).",
                req.Name, PlanErrorKind.NotInstalled);
        var ifs = _net.Interfaces();
        var bridge = ifs.FirstOrDefault(i => i.Name == req.Bridge);
        if (bridge is null || !bridge.IsBridge)
            throw new PlanPreconditionException("BridgeNotFound", $"No bridge named '{req.Bridge}' exists on {_host.ComputerName}. Create it with New-JailBridge (or ifconfig) first.", req.Bridge, PlanErrorKind.ObjectNotFound);

        var (configured, errors) = JailInventory.ReadConfigured(_host);
        var entry = configured.FirstOrDefault(c => c.Jail.Name == req.Name);
        if (entry.Jail is null)
            throw new PlanPreconditionException("JailNotFound", $"No jail named '{req.Name}' is configured on {_host.ComputerName}.", req.Name, PlanErrorKind.ObjectNotFound);
        var (cj, path) = entry;

        // ---- conflicts: same address on this bridge, used MACs and units ----
        var existing = new List<JailVnet>();
        var names = ifs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (oj, op) in configured) existing.AddRange(Describe(oj, op, names));
        if (ip != null)
        {
            var bare = ip[..ip.IndexOf('/')];
            var clash = existing.FirstOrDefault(v => v.Bridge == req.Bridge && v.IPv4Address.Any(a => a.StartsWith(bare + "/", StringComparison.Ordinal)));
            if (clash != null)
                throw new PlanPreconditionException("AddressConflict", $"Address {bare} is already used on bridge {req.Bridge} by jail '{clash.JailName}' ({clash.InterfaceName}).", ip, PlanErrorKind.ResourceExists);
            if (ifs.Any(i => i.Inet.Any(a => a.StartsWith(bare + "/", StringComparison.Ordinal))))
                throw new PlanPreconditionException("AddressConflict", $"Address {bare} is already assigned on {_host.ComputerName} ({ifs.First(i => i.Inet.Any(a => a.StartsWith(bare + "/", StringComparison.Ordinal))).Name}).", ip, PlanErrorKind.ResourceExists);
        }
        var usedMacs = ifs.Where(i => i.Ether != null).Select(i => i.Ether!).Concat(existing.Where(v => v.MacAddress != null).Select(v => v.MacAddress!)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (mac != null && usedMacs.Contains(mac))
            throw new PlanPreconditionException("MacConflict", $"MAC address {mac} is already in use on {_host.ComputerName}.", mac, PlanErrorKind.ResourceExists);
        var usedUnits = existing.Select(v => v.HostInterface).ToHashSet(StringComparer.Ordinal);
        // Every epair unit any config names, even hand-written ones.
        foreach (var (oj, _) in configured)
            foreach (var p in oj.Parameters.Where(p => p.Values != null).SelectMany(p => p.Values!))
                foreach (Match m in Regex.Matches(p, @"epair(\d+)")) usedUnits.Add($"epair{m.Groups[1].Value}a");

        var seed = Seed(cj, path);
        var mine = existing.Where(v => v.JailName == req.Name).ToList();
        if (mine.Any(v => v.Bridge == req.Bridge))
            throw new PlanPreconditionException("VnetExists", $"Jail '{req.Name}' already has a vnet interface on {req.Bridge} ({mine.First(v => v.Bridge == req.Bridge).InterfaceName}).", req.Name, PlanErrorKind.ResourceExists);
        int index = mine.Count;
        int unit = -1;
        for (int salt = index; salt < index + 1000 && unit < 0; salt++)
        {
            var u = Hash(seed, salt);
            if (!usedUnits.Contains($"epair{u}a") && !names.Contains($"epair{u}a") && !names.Contains($"epair{u}b")) unit = u;
        }
        if (unit < 0) throw new PlanPreconditionException("NoEpairUnit", "No free epair unit was found.", req.Name, PlanErrorKind.ResourceBusy);
        if (mac is null)
            for (int salt = index; mac is null || usedMacs.Contains(mac); salt++) mac = DeriveMac(seed, salt);

        var a = $"epair{unit}a";
        var b = $"epair{unit}b";
        var inside = $"eth{index}";

        // ---- the config edit ----
        var text = _host.ReadRegularFile(path, JailsModule.Host.BoundedFile.MaxConfigFileBytes);
        var doc = JailConfDocument.Parse(text, path);
        if (!doc.HasJail(req.Name))
            throw new PlanPreconditionException("JailConfigNotEditable", $"Jail '{req.Name}' has no block of its own in {path}.", req.Name, PlanErrorKind.InvalidOperation);
        if (cj.Find("vnet")?.Value is not ("new" or "true" or null) || cj.Find("vnet") is null) doc.SetParameter(req.Name, "vnet", null);
        doc.AppendParameter(req.Name, "vnet.interface", new[] { b });
        foreach (var c in new[]
        {
            $"/sbin/ifconfig epair{unit} create",
            $"/sbin/ifconfig {a} description {DescriptionPrefix}{req.Name} group {Group} up",
            $"/sbin/ifconfig {b} ether {mac} up",
            $"/sbin/ifconfig {req.Bridge} addm {a}",
        }) doc.AppendParameter(req.Name, "exec.prestart", new[] { c });
        var net = new List<string> { $"/sbin/ifconfig {b} name {inside}" };
        if (ip != null) net.Add($"/sbin/ifconfig {inside} inet {ip} up");
        if (req.Dhcp) net.Add($"/sbin/dhclient {inside}");
        if (req.DefaultRoute != null && ip != null) net.Add($"/sbin/route add default {req.DefaultRoute}");
        // Network first, then what the jail already starts (/bin/sh /etc/rc).
        var oldStart = Values(cj, "exec.start");
        doc.RemoveParameter(req.Name, "exec.start");
        foreach (var c in net.Concat(oldStart)) doc.AppendParameter(req.Name, "exec.start", new[] { c });
        doc.AppendParameter(req.Name, "exec.stop", new[] { $"/sbin/ifconfig {inside} name {b}" });
        doc.AppendParameter(req.Name, "exec.poststop", new[] { $"/sbin/ifconfig {a} destroy" });
        if (req.Dhcp) AddDhcp(doc, cj, req.Name);

        var plan = new Plan($"Add vnet interface {inside} ({a} on {req.Bridge}) to jail '{req.Name}'")
            .Lock("jail", req.Name).Lock("file", path).Lock("interface", a);
        plan.Add(new WriteFileStep(path, doc.ToString(), 0x1A4, $"Write the vnet hooks of '{req.Name}' into {path}"));
        if (req.Dhcp)
        {
            var root = cj.Find("path")?.Value;
            if (root is null) throw Invalid("JailPathUnknown", $"Jail '{req.Name}' has no path: its rc.conf cannot be written for DHCP.", req.Name);
            var rcFile = root.TrimEnd('/') + "/etc/rc.conf";
            var prev = _host.FileExists(rcFile) ? RcConf.Parse(_host.ReadRegularFile(rcFile, JailsModule.Host.BoundedFile.MaxConfigFileBytes)).GetValueOrDefault(SysrcTool.IfconfigVariable(inside)) : null;
            plan.Add(NetworkPlanner.SysrcSet(SysrcTool.IfconfigVariable(inside), "SYNCDHCP", prev, rcFile));
            AddDevfsRules(plan);
        }
        return plan;
    }

    /// <summary>The devfs ruleset for DHCP in a jail (reference §10: the jail set plus bpf*).</summary>
    public const int DhcpRuleset = 11;
    public const string DevfsRules = "/etc/devfs.rules";
    private const string DhcpRulesetText = "[devfsrules_jail_dhcp=11]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\nadd include $devfsrules_unhide_login\nadd path 'bpf*' unhide\n";

    private static void AddDhcp(JailConfDocument doc, ConfJail cj, string name)
        => doc.SetParameter(name, "devfs_ruleset", new[] { DhcpRuleset.ToString(CultureInfo.InvariantCulture) });

    private void AddDevfsRules(Plan plan)
    {
        var old = _host.FileExists(DevfsRules) ? _host.ReadRegularFile(DevfsRules, JailsModule.Host.BoundedFile.MaxConfigFileBytes) : "";
        if (old.Contains($"={DhcpRuleset}]", StringComparison.Ordinal)) return;
        var text = old + (old.Length > 0 && !old.EndsWith('\n') ? "\n" : "") + DhcpRulesetText;
        plan.Add(new WriteFileStep(DevfsRules, text, 0x1A4, $"Add ruleset {DhcpRuleset} (bpf for dhclient) to {DevfsRules}"));
    }

    /// <summary>Remove-JailVnet: the hooks out of the config; a present epair is destroyed (after the jail stopped) or, for orphans, only destroyed.</summary>
    public Plan PlanRemove(JailVnet v, bool destroyOnly = false)
    {
        var plan = new Plan(destroyOnly
            ? $"Destroy orphaned vnet interface {v.HostInterface} of jail '{v.JailName}'"
            : $"Remove vnet interface {v.InterfaceName} ({v.HostInterface} on {v.Bridge}) from jail '{v.JailName}'");
        plan.Lock("interface", v.HostInterface);
        if (!destroyOnly && v.ConfigPath != null)
        {
            var running = JailInventory.ReadRunning(_host, CancellationToken.None).Any(r => r.Name == v.JailName);
            if (running)
                throw new PlanPreconditionException("JailRunning", $"Jail '{v.JailName}' is running: stop it first (its {v.InterfaceName} is in use).", v.JailName, PlanErrorKind.ResourceBusy);
            plan.Lock("jail", v.JailName).Lock("file", v.ConfigPath);
            var (configured, _) = JailInventory.ReadConfigured(_host);
            var cj = configured.First(c => c.Jail.Name == v.JailName).Jail;
            var doc = JailConfDocument.Parse(_host.ReadRegularFile(v.ConfigPath, JailsModule.Host.BoundedFile.MaxConfigFileBytes), v.ConfigPath);
            var unit = v.HostInterface[5..^1];
            bool Mine(string c) => Regex.IsMatch(c, $@"epair{unit}(?!\d)") || Regex.IsMatch(c, $@"^/sbin/(ifconfig|dhclient) {Regex.Escape(v.InterfaceName)}( |$)");
            foreach (var p in new[] { "vnet.interface", "exec.prestart", "exec.start", "exec.stop", "exec.poststop" })
            {
                var vals = Values(cj, p);
                var keep = vals.Where(c => !Mine(c)).ToList();
                if (p == "exec.start" && v.DefaultRoute != null && !Values(cj, "vnet.interface").Any(x => x != v.JailInterface))
                    keep.Remove($"/sbin/route add default {v.DefaultRoute}");
                if (keep.Count == vals.Count) continue;
                doc.RemoveParameter(v.JailName, p);
                if (p == "exec.start" || p == "exec.stop")
                {
                    if (keep.Count > 0) doc.SetParameter(v.JailName, p, new[] { keep[0] });
                    foreach (var c in keep.Skip(1)) doc.AppendParameter(v.JailName, p, new[] { c });
                }
                else foreach (var c in keep) doc.AppendParameter(v.JailName, p, new[] { c });
            }
            if (!Values(cj, "vnet.interface").Any(x => x != v.JailInterface)) doc.RemoveParameter(v.JailName, "vnet");
            plan.Add(new WriteFileStep(v.ConfigPath, doc.ToString(), 0x1A4, $"Remove the vnet hooks of {v.InterfaceName} from {v.ConfigPath}"));
        }
        if (v.Present)
            plan.Add(new CommandStep($"Destroy {v.HostInterface} (and its peer)", IfconfigTool.Destroy(v.HostInterface)) { Irreversible = true });
        return plan;
    }

    private static PlanPreconditionException Invalid(string id, string message, object? target)
        => new(id, message, target, PlanErrorKind.InvalidArgument);
}
