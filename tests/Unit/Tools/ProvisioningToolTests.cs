using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Tools;

/// <summary>The provisioning programs' argv (zfs, tar, freebsd-update, fetch, sha256, cp/mv/ln/mkdir/rm/rmdir, mount, uname, id) and the parsers of their output, on fixtures.</summary>
public sealed class ProvisioningToolTests
{
    // The columns of ZfsTool.ListAll: name type origin mountpoint createtxg managed uuid template kind release sets.
    private const string ListOutput =
        "zroot\tfilesystem\t-\t/zroot\t1\t-\t-\t-\t-\t-\t-\n" +
        "zroot/jails\tfilesystem\t-\t/usr/local/jails\t10\t-\t-\t-\t-\t-\t-\n" +
        "zroot/jails/templates\tfilesystem\t-\t/usr/local/jails/templates\t11\t-\t-\t-\t-\t-\t-\n" +
        "zroot/jails/templates/14.3-RELEASE\tfilesystem\t-\t/usr/local/jails/templates/14.3-RELEASE\t12\tyes\tu1\t-\ttemplate\t14.3-RELEASE\tbase,lib32\n" +
        "zroot/jails/templates/14.3-RELEASE@base\tsnapshot\t-\t-\t13\tyes\tu1\t-\ttemplate\t14.3-RELEASE\tbase,lib32\n" +
        "zroot/jails/templates/14.3-RELEASE@14.3-RELEASE-p2\tsnapshot\t-\t-\t20\tyes\tu1\t-\ttemplate\t14.3-RELEASE\tbase,lib32\n" +
        "zroot/jails/containers\tfilesystem\t-\t/usr/local/jails/containers\t14\t-\t-\t-\t-\t-\t-\n" +
        "zroot/jails/containers/web1\tfilesystem\tzroot/jails/templates/14.3-RELEASE@base\t/usr/local/jails/containers/web1\t15\tyes\tu2\t14.3-RELEASE\tthin\t-\t-\n";

    [Fact]
    public void ZfsListIsJoinedInMemory()
    {
        var z = ZfsTool.ParseList(ListOutput);
        Assert.Equal(8, z.Entries.Count);
        Assert.Equal(new[] { "zroot/jails/templates/14.3-RELEASE@base", "zroot/jails/templates/14.3-RELEASE@14.3-RELEASE-p2" },
            z.SnapshotsOf("zroot/jails/templates/14.3-RELEASE").Select(s => s.Name));
        Assert.Equal("zroot/jails/containers/web1", Assert.Single(z.ClonesOf("zroot/jails/templates/14.3-RELEASE@base")).Name);
        Assert.Equal(new[] { "zroot/jails/templates/14.3-RELEASE" }, z.Children("zroot/jails/templates").Select(c => c.Name));
        Assert.Null(z.Find("zroot/jails")!.Managed);
        Assert.Equal("thin", z.Find("zroot/jails/containers/web1")!.Kind);
        Assert.Equal("base,lib32", z.Find("zroot/jails/templates/14.3-RELEASE")!.Sets);
        Assert.Null(z.Find("zroot/jails/containers/web1")!.Sets);
        Assert.Empty(z.MissingAncestry("zroot/jails/containers"));
        Assert.Equal(new[] { "zroot/other", "zroot/other/jails" }, z.MissingAncestry("zroot/other/jails"));
    }

    // Property: the one-pass lookups answer exactly what a scan of every row answers.
    [Property(MaxTest = 200)]
    public Property LookupsAgreeWithAScanOfEveryRow()
    {
        var name = Gen.Elements("p", "p/a", "p/a/b", "p/c", "p/a/c", "q", "q/a");
        var snap = Gen.Elements("", "@s1", "@s2");
        var origin = Gen.Elements("-", "p@s1", "p/a@s2");
        var row = name.Zip(snap, (n, s) => n + s).Zip(origin, (ns, o) => (ns, o)).Zip(Gen.Choose(1, 50), (t, txg) =>
        {
            bool isSnap = t.ns.Contains('@');
            return $"{t.ns}\t{(isSnap ? "snapshot" : "filesystem")}\t{(isSnap ? "-" : t.o)}\t-\t{txg}\t-\t-\t-\t-\t-\t-";
        });
        return Prop.ForAll(row.ListOf().ToArbitrary(), rows =>
        {
            var z = ZfsTool.ParseList(string.Join("\n", rows) + "\n");
            var all = z.Entries;
            foreach (var d in new[] { "p", "p/a", "p/a/b", "p/c", "q", "q/a", "none" })
            {
                var children = all.Where(e => !e.IsSnapshot && e.Name.StartsWith(d + "/", StringComparison.Ordinal) && e.Name.IndexOf('/', d.Length + 1) < 0);
                var snaps = all.Where(e => e.IsSnapshot && e.Dataset == d).OrderBy(e => e.CreateTxg);
                if (!z.Children(d).SequenceEqual(children) || !z.SnapshotsOf(d).SequenceEqual(snaps)) return false;
            }
            foreach (var o in new[] { "p@s1", "p/a@s2", "q@s1" })
                if (!z.ClonesOf(o).SequenceEqual(all.Where(e => !e.IsSnapshot && e.Origin == o))) return false;
            return all.Count == rows.Count;
        });
    }

    [Fact]
    public void UserlandVersionAndMountTable()
    {
        Assert.Equal("14.3-RELEASE-p2", FreebsdVersionTool.ParseUserlandVersion("#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p2\"\n"));
        Assert.Null(FreebsdVersionTool.ParseUserlandVersion("#!/bin/sh\n"));
        var mounts = MountTool.ParseTable("zroot/ROOT/default\t/\tzfs\trw,noatime\t0 0\n/a\t/usr/local/jails/containers/x/mnt\tnullfs\tro\t0 0\n");
        Assert.Equal(new MountEntry("/a", "/usr/local/jails/containers/x/mnt", "nullfs"), mounts[1]);
    }

    [Fact]
    public void ArgvFollowsTheHandbook()
    {
        Assert.Equal(new[] { "clone", "zroot/jails/templates/14.2-RELEASE@base", "zroot/jails/containers/d2l" },
            ZfsTool.Clone("zroot/jails/templates/14.2-RELEASE@base", "zroot/jails/containers/d2l").Arguments);
        Assert.Equal(new[] { "-xf", "/usr/local/jails/media/14.3-RELEASE-base.txz", "-C", "/usr/local/jails/templates/14.3-RELEASE", "--unlink" },
            TarTool.Extract("/usr/local/jails/media/14.3-RELEASE-base.txz", "/usr/local/jails/templates/14.3-RELEASE").Arguments);
        var fu = FreebsdUpdateTool.FetchInstall("/usr/local/jails/templates/14.3-RELEASE", "14.3-RELEASE");
        Assert.Equal("/usr/sbin/freebsd-update -b /usr/local/jails/templates/14.3-RELEASE --currently-running 14.3-RELEASE --not-running-from-cron fetch install", fu.DisplayText);
        Assert.Equal("cat", fu.Environment!["PAGER"]);
        Assert.Equal("/sbin/zfs set a:b=1 c:d=2 zroot/x", ZfsTool.Set("zroot/x", new[] { KeyValuePair.Create("a:b", "1"), KeyValuePair.Create("c:d", "2") }).DisplayText);
    }

    [Fact]
    public void ZfsGetWithSourceKeepsOnlyLocalProperties()
    {
        Assert.Equal("/sbin/zfs get -H -p -o property,value,source org.jailsmodule:managed,org.jailsmodule:uuid zroot/jails/containers/web1",
            ZfsTool.GetWithSource("zroot/jails/containers/web1", ZfsTool.Managed, ZfsTool.Uuid).DisplayText);
        // zfs get -H: property, value, source; an inherited managed flag does not count, "-" source means not set.
        const string fixture = "org.jailsmodule:managed\tyes\tinherited from zroot/jails\norg.jailsmodule:uuid\tu2\tlocal\norg.jailsmodule:kind\t-\t-\n";
        var local = ZfsTool.ParseLocalProperties(fixture);
        Assert.Equal(new Dictionary<string, string> { ["org.jailsmodule:uuid"] = "u2" }, local);
        Assert.Empty(ZfsTool.ParseLocalProperties(""));
    }

    [Fact]
    public void ZfsArgv()
    {
        Assert.Equal("/sbin/zfs list -H -p -t filesystem,snapshot -o name,type,origin,mountpoint,createtxg,org.jailsmodule:managed,org.jailsmodule:uuid,org.jailsmodule:template,org.jailsmodule:kind,org.jailsmodule:release,org.jailsmodule:sets,org.jailsmodule:jail",
            ZfsTool.ListAll().DisplayText);
        Assert.Equal(new[] { "create", "-p", "-o", "mountpoint=/usr/local/jails/containers", "zroot/jails/containers" },
            ZfsTool.Create("zroot/jails/containers", true, new[] { KeyValuePair.Create("mountpoint", "/usr/local/jails/containers") }).Arguments);
        Assert.Equal(new[] { "clone", "-o", "org.jailsmodule:managed=yes", "t@base", "j" }, ZfsTool.Clone("t@base", "j", new[] { KeyValuePair.Create(ZfsTool.Managed, "yes") }).Arguments);
        Assert.Equal("/sbin/zfs snapshot t@base", ZfsTool.Snapshot("t@base").DisplayText);
        Assert.Equal("/sbin/zfs destroy t@base", ZfsTool.Destroy("t@base").DisplayText);
        Assert.Equal("/sbin/zfs rename a a.prev", ZfsTool.Rename("a", "a.prev").DisplayText);
    }

    [Fact]
    public void MediaArgvAndDigest()
    {
        Assert.Equal("/usr/bin/fetch -o /m/14.3-RELEASE-base.txz https://x/base.txz", FetchTool.Fetch("https://x/base.txz", "/m/14.3-RELEASE-base.txz").DisplayText);
        Assert.Equal("/sbin/sha256 -q /m/b.txz", Sha256Tool.Digest("/m/b.txz").DisplayText);
        Assert.Equal(new string('a', 64), Sha256Tool.ParseDigest(new string('A', 64) + "\n"));
    }

    [Fact]
    public void FreebsdUpdateForTreesAndRunningJails()
    {
        var rb = FreebsdUpdateTool.Rollback("/usr/local/jails/containers/t1");
        Assert.Equal("/usr/sbin/freebsd-update -b /usr/local/jails/containers/t1 --not-running-from-cron rollback", rb.DisplayText);
        Assert.Equal("/usr/sbin/freebsd-update -j web --not-running-from-cron fetch install", FreebsdUpdateTool.FetchInstallJail("web").DisplayText);
        Assert.Equal("/usr/sbin/freebsd-update -j web --not-running-from-cron rollback", FreebsdUpdateTool.RollbackJail("web").DisplayText);
        foreach (var r in new[] { rb, FreebsdUpdateTool.FetchInstallJail("web"), FreebsdUpdateTool.RollbackJail("web") })
            Assert.Equal("cat", r.Environment!["PAGER"]);
    }

    [Fact]
    public void FileToolArgvAreAbsoluteAndNeverAShell()
    {
        Assert.Equal("/bin/cp -a /t/s /j/web.skeleton", FileTools.CopyTree("/t/s", "/j/web.skeleton").DisplayText);
        Assert.Equal("/bin/mv /t/b/etc /t/s/etc", FileTools.Move("/t/b/etc", "/t/s/etc").DisplayText);
        Assert.Equal("/bin/ln -s ../skeleton/usr/local /t/b/usr/local", FileTools.Symlink("../skeleton/usr/local", "/t/b/usr/local").DisplayText);
        Assert.Equal("/bin/mkdir /j/web", FileTools.MakeDirectory("/j/web").DisplayText);
        Assert.Equal("/bin/mkdir -p /t/s/usr /t/s/home", FileTools.MakeDirectories("/t/s/usr", "/t/s/home").DisplayText);
        Assert.Equal("/bin/rmdir /j/web", FileTools.RemoveDirectory("/j/web").DisplayText);
        Assert.Equal("/bin/rm -f /t/b/etc", FileTools.RemoveFile("/t/b/etc").DisplayText);
        Assert.Equal("/bin/rm -rf -x /j/web.skeleton /t/b", FileTools.RemoveTree("/j/web.skeleton", "/t/b").DisplayText);
        // A name that looks like an option or holds shell characters stays one argument.
        Assert.Equal(new[] { "-a", "/t/$(x) y", "/j/a;b" }, FileTools.CopyTree("/t/$(x) y", "/j/a;b").Arguments);
    }

    [Fact]
    public void MountTableAndFstabLines()
    {
        Assert.Equal("/sbin/mount -p", MountTool.Table().DisplayText);
        // mount -p as FreeBSD prints it: TAB-separated fstab(5) fields.
        var t = MountTool.ParseTable("/dev/ada0p2\t\t/\t\tufs\trw\t1 1\ndevfs\t\t\t/dev\t\tdevfs\trw\t\t0 0\n\n");
        Assert.Equal(new[] { new MountEntry("/dev/ada0p2", "/", "ufs"), new MountEntry("devfs", "/dev", "devfs") }, t);
        Assert.Equal("/t/b /j/web nullfs ro 0 0", MountTool.FstabLine("/t/b", "/j/web", "nullfs", "ro"));
    }

    [Theory]
    [InlineData("0\n", 0)]
    [InlineData("1001\n", 1001)]
    [InlineData("", null)]
    [InlineData("id: illegal option\n", null)]
    [InlineData("-1\n", null)]
    public void IdAndUname(string stdout, int? uid)
    {
        Assert.Equal("/usr/bin/id -u", IdTool.EffectiveUid().DisplayText);
        Assert.Equal(uid, IdTool.ParseUid(stdout));
        Assert.Equal("/usr/bin/uname -m", UnameTool.Machine().DisplayText);
        Assert.Equal("arm64", UnameTool.ParseMachine("arm64\n"));
    }
}
