namespace JailsModule.Simulation.Conf;

/// <summary>The files a simulated tool sees from where it runs: paths as the host or a jail names them, read through the simulated file system.</summary>
public sealed class SimJailViewFiles : ISimConfFiles
{
    private readonly SimFileSystem _fs;
    private readonly SimJail? _root;

    public SimJailViewFiles(SimFileSystem fs, SimJail? root)
    {
        _fs = fs;
        _root = root;
    }

    public bool FileExists(string path) => _fs.FileExists(SimExec.HostPath(_root, path));

    public string ReadAllText(string path) => _fs.ReadAllText(SimExec.HostPath(_root, path));

    public IReadOnlyList<string> Glob(string pattern)
        => _fs.Glob(SimExec.HostPath(_root, pattern)).Select(p => SimExec.ViewPath(_root, p)).ToList();
}
