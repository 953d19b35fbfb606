using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Restarts jails as rc.d/jail does: stop (when running), then start from the jail's configuration
/// file. One plan under the host lock on the jail's name: when the start fails, the undo starts the
/// jail again as it was.
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "Jail", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Jail))]
public sealed class RestartJailCommand : JailActionCmdletBase
{
    protected override void ProcessJail(Jail jail)
    {
        if (jail.ConfigPath is null)
        {
            WriteError(new ErrorRecord(new InvalidOperationException($"Jail '{jail.Name}' has no configuration file to start it from."),
                "JailNotConfigured", ErrorCategory.InvalidOperation, jail));
            return;
        }
        var now = jail;
        var dependents = new List<string>();
        var plan = Planner.RunPlan(jail.Name, JailLifecycle.Resources(jail.Name), () =>
        {
            now = ReadJailAgain(jail) ?? throw new PlanPreconditionException("JailNotFound",
                $"No jail named '{jail.Name}' is configured or running on {JailHost.ComputerName}.", jail.Name, PlanErrorKind.ObjectNotFound);
            dependents = now.State == JailState.Running ? RunningDependents(now) : new List<string>();
            return JailLifecycle.PlanRestart(now, dependents, RcJailCommand.Read(JailHost, now.Name));
        }, "JailStartFailed");
        if (plan is null) return;
        if (dependents.Count > 0)
            WriteWarning($"Stopping '{jail.Name}' also stopped {string.Join(", ", dependents)} (jail(8) stops the running jails of {now.ConfigPath} that depend on it); start them again with Start-Jail.");
        InvalidateInventory();
        WritePassThru(jail.Name);
    }
}
