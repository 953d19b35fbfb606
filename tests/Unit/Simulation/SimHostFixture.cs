using JailsModule.Host;
using JailsModule.Simulation;

namespace JailsModule.Tests.Simulation;

/// <summary>A fresh simulated host in a temp folder, and a one-line way to run a tool on it.</summary>
public abstract class SimHostTestBase : IDisposable
{
    protected readonly string Dir = Path.Combine(Path.GetTempPath(), "jm-simtool-" + Guid.NewGuid().ToString("N")[..8]);
    protected readonly SimulatedHost Host;

    protected SimHostTestBase()
    {
        Host = new SimulatedHost(Dir);
    }

    public void Dispose()
    {
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }

    protected ProcessResult Run(string tool, params string[] args)
        => Host.RunAsync(new ProcessRequest(tool, args), CancellationToken.None).GetAwaiter().GetResult();

    protected ProcessResult RunIn(string stdin, string tool, params string[] args)
        => Host.RunAsync(new ProcessRequest(tool, args) { StandardInput = stdin }, CancellationToken.None).GetAwaiter().GetResult();

    protected ProcessResult Jail(params string[] args) => Run("/usr/sbin/jail", args);
    protected ProcessResult Jls(params string[] args) => Run("/usr/sbin/jls", args);
    protected ProcessResult Jexec(params string[] args) => Run("/usr/sbin/jexec", args);

    protected void MkDir(string path) => Host.CreateDirectory(path);
    protected void Write(string path, string text) => Host.Fs.WriteAllText(path, text);
    protected string Read(string path) => Host.ReadAllText(path);

    /// <summary>A jail root with the simulated base userland installed.</summary>
    protected string Root(string path, string? release = null)
    {
        SimSeed.InstallUserland(Host.Fs, path, release);
        return path;
    }

    protected SimState State => Host.ReadState();

    /// <summary>The tool failed with exit 1 and exactly this stderr.</summary>
    protected static void AssertFails(ProcessResult r, string stderr) => Xunit.Assert.Equal((1, stderr), (r.ExitCode, r.StandardError));
}
