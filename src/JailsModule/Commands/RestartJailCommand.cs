using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Commands;

/// <summary>Restarts jails as rc.d/jail does: stop (when running), then start from the jail's configuration file.</summary>
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
        var stop = jail.State == JailState.Running ? JailTool.Stop(jail.Name, jail.ConfigPath) : null;
        var start = JailTool.Start(jail.Name, jail.ConfigPath);
        var dependents = stop is null ? new List<string>() : RunningDependents(jail);
        var action = (stop is null ? $"Start jail: {start.DisplayText}" : $"Restart jail: {stop.DisplayText}; {start.DisplayText}")
            + $"; record the jid in {Services.JailRunFile.PathFor(jail.Name)}"
            + (dependents.Count == 0 ? "" : $" (jail(8) -r stops {string.Join(", ", dependents)} too: {(dependents.Count == 1 ? "it depends" : "they depend")} on '{jail.Name}' in {jail.ConfigPath}; they stay stopped)");
        if (!ShouldProcess(jail.Name, action)) return;
        if (stop != null)
        {
            var r = Run(stop);
            if (!r.Success)
            {
                WriteError(NativeError("JailStopFailed", ErrorCategory.InvalidOperation, jail, stop, r, $"Stopping jail '{jail.Name}'"));
                return;
            }
            Services.JailRunFile.Remove(JailHost, jail.Name);
            if (dependents.Count > 0)
                WriteWarning($"Stopping '{jail.Name}' also stopped {string.Join(", ", dependents)} (jail(8) stops the running jails of {jail.ConfigPath} that depend on it); start them again with Start-Jail.");
        }
        var res = Run(start);
        if (!res.Success)
        {
            WriteError(NativeError("JailStartFailed", ErrorCategory.InvalidOperation, jail, start, res, $"Starting jail '{jail.Name}'"));
            return;
        }
        if (Services.JailRunFile.Write(JailHost, jail.Name, res.StandardOutput) is { } warning) WriteWarning(warning);
        InvalidateInventory();
        WritePassThru(jail.Name);
    }
}
