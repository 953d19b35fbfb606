using System.Management.Automation;
using JailsModule.Commands;
using JailsModule.Model;
using JailsModule.Plans;

namespace JailsModule.Features.Network;

/// <summary>Shared plumbing of the Network cmdlets: the planners and running a plan with -WhatIf/-Confirm.</summary>
public abstract class NetworkCmdletBase : JailCmdletBase
{
    private PlanRunner? _runner;
    private NetworkPlanner? _net;

    protected PlanRunner Runner => _runner ??= new PlanRunner(this, JailHost, CancellationToken);
    protected NetworkPlanner Net => _net ??= new NetworkPlanner(JailHost, CancellationToken, r => WriteVerbose(r.DisplayText));
    protected VnetPlanner Vnets => new(Net);

    /// <summary>Runs a plan; bad input (a PlanPreconditionException thrown while building) becomes an error record naming the input.</summary>
    protected Plan? RunNetworkPlan(string target, IEnumerable<string> resources, Func<Plan> build, string failureId, bool force = false)
        => Runner.RunPlan(target, resources, build, failureId, force);

    protected JailBridge? FindBridge(string name) => Net.Bridges(ReadInventory().Jails).FirstOrDefault(b => b.Name == name);

    protected static WildcardPattern Pattern(string s) => new(s, WildcardOptions.CultureInvariant);
}

/// <summary>
/// Creates a bridge for vnet jails: [a VLAN interface PARENT.VID], the bridge, LRO/TSO off on its uplink
/// (seed 004's performance trap; -KeepOffload keeps them), the members, an address, and with -Persist the
/// rc.conf lines (cloned_interfaces, ifconfig_BRIDGE="addm ... up", vlans_PARENT, ifconfig_PARENT_VID).
/// </summary>
[Cmdlet(VerbsCommon.New, "JailBridge", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(JailBridge))]
public sealed class NewJailBridgeCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    [Parameter(Position = 1)]
    public string[] Member { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateRange(1, 4094)]
    public int VlanId { get; set; }

    [Parameter]
    public string[] IPv4Address { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Persist { get; set; }

    [Parameter]
    public SwitchParameter KeepOffload { get; set; }

    [Parameter]
    public SwitchParameter MoveAddress { get; set; }

    protected override void ProcessRecord()
    {
        var req = new NewBridgeRequest
        {
            Name = Name, Member = Member, VlanId = MyInvocation.BoundParameters.ContainsKey(nameof(VlanId)) ? VlanId : null,
            IPv4Address = IPv4Address, Persist = Persist, KeepOffload = KeepOffload, MoveAddress = MoveAddress,
        };
        var plan = RunNetworkPlan(Name, new[] { "interface:" + Name }, () => Net.PlanNewBridge(req), "NewJailBridgeFailed");
        if (plan != null && FindBridge(Name) is { } b) WriteObject(b);
    }
}

/// <summary>Lists the host's bridges (made by the module or by hand) with members, addresses, VLANs and the jails on them.</summary>
[Cmdlet(VerbsCommon.Get, "JailBridge")]
[OutputType(typeof(JailBridge))]
public sealed class GetJailBridgeCommand : NetworkCmdletBase
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Name { get; set; } = Array.Empty<string>();

    private List<JailBridge>? _all;

    protected override void ProcessRecord()
    {
        _all ??= Net.Bridges(ReadInventory().Jails);
        if (Name.Length == 0)
        {
            WriteObject(_all, true);
            return;
        }
        foreach (var n in Name)
        {
            var p = Pattern(n);
            var hits = _all.Where(b => p.IsMatch(b.Name)).ToList();
            if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n))
                WriteError(new ErrorRecord(new ItemNotFoundException($"No bridge named '{n}' exists on {JailHost.ComputerName}."), "BridgeNotFound", ErrorCategory.ObjectNotFound, n));
            WriteObject(hits, true);
        }
    }
}

/// <summary>Adds interfaces to a bridge (LRO/TSO off unless -KeepOffload); a persisted bridge gets them in its rc.conf line too.</summary>
[Cmdlet(VerbsCommon.Add, "JailBridgeMember", SupportsShouldProcess = true)]
[OutputType(typeof(JailBridge))]
public sealed class AddJailBridgeMemberCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    public string Bridge { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    public string[] Member { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter KeepOffload { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var m in Member)
            RunNetworkPlan(m, new[] { "interface:" + Bridge }, () => Net.PlanAddMember(Bridge, m, KeepOffload, persist: true), "AddJailBridgeMemberFailed");
        if (PassThru && FindBridge(Bridge) is { } b) WriteObject(b);
    }
}

/// <summary>Takes interfaces out of a bridge (and out of its rc.conf line).</summary>
[Cmdlet(VerbsCommon.Remove, "JailBridgeMember", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(JailBridge))]
public sealed class RemoveJailBridgeMemberCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    public string Bridge { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    public string[] Member { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var m in Member)
            RunNetworkPlan(m, new[] { "interface:" + Bridge }, () => Net.PlanRemoveMember(Bridge, m), "RemoveJailBridgeMemberFailed", Force);
        if (PassThru && FindBridge(Bridge) is { } b) WriteObject(b);
    }
}

/// <summary>Destroys a bridge and its rc.conf lines; refuses while jails use it unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "JailBridge", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(JailBridge))]
public sealed class RemoveJailBridgeCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var n in Name)
        {
            var before = PassThru ? FindBridge(n) : null;
            var plan = RunNetworkPlan(n, new[] { "interface:" + n }, () => Net.PlanRemoveBridge(n, Force, ReadInventory().Jails), "RemoveJailBridgeFailed", Force);
            if (plan != null && before != null) WriteObject(before);
        }
    }
}

/// <summary>
/// Gives a jail a vnet interface on a bridge: writes vnet, vnet.interface and the exec.* hooks into the
/// jail's own config (seed 004 style) so that `service jail start NAME` works without the module.
/// </summary>
[Cmdlet(VerbsCommon.Add, "JailVnet", SupportsShouldProcess = true, DefaultParameterSetName = "Static")]
[OutputType(typeof(JailVnet))]
public sealed class AddJailVnetCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    public string Bridge { get; set; } = "";

    [Parameter(ParameterSetName = "Static")]
    public string? IPv4Address { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Dhcp")]
    public SwitchParameter Dhcp { get; set; }

    [Parameter(ParameterSetName = "Static")]
    public string? DefaultRoute { get; set; }

    [Parameter]
    public string? MacAddress { get; set; }

    protected override void ProcessRecord()
    {
        if (!CheckName(Name)) return;
        var req = new AddVnetRequest { Name = Name, Bridge = Bridge, IPv4Address = IPv4Address, Dhcp = Dhcp, DefaultRoute = DefaultRoute, MacAddress = MacAddress };
        var before = Runner.IsWhatIf ? new HashSet<string>() : Vnets.Read(Name).Select(v => v.HostInterface).ToHashSet();
        var plan = RunNetworkPlan(Name, new[] { "jail:" + Name }, () => Vnets.PlanAdd(req), "AddJailVnetFailed");
        if (plan is null) return;
        if (ReadInventory().Find(Name)?.State == JailState.Running)
            WriteWarning($"Jail '{Name}' is running: its new vnet interface takes effect at its next start (Restart-Jail {Name}).");
        foreach (var v in Vnets.Read(Name).Where(v => !before.Contains(v.HostInterface))) WriteObject(v);
    }
}

/// <summary>Lists the vnet interfaces of jails (from their configs), or with -Orphaned the epairs whose jail is gone or stopped.</summary>
[Cmdlet(VerbsCommon.Get, "JailVnet")]
[OutputType(typeof(JailVnet))]
public sealed class GetJailVnetCommand : NetworkCmdletBase
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Orphaned { get; set; }

    private List<JailVnet>? _all;

    protected override void ProcessRecord()
    {
        _all ??= Vnets.Read();
        var patterns = Name.Select(Pattern).ToList();
        foreach (var v in _all)
        {
            if (Orphaned && !v.Orphaned) continue;
            if (patterns.Count > 0 && !patterns.Any(p => p.IsMatch(v.JailName))) continue;
            WriteObject(v);
        }
    }
}

/// <summary>Removes vnet interfaces from jails' configs (the jail must be stopped), or with -Orphaned destroys leaked epairs.</summary>
[Cmdlet(VerbsCommon.Remove, "JailVnet", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Name")]
[OutputType(typeof(JailVnet))]
public sealed class RemoveJailVnetCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name", ValueFromPipelineByPropertyName = true)]
    [Alias("JailName")]
    public string Name { get; set; } = "";

    [Parameter(ParameterSetName = "Name")]
    public string? Bridge { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Orphaned")]
    public SwitchParameter Orphaned { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var all = Vnets.Read(Orphaned ? null : Name);
        var targets = Orphaned ? all.Where(v => v.Orphaned).ToList()
            : all.Where(v => v.JailName == Name && !(v.Orphaned && v.ConfigPath is null) && (Bridge is null || v.Bridge == Bridge)).ToList();
        if (!Orphaned && targets.Count == 0)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"Jail '{Name}' has no vnet interface" + (Bridge is null ? "" : $" on {Bridge}") + " of the module."),
                "VnetNotFound", ErrorCategory.ObjectNotFound, Name));
            return;
        }
        foreach (var v in targets)
        {
            var plan = RunNetworkPlan(v.JailName, new[] { "interface:" + v.HostInterface }, () => Vnets.PlanRemove(v, destroyOnly: Orphaned), "RemoveJailVnetFailed", Force);
            if (plan != null && PassThru) WriteObject(v);
        }
    }
}
