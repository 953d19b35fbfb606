using JailsModule.Host;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>
/// The out-of-process simulator: each command is a jailsim process (a real process boundary), and
/// must answer byte for byte what the in-process simulator answers for the same argv.
/// </summary>
public sealed class ToolProcessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jm-toolproc-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SimulatedHost _inProcess;
    private readonly SimulatedHost _outOfProcess;

    public ToolProcessTests()
    {
        _inProcess = new SimulatedHost(_dir);
        _outOfProcess = new SimulatedHost(_dir, outOfProcess: true);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static ProcessResult Run(SimulatedHost h, ProcessRequest r) => h.RunAsync(r, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void ArgvCrossesTheProcessBoundaryUnchanged()
    {
        // Arguments jailsim itself would take for options, shell metacharacters, an empty one, UTF-8.
        var tricky = new[] { "-d", "/elsewhere", "--", "-e", "X=1", "a b", "$(id)", "'q'", "\"dq\"", "x;y", "*", "", "été" };
        var r = new ProcessRequest("/bin/echo", tricky);
        var inside = Run(_inProcess, r);
        var outside = Run(_outOfProcess, r);
        Assert.Equal(0, outside.ExitCode);
        Assert.Equal(inside.StandardOutput, outside.StandardOutput);
        Assert.Equal(string.Join(' ', tricky) + "\n", outside.StandardOutput);
    }

    [Fact]
    public void ExitStatusStderrStdinAndEnvironmentCrossIt()
    {
        var fail = Run(_outOfProcess, new ProcessRequest("/sbin/zfs", new[] { "destroy", "zroot/none" }));
        Assert.Equal(1, fail.ExitCode);
        Assert.Equal("cannot open 'zroot/none': dataset does not exist\n", fail.StandardError);

        var cat = Run(_outOfProcess, new ProcessRequest("/bin/cat", Array.Empty<string>()) { StandardInput = "line 1\nline 2\n" });
        Assert.Equal("line 1\nline 2\n", cat.StandardOutput);

        var env = Run(_outOfProcess, new ProcessRequest("/usr/bin/env", Array.Empty<string>())
        { Environment = new Dictionary<string, string> { ["PAGER"] = "cat", ["B"] = "x=y z" } });
        var lines = env.StandardOutput.Split('\n');
        Assert.Contains("PAGER=cat", lines);
        Assert.Contains("B=x=y z", lines);
        Assert.Contains("LC_ALL=C", lines);
    }

    [Fact]
    public void AChangeMadeByTheProcessIsSeenInProcess()
    {
        var made = Run(_outOfProcess, new ProcessRequest("/sbin/zfs", new[] { "create", "-o", "mountpoint=/data", "zroot/data" }));
        Assert.Equal(0, made.ExitCode);
        var list = Run(_inProcess, new ProcessRequest("/sbin/zfs", new[] { "list", "-H", "-o", "name,mountpoint", "zroot/data" }));
        Assert.Equal("zroot/data\t/data\n", list.StandardOutput);
        Assert.True(_outOfProcess.DirectoryExists("/data"));
    }

    [Fact]
    public void AMissingProgramIsToolNotFoundAsAFailedExecIs()
    {
        File.Delete(_inProcess.Fs.Map("/usr/sbin/jls"));
        var ex = Assert.Throws<ToolNotFoundException>(() => Run(_outOfProcess, new ProcessRequest("/usr/sbin/jls", Array.Empty<string>())));
        Assert.Contains("/usr/sbin/jls", ex.Message);
    }

    [Fact]
    public void ArgumentsNameTheFolderThenTheProgramAfterDoubleDash()
    {
        var tp = ToolProcess.Locate();
        var argv = tp.Arguments("/tmp/sim", new ProcessRequest("/sbin/zfs", new[] { "list", "-H" })
        { Environment = new Dictionary<string, string> { ["Z"] = "1", ["A"] = "2" } });
        Assert.Equal(new[] { tp.Assembly, "-d", "/tmp/sim", "-e", "A=2", "-e", "Z=1", "--", "/sbin/zfs", "list", "-H" }, argv);
        Assert.True(File.Exists(tp.Dotnet));
    }
}
