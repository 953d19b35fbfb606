namespace JailsModule.Tools;

/// <summary>Absolute paths of the FreeBSD programs the module runs. Never looked up through PATH.</summary>
public static class ToolPaths
{
    public const string Jail = "/usr/sbin/jail";
    public const string Jls = "/usr/sbin/jls";
    public const string Jexec = "/usr/sbin/jexec";
    public const string Sysctl = "/sbin/sysctl";
    public const string Kldstat = "/sbin/kldstat";
    public const string Kldload = "/sbin/kldload";
    public const string Sysrc = "/usr/sbin/sysrc";
    public const string Service = "/usr/sbin/service";
    public const string Id = "/usr/bin/id";
    public const string Uname = "/usr/bin/uname";
    public const string FreebsdVersion = "/bin/freebsd-version";
    public const string Ifconfig = "/sbin/ifconfig";
    public const string Route = "/sbin/route";
    public const string Zfs = "/sbin/zfs";
    public const string Zpool = "/sbin/zpool";
    public const string Fetch = "/usr/bin/fetch";
    public const string Tar = "/usr/bin/tar";
    public const string Sha256 = "/sbin/sha256";
    public const string FreebsdUpdate = "/usr/sbin/freebsd-update";
    public const string Mount = "/sbin/mount";
    public const string Umount = "/sbin/umount";
    public const string Rctl = "/usr/bin/rctl";
    public const string Devfs = "/sbin/devfs";
    public const string Chroot = "/usr/sbin/chroot";
    public const string Debootstrap = "/usr/local/sbin/debootstrap";
    public const string Sh = "/bin/sh";
    public const string Cp = "/bin/cp";
    public const string Rm = "/bin/rm";
    public const string Chflags = "/bin/chflags";
    public const string Rmdir = "/bin/rmdir";
    public const string Mkdir = "/bin/mkdir";
    public const string Mv = "/bin/mv";
    public const string Ln = "/bin/ln";
}
