using System.Diagnostics;
using System.Management.Automation;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Simulation;
using JailsModule.Tools;

namespace JailsModule.Commands;

/// <summary>
/// Opens an interactive shell in a running jail: jexec -l [-U USER | -u USER] NAME (the user's login
/// shell, as jexec(8) runs $SHELL -i). On a FreeBSD host the shell is attached to this terminal.
/// On the simulated host there is no terminal to attach: the cmdlet reads lines at a
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
        if (JailHost is SimulatedHost) SimulatedShell(jail);
        else AttachedShell(jail);
    }

    /// <summary>A FreeBSD host: jexec with this terminal as its stdin/stdout/stderr.</summary>
    private void AttachedShell(Jail jail)
    {
        var req = JexecTool.Exec(jail.Name, Array.Empty<string>(), User, HostUser, clean: true);
        WriteVerbose(req.DisplayText);
        var psi = new ProcessStartInfo(req.FileName) { UseShellExecute = false };
        foreach (var a in req.Arguments) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {req.FileName}.");
            p.WaitForExit();
            if (p.ExitCode != 0)
                WriteVerbose($"The shell in jail '{jail.Name}' exited with {p.ExitCode}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            ThrowTerminatingError(new ErrorRecord(new ToolNotFoundException(req.FileName, ex), "ToolNotFound", ErrorCategory.ObjectNotFound, req.FileName));
        }
    }

    /// <summary>The simulator: a prompt loop, one jexec per line.</summary>
    private void SimulatedShell(Jail jail)
    {
        var user = User ?? HostUser ?? "root";
        Host.UI.WriteLine($"Simulated shell in jail '{jail.Name}': each line runs through jexec -l {jail.Name} /bin/sh. Type 'exit' to leave.");
        while (true)
        {
            Host.UI.Write($"{user}@{jail.Name}:/ # ");
            string? line;
            try { line = Host.UI.ReadLine(); }
            catch (PSNotImplementedException) { line = null; }
            catch (InvalidOperationException) { line = null; }
            if (line is null) break;
            var text = line.Trim();
            if (text == "exit" || text == "logout") break;
            if (text.Length == 0) continue;
            var req = JexecTool.Exec(jail.Name, new[] { "/bin/sh" }, User, HostUser, clean: true, stdin: line + "\n");
            var res = Run(req);
            if (res.StandardOutput.Length > 0) Host.UI.Write(res.StandardOutput);
            if (res.StandardError.Length > 0) Host.UI.Write(res.StandardError);
        }
    }
}
