using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Commands;

/// <summary>Stops running jails with the command line rc.d/jail uses: jail -q -f CONF -r NAME.</summary>
[Cmdlet(VerbsLifecycle.Stop, "Jail", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Jail))]
public sealed class StopJailCommand : JailActionCmdletBase
{
    protected override void ProcessJail(Jail jail)
    {
        if (jail.State != JailState.Running)
        {
            WriteWarning($"Jail '{jail.Name}' is not running.");
            if (PassThru) WriteObject(jail);
            return;
        }
        var req = JailTool.Stop(jail.Name, jail.ConfigPath);
        var dependents = RunningDependents(jail);
        var also = dependents.Count == 0 ? "" : $" (jail(8) stops {string.Join(", ", dependents)} first: {(dependents.Count == 1 ? "it depends" : "they depend")} on '{jail.Name}' in {jail.ConfigPath})";
        if (!ShouldProcess(jail.Name, $"Stop jail: {req.DisplayText}{also}")) return;
        var res = Run(req);
        if (!res.Success)
        {
            WriteError(NativeError("JailStopFailed", ErrorCategory.InvalidOperation, jail, req, res, $"Stopping jail '{jail.Name}'"));
            return;
        }
        if (dependents.Count > 0) WriteWarning($"Stopped '{jail.Name}' and, before it, {string.Join(", ", dependents)}: jail(8) stops the running jails of {jail.ConfigPath} that depend on it.");
        Services.JailRunFile.Remove(JailHost, jail.Name);
        InvalidateInventory();
        WritePassThru(jail.Name);
    }
}
