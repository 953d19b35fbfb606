using JailsModule.Host;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Session;

/// <summary>
/// One connection to a FreeBSD host and everything learnt about it: the host, the uid the module
/// runs as there (<c>id -u</c>, asked once), the parsed jail.conf files (<see cref="ConfFileCache"/>),
/// the kernel's jail parameter list once Test-JailHost read it, and the owner file under which this
/// connection's plans hold the host lock. Connect-JailHost makes a new one per runspace
/// (<see cref="JailHostManager"/>); cmdlets get theirs from their base class. Nothing here is static:
/// two runspaces of one process connected to two hosts (ForEach-Object -Parallel, thread jobs, an
/// application hosting PowerShell) never see each other's jails, caches or answers.
///
/// A session may be used by several runspaces at once (the process default of runspaces that never
/// connected), so every member is thread-safe.
/// </summary>
public sealed class JailSession
{
    private readonly object _gate = new();
    private IReadOnlyCollection<string>? _supported;
    private readonly List<string> _deferred = new();

    public JailSession(IJailHost host)
    {
        Host = host ?? throw new ArgumentNullException(nameof(host));
        LockOwner = new HostLockOwner(host);
    }

    public IJailHost Host { get; }

    /// <summary>Whether the module runs as root on the host ("id -u", asked once per session).</summary>
    public RootCheck Root { get; } = new();

    /// <summary>The parsed jail.conf files of this host, reused while unchanged.</summary>
    public ConfFileCache ConfFiles { get; } = new();

    /// <summary>The owner file this session's plans hold the host lock under (one per session and process).</summary>
    public HostLockOwner LockOwner { get; }

    /// <summary>
    /// The kernel's jail parameters (security.jail.param.*) as Test-JailHost read them, without trailing
    /// dots; null until read. Set-JailConfig checks names against it once known.
    /// </summary>
    public IReadOnlyCollection<string>? SupportedParameters
    {
        get { lock (_gate) return _supported; }
        set
        {
            var list = value?.Select(n => n.TrimEnd('.')).ToHashSet(StringComparer.Ordinal);
            lock (_gate) _supported = list;
        }
    }

    /// <summary>
    /// Keeps a message a command could not write because its pipeline was stopping (Ctrl+C during a
    /// plan: what the undo did). The next command of the session writes it as a warning.
    /// </summary>
    public void Defer(string message)
    {
        lock (_gate) _deferred.Add(message);
    }

    /// <summary>The deferred messages, oldest first; they are forgotten once taken.</summary>
    public IReadOnlyList<string> TakeDeferred()
    {
        lock (_gate)
        {
            if (_deferred.Count == 0) return Array.Empty<string>();
            var list = _deferred.ToList();
            _deferred.Clear();
            return list;
        }
    }

    public override string ToString() => $"{Host.ComputerName} ({Host.Kind})";
}
