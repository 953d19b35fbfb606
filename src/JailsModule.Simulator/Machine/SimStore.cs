using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JailsModule.Simulation;

/// <summary>
/// Loads and saves a simulator folder's state.json under an exclusive lock (DIR/.lock), so several
/// processes (a test, a remoting session, a parallel runspace) can share one simulated host.
/// </summary>
public sealed class SimStore
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcess = new(StringComparer.Ordinal);

    private SimState? _cached;
    private DateTime _cachedStamp;
    private long _cachedLength;

    public SimStore(string directory)
    {
        Directory = System.IO.Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        Fs = new SimFileSystem(System.IO.Path.Combine(Directory, "fs"));
        StatePath = System.IO.Path.Combine(Directory, "state.json");
        LogPath = System.IO.Path.Combine(Directory, "commands.log");
    }

    public string Directory { get; }
    public string StatePath { get; }
    public string LogPath { get; }
    public SimFileSystem Fs { get; }

    /// <summary>Runs an action on the state under the host lock; saves when it says the state changed.</summary>
    public T WithState<T>(Func<SimState, (T Result, bool Dirty)> action, CancellationToken cancellationToken = default)
    {
        var gate = InProcess.GetOrAdd(Directory, _ => new SemaphoreSlim(1, 1));
        gate.Wait(cancellationToken);
        try
        {
            using var fileLock = AcquireFileLock(cancellationToken);
            var state = Load();
            bool ok = false;
            try
            {
                var (result, dirty) = action(state);
                if (dirty) Save(state);
                ok = true;
                return result;
            }
            finally
            {
                if (!ok) _cached = null; // a half-applied change in memory must not survive
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public SimState Read() => WithState(s => (s, false));

    private FileStream AcquireFileLock(CancellationToken ct)
    {
        var path = System.IO.Path.Combine(Directory, ".lock");
        var delay = 1;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                ct.ThrowIfCancellationRequested();
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 50);
            }
        }
    }

    private SimState Load()
    {
        var fi = new FileInfo(StatePath);
        if (!fi.Exists)
        {
            var fresh = SimSeed.NewHost();
            SimSeed.PopulateFileTree(Fs);
            Save(fresh);
            Fs.Mounts = fresh.Mounts;
            return fresh;
        }
        if (_cached != null && fi.LastWriteTimeUtc == _cachedStamp && fi.Length == _cachedLength)
        {
            Fs.Mounts = _cached.Mounts;
            return _cached;
        }
        using var stream = File.OpenRead(StatePath);
        var state = JsonSerializer.Deserialize<SimState>(stream, JsonOptions)
            ?? throw new InvalidDataException($"{StatePath} is empty.");
        Remember(state, fi);
        Fs.Mounts = state.Mounts;
        return state;
    }

    private void Save(SimState state)
    {
        var tmp = StatePath + ".tmp";
        using (var stream = File.Create(tmp))
            JsonSerializer.Serialize(stream, state, JsonOptions);
        File.Move(tmp, StatePath, overwrite: true);
        Remember(state, new FileInfo(StatePath));
    }

    private void Remember(SimState state, FileInfo fi)
    {
        fi.Refresh();
        _cached = state;
        _cachedStamp = fi.LastWriteTimeUtc;
        _cachedLength = fi.Length;
    }

    public void AppendLog(string line)
    {
        File.AppendAllText(LogPath, line + "\n");
    }
}
