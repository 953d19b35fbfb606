using System.Text.RegularExpressions;
using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>Reference §17.3, §17.6, §17.12 and EROFS: jail(8), kern_jail.c, libexec/rc/rc and writes through a read-only nullfs mount.</summary>
public sealed class SimFidelityTests : SimToolTestBase
{
    [Fact]
    public void JailQR_OfAStoppedJailPrintsNothingAndFails()
    {
        var r = Jail("-q", "-r", "nosuch");
        Assert.Equal((1, "", ""), (r.ExitCode, r.StandardOutput, r.StandardError));
        Assert.Equal("jail: \"nosuch\" not found\n", Jail("-r", "nosuch").StandardError);
        Write("/etc/jail.conf", "web { path = /jails/web; persist; }\n");
        var conf = Jail("-q", "-f", "/etc/jail.conf", "-r", "web");
        Assert.Equal((1, ""), (conf.ExitCode, conf.StandardError));
    }

    [Fact]
    public void JailD_WarnsInTheMainLoopOnly_NotOnTheEPath()
    {
        Write("/etc/jail.conf", "web { path = /jails/web; persist; }\n");
        var e = Jail("-d", "-e", "|");
        Assert.Equal(0, e.ExitCode);
        Assert.Equal("", e.StandardError);
        MkDir("/jails/web");
        Assert.Contains("deprecated", Jail("-d", "-c", "web").StandardError);
    }

    [Fact]
    public void NewJails_GetJailDefaultAllow()
    {
        MkDir("/jails/a");
        Ok("/usr/sbin/jail", "-c", "name=a", "path=/jails/a", "persist");
        var allow = Ok("/usr/sbin/jls", "-j", "a", "allow.set_hostname", "allow.reserved_ports", "allow.unprivileged_proc_debug", "allow.suser", "allow.raw_sockets");
        Assert.Equal("true true true true false\n", allow);
        Ok("/usr/sbin/jail", "-c", "name=b", "path=/jails/a", "persist", "allow.noset_hostname", "allow.reserved_ports=0");
        Assert.Equal("false false\n", Ok("/usr/sbin/jls", "-j", "b", "allow.set_hostname", "allow.reserved_ports"));
    }

    [Fact]
    public void EtcRc_EndsWithAnEmptyLineAndTheDate_AfterTheJid()
    {
        Root("/jails/r");
        var r = Jail("-i", "-c", "name=r", "path=/jails/r", "exec.start=/bin/sh /etc/rc", "persist");
        Assert.Equal(0, r.ExitCode);
        var lines = r.StandardOutput.Split('\n');
        Assert.Matches("^[0-9]+$", lines[0]);              // jail -i prints the jid first (command.c)
        Assert.Equal("", lines[1]);                          // echo ''
        Assert.Matches(new Regex(@"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d UTC \d{4}$"), lines[2]); // date
        Assert.Equal(3, r.StandardOutput.Count(c => c == '\n'));
    }

    [Fact]
    public void WritesThroughAReadOnlyNullfsMountFailWithErofs()
    {
        Write("/base/etc/f", "x");
        Write("/tmp/src", "s");
        MkDir("/ro");
        Ok("/sbin/mount", "-t", "nullfs", "-o", "ro", "/base", "/ro");
        Assert.Equal("cp: /ro/etc/g: Read-only file system\n", Run("/bin/cp", "/tmp/src", "/ro/etc/g").StandardError);
        Assert.Equal("mkdir: /ro/d: Read-only file system\n", Run("/bin/mkdir", "/ro/d").StandardError);
        Assert.Equal("rm: /ro/etc/f: Read-only file system\n", Run("/bin/rm", "/ro/etc/f").StandardError);
        Assert.Equal("ln: /ro/l: Read-only file system\n", Run("/bin/ln", "-s", "x", "/ro/l").StandardError);
        Assert.Equal("mv: rename /ro/etc/f to /tmp/f: Read-only file system\n", Run("/bin/mv", "/ro/etc/f", "/tmp/f").StandardError);
        Assert.Equal("chflags: /ro/etc/f: Read-only file system\n", Run("/bin/chflags", "uchg", "/ro/etc/f").StandardError);
        var sh = Run("/bin/sh", "-c", "echo y > /ro/etc/f");
        Assert.Equal("sh: cannot create /ro/etc/f: Read-only file system\n", sh.StandardError);
        Assert.NotEqual(0, sh.ExitCode);
        Assert.Throws<IOException>(() => Host.WriteAllTextAtomic("/ro/etc/f", "z"));
        Assert.Throws<IOException>(() => Host.DeleteFile("/ro/etc/f"));
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", "https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/base.txz");
        var tar = Run("/usr/bin/tar", "-xf", "/tmp/base.txz", "-C", "/ro");
        Assert.Equal(1, tar.ExitCode);
        Assert.Contains("Read-only file system", tar.StandardError);
        Assert.EndsWith("tar: Error exit delayed from previous errors.\n", tar.StandardError);
        Assert.Equal("x", Read("/base/etc/f"));
        Assert.False(Host.FileExists("/base/bin/sh"));
    }
}
