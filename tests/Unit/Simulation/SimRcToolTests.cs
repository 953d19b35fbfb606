using JailsModule.Host;
using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>sysrc(8) (reference §9) and service jail (reference §6) on the simulated host.</summary>
public sealed class SimRcToolTests : SimHostTestBase
{
    private ProcessResult Sysrc(params string[] a) => Run("/usr/sbin/sysrc", a);
    private ProcessResult Service(params string[] a) => Run("/usr/sbin/service", a);

    [Fact]
    public void Sysrc_SetPrintsOldIncludingDefaultsAndAppendsToRcConf()
    {
        Assert.Equal("gateway_enable: NO -> YES\n", Sysrc("gateway_enable=YES").StandardOutput);
        Assert.EndsWith("gateway_enable=\"YES\"\n", Read("/etc/rc.conf"));
        Assert.Equal("natd_interface:  -> em0\n", Sysrc("natd_interface=em0").StandardOutput);
        Assert.Equal("sshd_enable: YES -> NO\n", Sysrc("sshd_enable=NO").StandardOutput);
        Assert.Contains("\nsshd_enable=\"NO\"\n", Read("/etc/rc.conf"));
        Assert.Single(Read("/etc/rc.conf").Split('\n'), l => l.StartsWith("sshd_enable=", StringComparison.Ordinal));
    }

    [Fact]
    public void Sysrc_GetForms()
    {
        Assert.Equal("sshd_enable: YES\n", Sysrc("sshd_enable").StandardOutput);
        Assert.Equal("YES\n", Sysrc("-n", "sshd_enable").StandardOutput);
        Assert.Equal("sshd_enable=\"YES\"\n", Sysrc("-e", "sshd_enable").StandardOutput);
        Assert.Equal("jail_enable: NO\n", Sysrc("jail_enable").StandardOutput);
        var u = Sysrc("nope_enable");
        Assert.Equal((1, "sysrc: unknown variable 'nope_enable'\n"), (u.ExitCode, u.StandardError));
        var i = Sysrc("-i", "nope_enable");
        Assert.Equal((1, ""), (i.ExitCode, i.StandardError));
        Assert.Equal("sysrc: a-b: name contains characters not allowed in shell\n", Sysrc("a-b=1").StandardError);
    }

    [Fact]
    public void Sysrc_PlusMinusDeleteCheck()
    {
        Assert.Equal("jail_list:  -> web db\n", Sysrc("jail_list+=web db").StandardOutput);
        Assert.Equal("jail_list: web db -> web db mail\n", Sysrc("jail_list+=db mail").StandardOutput);
        Assert.Equal("jail_list: web db mail -> web mail\n", Sysrc("jail_list-=db").StandardOutput);
        Assert.Equal(0, Sysrc("-c", "jail_list=web mail").ExitCode);
        Assert.Equal(1, Sysrc("-c", "jail_list=web").ExitCode);
        Assert.Equal("jail_list: would change from `web mail' to `web'\n", Sysrc("-cv", "jail_list=web").StandardOutput);
        Assert.Equal(0, Sysrc("-x", "jail_list").ExitCode);
        Assert.DoesNotContain("jail_list", Read("/etc/rc.conf"));
        Assert.Equal(1, Sysrc("-x", "jail_list").ExitCode);
    }

    [Fact]
    public void Sysrc_FileAndJailAndPermissions()
    {
        Assert.Equal("x_enable:  -> YES\n", Sysrc("-f", "/tmp/other.conf", "x_enable=YES").StandardOutput);
        Assert.Equal("x_enable=\"YES\"\n", Read("/tmp/other.conf"));
        Root("/jails/web");
        Assert.Equal(0, Run("/usr/sbin/jail", "-c", "name=web", "path=/jails/web", "persist").ExitCode);
        Assert.Equal("sshd_enable: NO -> YES\n", Sysrc("-j", "web", "sshd_enable=YES").StandardOutput);
        Assert.Equal("sshd_enable=\"YES\"\n", Read("/jails/web/etc/rc.conf"));
        Host.UpdateState(s => s.Uid = 1001);
        var denied = Sysrc("foo_enable=YES");
        Assert.Equal((1, "sysrc: /etc/rc.conf: Permission denied\n"), (denied.ExitCode, denied.StandardError));
    }

    [Fact]
    public void Service_JailStartStopWritesIdFilesAndScreenOutput()
    {
        MkDir("/jails/web");
        Write("/etc/jail.conf.d/web.conf", "web { path = /jails/web; persist; }\n");
        var refused = Service("jail", "start", "web");
        Assert.Equal("Cannot 'start' jail. Set jail_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n", refused.StandardOutput);
        Assert.Empty(State.Jails);

        var start = Service("jail", "onestart", "web");
        Assert.Equal((0, "Starting jails: web.\n"), (start.ExitCode, start.StandardOutput));
        Assert.Equal("1\n", Read("/var/run/jail_web.id"));
        Assert.Contains(" web ", Service("jail", "onestatus").StandardOutput);

        var stop = Service("jail", "onestop", "web");
        Assert.Equal((0, "Stopping jails: web.\n"), (stop.ExitCode, stop.StandardOutput));
        Assert.False(Host.FileExists("/var/run/jail_web.id"));
        Assert.Empty(State.Jails);
    }

    [Fact]
    public void Service_FailedStartShowsTheCapturedOutput()
    {
        Write("/etc/jail.conf.d/web.conf", "web { path = /jails/missing; persist; }\n");
        Run("/usr/sbin/sysrc", "jail_enable=YES");
        var start = Service("jail", "start", "web");
        // rc.d/jail: echo " cannot start jail " "\"web\": " prints two spaces; jail_start ends with echo '.' (exit 0).
        Assert.Equal(0, start.ExitCode);
        Assert.Equal("Starting jails: cannot start jail  \"web\": \njail: web: path /jails/missing: No such file or directory\n.\n", start.StandardOutput);
    }

    [Fact]
    public void Service_StartOfARunningJailRunsJailAndReportsAlreadyExists()
    {
        MkDir("/jails/web");
        Write("/etc/jail.conf.d/web.conf", "web { path = /jails/web; persist; }\n");
        Run("/usr/sbin/sysrc", "jail_enable=YES");
        Assert.Equal("Starting jails: web.\n", Service("jail", "start", "web").StandardOutput);
        var again = Service("jail", "start", "web");
        Assert.Equal("Starting jails: cannot start jail  \"web\": \njail: \"web\" already exists\n.\n", again.StandardOutput);
        Assert.Single(State.Jails);
    }

    [Fact]
    public void Service_ConfigChoicePrefersJailNameConf()
    {
        MkDir("/jails/a");
        MkDir("/jails/b");
        Write("/etc/jail.web.conf", "web { path = /jails/a; persist; }\n");
        Write("/etc/jail.conf.d/web.conf", "web { path = /jails/b; persist; }\n");
        Assert.Equal(0, Service("jail", "onestart", "web").ExitCode);
        Assert.Equal("/jails/a", State.Jails.Single().Path);
        var none = Service("jail", "onestart", "ghost");
        Assert.Equal("/etc/rc.d/jail: WARNING: Invalid configuration for ghost (no jail.conf, no hostname, or no path).  Jail ghost was ignored.\n", none.StandardError);
    }

    [Fact]
    public void Service_UnknownScript()
    {
        var r = Service("nosuch", "start");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("nosuch does not exist in /etc/rc.d", r.StandardError);
    }
}
