using JailsModule.Config;

namespace JailsModule.Simulation;

/// <summary>The config engine's file source for the simulator's own tools (jail(8) reading jail.conf inside the simulator).</summary>
public sealed class SimConfSource : IConfFileSource
{
    private readonly SimFileSystem _fs;

    public SimConfSource(SimFileSystem fs) => _fs = fs;

    public bool FileExists(string path) => _fs.FileExists(path);
    public string ReadAllText(string path) => _fs.ReadAllText(path);
    public IReadOnlyList<string> Glob(string pattern) => _fs.Glob(pattern);
}
