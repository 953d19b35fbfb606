using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Commands;

/// <summary>
/// Runs a program inside running jails with jexec(8): jexec [-l] [-u USER | -U USER] NAME ARGV...
/// Writes the program's standard output as lines; a non-zero exit is a JailCommandFailed error that
/// carries the exit code and the program's standard error. The argv is passed as is (no shell).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "JailCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(string))]
public sealed class InvokeJailCommandCommand : JailActionCmdletBase
{
    /// <summary>The program and its arguments, e.g. 'freebsd-version', or 'sh', '-c', 'service -e'.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[] Command { get; set; } = Array.Empty<string>();

    /// <summary>Run as this user of the jail (jexec -U).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary>Run as this user of the host (jexec -u).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostUser { get; set; }

    /// <summary>Start with a clean environment (jexec -l): PATH=/bin:/usr/bin, HOME, SHELL, USER, TERM.</summary>
    [Parameter]
    public SwitchParameter CleanEnvironment { get; set; }

    /// <summary>Text sent to the program's standard input.</summary>
    [Parameter]
    public string? InputText { get; set; }

    protected override void BeginProcessing()
    {
        // Bad input stops everything before any jail is touched.
        if (JexecUsers.Check(User, HostUser) is { } bad) ThrowTerminatingError(bad);
        if (Command[0].Length == 0)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("The command name is empty."), "InvalidCommand", ErrorCategory.InvalidArgument, null));
        // execve(2) takes C strings: a NUL would cut the argument short on a real host without a word.
        if (Array.Find(Command, a => a.Contains('\0')) is { } nul)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The argument '{nul.Replace("\0", "\\0")}' contains a NUL character, which a process argument cannot carry."), "InvalidCommand", ErrorCategory.InvalidArgument, nul));
    }

    protected override void ProcessJail(Jail jail)
    {
        if (jail.State != JailState.Running || jail.Jid is null)
        {
            WriteError(new ErrorRecord(new InvalidOperationException($"Jail '{jail.Name}' is not running; start it with Start-Jail first."),
                "JailNotRunning", ErrorCategory.InvalidOperation, jail));
            return;
        }
        var req = JexecTool.Exec(jail.Name, Command, User, HostUser, CleanEnvironment, InputText);
        if (!ShouldProcess(jail.Name, $"Run in jail: {req.DisplayText}")) return;
        var res = Run(req);
        foreach (var line in Lines(res.StandardOutput)) WriteObject(line);
        if (!res.Success)
        {
            var er = NativeError("JailCommandFailed", ErrorCategory.InvalidResult, jail, req, res, $"Command in jail '{jail.Name}'");
            er.Exception.Data["ExitCode"] = res.ExitCode;
            er.Exception.Data["StandardError"] = res.StandardError;
            WriteError(er);
            return;
        }
        foreach (var line in Lines(res.StandardError)) WriteWarning($"{jail.Name}: {line}");
        if (PassThru) WriteObject(jail);
    }

    private static IEnumerable<string> Lines(string text)
    {
        if (text.Length == 0) yield break;
        var lines = text.Split('\n');
        int n = lines.Length;
        if (lines[n - 1].Length == 0) n--; // the final newline ends the last line
        for (int i = 0; i < n; i++) yield return lines[i].TrimEnd('\r');
    }
}
