using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Stops running jails with the command line rc.d/jail uses: jail -q -f CONF -r NAME, then
/// /var/run/jail_NAME.id removed. A plan under the host lock on the jail's name, built from the
/// jail's state read again inside the lock.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Jail", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Jail))]
public sealed class StopJailCommand : JailActionCmdletBase
{
    protected override void ProcessJail(Jail jail)
    {
        if (jail.State != JailState.Running)
        {
            NotRunning(jail);
            return;
        }
        var now = jail;
        var dependents = new List<string>();
        var plan = Planner.RunPlan(jail.Name, JailLifecycle.Resources(jail.Name), () =>
        {
            var fresh = ReadJailAgain(jail);
            if (fresh is null) return new Plans.Plan($"Stop jail '{jail.Name}'"); // gone meanwhile: nothing runs
            now = fresh;
            dependents = now.State == JailState.Running ? RunningDependents(now) : new List<string>();
            return JailLifecycle.PlanStop(now, dependents, RcJailCommand.Read(JailHost, now.Name));
        }, "JailStopFailed");
        if (plan is null) return;
        if (plan.Steps.Count == 0)
        {
            NotRunning(now);
            return;
        }
        if (dependents.Count > 0) WriteWarning($"Stopped '{jail.Name}' and, before it, {string.Join(", ", dependents)}: jail(8) stops the running jails of {now.ConfigPath} that depend on it.");
        InvalidateInventory();
        WritePassThru(jail.Name);
    }

    private void NotRunning(Jail jail)
    {
        WriteWarning($"Jail '{jail.Name}' is not running.");
        if (PassThru) WriteObject(jail);
    }
}
