using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JailsModule.Host;

namespace JailsModule.Plans;

/// <summary>
/// The module's host-wide lock: one file per resource under <see cref="Directory"/>, created with
/// O_CREAT|O_EXCL through <see cref="IJailHost.TryCreateFileExclusive"/>, so it works across
/// processes (several pwsh sessions, remoting, ForEach-Object -Parallel) and in the simulator
/// (files under fs/). The file holds the owner: machine, pid, the process' start time and a token.
///
/// Stale locks: a lock whose owner is on this machine and whose pid is gone, or belongs to a
/// process with another start time (pid reused), is stale. It is broken under a second exclusive
/// file (NAME.break) so that two waiters cannot both break it and delete each other's fresh lock;
/// a .break file older than <see cref="BreakTimeout"/> is itself abandoned and removed. A lock
/// held by another machine (a shared simulator folder) is never judged stale: it times out with an
/// error naming the owner, and `rm /var/db/jailsmodule/locks/FILE` is the documented way out.
/// Resources are always taken in ordinal order, so two plans cannot deadlock.
/// </summary>
public sealed class HostLock : IDisposable
{
    public const string Directory = "/var/db/jailsmodule/locks";
    public static readonly TimeSpan BreakTimeout = TimeSpan.FromSeconds(10);

    private readonly IJailHost _host;
    private readonly List<string> _files = new();
    private HostLock(IJailHost host) => _host = host;

    public IReadOnlyList<string> Files => _files;

    /// <summary>The lock file of a resource key ("jail:web1"): escaped so any key maps to one safe name.</summary>
    public static string FileFor(string resource)
    {
        var sb = new StringBuilder();
        foreach (var c in resource)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') sb.Append(c);
            else sb.Append('%').Append(((int)c).ToString("X2"));
        }
        var name = sb.ToString();
        if (name.Length > 200)
            name = name[..120] + "~" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(resource)))[..32];
        if (name.StartsWith('.')) name = "%2E" + name[1..];
        return Directory + "/" + name + ".lock";
    }

    /// <summary>Takes every resource (ordinal order) or none: waits up to <paramref name="timeout"/> for a busy one.</summary>
    public static HostLock Acquire(IJailHost host, IEnumerable<string> resources, string planId, string description, TimeSpan timeout, CancellationToken ct)
    {
        var token = Guid.NewGuid().ToString("N");
        var owner = LockOwner.Current(planId, description, token);
        var content = JsonSerializer.Serialize(owner);
        var lk = new HostLock(host);
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            foreach (var r in resources.Distinct().OrderBy(r => r, StringComparer.Ordinal))
            {
                var file = FileFor(r);
                var delay = 2;
                while (!TryCreate(host, file, content))
                {
                    ct.ThrowIfCancellationRequested();
                    var holder = ReadOwner(host, file);
                    if (holder != null && holder.IsStale() && TryBreak(host, file, holder)) continue;
                    if (DateTime.UtcNow >= deadline)
                        throw new PlanPreconditionException("ResourceLocked",
                            $"'{r}' is locked by another operation{(holder is null ? "" : ": " + holder.Describe())}. " +
                            $"Try again when it has finished; if its process is gone from another machine, delete {file}.",
                            r, PlanErrorKind.ResourceBusy);
                    Thread.Sleep(delay);
                    delay = Math.Min(delay * 2, 50);
                }
                lk._files.Add(file);
            }
            return lk;
        }
        catch
        {
            lk.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Releases the locks this object took. A live owner's lock is never broken (only a dead
    /// process' lock is stale), so the files are still ours and are deleted without reading them.
    /// </summary>
    public void Dispose()
    {
        for (int i = _files.Count - 1; i >= 0; i--)
        {
            try { _host.DeleteFile(_files[i]); }
            catch (IOException) { /* already gone */ }
        }
        _files.Clear();
    }

    private static bool TryCreate(IJailHost host, string file, string content)
    {
        try
        {
            return host.TryCreateFileExclusive(file, content);
        }
        catch (DirectoryNotFoundException)
        {
            host.CreateDirectory(Directory);
            return host.TryCreateFileExclusive(file, content);
        }
    }

    internal static LockOwner? ReadOwner(IJailHost host, string file)
    {
        try
        {
            if (!host.FileExists(file)) return null;
            var text = host.ReadAllText(file);
            return text.Length == 0 ? null : JsonSerializer.Deserialize<LockOwner>(text);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null; // being written or removed right now: look again on the next round
        }
    }

    private static bool TryBreak(IJailHost host, string file, LockOwner stale)
    {
        var breaker = file + ".break";
        if (!host.TryCreateFileExclusive(breaker, JsonSerializer.Serialize(LockOwner.Current("", "break", Guid.NewGuid().ToString("N")))))
        {
            var info = host.GetFileInfo(breaker);
            if (info != null && DateTime.UtcNow - info.LastWriteTimeUtc > BreakTimeout)
                try { host.DeleteFile(breaker); } catch (IOException) { }
            return false;
        }
        try
        {
            var again = ReadOwner(host, file);
            if (again != null && again.Token == stale.Token) host.DeleteFile(file);
            return true;
        }
        finally
        {
            host.DeleteFile(breaker);
        }
    }
}

/// <summary>Who holds a lock: enough to tell a live owner from a crashed one.</summary>
public sealed class LockOwner
{
    public string Machine { get; set; } = "";
    public int Pid { get; set; }

    /// <summary>The owner process' start time (UTC ticks): a reused pid has another one.</summary>
    public long ProcessStartTicks { get; set; }
    public string PlanId { get; set; } = "";
    public string Description { get; set; } = "";
    public DateTime Acquired { get; set; }
    public string Token { get; set; } = "";

    private static readonly Lazy<long> OwnStart = new(() => StartTicks(Process.GetCurrentProcess()) ?? 0);

    public static LockOwner Current(string planId, string description, string token) => new()
    {
        Machine = Environment.MachineName,
        Pid = Environment.ProcessId,
        ProcessStartTicks = OwnStart.Value,
        PlanId = planId,
        Description = description,
        Acquired = DateTime.UtcNow,
        Token = token,
    };

    /// <summary>True when the owner ran on this machine and its process is gone (or the pid now belongs to another process).</summary>
    public bool IsStale()
    {
        if (!string.Equals(Machine, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            using var p = Process.GetProcessById(Pid);
            var start = StartTicks(p);
            if (start is null || ProcessStartTicks == 0) return false;
            return Math.Abs(start.Value - ProcessStartTicks) > TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true; // exited
        }
    }

    private static long? StartTicks(Process p)
    {
        try { return p.StartTime.ToUniversalTime().Ticks; }
        catch (Exception) { return null; }
    }

    public string Describe() => $"{Description} (plan {PlanId}, pid {Pid} on {Machine}, since {Acquired:u})";
}
