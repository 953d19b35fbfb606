using System.Management.Automation;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Reports what the connected FreeBSD host can do for jails: versions, architecture, VIMAGE, RACCT,
/// root, loaded kernel modules, the kernel's jail parameters, and the problems found. Four native
/// commands: freebsd-version -k -u, one sysctl, id -u, kldstat.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "JailHost")]
[OutputType(typeof(JailHostCapabilities))]
public sealed class TestJailHostCommand : JailCmdletBase
{
    protected override void ProcessRecord()
    {
        try
        {
            var caps = JailHostProbe.Probe(JailHost, CancellationToken, r => WriteVerbose(r.DisplayText));
            // The session remembers the kernel's parameter list: Set-JailConfig then checks names against it.
            if (caps.SupportedParameters.Length > 0) Session.SupportedParameters = caps.SupportedParameters;
            WriteObject(caps);
        }
        catch (ToolNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ToolNotFound", ErrorCategory.ObjectNotFound, ex.Tool));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }
}
