using JailsModule.Host;
using JailsModule.Simulation;
using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests;

public sealed class SimulatorCoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jm-sim-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task FreshHostHasNoJailsAndJlsPrintsAnEmptyLibxoList()
    {
        var host = new SimulatedHost(_dir);
        var r = await host.RunAsync(JlsTool.ListAll(), CancellationToken.None);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("{\"__version\": \"2\", \"jail-information\": {\"jail\": []}}\n", r.StandardOutput);
        Assert.Empty(JlsTool.ParseJson(r.StandardOutput));
    }

    [Fact]
    public async Task InjectedFaultFiresOnTheNthMatchOnlyAndIsLogged()
    {
        var host = new SimulatedHost(_dir);
        host.UpdateState(s => s.Faults.Add(new SimFault { Pattern = "jls *", Occurrence = 2, ExitCode = 3, StandardError = "jls: boom" }));
        var first = await host.RunAsync(JlsTool.ListAll(), CancellationToken.None);
        var second = await host.RunAsync(JlsTool.ListAll(), CancellationToken.None);
        var third = await host.RunAsync(JlsTool.ListAll(), CancellationToken.None);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(3, second.ExitCode);
        Assert.Equal("jls: boom\n", second.StandardError);
        Assert.Equal(0, third.ExitCode);
        Assert.Empty(host.ReadState().Faults);
        var log = host.ReadLog();
        Assert.Equal(3, log.Count);
        Assert.Equal(JlsTool.ListAll().Arguments, log[1].Arguments);
    }

    [Fact]
    public async Task MissingToolIsToolNotFound()
    {
        var host = new SimulatedHost(_dir);
        await Assert.ThrowsAsync<ToolNotFoundException>(() =>
            host.RunAsync(new ProcessRequest("/usr/local/bin/nonexistent", Array.Empty<string>()), CancellationToken.None));
    }

    [Fact]
    public void FilePathsCannotEscapeTheSimulatorFolder()
    {
        var host = new SimulatedHost(_dir);
        host.WriteAllTextAtomic("/../../etc/x.conf", "a");
        Assert.True(File.Exists(Path.Combine(_dir, "fs", "etc", "x.conf")));
    }

    [Theory]
    [InlineData("jail -c *", "jail -c name=a persist", true)]
    [InlineData("jail -c *", "jail -r a", false)]
    [InlineData("zfs clone *@base *", "zfs clone zroot/t@base zroot/j", true)]
    [InlineData("ifconfig epair[0-9] create", "ifconfig epair3 create", true)]
    public void GlobMatchesCommandLines(string pattern, string line, bool expected)
        => Assert.Equal(expected, SimGlob.IsMatch(line, pattern));
}
