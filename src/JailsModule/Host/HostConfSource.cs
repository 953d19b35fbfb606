using JailsModule.Config;
using JailsModule.Simulation;

namespace JailsModule.Host;

/// <summary>Lets the config engine read files and expand .include globs through the host boundary.</summary>
public sealed class HostConfSource : IConfFileSource
{
    private readonly IJailHost _host;

    public HostConfSource(IJailHost host) => _host = host;

    public bool FileExists(string path) => _host.FileExists(path);
    public string ReadAllText(string path) => _host.ReadRegularFile(path, BoundedFile.MaxConfigFileBytes);

    public IReadOnlyList<string> Glob(string pattern)
    {
        var parts = SimFileSystem.Normalize(pattern).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { "/" };
        foreach (var part in parts)
        {
            var next = new List<string>();
            foreach (var dir in current)
            {
                if (!SimGlob.HasMagic(part))
                {
                    var p = dir == "/" ? "/" + part : dir + "/" + part;
                    if (_host.FileExists(p) || _host.DirectoryExists(p)) next.Add(p);
                    continue;
                }
                foreach (var e in _host.ListDirectory(dir, "*"))
                {
                    var name = e[(e.LastIndexOf('/') + 1)..];
                    if (name.StartsWith('.') && !part.StartsWith('.')) continue;
                    if (SimGlob.IsMatch(name, part)) next.Add(e);
                }
            }
            current = next;
        }
        current.Sort(StringComparer.Ordinal);
        return current;
    }
}

/// <summary>The same for the simulator's own tools (jail(8) reading jail.conf inside the simulator).</summary>
public sealed class SimConfSource : IConfFileSource
{
    private readonly SimFileSystem _fs;

    public SimConfSource(SimFileSystem fs) => _fs = fs;

    public bool FileExists(string path) => _fs.FileExists(path);
    public string ReadAllText(string path) => _fs.ReadAllText(path);
    public IReadOnlyList<string> Glob(string pattern) => _fs.Glob(pattern);
}
