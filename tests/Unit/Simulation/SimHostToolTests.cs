using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>jexec, sh, sysctl, kldstat/kldload, id, uname, freebsd-version on the simulated host (reference §5, §12).</summary>
public sealed class SimHostToolTests : SimHostTestBase
{
    private void WebJail(string? release = null)
    {
        Root("/jails/web", release);
        Assert.Equal(0, Run("/usr/sbin/jail", "-c", "name=web", "path=/jails/web", "host.hostname=web.example.org", "persist").ExitCode);
    }

    // ---------------- jexec ----------------

    [Fact]
    public void Jexec_RunsInTheJailsViewAndReturnsTheCommandsStatus()
    {
        WebJail("14.2-RELEASE-p3");
        Assert.Equal("web.example.org\n", Jexec("web", "hostname").StandardOutput);
        Assert.Equal("1\n", Jexec("web", "sysctl", "-n", "security.jail.jailed").StandardOutput);
        Assert.Equal("0\n", Run("/sbin/sysctl", "-n", "security.jail.jailed").StandardOutput);
        Assert.Equal("14.2-RELEASE-p3\n", Jexec("web", "freebsd-version").StandardOutput);
        Assert.Equal("14.2-RELEASE-p3\n", Run("/bin/freebsd-version", "-j", "web").StandardOutput);
        Assert.Equal("web.example.org\n", Jexec("1", "uname", "-n").StandardOutput);
        var r = Jexec("web", "/bin/sh", "-c", "echo out; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.StandardOutput);
        Assert.Equal(1, Jexec("web", "false").ExitCode);
    }

    [Fact]
    public void Jexec_Errors()
    {
        WebJail();
        var nf = Jexec("nope", "ls");
        Assert.Equal(1, nf.ExitCode);
        Assert.Equal("jexec: jail \"nope\" not found\n", nf.StandardError);
        var missing = Jexec("web", "nonexistent-program");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("jexec: execvp: nonexistent-program: No such file or directory\n", missing.StandardError);
        Assert.Equal("jexec: ghost: no such user\n", Jexec("-U", "ghost", "web", "id").StandardError);
        var usage = Jexec("-u", "root", "-U", "root", "web", "id");
        Assert.Equal("usage: jexec [-l] [-u username | -U username] jail [command ...]\n", usage.StandardError);
        Assert.Equal(1, Jexec("-d", "/tmp", "web", "pwd").ExitCode); // 14.3's jexec has no -d
    }

    [Fact]
    public void Jexec_JailWithoutAUserlandCannotRunPrograms()
    {
        MkDir("/jails/empty");
        Assert.Equal(0, Run("/usr/sbin/jail", "-c", "name=empty", "path=/jails/empty", "persist").ExitCode);
        var r = Jexec("empty", "/bin/sh", "-c", "true");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("jexec: execvp: /bin/sh: No such file or directory\n", r.StandardError);
        Assert.Equal("jexec: execlp: /bin/sh: No such file or directory\n", Jexec("empty").StandardError); // no command: $SHELL -i
    }

    [Fact]
    public void Jexec_UsersAndCleanEnvironment()
    {
        WebJail();
        Assert.Equal("www\n", Jexec("-U", "www", "web", "id", "-un").StandardOutput);
        Assert.Equal("uid=80(www) gid=80(www) groups=80(www)\n", Jexec("-U", "www", "web", "id").StandardOutput);
        var env = Jexec("-l", "web", "env").StandardOutput;
        // jexec.c sets PATH=/bin:/usr/bin and setusercontext(LOGIN_SETPATH) replaces it with login.conf's path (§17.2).
        Assert.Contains("PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:/root/bin\n", env);
        Assert.Contains("USER=root\n", env);
        Assert.DoesNotContain("LC_ALL", env);
        Assert.Equal("/\n", Jexec("web", "pwd").StandardOutput);
        Assert.Equal("/root\n", Jexec("-l", "web", "pwd").StandardOutput); // -l changes to the user's home
        Assert.Equal("jexec: chdir: /nonexistent: No such file or directory\n", Jexec("-l", "-U", "www", "web", "pwd").StandardError);
        var shell = RunIn("echo from stdin\n", "/usr/sbin/jexec", "web");
        Assert.Equal("from stdin\n", shell.StandardOutput);
    }

    // ---------------- sh ----------------

    [Theory]
    [InlineData("echo a; echo b", "a\nb\n", 0)]
    [InlineData("false && echo no; echo yes", "yes\n", 0)]
    [InlineData("false || echo fallback", "fallback\n", 0)]
    [InlineData("X=1; echo \"x=$X\" '$X' ${X}", "x=1 $X 1\n", 0)]
    [InlineData("echo 'it''s' \"a b\"", "its a b\n", 0)]
    [InlineData("exit 4", "", 4)]
    [InlineData("nonexistent", "", 127)]
    [InlineData("echo to-err >&2; echo to-out", "to-out\n", 0)]
    [InlineData("nonexistent 2>/dev/null || echo quiet", "quiet\n", 0)]
    [InlineData("sh -c 'echo e >&2' 2>&1", "e\n", 0)]
    public void Sh_SimpleScripts(string script, string stdout, int status)
    {
        var r = Run("/bin/sh", "-c", script);
        Assert.Equal(stdout, r.StandardOutput);
        Assert.Equal(status, r.ExitCode);
    }

    [Fact]
    public void Sh_RedirectsIntoTheFileTree()
    {
        Assert.Equal(0, Run("/bin/sh", "-c", "echo hi > /tmp/x; echo there >> /tmp/x").ExitCode);
        Assert.Equal("hi\nthere\n", Read("/tmp/x"));
        Assert.Equal("hi\nthere\n", Run("/bin/cat", "/tmp/x").StandardOutput);
        var bad = Run("/bin/sh", "-c", "echo x > /nodir/file");
        Assert.Equal((2, "sh: cannot create /nodir/file: No such file or directory\n"), (bad.ExitCode, bad.StandardError));
        Assert.Equal("to-err\n", Run("/bin/sh", "-c", "echo to-err >&2").StandardError);
    }

    // ---------------- sysctl ----------------

    [Fact]
    public void Sysctl_ValuesNamesAndUnknownOids()
    {
        Assert.Equal("1\n", Run("/sbin/sysctl", "-qn", "kern.features.vimage").StandardOutput);
        Assert.Equal("kern.ostype: FreeBSD\n", Run("/sbin/sysctl", "kern.ostype").StandardOutput);
        var unknown = Run("/sbin/sysctl", "kern.nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("sysctl: unknown oid 'kern.nope'\n", unknown.StandardError);
        var q = Run("/sbin/sysctl", "-q", "kern.nope");
        Assert.Equal((1, ""), (q.ExitCode, q.StandardError));
        var i = Run("/sbin/sysctl", "-i", "-n", "kern.nope");
        Assert.Equal((0, "", ""), (i.ExitCode, i.StandardOutput, i.StandardError));
        var names = Run("/sbin/sysctl", "-N", "security.jail.param").StandardOutput.Split('\n');
        Assert.Contains("security.jail.param.persist", names);
        Assert.Contains("security.jail.param.allow.mount.", names);
        Assert.Contains("security.jail.param.allow.mount.zfs", names);
        Assert.Contains("security.jail.param.vnet.", names);
        Assert.Contains("security.jail.param.host.hostname", names);
        Assert.Contains("kern.features.inet: 1\n", Run("/sbin/sysctl", "kern.features").StandardOutput);
    }

    [Fact]
    public void Sysctl_WritesAndTunables()
    {
        Assert.Equal("kern.elf64.fallback_brand: -1 -> 3\n", Run("/sbin/sysctl", "kern.elf64.fallback_brand=3").StandardOutput);
        Assert.Equal("3", State.Sysctls["kern.elf64.fallback_brand"]);
        var t = Run("/sbin/sysctl", "kern.racct.enable=1");
        Assert.Equal(1, t.ExitCode);
        Assert.Equal("sysctl: oid 'kern.racct.enable' is a read only tunable\nsysctl: Tunable values are set in /boot/loader.conf\n", t.StandardError);
        Assert.Equal("sysctl: oid 'kern.ostype' is read only\n", Run("/sbin/sysctl", "kern.ostype=Linux").StandardError);
    }

    // ---------------- kldstat / kldload ----------------

    [Fact]
    public void Kld_LoadCheckAndTable()
    {
        Assert.Equal(1, Run("/sbin/kldstat", "-q", "-m", "if_bridge").ExitCode);
        Assert.Equal("kldstat: can't find module if_bridge: No such file or directory\n", Run("/sbin/kldstat", "-m", "if_bridge").StandardError);
        Assert.Equal(0, Run("/sbin/kldstat", "-q", "-m", "nullfs").ExitCode); // compiled into the kernel
        Assert.Equal(1, Run("/sbin/kldstat", "-q", "-n", "nullfs.ko").ExitCode); // but not a file
        var load = Run("/sbin/kldload", "-v", "if_bridge");
        Assert.Equal(0, load.ExitCode);
        Assert.Equal("Loaded if_bridge, id=4\n", load.StandardOutput);
        Assert.Equal(0, Run("/sbin/kldstat", "-q", "-m", "if_bridge").ExitCode);
        Assert.Equal("kldload: can't load if_bridge: module already loaded or in kernel\n", Run("/sbin/kldload", "if_bridge").StandardError);
        Assert.Equal(0, Run("/sbin/kldload", "-n", "if_bridge").ExitCode);
        Assert.Equal("kldload: can't load nope: No such file or directory\n", Run("/sbin/kldload", "nope").StandardError);
        var table = Run("/sbin/kldstat").StandardOutput.Split('\n');
        Assert.Equal("Id Refs Address                Size Name", table[0]);
        Assert.Equal(" 1   34 0xffffffff80200000  1f3a0f8 kernel", table[1]);
        Assert.EndsWith(" if_bridge.ko", table[4]);
        Assert.Equal("Id  Refs Name\n", Run("/sbin/kldstat", "-m", "zfs").StandardOutput[..14]);
    }

    [Fact]
    public void Kldload_NeedsRootAndTheHost()
    {
        WebJail();
        Assert.Equal("kldload: can't load if_epair: Operation not permitted\n", Jexec("web", "kldload", "if_epair").StandardError);
        Host.UpdateState(s => s.Uid = 1001);
        Assert.Equal("kldload: can't load if_epair: Operation not permitted\n", Run("/sbin/kldload", "if_epair").StandardError);
    }

    // ---------------- id / uname / freebsd-version ----------------

    [Fact]
    public void IdUnameFreebsdVersion()
    {
        Assert.Equal("uid=0(root) gid=0(wheel) groups=0(wheel),5(operator)\n", Run("/usr/bin/id").StandardOutput);
        Assert.Equal("0\n", Run("/usr/bin/id", "-u").StandardOutput);
        Assert.Equal("root\n", Run("/usr/bin/id", "-un").StandardOutput);
        Assert.Equal("wheel\n", Run("/usr/bin/id", "-gn").StandardOutput);
        Assert.Equal("id: ghost: no such user\n", Run("/usr/bin/id", "ghost").StandardError);
        Assert.Equal("FreeBSD\n", Run("/usr/bin/uname").StandardOutput);
        Assert.Equal("14.3-RELEASE amd64\n", Run("/usr/bin/uname", "-m", "-r").StandardOutput);
        Assert.Equal("FreeBSD bsd1.example.org 14.3-RELEASE FreeBSD 14.3-RELEASE releng/14.3-n271432-8c9ce319fef7 GENERIC amd64\n",
            Run("/usr/bin/uname", "-a").StandardOutput);
        Assert.Equal("1403000\n", Run("/usr/bin/uname", "-K").StandardOutput);
        Assert.Equal("14.3-RELEASE\n14.3-RELEASE\n", Run("/bin/freebsd-version", "-k", "-u").StandardOutput);
        Assert.Equal("usage: freebsd-version [-kru] [-j jail]\n", Run("/bin/freebsd-version", "-x").StandardError);
    }
}
