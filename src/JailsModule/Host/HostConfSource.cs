using JailsModule.Config;

namespace JailsModule.Host;

/// <summary>Lets the config engine read files and expand .include globs through the host boundary.</summary>
public sealed class HostConfSource : IConfFileSource
{
    private readonly IJailHost _host;

    public HostConfSource(IJailHost host) => _host = host;

    public bool FileExists(string path) => _host.FileExists(path);
    public string ReadAllText(string path) => _host.ReadRegularFile(path, BoundedFile.MaxConfigFileBytes);

    /// <summary>glob(3) on the host, as jail(8) expands <c>.include</c> (<see cref="HostGlob"/>).</summary>
    public IReadOnlyList<string> Glob(string pattern) => HostGlob.Expand(_host, pattern);
}
