using JailsModule.Config;
using JailsModule.Host;

namespace JailsModule.Services;

/// <summary>
/// Parsed jail.conf files of one host, kept between calls so that the jail list (Get-Jail, the
/// name check of New-Jail) does not parse every /etc/jail.conf.d file again each time: parsing was
/// most of New-Jail's own time once a host has a few dozen jails (bench/NewJail.Bench.ps1).
///
/// A cached parse is reused only when the file is provably unchanged:
/// <list type="bullet">
/// <item>by its stamp (size and mtime, one stat), but only when the mtime was already older than
/// the racy window (<see cref="RacyWindow"/>) when the file was read. File times have a coarse
/// granularity (the kernel's tick, 1/HZ, on Linux and FreeBSD; whole seconds with FreeBSD's
/// vfs.timestamp_precision=0), so a file changed again within the same tick with the same size
/// would keep its stamp; a file that old cannot have been changed in the tick it was read in
/// without getting a newer mtime (git's "racily clean" rule). The window is
/// <see cref="FineRacyWindow"/> for an mtime with a sub-second part (the file system keeps
/// sub-second times: its tick is 10 ms at worst, HZ=100) and <see cref="CoarseRacyWindow"/> for
/// one on a whole second (maybe a seconds-only file system). Both rest on the host's clock and
/// its file times agreeing (they come from the same kernel);</item>
/// <item>otherwise by its content: the file is read (no parse) and compared with the cached text.</item>
/// <item>A symbolic link's stamp is its target's (IJailHost.GetFileInfo follows links like stat(2)).</item>
/// </list>
/// A file with an <c>.include</c> is never cached (what it pulls in can change without it), and
/// neither is one that could not be read. New files are parsed, removed ones are dropped. The
/// parse results are shared between callers and must not be changed.
///
/// Each session (<see cref="Session.JailSession.ConfFiles"/>) has its own cache: nothing is shared
/// between connections.
/// </summary>
public sealed class ConfFileCache
{
    /// <summary>The racy window of an mtime with a sub-second part: ten ticks at HZ=100.</summary>
    public static readonly TimeSpan FineRacyWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>The racy window of an mtime on a whole second (a file system may keep seconds only).</summary>
    public static readonly TimeSpan CoarseRacyWindow = TimeSpan.FromSeconds(2);

    /// <summary>How old an mtime must be (relative to the read) before the stamp alone is trusted.</summary>
    public static TimeSpan RacyWindow(DateTime mtime)
        => mtime.Ticks % TimeSpan.TicksPerSecond != 0 ? FineRacyWindow : CoarseRacyWindow;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private sealed record Entry(string Text, ConfLoadResult Result, long Length, DateTime Mtime, bool StampTrusted);

    /// <summary>How many files are cached (for tests).</summary>
    public int Count { get { lock (_gate) return _entries.Count; } }

    /// <summary>Parses done by this cache so far (for tests: a reuse does not count).</summary>
    public int Parses => _parses;

    private int _parses;

    /// <summary>
    /// What <c>JailConf.Load(path, source)</c> returns for the file, reusing the cached parse when
    /// the file is unchanged. <paramref name="info"/> is the file's stat when the caller has it.
    /// </summary>
    public ConfLoadResult Load(IJailHost host, string path, IConfFileSource source, HostFileInfo? info = null)
    {
        var now = DateTime.UtcNow; // before the stat: a write after it gets a newer mtime
        info ??= host.GetFileInfo(path);
        Entry? old;
        lock (_gate) _entries.TryGetValue(path, out old);
        if (info is null || info.IsDirectory)
        {
            Forget(path);
            return Fresh(path, source);
        }
        if (old != null && old.StampTrusted && old.Length == info.Length && old.Mtime == info.LastWriteTimeUtc)
            return old.Result;
        string text;
        try { text = host.ReadRegularFile(path, BoundedFile.MaxConfigFileBytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Forget(path);
            return Fresh(path, source); // reports the error exactly as the engine does
        }
        bool trusted = now - info.LastWriteTimeUtc > RacyWindow(info.LastWriteTimeUtc);
        if (old != null && string.Equals(old.Text, text, StringComparison.Ordinal))
        {
            lock (_gate) _entries[path] = old with { Length = info.Length, Mtime = info.LastWriteTimeUtc, StampTrusted = trusted };
            return old.Result;
        }
        Interlocked.Increment(ref _parses);
        var result = JailConf.LoadText(text, path, source);
        if (text.Contains(".include", StringComparison.Ordinal)) Forget(path);
        else lock (_gate) _entries[path] = new Entry(text, result, info.Length, info.LastWriteTimeUtc, trusted);
        return result;
    }

    /// <summary>Drops every cached file that is not in <paramref name="present"/> (files removed from the host).</summary>
    public void Retain(IReadOnlySet<string> present)
    {
        lock (_gate)
            foreach (var k in _entries.Keys.Where(k => !present.Contains(k)).ToList())
                _entries.Remove(k);
    }

    private void Forget(string path)
    {
        lock (_gate) _entries.Remove(path);
    }

    private ConfLoadResult Fresh(string path, IConfFileSource source)
    {
        Interlocked.Increment(ref _parses);
        return JailConf.Load(path, source);
    }
}
