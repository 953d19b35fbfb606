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
    private int? _uid;

    /// <summary>The effective uid on the host, or null when "id -u" could not tell (then the native tool reports the problem itself).</summary>
    public int? Uid(Func<ProcessResult> runIdU)
    {
        lock (_gate) if (_known) return _uid;
        int? uid = null;
        try
        {
            var r = runIdU();
            if (r.Success && int.TryParse(r.StandardOutput.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                uid = n;
        }
        catch (ToolNotFoundException)
        {
        }
        lock (_gate)
        {
            _uid = uid;
            _known = true;
        }
        return uid;
    }

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
}
