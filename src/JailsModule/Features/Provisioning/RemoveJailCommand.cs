using System.Management.Automation;
using JailsModule.Model;

namespace JailsModule.Commands;

/// <summary>
/// Removes jails: refuses while anything is mounted under the jail's path, removes its config
/// file (or its block), and destroys its dataset only when the module created it (the
/// org.jailsmodule:managed property set locally) below the configured jail root.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Jail", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Jail))]
public sealed class RemoveJailCommand : JailActionCmdletBase
{
    /// <summary>Stop a running jail first, and do not ask for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Remove only the configuration; keep the dataset and its files.</summary>
    [Parameter]
    public SwitchParameter KeepDataset { get; set; }

    private PlanRunner? _runner;
    private PlanRunner Runner => _runner ??= new PlanRunner(this, JailHost, CancellationToken);

    protected override void ProcessJail(Jail jail)
    {
        var resources = new[] { "jail:" + jail.Name };
        var plan = Runner.RunPlan(jail.Name, resources, () => Runner.Service.PlanRemoveJail(jail.Name, Force, KeepDataset), "RemoveJailFailed", Force);
        InvalidateInventory();
        if (plan != null && PassThru) WriteObject(jail);
    }
}

/// <summary>
/// Updates jails in place with freebsd-update (thick and ZFS thin jails: a clone holds the jail's own
/// files, which a re-clone would lose); refuses the host (path /), templates and roots that are not
/// provably the jail's. Checked afterwards with freebsd-version -u.
/// </summary>
[Cmdlet(VerbsData.Update, "Jail", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Jail))]
public sealed class UpdateJailCommand : JailActionCmdletBase
{
    /// <summary>Do not ask for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private PlanRunner? _runner;
    private PlanRunner Runner => _runner ??= new PlanRunner(this, JailHost, CancellationToken);

    protected override void ProcessJail(Jail jail)
    {
        string? version = null;
        var plan = Runner.RunPlan(jail.Name, new[] { "jail:" + jail.Name }, () => Runner.Service.PlanUpdateJail(jail.Name, Force, v => version = v), "UpdateJailFailed", Force);
        if (plan is null) return;
        WriteVerbose($"Jail '{jail.Name}' now reports freebsd-version -u: {version}");
        InvalidateInventory();
        WritePassThru(jail.Name);
    }
}
