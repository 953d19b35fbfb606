using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using JailsModule.Host;

namespace JailsModule.Plans;

/// <summary>
/// The module's host-wide lock on named resources ("jail:web1", "dataset:zroot/jails/containers/web1",
/// "file:/etc/jail.conf"), shared by every process on the host (pwsh sessions, remoting, runspaces)
/// and by every process using one simulator folder.
///
/// Two kinds of files in <see cref="Directory"/>, both locked with flock(2) through
/// <see cref="IJailHost.TryLockFile"/>, so the kernel releases them when a process dies:
/// <list type="bullet">
/// <item><see cref="TableFile"/>: one JSON line per plan holding resources (its id, description, owner
/// process, resources and, once it runs, its journal). It is locked only for the microseconds of a
/// read-modify-write; taking resources means adding a line when none of them is listed.</item>
/// <item>owner-PID-RANDOM.lock: one per process (and host connection), locked for the process' life.
/// A line whose owner file can be locked by someone else belongs to a dead process.</item>
/// </list>
/// A line of a dead process is dropped by the next plan that reads the table; when it carried a
/// journal (the plan had started its steps), the journal is saved as
/// /var/db/jailsmodule/journal/ID.json and a warning names it, because some of its steps may have run.
/// Nothing is created or deleted per plan (a file creation costs as much as a simulated zfs
/// command, see bench/NewJail.Bench.ps1): after the first plan of a process, taking and releasing
/// resources is two small rewrites of one existing file. A lock never goes stale and never needs
/// breaking by hand.
/// </summary>
public sealed class HostLock : IDisposable
{
    public const string Directory = "/var/db/jailsmodule/locks";
    public const string TableFile = Directory + "/held";
    public const string JournalDirectory = "/var/db/jailsmodule/journal";

    /// <summary>How long a release waits for the table (held by others for microseconds only).</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(60);
    private static readonly Regex OwnerName = new(@"\Aowner-[0-9]+-[0-9a-f]{12}\.lock\z", RegexOptions.CultureInvariant);

    private readonly IJailHost _host;
    private readonly HostLockOwner _owner;
    private readonly LockRecord _record;
    private bool _released;

    private HostLock(IJailHost host, HostLockOwner owner, LockRecord record)
    {
        _host = host;
        _owner = owner;
        _record = record;
    }

    /// <summary>This plan's line in the table.</summary>
    public LockRecord Record => _record;

    /// <summary>
    /// Takes every resource or none: waits up to <paramref name="timeout"/> while another live plan
    /// lists one of them (ResourceLocked then, naming it). Lines of dead processes are dropped on the
    /// way (<paramref name="onWarning"/> hears of those that had begun their steps).
    /// </summary>
    public static HostLock Acquire(IJailHost host, IEnumerable<string> resources, string planId, string description,
        TimeSpan timeout, CancellationToken ct, Action<string>? onWarning = null)
        => Acquire(host, null, resources, planId, description, timeout, ct, onWarning);

    /// <summary>
    /// As above, under <paramref name="owner"/> (the session's, <see cref="Session.JailSession.LockOwner"/>).
    /// Without one, a transient owner file is made for this lock alone and removed when it is released.
    /// </summary>
    public static HostLock Acquire(IJailHost host, HostLockOwner? owner, IEnumerable<string> resources, string planId, string description,
        TimeSpan timeout, CancellationToken ct, Action<string>? onWarning = null)
    {
        var want = resources.Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal).ToList();
        if (want.Any(string.IsNullOrEmpty)) throw new ArgumentException("A resource name is empty.", nameof(resources));
        var deadline = DateTime.UtcNow + timeout;
        owner ??= new HostLockOwner(host, transient: true);
        if (!ReferenceEquals(owner.Host, host)) throw new ArgumentException("The lock owner belongs to another host connection.", nameof(owner));
        owner.Enter(deadline, ct);
        var record = new LockRecord
        {
            Id = planId,
            Owner = owner.Name,
            Machine = Environment.MachineName,
            Pid = Environment.ProcessId,
            Acquired = DateTime.UtcNow,
            Description = description,
            Resources = want,
        };
        var wanted = new HashSet<string>(want, StringComparer.Ordinal);
        var delay = 1;
        try
        {
            while (true)
            {
                LockRecord? busy = null;
                var warnings = new List<string>();
                bool got = WithTable(host, deadline, ct, table =>
                {
                    bool pruned = PruneDead(host, owner.Name, table, warnings);
                    busy = table.FirstOrDefault(r => r.Resources.Any(wanted.Contains));
                    if (busy is not null) return (false, pruned);
                    table.Add(record);
                    return (true, true);
                });
                foreach (var w in warnings) onWarning?.Invoke(w);
                if (got) return new HostLock(host, owner, record);
                if (DateTime.UtcNow >= deadline)
                {
                    var r = busy!.Resources.First(wanted.Contains);
                    throw new PlanPreconditionException("ResourceLocked",
                        $"'{r}' is locked by another operation: {busy.Describe()}. Try again when it has finished.",
                        r, PlanErrorKind.ResourceBusy);
                }
                ct.ThrowIfCancellationRequested();
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 50);
            }
        }
        catch
        {
            owner.Release();
            throw;
        }
    }

    /// <summary>Rewrites this plan's line (its journal) in the table.</summary>
    public void Update()
    {
        if (_released) throw new ObjectDisposedException(nameof(HostLock));
        WithTable(_host, DateTime.UtcNow + ReleaseTimeout, CancellationToken.None, table =>
        {
            var i = table.FindIndex(r => r.Id == _record.Id && r.Owner == _record.Owner);
            if (i >= 0) table[i] = _record;
            else table.Add(_record);
            return (0, true);
        });
    }

    /// <summary>Removes this plan's line from the table.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try
        {
            WithTable(_host, DateTime.UtcNow + ReleaseTimeout, CancellationToken.None, table =>
                (0, table.RemoveAll(r => r.Id == _record.Id && r.Owner == _record.Owner) > 0));
        }
        finally
        {
            _owner.Release();
        }
    }

    /// <summary>The plans listed in the table now (live or not yet found dead), for diagnostics and tests.</summary>
    public static IReadOnlyList<LockRecord> Held(IJailHost host)
        => WithTable(host, DateTime.UtcNow + ReleaseTimeout, CancellationToken.None, table => (table.ToList(), false));

    /// <summary>Saves a journal as /var/db/jailsmodule/journal/ID.json (indented JSON, mode 0600) and returns its path.</summary>
    public static string SaveJournal(IJailHost host, LockRecord record)
    {
        var path = JournalDirectory + "/" + SafeId(record.Id) + ".json";
        EnsureFolder(host, JournalDirectory);
        host.WriteAllTextAtomic(path, JsonSerializer.Serialize(record, Indented), 0x180);
        return path;
    }

    private static string SafeId(string id)
    {
        var sb = new StringBuilder();
        foreach (var c in id) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        return sb.Length == 0 || sb[0] == '.' ? "_" + sb : sb.ToString();
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Line = new() { WriteIndented = false, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Read-modify-write of the table under its lock; <paramref name="change"/> says whether to write it back.</summary>
    private static T WithTable<T>(IJailHost host, DateTime deadline, CancellationToken ct, Func<List<LockRecord>, (T Result, bool Write)> change)
    {
        using var file = LockTable(host, deadline, ct);
        var text = file.ReadAll();
        var table = Parse(text);
        var (result, write) = change(table);
        if (write)
        {
            var sb = new StringBuilder();
            foreach (var r in table) sb.Append(JsonSerializer.Serialize(r, Line)).Append('\n');
            file.WriteAll(sb.ToString());
        }
        return result;
    }

    /// <summary>One JSON object per line; a line that does not parse (a torn write after a power loss) is dropped.</summary>
    internal static List<LockRecord> Parse(string text)
    {
        var list = new List<LockRecord>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize<LockRecord>(line) is { Id.Length: > 0 } r) list.Add(r);
            }
            catch (JsonException) { }
        }
        return list;
    }

    /// <summary>
    /// Makes sure <paramref name="folder"/> is a folder (creating it and its parents when missing). A file
    /// in the way, here or at a parent, is LockDirectoryInvalid naming it, never a raw System.IO exception.
    /// </summary>
    internal static void EnsureFolder(IJailHost host, string folder)
    {
        if (host.DirectoryExists(folder)) return;
        for (var p = folder; p.Length > 1; p = p[..Math.Max(1, p.LastIndexOf('/'))])
            if (host.FileExists(p))
                throw new PlanPreconditionException("LockDirectoryInvalid",
                    $"{p} is not a folder, so the module cannot keep its locks and journals in {folder}; move the file away (the module recreates the folder).",
                    p, PlanErrorKind.InvalidOperation);
        try { host.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlanPreconditionException("LockDirectoryInvalid", $"Cannot create the folder {folder} for the module's locks and journals: {e.Message}", folder, PlanErrorKind.InvalidOperation);
        }
    }

    private static IHostFileLock LockTable(IJailHost host, DateTime deadline, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            IHostFileLock? file;
            try { file = host.TryLockFile(TableFile); }
            catch (IOException) when (!host.DirectoryExists(Directory))
            {
                EnsureFolder(host, Directory);
                file = host.TryLockFile(TableFile);
            }
            if (file != null) return file;
            if (DateTime.UtcNow >= deadline)
                throw new PlanPreconditionException("ResourceLocked",
                    $"The module's lock table {TableFile} stayed locked by another process (it is held for microseconds only: is a pwsh process stopped?).",
                    TableFile, PlanErrorKind.ResourceBusy);
            ct.ThrowIfCancellationRequested();
            if (attempt < 20) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    /// <summary>Drops the lines whose owner process is gone; true when something was dropped.</summary>
    private static bool PruneDead(IJailHost host, string self, List<LockRecord> table, List<string> warnings)
    {
        if (table.Count == 0) return false;
        Dictionary<string, bool>? alive = null;
        int removed = table.RemoveAll(r =>
        {
            if (r.Owner == self) return false;
            alive ??= new Dictionary<string, bool>(StringComparer.Ordinal);
            if (!alive.TryGetValue(r.Owner, out var live)) alive[r.Owner] = live = IsAlive(host, r.Owner);
            if (live) return false;
            if (r.Steps is { Count: > 0 })
            {
                string where;
                try { where = SaveJournal(host, r); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { where = $"(not saved: {e.Message}) " + JsonSerializer.Serialize(r, Line); }
                warnings.Add($"An earlier operation was interrupted: {r.Describe()}. Some of its steps may have run; " +
                             $"its journal is {where}: check each step against the host and undo what ran.");
            }
            return true;
        });
        return removed > 0;
    }

    /// <summary>An owner is alive while its process holds the lock on its owner file.</summary>
    private static bool IsAlive(IJailHost host, string owner)
    {
        if (!OwnerName.IsMatch(owner)) return false; // not written by the module: nobody can hold it
        var path = Directory + "/" + owner;
        if (!host.FileExists(path)) return false;
        var file = host.TryLockFile(path);
        if (file is null) return true;
        file.Delete();
        return false;
    }
}

/// <summary>
/// The owner file (owner-PID-RANDOM.lock) under which one session's plans hold the host lock, kept
/// locked while the process runs (see <see cref="HostLock"/>): the kernel lets go of it when the
/// process dies, which is how the next plan knows a line of the table is dead. Each
/// <see cref="Session.JailSession"/> has one; nothing about it is kept in static tables.
/// </summary>
public sealed class HostLockOwner
{
    private readonly bool _transient;
    private IHostFileLock? _file;
    private int _users;

    public HostLockOwner(IJailHost host, bool transient = false)
    {
        Host = host ?? throw new ArgumentNullException(nameof(host));
        _transient = transient;
    }

    public IJailHost Host { get; }

    /// <summary>The owner file's name, once a plan made it ("" before).</summary>
    public string Name { get; private set; } = "";

    /// <summary>On Windows the file is let go between plans, so that a simulator folder can be deleted while pwsh runs; a transient owner always.</summary>
    private bool KeepOpen => !OperatingSystem.IsWindows() && !_transient;

    internal void Enter(DateTime deadline, CancellationToken ct)
    {
        lock (this)
        {
            if (_file is null) Open(deadline, ct);
            _users++;
        }
    }

    internal void Release()
    {
        lock (this)
        {
            if (--_users > 0 || KeepOpen || _file is null) return;
            _file.Delete();
            _file = null;
        }
    }

    private void Open(DateTime deadline, CancellationToken ct)
    {
        HostLock.EnsureFolder(Host, HostLock.Directory);
        RemoveDeadOwnerFiles();
        while (true)
        {
            var name = $"owner-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}.lock";
            var path = HostLock.Directory + "/" + name;
            var file = Host.TryLockFile(path);
            // Another process' clean-up may have locked and unlinked the new file between its
            // open(2) and our flock(2): then our lock is on a file without a name. Take a new one.
            if (file != null && Host.FileExists(path))
            {
                _file = file;
                Name = name;
                return;
            }
            file?.Dispose();
            if (DateTime.UtcNow >= deadline) throw new IOException($"Cannot create a lock owner file in {HostLock.Directory}.");
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Owner files of dead processes (lockable now): removed when an owner file is made.</summary>
    private void RemoveDeadOwnerFiles()
    {
        foreach (var f in Host.ListDirectory(HostLock.Directory, "owner-*.lock"))
        {
            var file = Host.TryLockFile(f);
            file?.Delete();
        }
    }
}

/// <summary>One line of the lock table: a plan, its owner process, its resources and (once it runs) its journal.</summary>
public sealed class LockRecord
{
    public string Id { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>The owner file (owner-PID-RANDOM.lock) its process keeps locked.</summary>
    public string Owner { get; set; } = "";
    public string Machine { get; set; } = "";
    public int Pid { get; set; }
    public DateTime Acquired { get; set; }
    public List<string> Resources { get; set; } = new();

    /// <summary>When the plan began its first step (null before: nothing has run).</summary>
    public DateTime? Started { get; set; }

    /// <summary>The plan's steps with their native commands or file edits (the journal); null before it runs.</summary>
    public List<JournalStep>? Steps { get; set; }

    public string Describe() => $"{Description} (plan {Id}, pid {Pid} on {Machine}, since {Acquired:u})";
}

/// <summary>One step in a journal.</summary>
public sealed class JournalStep
{
    public int Index { get; set; }
    public string Description { get; set; } = "";
    public List<string> Actions { get; set; } = new();

    /// <summary>How the step is taken back (command lines or file edits, in order); empty when it has no undo.</summary>
    public List<string> UndoActions { get; set; } = new();

    /// <summary>The step's native command as argv (program first), when it is one: what Repair-JailHost -Finish runs.</summary>
    public List<string>? Command { get; set; }

    /// <summary>The undo commands as argv (program first), when the undo is native commands: what Repair-JailHost -Undo runs.</summary>
    public List<List<string>>? UndoCommands { get; set; }

    /// <summary>False for a step that cannot be taken back (zfs destroy).</summary>
    public bool CanUndo { get; set; } = true;

    /// <summary>What the step is, for Repair-JailHost: command, write-file, delete-file, copy-file, create-folder, check, action.</summary>
    public string? Kind { get; set; }

    /// <summary>The file or folder a file step works on.</summary>
    public string? Path { get; set; }

    /// <summary>Whether a write-file step's file existed when the plan began (its undo deletes a file the plan created).</summary>
    public bool? FileExisted { get; set; }

    /// <summary>The text a write-file step writes (configs: small), so a dead plan can be finished.</summary>
    public string? Content { get; set; }

    /// <summary>A check step's test, re-run before a dead plan is finished ("unmounted PATH [SPECIAL]").</summary>
    public string? Check { get; set; }

    public string State { get; set; } = nameof(PlanStepState.Pending);
    public string? Error { get; set; }
}
