using JailsModule.Host;

namespace JailsModule.Tests.Simulation;

/// <summary>The zfs/fetch/tar/mount tests' conveniences on top of the common simulated-host test base.</summary>
public abstract class SimToolTestBase : SimHostTestBase
{
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
