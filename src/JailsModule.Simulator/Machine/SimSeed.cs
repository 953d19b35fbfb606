namespace JailsModule.Simulation;

/// <summary>What a fresh simulated host looks like: FreeBSD 14.3-RELEASE amd64, VIMAGE, racct off, zroot, em0.</summary>
public static class SimSeed
{
    /// <summary>Programs present on the host (and in an extracted base.txz): the simulator answers for those it implements.</summary>
    public static readonly string[] BaseUserland =
    {
        "/bin/sh", "/bin/echo", "/bin/cat", "/bin/ls", "/bin/sleep", "/bin/pwd", "/bin/hostname", "/bin/freebsd-version",
        "/bin/mkdir", "/bin/rm", "/bin/rmdir", "/bin/cp", "/bin/mv", "/bin/ln", "/bin/chflags", "/bin/test", "/bin/kenv", "/bin/date", "/bin/ps",
        "/sbin/ifconfig", "/sbin/route", "/sbin/sysctl", "/sbin/kldstat", "/sbin/kldload", "/sbin/mount", "/sbin/umount",
        "/sbin/zfs", "/sbin/zpool", "/sbin/devfs", "/sbin/sha256", "/sbin/dhclient",
        "/usr/bin/true", "/usr/bin/false", "/usr/bin/id", "/usr/bin/uname", "/usr/bin/env", "/usr/bin/whoami",
        "/usr/bin/fetch", "/usr/bin/tar", "/usr/bin/rctl", "/usr/bin/stat", "/usr/bin/login",
        "/usr/sbin/jail", "/usr/sbin/jls", "/usr/sbin/jexec", "/usr/sbin/sysrc", "/usr/sbin/service",
        "/usr/sbin/freebsd-update", "/usr/sbin/chroot", "/usr/sbin/chown", "/usr/sbin/pkg",
    };

    public static SimState NewHost()
    {
        var s = new SimState();
        foreach (var (k, v) in new[]
        {
            ("kern.ostype", "FreeBSD"),
            ("kern.osrelease", s.KernelRelease),
            ("kern.osreldate", s.OsRelDate.ToString()),
            ("kern.hostname", s.Hostname),
            ("hw.machine", s.Machine),
            ("hw.machine_arch", s.MachineArch),
            ("hw.ncpu", "2"),
            ("kern.features.vimage", "1"),
            ("kern.features.inet", "1"),
            ("kern.features.inet6", "1"),
            ("kern.racct.enable", "0"),
            ("security.jail.jailed", "0"),
            ("security.jail.enforce_statfs", "2"),
            ("kern.elf64.fallback_brand", "-1"),
            ("kern.elf32.fallback_brand", "-1"),
        })
            s.Sysctls[k] = v;

        s.Klds.Add(new SimKld { File = "kernel", Size = 0x1f3a0f8, Modules = new() { "kernel", "if_lo", "if_em", "if_vlan", "nullfs", "tmpfs", "fdescfs", "procfs" } });
        s.Klds.Add(new SimKld { File = "zfs.ko", Size = 0x5e3d98, Modules = new() { "zfsctrl", "zfs" } });
        foreach (var (file, mods) in new[]
        {
            ("if_bridge.ko", new[] { "if_bridge" }),
            ("bridgestp.ko", new[] { "bridgestp" }),
            ("if_epair.ko", new[] { "if_epair" }),
            ("linux.ko", new[] { "linuxelf", "linux" }),
            ("linux64.ko", new[] { "linux64elf", "linux64" }),
            ("linux_common.ko", new[] { "linux_common" }),
            ("linprocfs.ko", new[] { "linprocfs" }),
            ("linsysfs.ko", new[] { "linsysfs" }),
            ("pty.ko", new[] { "pty" }),
            ("racct.ko", Array.Empty<string>()),
        })
            s.AvailableKlds.Add(new SimKld { File = file, Modules = mods.ToList(), Size = 0x8000 });

        s.Interfaces.Add(new SimInterface { Name = "em0", Driver = "em", Index = 1, Up = true, Ether = "58:9c:fc:10:ff:01", Inet = { "192.0.2.5/24" }, Inet6 = { "fe80::5a9c:fcff:fe10:ff01%em0/64" }, Options = SimInterfaces.NicCapabilities.ToList(), Capabilities = SimInterfaces.NicCapabilities.ToList() });
        s.Interfaces.Add(new SimInterface { Name = "re0", Driver = "re", Index = 2, Up = true, Ether = "58:9c:fc:10:ff:02", Options = SimInterfaces.NicCapabilities.ToList(), Capabilities = SimInterfaces.NicCapabilities.ToList() });
        s.Interfaces.Add(new SimInterface { Name = "lo0", Driver = "lo", Index = 3, Up = true, Mtu = 16384, Groups = { "lo" }, Inet = { "127.0.0.1/8" }, Inet6 = { "::1/128", "fe80::1%lo0/64" } });
        s.Net().DefaultRoutes["0"] = "192.0.2.1";

        s.Datasets.Add(new SimDataset { Name = "zroot", Type = "filesystem", Mounted = false, CreationUnix = 1751328000, Properties = { ["mountpoint"] = "/zroot" } });
        s.Datasets.Add(new SimDataset { Name = "zroot/ROOT", Type = "filesystem", Mounted = false, CreationUnix = 1751328000, Properties = { ["mountpoint"] = "none" } });
        s.Datasets.Add(new SimDataset { Name = "zroot/ROOT/default", Type = "filesystem", Mounted = true, CreationUnix = 1751328000, Properties = { ["mountpoint"] = "/" } });
        s.Mounts.Add(new SimMount { Special = "zroot/ROOT/default", Node = "/", FsType = "zfs", Options = "local, noatime, nfsv4acls" });
        s.Mounts.Add(new SimMount { Special = "devfs", Node = "/dev", FsType = "devfs", Options = "local, multilabel" });
        return s;
    }

    public static void PopulateFileTree(SimFileSystem fs)
    {
        foreach (var tool in BaseUserland)
            if (!fs.FileExists(tool)) fs.WriteAllText(tool, "#!simulated FreeBSD program\n");
        foreach (var d in new[] { "/etc/jail.conf.d", "/var/run", "/var/log", "/tmp", "/dev", "/usr/local/etc", "/root" })
            fs.CreateDirectory(d);
        WriteIfMissing(fs, "/etc/rc.conf", "hostname=\"bsd1.example.org\"\nifconfig_em0=\"inet 192.0.2.5/24\"\ndefaultrouter=\"192.0.2.1\"\nsshd_enable=\"YES\"\nzfs_enable=\"YES\"\n");
        WriteIfMissing(fs, "/etc/defaults/rc.conf", DefaultsRcConf);
        WriteIfMissing(fs, "/etc/resolv.conf", "nameserver 192.0.2.1\n");
        WriteIfMissing(fs, "/etc/localtime", "TZif2 simulated UTC\n");
        WriteIfMissing(fs, "/etc/defaults/devfs.rules", DefaultDevfsRules);
        WriteIfMissing(fs, "/etc/passwd", Passwd);
        WriteIfMissing(fs, "/etc/group", Group);
        WriteIfMissing(fs, "/etc/login.conf", LoginConf);
    }

    /// <summary>
    /// Installs a base userland into a jail root (what extracting base.txz gives, as far as the
    /// simulator cares): the programs of <see cref="BaseUserland"/>, /etc/passwd, /etc/group, /etc/rc
    /// and the usual folders. <paramref name="userlandRelease"/> is baked into bin/freebsd-version
    /// (freebsd-version -u inside the jail); null means the host's userland release.
    /// </summary>
    public static void InstallUserland(SimFileSystem fs, string root, string? userlandRelease = null)
    {
        string P(string p) => root == "/" ? p : SimFileSystem.Normalize(root + p);
        foreach (var tool in BaseUserland)
            if (!fs.FileExists(P(tool))) fs.WriteAllText(P(tool), "#!simulated FreeBSD program\n");
        if (userlandRelease != null)
            fs.WriteAllText(P("/bin/freebsd-version"), $"#!/bin/sh\nUSERLAND_VERSION=\"{userlandRelease}\"\n");
        foreach (var d in new[] { "/dev", "/etc", "/tmp", "/var/run", "/var/log", "/root", "/usr/local/etc", "/proc" })
            fs.CreateDirectory(P(d));
        WriteIfMissing(fs, P("/etc/passwd"), Passwd);
        WriteIfMissing(fs, P("/etc/group"), Group);
        WriteIfMissing(fs, P("/etc/login.conf"), LoginConf);
        WriteIfMissing(fs, P("/etc/rc"), EtcRc);
        WriteIfMissing(fs, P("/etc/rc.shutdown"), "#!/bin/sh\n# /etc/rc.shutdown of the simulated base system.\n:\n");
        WriteIfMissing(fs, P("/etc/defaults/rc.conf"), DefaultsRcConf);
        WriteIfMissing(fs, P("/etc/rc.conf"), "");
    }

    /// <summary>/etc/rc of the simulated base system: starts the services, then ends as libexec/rc/rc does (echo '' and date).</summary>
    internal const string EtcRc = "#!/bin/sh\n# /etc/rc of the simulated base system: starts the jail's services.\n:\necho ''\ndate\nexit 0\n";

    /// <summary>The default class of etc/login.conf (FreeBSD 14): what setusercontext(3) applies for jexec -l and exec.clean.</summary>
    internal const string LoginConf =
        "# login.conf - login class capabilities database.\n" +
        "default:\\\n" +
        "\t:passwd_format=sha512:\\\n" +
        "\t:copyright=/etc/COPYRIGHT:\\\n" +
        "\t:welcome=/var/run/motd:\\\n" +
        "\t:setenv=BLOCKSIZE=K:\\\n" +
        "\t:mail=/var/mail/$:\\\n" +
        "\t:path=/sbin /bin /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin ~/bin:\\\n" +
        "\t:nologin=/var/run/nologin:\\\n" +
        "\t:cputime=unlimited:\\\n" +
        "\t:datasize=unlimited:\\\n" +
        "\t:stacksize=unlimited:\\\n" +
        "\t:memorylocked=64K:\\\n" +
        "\t:memoryuse=unlimited:\\\n" +
        "\t:filesize=unlimited:\\\n" +
        "\t:coredumpsize=unlimited:\\\n" +
        "\t:openfiles=unlimited:\\\n" +
        "\t:maxproc=unlimited:\\\n" +
        "\t:sbsize=unlimited:\\\n" +
        "\t:vmemoryuse=unlimited:\\\n" +
        "\t:swapuse=unlimited:\\\n" +
        "\t:pseudoterminals=unlimited:\\\n" +
        "\t:kqueues=unlimited:\\\n" +
        "\t:umtxp=unlimited:\\\n" +
        "\t:priority=0:\\\n" +
        "\t:ignoretime@:\\\n" +
        "\t:umask=022:\\\n" +
        "\t:charset=UTF-8:\\\n" +
        "\t:lang=C.UTF-8:\n" +
        "\n" +
        "root:\\\n" +
        "\t:ignorenologin:\\\n" +
        "\t:memorylocked=unlimited:\\\n" +
        "\t:tc=default:\n";

    private const string Passwd =
        "root:*:0:0:Charlie &:/root:/bin/sh\n" +
        "toor:*:0:0:Bourne-again Superuser:/root:\n" +
        "daemon:*:1:1:Owner of many system processes:/root:/usr/sbin/nologin\n" +
        "operator:*:2:5:System &:/:/usr/sbin/nologin\n" +
        "www:*:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin\n" +
        "nobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin\n";

    private const string Group =
        "wheel:*:0:root\n" +
        "daemon:*:1:\n" +
        "operator:*:5:root\n" +
        "www:*:80:\n" +
        "nogroup:*:65533:\n" +
        "nobody:*:65534:\n";

    private static void WriteIfMissing(SimFileSystem fs, string path, string text)
    {
        if (!fs.FileExists(path)) fs.WriteAllText(path, text);
    }

    // The subset of /etc/defaults/rc.conf that the module's features read.
    internal const string DefaultsRcConf =
        "#!/bin/sh\n" +
        "# This is rc.conf - a file full of useful variables that you can set\n" +
        "# to change the default startup behavior of your system.\n" +
        "rc_conf_files=\"/etc/rc.conf /etc/rc.conf.local\"\n" +
        "local_startup=\"/usr/local/etc/rc.d\"\t# startup script dirs.\n" +
        "hostname=\"\"\n" +
        "gateway_enable=\"NO\"\n" +
        "cloned_interfaces=\"\"\n" +
        "linux_enable=\"NO\"\n" +
        "linux_mounts_enable=\"YES\"\n" +
        "rctl_enable=\"NO\"\n" +
        "zfs_enable=\"NO\"\n" +
        "jail_enable=\"NO\"\t# Set to NO to disable starting of any jails\n" +
        "jail_conf=\"/etc/jail.conf\"\t# Location of jail.conf(5) file.\n" +
        "jail_list=\"\"\t\t# Space separated list of names of jails\n" +
        "jail_reverse_stop=\"NO\"\t# Stop jails in reverse order\n" +
        "jail_parallel_start=\"NO\"\t# Start jails in the background\n" +
        "jail_flags=\"\"\t\t# Flags for jail(8)\n" +
        "sshd_enable=\"NO\"\n";

    internal const string DefaultDevfsRules =
        "#\n# The following are some default rules for devfs(8)\n#\n\n" +
        "[devfsrules_hide_all=1]\nadd hide\n\n" +
        "[devfsrules_unhide_basic=2]\nadd path null unhide\nadd path zero unhide\nadd path crypto unhide\nadd path random unhide\nadd path urandom unhide\n\n" +
        "[devfsrules_unhide_login=3]\nadd path 'ptyp*' unhide\nadd path 'ptyq*' unhide\nadd path 'ptyr*' unhide\nadd path 'ptys*' unhide\nadd path 'ptyP*' unhide\nadd path 'ptyQ*' unhide\nadd path 'ptyR*' unhide\nadd path 'ptyS*' unhide\nadd path 'ttyp*' unhide\nadd path 'ttyq*' unhide\nadd path 'ttyr*' unhide\nadd path 'ttys*' unhide\nadd path 'ttyP*' unhide\nadd path 'ttyQ*' unhide\nadd path 'ttyR*' unhide\nadd path 'ttyS*' unhide\nadd path ptmx unhide\nadd path pts unhide\nadd path 'pts/*' unhide\nadd path fd unhide\nadd path 'fd/*' unhide\nadd path stdin unhide\nadd path stdout unhide\nadd path stderr unhide\n\n" +
        "[devfsrules_jail=4]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\nadd include $devfsrules_unhide_login\nadd path fuse unhide\nadd path zfs unhide\n\n" +
        "[devfsrules_jail_vnet=5]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\nadd include $devfsrules_unhide_login\nadd include $devfsrules_jail\nadd path pf unhide\n";
}
