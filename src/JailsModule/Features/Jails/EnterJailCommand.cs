using System.Management.Automation;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Commands;

/// <summary>
/// Opens an interactive shell in a running jail: jexec -l [-U USER | -u USER] NAME (the user's login
/// shell, as jexec(8) runs $SHELL -i) through the host's interactive session
/// (IJailHost.RunInteractiveAsync). On a FreeBSD host the shell is attached to this terminal.
/// On the simulated host there is no terminal to attach: it reads lines at a
/// "root@NAME:/ #" prompt and runs each through jexec -l NAME /bin/sh with the line as standard
/// input, until 'exit' or an empty input stream. Every line is a logged native command.
/// </summary>
[Cmdlet(VerbsCommon.Enter, "Jail", DefaultParameterSetName = "Name")]
[OutputType(typeof(void))]
public sealed class EnterJailCommand : JailCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name", ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JailNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "InputObject", ValueFromPipeline = true)]
    [ValidateNotNull]
    public Jail? InputObject { get; set; }

    /// <summary>Log in as this user of the jail (jexec -U).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary>Log in as this user of the host (jexec -u).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostUser { get; set; }

    private bool _entered;

    protected override void ProcessRecord()
    {
        if (_entered)
        {
            WriteWarning("Enter-Jail opens one shell at a time; the other jails in the pipeline were skipped.");
            return;
        }
        if (JexecUsers.Check(User, HostUser) is { } bad) ThrowTerminatingError(bad);
        var name = InputObject?.Name ?? Name;
        if (!CheckName(name)) return;
        var jail = ReadInventory().Find(name);
        if (jail is null) { WriteJailNotFound(name); return; }
        if (jail.State != JailState.Running)
        {
            WriteError(new ErrorRecord(new InvalidOperationException($"Jail '{name}' is not running; start it with Start-Jail first."),
                "JailNotRunning", ErrorCategory.InvalidOperation, jail));
            return;
        }
        RequireRoot(); // jexec attaches to the jail: root only
        _entered = true;
        var req = JexecTool.Exec(jail.Name, Array.Empty<string>(), User, HostUser, clean: true);
        WriteVerbose(req.DisplayText);
        try
        {
            var status = JailHost.RunInteractiveAsync(req, new Terminal(this), CancellationToken).GetAwaiter().GetResult();
            if (status != 0) WriteVerbose($"The shell in jail '{jail.Name}' exited with {status}.");
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (ToolNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ToolNotFound", ErrorCategory.ObjectNotFound, req.FileName));
        }
        catch (NotSupportedException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InteractiveSessionNotSupported", ErrorCategory.NotImplemented, JailHost.ComputerName));
        }
    }

    /// <summary>PowerShell's host UI as the terminal of an interactive session (the simulator's prompt loop uses it; a real host attaches the process's own terminal).</summary>
    private sealed class Terminal : IJailHostTerminal
    {
        private readonly EnterJailCommand _cmdlet;

        public Terminal(EnterJailCommand cmdlet) => _cmdlet = cmdlet;

        public void Write(string text) => _cmdlet.Host.UI.Write(text);

        public string? ReadLine()
        {
            try { return _cmdlet.Host.UI.ReadLine(); }
            catch (PSNotImplementedException) { return null; }
            catch (InvalidOperationException) { return null; }
        }

        public void Echo(ProcessRequest request) => _cmdlet.WriteVerbose(request.DisplayText);
    }
}
