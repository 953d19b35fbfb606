using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>mkdir/rmdir/cp/mv/ln/rm (bin/*/*.c messages) and nullfs visibility through the simulated file system.</summary>
public sealed class SimFileToolsTests : SimToolTestBase
{
    [Fact]
    public void Mkdir_CreatesAndReportsLikeMkdirC()
    {
        Ok("/bin/mkdir", "/a");
        Assert.True(Host.DirectoryExists("/a"));
        var exists = Run("/bin/mkdir", "/a");
        Assert.Equal(1, exists.ExitCode);
        Assert.Equal("mkdir: /a: File exists\n", exists.StandardError);
        Assert.Equal("mkdir: /x/y: No such file or directory\n", Run("/bin/mkdir", "/x/y").StandardError);
        Ok("/bin/mkdir", "-p", "/x/y/z", "/a");
        Assert.True(Host.DirectoryExists("/x/y/z"));
        var usage = Run("/bin/mkdir");
        Assert.Equal(64, usage.ExitCode);
        Assert.Equal("usage: mkdir [-pv] [-m mode] directory_name ...\n", usage.StandardError);
    }

    [Fact]
    public void Cp_CopiesTreesWithLinksAndRefusesFoldersWithoutR()
    {
        Write("/src/etc/rc.conf", "a=1\n");
        Ok("/bin/ln", "-s", "etc", "/src/link");
        var noR = Run("/bin/cp", "/src", "/dst");
        Assert.Equal("cp: /src is a directory (not copied).\n", noR.StandardError);
        Assert.Equal("cp: /nothere: No such file or directory\n", Run("/bin/cp", "/nothere", "/dst").StandardError);
        Ok("/bin/cp", "-a", "/src", "/dst");
        Assert.Equal("a=1\n", Host.ReadAllText("/dst/etc/rc.conf"));
        Assert.Equal("etc", new FileInfo(Path.Combine(Host.Fs.Root, "dst/link")).LinkTarget);
        Ok("/bin/mkdir", "/into");
        Ok("/bin/cp", "-R", "/src", "/into");
        Assert.True(Host.FileExists("/into/src/etc/rc.conf"));
        Assert.Equal(64, Run("/bin/cp", "/src").ExitCode);
    }

    [Fact]
    public void Rm_RemovesTreesAndWithXNeverCrossesANullfsMount()
    {
        Write("/base/bin/sh", "x");
        Ok("/bin/mkdir", "-p", "/jail/root");
        Write("/jail/keep.txt", "k");
        Ok("/sbin/mount", "-t", "nullfs", "/base", "/jail/root");
        Assert.True(Host.FileExists("/jail/root/bin/sh"));
        var r = Run("/bin/rm", "-rf", "-x", "/jail");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("rm: /jail: Directory not empty\n", r.StandardError);
        Assert.True(Host.FileExists("/base/bin/sh"));
        Assert.False(Host.FileExists("/jail/keep.txt"));
        Assert.Equal("rmdir: /jail/root: Device busy\n", Run("/bin/rmdir", "/jail/root").StandardError);
        Ok("/sbin/umount", "/jail/root");
        Ok("/bin/rm", "-rf", "-x", "/jail");
        Assert.False(Host.DirectoryExists("/jail"));
        Assert.Equal("rm: /nothere: No such file or directory\n", Run("/bin/rm", "/nothere").StandardError);
        Assert.Equal(0, Run("/bin/rm", "-f", "/nothere").ExitCode);
        Assert.Equal("rm: /base: is a directory\n", Run("/bin/rm", "/base").StandardError);
    }

    [Fact]
    public void Rm_WithoutXFollowsIntoTheMountLikeFreeBSD()
    {
        Write("/base/f", "x");
        Ok("/bin/mkdir", "/m");
        Ok("/sbin/mount", "-t", "nullfs", "/base", "/m");
        var r = Run("/bin/rm", "-rf", "/m");
        Assert.Equal("rm: /m: Device busy\n", r.StandardError);
        Assert.False(Host.FileExists("/base/f"));
    }

    [Fact]
    public void Rmdir_MvAndLn_Messages()
    {
        Write("/d/f", "x");
        Assert.Equal("rmdir: /d: Directory not empty\n", Run("/bin/rmdir", "/d").StandardError);
        Assert.Equal("rmdir: /nope: No such file or directory\n", Run("/bin/rmdir", "/nope").StandardError);
        Ok("/bin/mv", "/d", "/e");
        Assert.True(Host.FileExists("/e/f"));
        Assert.Equal("mv: rename /d to /g: No such file or directory\n", Run("/bin/mv", "/d", "/g").StandardError);
        Ok("/bin/ln", "-s", "e/f", "/l");
        Assert.Equal("ln: /l: File exists\n", Run("/bin/ln", "-s", "e/f", "/l").StandardError);
        Assert.Equal("x", Host.ReadAllText("/l"));
    }

    [Fact]
    public void Nullfs_MountOfASubfolderOverItsParentDoesNotLoop()
    {
        Write("/a/b/inner", "i");
        Write("/a/outer", "o");
        Ok("/sbin/mount", "-t", "nullfs", "/a/b", "/a");
        Assert.Equal("i", Host.ReadAllText("/a/inner"));
        Assert.False(Host.FileExists("/a/outer"));
        Ok("/sbin/umount", "/a");
        Assert.Equal("o", Host.ReadAllText("/a/outer"));
    }

    [Fact]
    public void Nullfs_SourceVisibleAtNode_ReadOnlyRefusesWrites_UmountHidesIt()
    {
        Write("/tpl/base/bin/freebsd-version", "USERLAND_VERSION=\"14.3-RELEASE\"\n");
        Ok("/bin/mkdir", "-p", "/tpl/base/skeleton", "/tpl/skel/etc", "/j/web");
        Ok("/bin/ln", "-s", "skeleton/etc", "/tpl/base/etc");
        Write("/tpl/skel/etc/rc.conf", "a=1\n");
        Ok("/sbin/mount", "-t", "nullfs", "-o", "ro", "/tpl/base", "/j/web");
        Ok("/sbin/mount", "-t", "nullfs", "/tpl/skel", "/j/web/skeleton");
        // the base's relative link resolves through the skeleton mounted below the jail's root
        Assert.Equal("a=1\n", Host.ReadAllText("/j/web/etc/rc.conf"));
        Assert.True(Host.FileExists("/j/web/bin/freebsd-version"));
        Host.WriteAllTextAtomic("/j/web/etc/rc.conf", "a=2\n");
        Assert.Equal("a=2\n", Host.ReadAllText("/tpl/skel/etc/rc.conf"));
        var ex = Assert.Throws<IOException>(() => Host.WriteAllTextAtomic("/j/web/bin/x", "y"));
        Assert.Contains("Read-only file system", ex.Message);
        Assert.Equal("mkdir: /j/web/bin/new: Read-only file system\n", Run("/bin/mkdir", "/j/web/bin/new").StandardError);
        Ok("/sbin/umount", "/j/web/skeleton");
        Ok("/sbin/umount", "/j/web");
        Assert.False(Host.FileExists("/j/web/bin/freebsd-version"));
        Assert.Empty(Host.ListDirectory("/j/web"));
    }
}
