using JailsModule.Host;

namespace JailsModule.Services;

/// <summary>
/// Whether the module runs as root on a host: "id -u" asked once per session and remembered
/// (a connection's user does not change; Connect-JailHost starts a new session). Each
/// <see cref="Session.JailSession"/> has its own.
/// </summary>
public sealed class RootCheck
{
    private readonly object _gate = new();
    private bool _known;
    private int _uid;

    /// <summary>
    /// The effective uid on the host, or null when "id -u" could not tell (it failed, printed no number, or
    /// id is missing): then <paramref name="problem"/> says why, with the tool's own stderr. Only a real
    /// answer is remembered, so the next command asks again.
    /// </summary>
    public int? Uid(Func<ProcessResult> runIdU, out string? problem)
    {
        problem = null;
        lock (_gate) if (_known) return _uid;
        try
        {
            var r = runIdU();
            var uid = r.Success ? Tools.IdTool.ParseUid(r.StandardOutput) : null;
            if (uid is null)
            {
                problem = !r.Success
                    ? $"'id -u' exited with {r.ExitCode}" + (r.ErrorText.Length > 0 ? $": {r.ErrorText}" : ".")
                    : $"'id -u' printed no uid ('{r.StandardOutput.Trim()}')" + (r.ErrorText.Length > 0 ? $"; stderr: {r.ErrorText}" : ".");
                return null;
            }
            lock (_gate)
            {
                _uid = uid.Value;
                _known = true;
            }
            return uid;
        }
        catch (ToolNotFoundException e)
        {
            problem = $"'id -u' could not run: {e.Message}";
            return null;
        }
    }

    /// <summary>The effective uid, or null when unknown (<see cref="Uid(Func{ProcessResult}, out string?)"/>).</summary>
    public int? Uid(Func<ProcessResult> runIdU) => Uid(runIdU, out _);

    /// <summary>Forgets what is known (so a test can switch users).</summary>
    public void Forget()
    {
        lock (_gate) _known = false;
    }

    public static string Message(string command, string computerName, int uid) =>
        $"{command} changes jails on {computerName}, which needs root, but the module runs there as uid {uid}. " +
        "Run pwsh as root on that host (sudo pwsh, doas pwsh) or connect as root; or let the SSH subsystem start pwsh as root: " +
        "'Subsystem powershell /usr/local/bin/sudo /usr/local/bin/pwsh -sshs -NoLogo' in /etc/ssh/sshd_config with a NOPASSWD sudoers rule " +
        "for that user (doas: 'permit nopass USER as root cmd /usr/local/bin/pwsh' and '/usr/local/bin/doas /usr/local/bin/pwsh -sshs -NoLogo'). " +
        "See Get-Help about_JailsModule_Remoting.";

    /// <summary>The refusal when the uid is unknown: the module fails closed (nothing runs).</summary>
    public static string UnknownMessage(string command, string computerName, string problem) =>
        $"{command} changes jails on {computerName}, which needs root, but whether the module runs there as root could not be told: {problem} " +
        "Nothing was run. Check that /usr/bin/id works for this user on that host.";
}
