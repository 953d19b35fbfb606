using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Starts configured jails with the command line rc.d/jail uses: jail -i -f CONF -c NAME, then the
/// jid into /var/run/jail_NAME.id. A plan under the host lock on the jail's name, built from the
/// jail's state read again inside the lock: a jail another command started meanwhile is reported as
/// running, never started twice.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Jail", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Jail))]
public sealed class StartJailCommand : JailActionCmdletBase
{
    protected override void ProcessJail(Jail jail)
    {
        if (jail.State == JailState.Running)
        {
            AlreadyRunning(jail);
            return;
        }
        if (jail.ConfigPath is null)
        {
            WriteError(new ErrorRecord(new InvalidOperationException($"Jail '{jail.Name}' has no configuration file to start it from."),
                "JailNotConfigured", ErrorCategory.InvalidOperation, jail));
            return;
        }
        var now = jail;
        var plan = Planner.RunPlan(jail.Name, JailLifecycle.Resources(jail.Name), () =>
        {
            now = ReadJailAgain(jail) ?? throw new PlanPreconditionException("JailNotFound",
                $"No jail named '{jail.Name}' is configured or running on {JailHost.ComputerName}.", jail.Name, PlanErrorKind.ObjectNotFound);
            return JailLifecycle.PlanStart(now, RcJailCommand.Read(JailHost, now.Name));
        }, "JailStartFailed");
        if (plan is null) return;
        if (plan.Steps.Count == 0)
        {
            AlreadyRunning(now);
            return;
        }
        InvalidateInventory();
        WritePassThru(jail.Name);
    }

    private void AlreadyRunning(Jail jail)
    {
        WriteWarning($"Jail '{jail.Name}' is already running (jid {jail.Jid}).");
        if (PassThru) WriteObject(jail);
    }
}
