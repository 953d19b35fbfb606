using JailsModule.Host;
using Xunit;

namespace JailsModule.Tests;

/// <summary>LocalHost runs real processes through CliWrap; these run on the build machine's own tools.</summary>
public sealed class LocalHostTests
{
    private readonly LocalHost _host = new();

    [Fact]
    public async Task ArgumentsReachTheProgramUnchangedWithoutAShell()
    {
        var tricky = new[] { "a b", "$(id)", "'q'", "\"dq\"", "x;y", "*" };
        var r = await _host.RunAsync(new ProcessRequest("/usr/bin/printf", new[] { "%s\\n" }.Concat(tricky)), CancellationToken.None);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Join("\n", tricky) + "\n", r.StandardOutput);
    }

    [Fact]
    public async Task EveryProcessGetsLcAllC()
    {
        var r = await _host.RunAsync(new ProcessRequest("/usr/bin/env", Array.Empty<string>()), CancellationToken.None);
        Assert.Contains("LC_ALL=C", r.StandardOutput.Split('\n'));
    }

    [Fact]
    public async Task StandardInputAndErrorAndExitCodeAreCarried()
    {
        var r = await _host.RunAsync(new ProcessRequest("/bin/sh", new[] { "-c", "cat; echo oops >&2; exit 3" }) { StandardInput = "in\n" }, CancellationToken.None);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("in\n", r.StandardOutput);
        Assert.Equal("oops", r.ErrorText);
    }

    [Fact]
    public async Task CancellationStopsARunningCommand()
    {
        using var cts = new CancellationTokenSource();
        var task = _host.RunAsync(new ProcessRequest("/bin/sleep", new[] { "300" }), cts.Token);
        cts.CancelAfter(200);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task AMissingToolIsToolNotFound()
    {
        var ex = await Assert.ThrowsAsync<ToolNotFoundException>(() =>
            _host.RunAsync(new ProcessRequest("/nonexistent/tool", Array.Empty<string>()), CancellationToken.None));
        Assert.Equal("/nonexistent/tool", ex.Tool);
    }

    [Fact]
    public void RelativeToolPathsAreRefused()
        => Assert.Throws<ArgumentException>(() => new ProcessRequest("jail", new[] { "-c" }));

    [Fact]
    public void AtomicWriteKeepsTheModeOfTheFileItReplaces()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jm-local-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var f = Path.Combine(dir, "web.conf");
            File.WriteAllText(f, "old");
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            _host.WriteAllTextAtomic(f, "new");
            Assert.Equal("new", File.ReadAllText(f));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            Assert.Single(Directory.GetFiles(dir)); // no temp file left behind
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
