using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

public class JailParameterCatalogTests
{
    private static JailParameterCheck V(string name, params string[]? values) => JailParameterCatalog.Validate(name, values, null);

    [Fact]
    public void EveryReferenceParameterIsCatalogued()
    {
        foreach (var n in new[]
                 {
                     "exec.prepare", "exec.prestart", "exec.created", "exec.start", "command", "exec.poststart", "exec.prestop", "exec.stop",
                     "exec.poststop", "exec.release", "exec.clean", "exec.jail_user", "exec.system_jail_user", "exec.system_user", "exec.timeout",
                     "exec.consolelog", "exec.fib", "stop.timeout", "interface", "ip_hostname", "mount", "mount.fstab", "mount.devfs",
                     "mount.fdescfs", "mount.procfs", "allow.dying", "depend", "vnet.interface", "zfs.dataset",
                     "jid", "name", "path", "ip4.addr", "ip4.saddrsel", "ip4", "ip6.addr", "ip6.saddrsel", "ip6", "vnet", "host.hostname",
                     "host.domainname", "host.hostuuid", "host.hostid", "host", "securelevel", "devfs_ruleset", "children.max", "children.cur",
                     "enforce_statfs", "persist", "cpuset.id", "dying", "parent", "osrelease", "osreldate", "allow.set_hostname", "allow.sysvipc",
                     "allow.raw_sockets", "allow.chflags", "allow.mount", "allow.mount.devfs", "allow.quotas", "allow.socket_af", "allow.mlock",
                     "allow.setaudit", "allow.reserved_ports", "allow.mount.zfs", "sysvmsg", "sysvsem", "sysvshm", "linux", "linux.osname",
                 })
            Assert.NotNull(JailParameterCatalog.Find(n));
        Assert.True(JailParameterCatalog.Find("exec.start")!.IsPseudo);
        Assert.False(JailParameterCatalog.Find("persist")!.IsPseudo);
        Assert.Equal(JailParameterType.JailSys, JailParameterCatalog.Find("vnet")!.Type);
        Assert.Equal(JailParameterType.CommandList, JailParameterCatalog.Find("exec.start")!.Type);
    }

    [Theory]
    [InlineData("persist", null, true)]
    [InlineData("persist", "true", true)]
    [InlineData("persist", "FALSE", true)]
    [InlineData("persist", "0", true)]
    [InlineData("persist", "yes", false)]
    [InlineData("allow.nomount", null, true)]
    [InlineData("mount.devfs", "1", true)]
    [InlineData("devfs_ruleset", "4", true)]
    [InlineData("devfs_ruleset", "4x", false)]
    [InlineData("devfs_ruleset", null, false)]
    [InlineData("enforce_statfs", "3", false)]
    [InlineData("securelevel", "-1", true)]
    [InlineData("vnet", "new", true)]
    [InlineData("vnet", null, true)]
    [InlineData("vnet", "shared", false)]
    [InlineData("ip4", "inherit", true)]
    [InlineData("ip4.addr", "10.0.0.1", true)]
    [InlineData("ip4.addr", "em0|10.0.0.1/24", true)]
    [InlineData("ip4.addr", "10.0.0.1/255.255.255.0", true)]
    [InlineData("ip4.addr", "10.0.0.300", false)]
    [InlineData("ip4.addr", "fe80::1", false)]
    [InlineData("ip4.addr", "10.0.0.1/33", false)]
    [InlineData("ip4.addr", "10.0.0.1,10.0.0.2", true)]
    [InlineData("ip6.addr", "2001:db8::1/64", true)]
    [InlineData("ip6.addr", "10.0.0.1", false)]
    [InlineData("path", "/jails/web", true)]
    [InlineData("path", "jails/web", false)]
    [InlineData("host.hostname", "web.example.org", true)]
    [InlineData("exec.start", "/bin/sh /etc/rc", true)]
    [InlineData("children.cur", "1", false)]
    [InlineData("dying", null, false)]
    public void Validates(string name, string? value, bool ok)
    {
        var check = V(name, value is null ? null : new[] { value });
        Assert.True(ok == check.IsValid, check.Error);
        if (!ok) Assert.Contains(name, check.Error!);
    }

    [Fact]
    public void ListsAndScalars()
    {
        Assert.True(V("exec.start", "a", "b").IsValid);
        Assert.True(V("ip4.addr", "10.0.0.1", "10.0.0.2").IsValid);
        Assert.False(V("host.hostname", "a", "b").IsValid);
        Assert.False(V("persist", "1", "0").IsValid);
        Assert.False(V("x", "a\0b").IsValid);
    }

    [Fact]
    public void UnknownParameterWarnsOrFailsWithTheHostList()
    {
        var w = V("allow.future", null);
        Assert.True(w.IsValid);
        Assert.Contains("allow.future", w.Warning);
        var hostList = new[] { "persist", "allow.raw_sockets", "allow.future" };
        Assert.True(JailParameterCatalog.Validate("allow.future", null, hostList).IsValid);
        Assert.True(JailParameterCatalog.Validate("allow.nofuture", null, hostList).IsValid);
        var e = JailParameterCatalog.Validate("allow.other", null, hostList);
        Assert.False(e.IsValid);
        Assert.Contains("allow.other", e.Error);
        // a kernel parameter the host lacks; pseudo-parameters never depend on the kernel
        Assert.False(JailParameterCatalog.Validate("allow.vmm", null, hostList).IsValid);
        Assert.True(JailParameterCatalog.Validate("exec.start", new[] { "x" }, hostList).IsValid);
    }

    [Fact]
    public void HostListIsKeptPerSession()
    {
        // The host's security.jail.param list is the session's (no process-wide table by host name):
        // two sessions, even on hosts of one name, keep their own.
        var h1 = new global::JailsModule.Session.JailSession(new JailsModule.Tests.Plans.FakeHost());
        var h2 = new global::JailsModule.Session.JailSession(new JailsModule.Tests.Plans.FakeHost());
        Assert.Null(h1.SupportedParameters);
        h1.SupportedParameters = new[] { "persist", "allow.mount." };
        Assert.Contains("allow.mount", h1.SupportedParameters!);
        Assert.Null(h2.SupportedParameters);
        h1.SupportedParameters = null;
        Assert.Null(h1.SupportedParameters);
    }

    [Fact]
    public void BoolParamSemantics()
    {
        Assert.True(JailParameterValues.IsTrue(new ConfParameter("persist", null, "f", 1)));
        Assert.False(JailParameterValues.IsTrue(new ConfParameter("persist", new[] { "false" }, "f", 1)));
        Assert.True(JailParameterValues.IsTrue(new ConfParameter("persist", new[] { "0", "7" }, "f", 1)));
        Assert.False(JailParameterValues.IsTrue(new ConfParameter("allow.noraw_sockets", null, "f", 1)));
        Assert.Equal(-12, JailParameterValues.StrToL("  -12abc", out int end));
        Assert.Equal(5, end);
    }
}
