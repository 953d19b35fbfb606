using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Commands;

/// <summary>Starts configured jails with the command line rc.d/jail uses: jail -i -f CONF -c NAME.</summary>
[Cmdlet(VerbsLifecycle.Start, "Jail", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Jail))]
public sealed class StartJailCommand : JailActionCmdletBase
{
    protected override void ProcessJail(Jail jail)
    {
        if (jail.State == JailState.Running)
        {
            WriteWarning($"Jail '{jail.Name}' is already running (jid {jail.Jid}).");
            if (PassThru) WriteObject(jail);
            return;
        }
        if (jail.ConfigPath is null)
        {
            WriteError(new ErrorRecord(new InvalidOperationException($"Jail '{jail.Name}' has no configuration file to start it from."),
                "JailNotConfigured", ErrorCategory.InvalidOperation, jail));
            return;
        }
        var req = JailTool.Start(jail.Name, jail.ConfigPath);
        if (!ShouldProcess(jail.Name, $"Start jail: {req.DisplayText}; record the jid in {Services.JailRunFile.PathFor(jail.Name)}")) return;
        var res = Run(req);
        if (!res.Success)
        {
            WriteError(NativeError("JailStartFailed", ErrorCategory.InvalidOperation, jail, req, res, $"Starting jail '{jail.Name}'"));
            return;
        }
        if (Services.JailRunFile.Write(JailHost, jail.Name, res.StandardOutput) is { } warning) WriteWarning(warning);
        InvalidateInventory();
        WritePassThru(jail.Name);
    }
}
