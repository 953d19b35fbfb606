using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

public sealed class MountToolTests : SimToolTestBase
{
    [Fact]
    public void MountWithoutArgumentsPrintsTheTableAsMountC()
    {
        Assert.Equal("zroot/ROOT/default on / (zfs, local, noatime, nfsv4acls)\ndevfs on /dev (devfs, local, multilabel)\n", Ok("/sbin/mount"));
    }

    [Fact]
    public void MountPPrintsFstabLinesAsPutfsent()
    {
        Directory.CreateDirectory(Real("/jails/web/usr/ports"));
        Directory.CreateDirectory(Real("/usr/ports"));
        Ok("/sbin/mount", "-t", "nullfs", "-o", "ro", "/usr/ports", "/jails/web/usr/ports");
        Assert.Equal(
            "zroot/ROOT/default\t/\t\t\tzfs\trw,noatime,nfsv4acls \t0 0\n" +
            "devfs\t\t\t/dev\t\t\tdevfs\trw,multilabel \t0 0\n" +
            "/usr/ports\t\t/jails/web/usr/ports\tnullfs\tro\t\t0 0\n",
            Ok("/sbin/mount", "-p"));
    }

    [Fact]
    public void NullfsReadOnlyAndDevfsMountsAppearAndUnmount()
    {
        Directory.CreateDirectory(Real("/jails/web/dev"));
        Directory.CreateDirectory(Real("/jails/web/usr/ports"));
        Directory.CreateDirectory(Real("/usr/ports"));
        Ok("/sbin/mount", "-t", "nullfs", "-o", "ro", "/usr/ports", "/jails/web/usr/ports");
        Ok("/sbin/mount", "-t", "devfs", "devfs", "/jails/web/dev");
        var table = Ok("/sbin/mount");
        Assert.Contains("/usr/ports on /jails/web/usr/ports (nullfs, local, read-only)\n", table);
        Assert.Contains("devfs on /jails/web/dev (devfs, local, multilabel)\n", table);
        Ok("/sbin/umount", "/jails/web/usr/ports");
        Assert.DoesNotContain("/jails/web/usr/ports", Ok("/sbin/mount"));
        Assert.Contains(Host.ReadState().Mounts, m => m.Node == "/jails/web/dev" && m.FsType == "devfs");
    }

    [Fact]
    public void UmountOfAPlainFolderIsNotAFileSystemRoot()
    {
        Directory.CreateDirectory(Real("/jails/x"));
        var r = Run("/sbin/umount", "/jails/x");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("umount: /jails/x: not a file system root directory\n", r.StandardError);
        Assert.Equal("umount: /nope: statfs: No such file or directory\numount: /nope: unknown file system\n", Run("/sbin/umount", "/nope").StandardError);
    }

    [Fact]
    public void UmountWithSomethingMountedBelowIsBusy()
    {
        Directory.CreateDirectory(Real("/jails/web/dev/fd"));
        Ok("/sbin/mount", "-t", "devfs", "devfs", "/jails/web/dev");
        Ok("/sbin/mount", "-t", "fdescfs", "fdesc", "/jails/web/dev/fd");
        var r = Run("/sbin/umount", "-f", "/jails/web/dev");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("umount: unmount of /jails/web/dev failed: Device busy\n", r.StandardError);
        Assert.Contains("fdesc on /jails/web/dev/fd (fdescfs)\n", Ok("/sbin/mount"));
    }

    [Fact]
    public void MountErrorsNameTheMissingPath()
    {
        Assert.Equal("mount_nullfs: /jails/none: No such file or directory\n", Run("/sbin/mount", "-t", "nullfs", "/usr", "/jails/none").StandardError);
        Assert.Equal("mount: realpath /nope: No such file or directory\n", Run("/sbin/mount", "-t", "tmpfs", "tmpfs", "/nope").StandardError);
    }

    [Fact]
    public void MountAllFromAnFstabFile()
    {
        Directory.CreateDirectory(Real("/jails/web/proc"));
        Directory.CreateDirectory(Real("/jails/web/tmp"));
        Host.WriteAllTextAtomic("/etc/fstab.web", "proc /jails/web/proc procfs rw 0 0\ntmpfs /jails/web/tmp tmpfs rw,mode=1777,noexec 0 0\n# comment\n");
        Ok("/sbin/mount", "-a", "-F", "/etc/fstab.web");
        var table = Ok("/sbin/mount");
        Assert.Contains("proc on /jails/web/proc (procfs, local)\n", table);
        Assert.Contains("tmpfs on /jails/web/tmp (tmpfs, local, noexec)\n", table);
    }

    [Fact]
    public void UmountOfAZfsMountpointUnmountsTheDataset()
    {
        Ok("/sbin/zfs", "create", "-o", "mountpoint=/jails", "zroot/jails");
        Ok("/sbin/umount", "/jails");
        Assert.Equal("no\n", Ok("/sbin/zfs", "get", "-H", "-o", "value", "mounted", "zroot/jails"));
    }
}
