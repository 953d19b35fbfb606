using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>
/// File flags (bin/chflags/chflags.c, lib/libc/gen/strtofflags.c, bin/rm/rm.c, ufs_vnops.c): schg and friends
/// stop rm, rmdir, mv and writes as on FreeBSD; bsdtar and cp -a keep them; zfs destroy does not care.
/// </summary>
public sealed class SimFileFlagsTests : SimToolTestBase
{
    private const string Base = "https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE";

    private ulong FlagsOf(string path) => SimFileFlags.Get(State, Host.Fs, Host.Fs.Map(path));

    [Fact]
    public void Chflags_ParsesStrtofflagsNamesAndOctal()
    {
        Write("/f", "x");
        Ok("/bin/chflags", "schg,uappnd", "/f");
        Assert.Equal(SimFileFlags.SF_IMMUTABLE | SimFileFlags.UF_APPEND, FlagsOf("/f"));
        Assert.Equal("schg,uappnd", SimFileFlags.ToText(FlagsOf("/f")));
        Ok("/bin/chflags", "noschg", "/f");
        Assert.Equal(SimFileFlags.UF_APPEND, FlagsOf("/f"));
        Ok("/bin/chflags", "nodump,sunlnk", "/f");
        Assert.Equal("sunlnk,uappnd,nodump", SimFileFlags.ToText(FlagsOf("/f")));
        Ok("/bin/chflags", "dump", "/f");
        Ok("/bin/chflags", "0", "/f");
        Assert.Equal(0UL, FlagsOf("/f"));
        var bad = Run("/bin/chflags", "sfoo", "/f");
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("chflags: invalid flag: sfoo\n", bad.StandardError);
        var usage = Run("/bin/chflags", "schg");
        Assert.Equal(1, usage.ExitCode);
        Assert.Equal(JailsModule.Simulation.Tools.SimChflags.Usage, usage.StandardError);
        Assert.Equal("chflags: /none: No such file or directory\n", Run("/bin/chflags", "schg", "/none").StandardError);
    }

    [Fact]
    public void RmRf_CannotRemoveASchgEntry_RemovesTheRest_AndChflagsR0Unlocks()
    {
        Write("/j/etc/rc.conf", "a=1\n");
        Ok("/bin/mkdir", "-p", "/j/var/empty");
        Write("/j/var/log/messages", "m\n");
        Ok("/bin/chflags", "schg", "/j/var/empty");
        var r = Run("/bin/rm", "-rf", "/j");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("rm: /j/var/empty: Operation not permitted\nrm: /j/var: Directory not empty\nrm: /j: Directory not empty\n", r.StandardError);
        Assert.True(Host.DirectoryExists("/j/var/empty"));
        Assert.False(Host.FileExists("/j/etc/rc.conf"));
        Assert.False(Host.DirectoryExists("/j/var/log"));
        Assert.Equal("rmdir: /j/var/empty: Operation not permitted\n", Run("/bin/rmdir", "/j/var/empty").StandardError);
        Assert.Equal("mv: rename /j/var/empty to /j/e: Operation not permitted\n", Run("/bin/mv", "/j/var/empty", "/j/e").StandardError);
        Assert.Equal("mkdir: /j/var/empty/x: Operation not permitted\n", Run("/bin/mkdir", "/j/var/empty/x").StandardError);
        Ok("/bin/chflags", "-R", "0", "/j");
        Ok("/bin/rm", "-rf", "/j");
        Assert.False(Host.DirectoryExists("/j"));
    }

    [Fact]
    public void RmAsRoot_ClearsUserFlagsButNotSunlnk_AndWritesToSchgFilesFail()
    {
        Write("/d/u", "u");
        Write("/d/n", "n");
        Write("/d/s", "s");
        Ok("/bin/chflags", "uchg", "/d/u");
        Ok("/bin/chflags", "sunlnk", "/d/n");
        Ok("/bin/chflags", "schg", "/d/s");
        var w = Run("/bin/sh", "-c", "echo x > /d/s");
        Assert.NotEqual(0, w.ExitCode);
        Assert.Contains("sh: cannot create /d/s: Operation not permitted\n", w.StandardError);
        Assert.Equal("s", Read("/d/s"));
        Write("/src", "new");
        Assert.Equal("cp: /d/s: Operation not permitted\n", Run("/bin/cp", "/src", "/d/s").StandardError);
        var r = Run("/bin/rm", "-f", "/d/u", "/d/n", "/d/s");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("rm: /d/n: Operation not permitted\nrm: /d/s: Operation not permitted\n", r.StandardError);
        Assert.False(Host.FileExists("/d/u"));
    }

    [Fact]
    public void BaseTxz_CarriesVarEmptySchg_TarRestoresIt_CpAKeepsIt_ZfsDestroyIgnoresIt()
    {
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", Base + "/base.txz");
        Ok("/sbin/zfs", "create", "-p", "-o", "mountpoint=/jails/t", "zroot/t");
        Ok("/usr/bin/tar", "-xf", "/tmp/base.txz", "-C", "/jails/t");
        Assert.Equal(SimFileFlags.SF_IMMUTABLE, FlagsOf("/jails/t/var/empty"));
        Assert.Equal(0UL, FlagsOf("/jails/t/var/log"));
        Ok("/bin/cp", "-a", "/jails/t/var", "/copy");
        Assert.Equal(SimFileFlags.SF_IMMUTABLE, FlagsOf("/copy/empty"));
        Ok("/bin/cp", "-R", "/jails/t/var", "/plain");
        Assert.Equal(0UL, FlagsOf("/plain/empty"));
        Assert.Equal("rm: /copy/empty: Operation not permitted\nrm: /copy: Directory not empty\n", Run("/bin/rm", "-rf", "/copy").StandardError);
        Ok("/sbin/zfs", "destroy", "zroot/t");
        Assert.False(Host.DirectoryExists("/jails/t/var"));
        Assert.DoesNotContain(State.FileFlags.Keys, k => k.StartsWith("/jails/t/", StringComparison.Ordinal));
    }

    [Fact]
    public void JailRootWithoutAllowChflags_CannotTouchSystemFlags()
    {
        var root = Root("/jails/j1");
        Write("/jails/j1/f", "x");
        Ok("/usr/sbin/jail", "-c", "name=j1", "path=" + root, "persist");
        var r = Run("/usr/sbin/jexec", "j1", "/bin/chflags", "schg", "/f");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("chflags: /f: Operation not permitted\n", r.StandardError);
        Ok("/usr/sbin/jexec", "j1", "/bin/chflags", "uchg", "/f");
        Assert.Equal(SimFileFlags.UF_IMMUTABLE, FlagsOf("/jails/j1/f"));
    }
}
