using Xunit;

namespace JailsModule.Tests.Simulation.Conf;

/// <summary>The simulated jail(8) reading jail.conf through its own reader (Simulation/Conf).</summary>
public sealed class SimJailToolConfTests : SimHostTestBase
{
    [Fact]
    public void LoadConfigWarnsForEveryJailOfTheFileAndFailsOnlyTheBadOne()
    {
        MkDir("/jails/web");
        Write("/etc/jail.conf", "path = \"/jails/$name\";\nweb { persist; }\ndb { host.hostname = \"$nohost.lan\"; persist; }\n");
        // load_config resolves every jail's variables, so db's warning is printed when only web is started.
        var web = Jail("-f", "/etc/jail.conf", "-c", "web");
        Assert.Equal(0, web.ExitCode);
        Assert.Equal("jail: db: host.hostname: variable \"nohost\" not found\n", web.StandardError);
        Assert.Equal("web: created\n", web.StandardOutput);
        // The failed jail itself is not created, and the warning is printed once.
        var db = Jail("-f", "/etc/jail.conf", "-c", "db");
        Assert.Equal(1, db.ExitCode);
        Assert.Equal("jail: db: host.hostname: variable \"nohost\" not found\n", db.StandardError);
        Assert.DoesNotContain(State.Jails, j => j.Name == "db");
        // -e prints every jail (the failed one too) and exits 0 after the warning.
        var e = Jail("-f", "/etc/jail.conf", "-e", "|");
        Assert.Equal(0, e.ExitCode);
        Assert.Equal("name=web|path=/jails/web|persist\nname=db|path=/jails/db|host.hostname=.lan|persist\n", e.StandardOutput);
        Assert.Equal("jail: db: host.hostname: variable \"nohost\" not found\n", e.StandardError);
    }

    [Fact]
    public void SyntaxErrorsAndIncludesAsJail8PrintsThem()
    {
        Write("/etc/jail.conf", ".include \"jail.conf.d/*.conf\";\nweb {\n  persist\n}\n");
        MkDir("/etc/jail.conf.d");
        Write("/etc/jail.conf.d/a.conf", "a { persist; }\n");
        var r = Jail("-f", "/etc/jail.conf", "-e", " ");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("jail: /etc/jail.conf line 4: }: syntax error\n", r.StandardError);
        Assert.Equal("", r.StandardOutput);
        Write("/etc/jail.conf", ".include \"jail.conf.d/*.conf\";\nweb { persist; }\n");
        Assert.Equal("name=a persist\nname=web persist\n", Jail("-f", "/etc/jail.conf", "-e", " ").StandardOutput);
        Write("/etc/jail.conf", ".include \"missing.conf\";\n");
        var m = Jail("-f", "/etc/jail.conf", "-e", " ");
        Assert.Equal(1, m.ExitCode);
        Assert.Equal("jail: /etc/missing.conf: No such file or directory\n", m.StandardError);
    }

    [Fact]
    public void StdinConfigIsNamedStdin()
    {
        var r = RunIn("web { x = 1 }\n", "/usr/sbin/jail", "-f", "-", "-e", "|");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("jail: STDIN line 1: }: syntax error\n", r.StandardError);
    }
}
