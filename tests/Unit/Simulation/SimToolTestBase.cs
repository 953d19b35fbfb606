using JailsModule.Host;
using JailsModule.Simulation;

namespace JailsModule.Tests.Simulation;

/// <summary>A fresh simulator folder per test, and a one-liner to run a simulated program.</summary>
public abstract class SimToolTestBase : IDisposable
{
    protected readonly string Dir = Path.Combine(Path.GetTempPath(), "jm-simtool-" + Guid.NewGuid().ToString("N")[..8]);
    protected readonly SimulatedHost Host;

    protected SimToolTestBase()
    {
        Host = new SimulatedHost(Dir);
    }

    public void Dispose()
    {
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }

    protected ProcessResult Run(string tool, params string[] args)
        => Host.RunAsync(new ProcessRequest(tool, args), CancellationToken.None).GetAwaiter().GetResult();

    protected ProcessResult Zfs(params string[] args) => Run("/sbin/zfs", args);

    /// <summary>Runs and asserts success, returning stdout.</summary>
    protected string Ok(string tool, params string[] args)
    {
        var r = Run(tool, args);
        if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException($"{tool} {string.Join(' ', args)} exited {r.ExitCode}: {r.StandardError}");
        return r.StandardOutput;
    }

    protected string Real(string freebsdPath) => Host.Fs.Map(freebsdPath);
}
