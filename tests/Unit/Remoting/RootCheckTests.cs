using JailsModule.Host;
using JailsModule.Services;
using JailsModule.Simulation;
using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Remoting;

public sealed class RootCheckTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jm-root-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static Func<ProcessResult> IdU(SimulatedHost host, List<string> ran) => () =>
    {
        var req = new ProcessRequest(ToolPaths.Id, new[] { "-u" });
        ran.Add(req.DisplayText);
        return host.RunAsync(req, CancellationToken.None).GetAwaiter().GetResult();
    };

    [Fact]
    public void AsksIdUOncePerHostAndRemembersTheAnswer()
    {
        var host = new SimulatedHost(_dir);
        host.UpdateState(s => { s.Uid = 1001; s.UserName = "alice"; });
        var ran = new List<string>();
        var check = new global::JailsModule.Session.JailSession(host).Root;
        Assert.Equal(1001, check.Uid(IdU(host, ran)));
        host.UpdateState(s => s.Uid = 0);
        Assert.Equal(1001, check.Uid(IdU(host, ran)));
        Assert.Equal(new[] { "/usr/bin/id -u" }, ran);

        check.Forget();
        Assert.Equal(0, check.Uid(IdU(host, ran)));
        Assert.Equal(2, ran.Count);

        // A new session (Connect-JailHost) asks again: nothing is remembered per host object.
        Assert.Equal(0, new global::JailsModule.Session.JailSession(host).Root.Uid(IdU(host, ran)));
        Assert.Equal(3, ran.Count);
    }

    [Fact]
    public void AnUnreadableAnswerIsUnknownNotRoot()
    {
        var host = new SimulatedHost(_dir);
        host.UpdateState(s => s.Faults.Add(new SimFault { Pattern = "id -u", ExitCode = 1, StandardError = "id: simulated" }));
        Assert.Null(new RootCheck().Uid(IdU(host, new List<string>())));
        var other = new SimulatedHost(_dir + "-2");
        try
        {
            Assert.Null(new RootCheck().Uid(() => new ProcessResult(0, "alice\n", "")));
        }
        finally
        {
            Directory.Delete(other.Directory, recursive: true);
        }
    }

    [Fact]
    public void TheMessageNamesHostUidAndEveryFix()
    {
        var m = RootCheck.Message("Stop-Jail", "bsd1.example.org", 1001);
        Assert.Contains("Stop-Jail changes jails on bsd1.example.org", m);
        Assert.Contains("uid 1001", m);
        Assert.Contains("Subsystem powershell /usr/local/bin/sudo /usr/local/bin/pwsh -sshs -NoLogo", m);
        Assert.Contains("/usr/local/bin/doas /usr/local/bin/pwsh -sshs -NoLogo", m);
        Assert.Contains("about_JailsModule_Remoting", m);
    }

    [Theory]
    [InlineData("bsd2.example.org", true)]
    [InlineData("bsd-2", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("-bsd", false)]
    [InlineData("bsd-.example.org", false)]
    [InlineData("bsd..example.org", false)]
    [InlineData("bsd_2", false)]
    [InlineData("bsd 2", false)]
    public void HostnamesFollowRfc1123(string name, bool ok)
    {
        Assert.Equal(ok, SimulatedHost.CheckHostname(name) is null);
        if (!ok) Assert.Contains($"'{name}'", SimulatedHost.CheckHostname(name));
    }

    [Fact]
    public void SetHostnameRenamesTheMachineEverywhereTheSystemKeepsIt()
    {
        var host = new SimulatedHost(_dir);
        host.SetHostname("bsd2.example.org");
        Assert.Equal("bsd2.example.org", host.ComputerName);
        Assert.Equal("bsd2.example.org", new SimulatedHost(_dir).ComputerName);
        Assert.Equal("bsd2.example.org", host.ReadState().Sysctls["kern.hostname"]);
        var rc = host.ReadAllText("/etc/rc.conf");
        Assert.StartsWith("hostname=\"bsd2.example.org\"\n", rc);
        Assert.Single(rc.Split('\n'), l => l.StartsWith("hostname=", StringComparison.Ordinal));
        Assert.Contains("sshd_enable=\"YES\"\n", rc);
        Assert.Throws<ArgumentException>(() => host.SetHostname("bad name"));
    }
}
