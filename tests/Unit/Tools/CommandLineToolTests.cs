using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Tools;

/// <summary>argv builders of jail(8), jexec(8) and the host probe, and the probe's parsers.</summary>
public sealed class CommandLineToolTests
{
    [Fact]
    public void JailArgvAreTheRcDJailForms()
    {
        Assert.Equal("/usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web", JailTool.Start("web", "/etc/jail.conf.d/web.conf").DisplayText);
        Assert.Equal("/usr/sbin/jail -q -f /etc/jail.conf.d/web.conf -r web", JailTool.Stop("web", "/etc/jail.conf.d/web.conf").DisplayText);
        Assert.Equal("/usr/sbin/jail -q -r web", JailTool.Stop("web", null).DisplayText);
        Assert.Equal("/usr/sbin/jail -f /etc/jail.conf -rc web", JailTool.Restart("web", "/etc/jail.conf").DisplayText);
        Assert.Equal(new[] { "-f", "/etc/jail.conf", "-e", "|" }, JailTool.Show("/etc/jail.conf", "|").Arguments);
    }

    [Fact]
    public void JexecArgv()
    {
        Assert.Equal(new[] { "web", "ls", "-l" }, JexecTool.Exec("web", new[] { "ls", "-l" }).Arguments);
        Assert.Equal(new[] { "-l", "-U", "www", "web", "id" }, JexecTool.Exec("web", new[] { "id" }, jailUser: "www", clean: true).Arguments);
        Assert.Equal(new[] { "-u", "admin", "web" }, JexecTool.Exec("web", Array.Empty<string>(), hostUser: "admin").Arguments);
        Assert.Equal("/usr/sbin/jexec", JexecTool.Exec("web", new[] { "id" }).FileName);
        Assert.Equal("echo hi\n", JexecTool.Exec("web", new[] { "/bin/sh" }, stdin: "echo hi\n").StandardInput);
        Assert.Throws<ArgumentException>(() => JexecTool.Exec("web", new[] { "id" }, jailUser: "a", hostUser: "b"));
    }

    [Theory]
    [InlineData("root", true)]
    [InlineData("www", true)]
    [InlineData("svc_backup-1", true)]
    [InlineData("-rf", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    [InlineData("x;rm", false)]
    public void UserNames(string user, bool ok)
        => Assert.Equal(ok, JexecTool.CheckUserName(user) is null);

    [Fact]
    public void ProbeArgv()
    {
        // freebsd-version.sh.in: -k the installed kernel, -r the running one, -u the userland (reference §17.11).
        Assert.Equal("/bin/freebsd-version -k -r -u", HostProbeTool.FreebsdVersion().DisplayText);
        Assert.Equal("/sbin/sysctl -i -e hw.machine_arch kern.features.vimage kern.racct.enable security.jail.jailed", HostProbeTool.Sysctl().DisplayText);
        // sysctl.c skips the opaque ip4.addr/ip6.addr in the value form; -N lists every name (§17.5).
        Assert.Equal("/sbin/sysctl -N security.jail.param", HostProbeTool.JailParameters().DisplayText);
        Assert.Equal("/usr/bin/id -u", HostProbeTool.Id().DisplayText);
        Assert.Equal("/sbin/kldstat", HostProbeTool.Kldstat().DisplayText);
    }

    [Fact]
    public void ProbeParsers()
    {
        Assert.Equal(new[] { "14.3-RELEASE-p3", "14.3-RELEASE", "14.3-RELEASE-p2" }, HostProbeTool.ParseFreebsdVersion("14.3-RELEASE-p3\n14.3-RELEASE\n14.3-RELEASE-p2\n"));
        var s = HostProbeTool.ParseSysctlE("hw.machine_arch=amd64\nkern.features.vimage=1\n");
        Assert.Equal("amd64", s["hw.machine_arch"]);
        var names = HostProbeTool.ParseNames("security.jail.param.allow.mount.\nsecurity.jail.param.allow.mount.zfs\nsecurity.jail.param.vnet.\nsecurity.jail.param.host.hostname\nsecurity.jail.param.ip4.addr\n");
        Assert.Equal(new[] { "allow.mount", "allow.mount.zfs", "host.hostname", "ip4.addr", "vnet" }, HostProbeTool.JailParameterNames(names));
        // §12 kldstat table: Id Refs Address Size Name.
        const string kld = "Id Refs Address                Size Name\n 1   34 0xffffffff80200000  1f3a0f8 kernel\n 2    1 0xffffffff82140000   5e3d98 zfs.ko\n";
        Assert.Equal(new[] { "kernel", "zfs.ko" }, HostProbeTool.ParseKldstat(kld));
    }
}
