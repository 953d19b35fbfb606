using System.Collections.Concurrent;
using JailsModule.Host;

namespace JailsModule.Tests.Plans;

/// <summary>An in-memory host for plan tests: files in a dictionary, commands answered by a handler and recorded.</summary>
internal sealed class FakeHost : IJailHost
{
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, bool> Dirs { get; } = new(StringComparer.Ordinal);
    public List<string> Commands { get; } = new();
    public Func<ProcessRequest, ProcessResult> Handler { get; set; } = _ => new ProcessResult(0, "", "");
    private readonly object _gate = new();

    public string ComputerName => "fake";
    public JailHostKind Kind => JailHostKind.Simulator;

    public Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken)
    {
        lock (_gate) Commands.Add(request.DisplayText);
        return Task.FromResult(Handler(request));
    }

    public bool FileExists(string path) => Files.ContainsKey(path);
    public bool DirectoryExists(string path) => path == "/" || Dirs.ContainsKey(path.TrimEnd('/'));
    public string ReadAllText(string path) => System.Text.Encoding.UTF8.GetString(ReadAllBytes(path));
    public byte[] ReadAllBytes(string path) => Files.TryGetValue(path, out var b) ? b : throw new FileNotFoundException(path);

    /// <summary>File modes as a FreeBSD host keeps them: an atomic write keeps the old file's mode (or gives a new one newFileMode), a plain write of a new file gets 0644 (umask 022).</summary>
    public ConcurrentDictionary<string, int> Modes { get; } = new(StringComparer.Ordinal);

    public void WriteAllTextAtomic(string path, string content, int? newFileMode = null)
    {
        if (!Files.ContainsKey(path)) Modes[path] = newFileMode ?? 0x1A4;
        Files[path] = System.Text.Encoding.UTF8.GetBytes(content);
    }
    public void WriteAllBytes(string path, byte[] content)
    {
        if (!Files.ContainsKey(path)) Modes[path] = 0x1A4;
        Files[path] = content;
    }

    public IReadOnlyList<string> ListDirectory(string path, string pattern = "*")
    {
        var prefix = path.TrimEnd('/') + "/";
        return Files.Keys.Concat(Dirs.Keys)
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !k[prefix.Length..].Contains('/'))
            .Where(k => global::JailsModule.Simulation.SimGlob.IsMatch(k[prefix.Length..], pattern))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
    }

    public HostFileInfo? GetFileInfo(string path)
        => Files.TryGetValue(path, out var b) ? new HostFileInfo(path, false, b.Length, DateTime.UtcNow, Modes.TryGetValue(path, out var m) ? m : 0x1A4) : null;

    public void CreateDirectory(string path)
    {
        var p = path.TrimEnd('/');
        while (p.Length > 0) { Dirs[p] = true; p = p[..p.LastIndexOf('/')]; }
    }

    public void Rename(string from, string to) { Files[to] = Files[from]; Files.TryRemove(from, out _); }
    public void DeleteFile(string path) { Files.TryRemove(path, out _); Modes.TryRemove(path, out _); }
    public void DeleteDirectory(string path) => Dirs.TryRemove(path, out _);

    public bool TryCreateFileExclusive(string path, string content, int? newFileMode = null)
        => Files.TryAdd(path, System.Text.Encoding.UTF8.GetBytes(content));

    /// <summary>Files locked now (as flock(2) would: one holder per file, this process included).</summary>
    public ConcurrentDictionary<string, FakeLock> Held { get; } = new(StringComparer.Ordinal);

    public IHostFileLock? TryLockFile(string path)
    {
        var dir = path[..path.LastIndexOf('/')];
        if (!DirectoryExists(dir)) throw new DirectoryNotFoundException(dir);
        var l = new FakeLock(this, path);
        if (!Held.TryAdd(path, l)) return null;
        Files.TryAdd(path, Array.Empty<byte>());
        return l;
    }

    internal sealed class FakeLock : IHostFileLock
    {
        private readonly FakeHost _h;
        public FakeLock(FakeHost h, string path) { _h = h; Path = path; }
        public string Path { get; }
        public string ReadAll() => _h.ReadAllText(Path);
        public void WriteAll(string content) => _h.Files[Path] = System.Text.Encoding.UTF8.GetBytes(content);
        public void Delete() { _h.Files.TryRemove(Path, out _); Dispose(); }
        public void Dispose() => _h.Held.TryRemove(new KeyValuePair<string, FakeLock>(Path, this));
    }
}
