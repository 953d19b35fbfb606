using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

public sealed class ZfsToolTests : SimToolTestBase
{
    private void Tree()
    {
        Ok("/sbin/zfs", "create", "-o", "mountpoint=/jails", "zroot/jails");
        Ok("/sbin/zfs", "create", "zroot/jails/web");
    }

    [Fact]
    public void FreshHostListsThePoolInScriptedForm()
    {
        var r = Zfs("list", "-H", "-o", "name,mountpoint,mounted,origin");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("zroot\t/zroot\tno\t-\nzroot/ROOT\tnone\tno\t-\nzroot/ROOT/default\t/\tyes\t-\n", r.StandardOutput);
    }

    [Fact]
    public void CreateInheritsTheMountpointAndMakesTheFolder()
    {
        Tree();
        Assert.Equal("/jails/web\tyes\n", Ok("/sbin/zfs", "list", "-H", "-o", "mountpoint,mounted", "zroot/jails/web"));
        Assert.True(Directory.Exists(Real("/jails/web")));
        Assert.Equal("zroot/jails/web\tmountpoint\t/jails/web\tinherited from zroot/jails\n", Ok("/sbin/zfs", "get", "-H", "mountpoint", "zroot/jails/web"));
        Assert.Contains(Host.ReadState().Mounts, m => m.Special == "zroot/jails/web" && m.Node == "/jails/web" && m.FsType == "zfs");
    }

    [Fact]
    public void PropertiesKeepTheirOrdinalOrderAfterTheStateIsReadBack()
    {
        var ds = System.Text.Json.JsonSerializer.Deserialize<SimDataset>("{\"Name\":\"zroot/x\",\"Properties\":{\"b:x\":\"1\",\"B:x\":\"2\",\"a_b:x\":\"3\",\"a-b:x\":\"4\"}}")!;
        Assert.Same(StringComparer.Ordinal, ds.Properties.Comparer);
        Assert.Equal(new[] { "B:x", "a-b:x", "a_b:x", "b:x" }, ds.Properties.Keys);
    }

    [Fact]
    public void ListingManyDatasetsFindsEachOnesInheritedValues()
    {
        Ok("/sbin/zfs", "create", "-o", "mountpoint=/jails", "-o", "org.x:tag=top", "zroot/jails");
        for (int i = 0; i < 30; i++) Ok("/sbin/zfs", "create", $"zroot/jails/j{i}");
        Ok("/sbin/zfs", "rename", "zroot/jails/j7", "zroot/jails/k7");
        var rows = Ok("/sbin/zfs", "list", "-H", "-o", "name,mountpoint,org.x:tag", "-r", "zroot/jails").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(31, rows.Length);
        Assert.Contains("zroot/jails/k7\t/jails/k7\ttop", rows);
        Assert.DoesNotContain(rows, r => r.StartsWith("zroot/jails/j7\t"));
        Assert.All(rows, r => Assert.EndsWith("\ttop", r));
    }

    [Fact]
    public void CreateWithoutParentFailsWithTheLibzfsText()
    {
        var r = Zfs("create", "zroot/nope/child");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("cannot create 'zroot/nope/child': parent does not exist\n", r.StandardError);
        Ok("/sbin/zfs", "create", "-p", "zroot/nope/child");
        Assert.Equal("zroot/nope\nzroot/nope/child\n", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-r", "zroot/nope"));
        Ok("/sbin/zfs", "create", "-p", "zroot/nope/child"); // -p: an existing dataset is fine
        Assert.Equal("cannot create 'zroot/nope/child': dataset already exists\n", Zfs("create", "zroot/nope/child").StandardError);
    }

    [Fact]
    public void MissingDatasetIsCannotOpenExit1AndUsageErrorsExit2()
    {
        var r = Zfs("list", "zroot/missing");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("cannot open 'zroot/missing': dataset does not exist\n", r.StandardError);
        var u = Zfs("list", "-Q");
        Assert.Equal(2, u.ExitCode);
        Assert.StartsWith("invalid option 'Q'\nusage:\n\tlist [-Hp]", u.StandardError);
        Assert.Equal(2, Zfs("bogus").ExitCode);
    }

    [Fact]
    public void SnapshotsAreListedOnlyWithTypeSnapshot()
    {
        Tree();
        Ok("/sbin/zfs", "snapshot", "zroot/jails/web@s1");
        Assert.DoesNotContain("@", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-r", "zroot/jails"));
        Assert.Equal("zroot/jails/web@s1\n", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-t", "snapshot", "zroot/jails/web"));
        Assert.Equal("zroot/jails/web@s1\t-\t-\n", Ok("/sbin/zfs", "list", "-H", "-t", "all", "-o", "name,mountpoint,origin", "zroot/jails/web@s1"));
        var dup = Zfs("snapshot", "zroot/jails/web@s1");
        Assert.Equal(1, dup.ExitCode);
        Assert.Equal("cannot create snapshot 'zroot/jails/web@s1': dataset already exists\n", dup.StandardError);
    }

    [Fact]
    public void CloneCarriesTheFilesOfTheSnapshotNotLaterChanges()
    {
        Tree();
        File.WriteAllText(Path.Combine(Real("/jails/web"), "index.html"), "v1");
        Ok("/sbin/zfs", "snapshot", "zroot/jails/web@base");
        File.WriteAllText(Path.Combine(Real("/jails/web"), "index.html"), "v2");
        File.WriteAllText(Path.Combine(Real("/jails/web"), "late.txt"), "x");
        Ok("/sbin/zfs", "clone", "zroot/jails/web@base", "zroot/jails/api");
        Assert.Equal("v1", File.ReadAllText(Path.Combine(Real("/jails/api"), "index.html")));
        Assert.False(File.Exists(Path.Combine(Real("/jails/api"), "late.txt")));
        Assert.Equal("zroot/jails/api\tzroot/jails/web@base\t/jails/api\tyes\n", Ok("/sbin/zfs", "list", "-H", "-o", "name,origin,mountpoint,mounted", "zroot/jails/api"));
        Assert.Equal("zroot/jails/web@base\tclones\tzroot/jails/api\t-\n", Ok("/sbin/zfs", "get", "-H", "clones", "zroot/jails/web@base"));
        // the snapshot's frozen copy lives in the simulator's own area, not in the FreeBSD tree
        Assert.True(Directory.Exists(Path.Combine(Dir, "zfs-snapshots")));
    }

    [Fact]
    public void DestroyRefusesChildrenAndClonesWithTheZfsMainTexts()
    {
        Tree();
        Ok("/sbin/zfs", "snapshot", "zroot/jails/web@base");
        var children = Zfs("destroy", "zroot/jails/web");
        Assert.Equal(1, children.ExitCode);
        Assert.Equal("cannot destroy 'zroot/jails/web': filesystem has children\nuse '-r' to destroy the following datasets:\nzroot/jails/web@base\n", children.StandardError);

        Ok("/sbin/zfs", "clone", "zroot/jails/web@base", "zroot/jails/api");
        var snap = Zfs("destroy", "zroot/jails/web@base");
        Assert.Equal(1, snap.ExitCode);
        Assert.Equal("cannot destroy 'zroot/jails/web@base': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\nzroot/jails/api\n", snap.StandardError);

        var rec = Zfs("destroy", "-r", "zroot/jails/web");
        Assert.Equal(1, rec.ExitCode);
        Assert.Equal("cannot destroy 'zroot/jails/web': filesystem has dependent clones\nuse '-R' to destroy the following datasets:\nzroot/jails/api\n", rec.StandardError);

        var dry = Zfs("destroy", "-nvR", "zroot/jails/web");
        Assert.Equal("would destroy zroot/jails/api\nwould destroy zroot/jails/web@base\nwould destroy zroot/jails/web\n", dry.StandardOutput);
        Assert.NotNull(new SimZfsPoolProbe(Host).Find("zroot/jails/web"));

        Ok("/sbin/zfs", "destroy", "-R", "zroot/jails/web");
        Assert.Equal("zroot/jails\n", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-t", "all", "-r", "zroot/jails"));
        Assert.False(Directory.Exists(Real("/jails/web")));
        Assert.False(Directory.Exists(Real("/jails/api")));
    }

    [Fact]
    public void DestroyOfAFilesystemUnderARunningJailIsBusyUnlessForced()
    {
        Tree();
        Host.UpdateState(s => s.Jails.Add(new SimJail { Jid = 1, Name = "web", Params = { ["path"] = "/jails/web" } }));
        var r = Zfs("destroy", "zroot/jails/web");
        Assert.Equal("cannot unmount '/jails/web': pool or dataset is busy\n", r.StandardError);
        Assert.Equal(1, r.ExitCode);
        Ok("/sbin/zfs", "destroy", "-f", "zroot/jails/web");
    }

    [Fact]
    public void UserPropertiesAreInheritedAndShowTheirSource()
    {
        Tree();
        Ok("/sbin/zfs", "set", "org.example.jails:template=base", "zroot/jails");
        Assert.Equal("zroot/jails/web\torg.example.jails:template\tbase\tinherited from zroot/jails\n", Ok("/sbin/zfs", "get", "-H", "org.example.jails:template", "zroot/jails/web"));
        Assert.Equal("base\n", Ok("/sbin/zfs", "get", "-H", "-p", "-o", "value", "org.example.jails:template", "zroot/jails/web"));
        // zfs_for_each sorts across operands: zroot/ROOT before zroot/jails/web
        Assert.Equal("zroot/ROOT\t-\nzroot/jails/web\tbase\n", Ok("/sbin/zfs", "list", "-H", "-o", "name,org.example.jails:template", "zroot/jails/web", "zroot/ROOT"));
        Ok("/sbin/zfs", "inherit", "org.example.jails:template", "zroot/jails");
        Assert.Equal("-\t-\n", Ok("/sbin/zfs", "get", "-H", "-o", "value,source", "org.example.jails:template", "zroot/jails/web"));
        var bad = Zfs("set", "nosuchprop=1", "zroot/jails");
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("cannot set property for 'zroot/jails': invalid property 'nosuchprop'\n", bad.StandardError);
    }

    [Fact]
    public void ListTableHasHeaderAndAlignedColumns()
    {
        Tree();
        var text = Ok("/sbin/zfs", "list", "-r", "zroot/jails");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+USED\s+AVAIL\s+REFER\s+MOUNTPOINT$", lines[0]);
        Assert.Matches(@"^zroot/jails/web\s+\d+(\.\d+)?K\s+\S+\s+96K\s+/jails/web$", lines[2]);
        Assert.Equal(lines[0].IndexOf("MOUNTPOINT"), lines[2].LastIndexOf("/jails/web"));
        var p = Ok("/sbin/zfs", "list", "-Hp", "-o", "used,refer", "zroot/jails/web").TrimEnd().Split('\t');
        Assert.Equal(SimZfsPool.Overhead, long.Parse(p[1]));
    }

    [Fact]
    public void SortAndDepthWork()
    {
        Tree();
        Ok("/sbin/zfs", "create", "zroot/jails/app");
        Ok("/sbin/zfs", "create", "zroot/jails/app/data");
        Assert.Equal("zroot/jails\nzroot/jails/app\nzroot/jails/web\n", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-d", "1", "zroot/jails"));
        Assert.Equal("zroot/jails/web\nzroot/jails/app/data\nzroot/jails/app\nzroot/jails\n", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-S", "name", "-r", "zroot/jails"));
    }

    [Fact]
    public void RenameMovesTheMountpointAndTheFiles()
    {
        Tree();
        File.WriteAllText(Path.Combine(Real("/jails/web"), "f"), "1");
        Ok("/sbin/zfs", "rename", "zroot/jails/web", "zroot/jails/www");
        Assert.Equal("1", File.ReadAllText(Path.Combine(Real("/jails/www"), "f")));
        Assert.False(Directory.Exists(Real("/jails/web")));
    }

    [Fact]
    public void SetMountpointNoneUnmountsAndKeepsTheFilesForLater()
    {
        Tree();
        File.WriteAllText(Path.Combine(Real("/jails/web"), "f"), "1");
        Ok("/sbin/zfs", "set", "mountpoint=none", "zroot/jails/web");
        Assert.Equal("no\n", Ok("/sbin/zfs", "get", "-H", "-o", "value", "mounted", "zroot/jails/web"));
        Assert.False(Directory.Exists(Real("/jails/web")));
        Ok("/sbin/zfs", "set", "mountpoint=/srv/web", "zroot/jails/web");
        Assert.Equal("1", File.ReadAllText(Path.Combine(Real("/srv/web"), "f")));
    }

    [Fact]
    public void JailNeedsARunningJailAndJailedOn()
    {
        Tree();
        var none = Zfs("jail", "web", "zroot/jails/web");
        Assert.Equal(2, none.ExitCode);
        Assert.StartsWith("invalid jail id or name\n", none.StandardError);
        Host.UpdateState(s => s.Jails.Add(new SimJail { Jid = 3, Name = "web", Params = { ["path"] = "/jails/other" } }));
        Assert.Equal(1, Zfs("jail", "web", "zroot/jails/web").ExitCode);
        Ok("/sbin/zfs", "set", "jailed=on", "zroot/jails/web");
        Ok("/sbin/zfs", "jail", "3", "zroot/jails/web");
        Assert.Equal(3, new SimZfsPoolProbe(Host).Find("zroot/jails/web")!.AttachedJail);
    }

    [Fact]
    public void SpaceShortcutAndGetAllWork()
    {
        Tree();
        var space = Ok("/sbin/zfs", "list", "-H", "-p", "-o", "space", "zroot/jails/web").TrimEnd('\n').Split('\t');
        Assert.Equal(7, space.Length);
        Assert.Equal("zroot/jails/web", space[0]);
        var all = Ok("/sbin/zfs", "get", "-H", "-o", "property,source", "all", "zroot/jails/web");
        Assert.Contains("mountpoint\tinherited from zroot/jails\n", all);
        Assert.Contains("compression\tdefault\n", all);
        Assert.Contains("type\t-\n", all);
        var bad = Zfs("get", "nosuch", "zroot");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("bad property list: invalid property 'nosuch'\nusage:\n", bad.StandardError);
    }

    [Fact]
    public void PromoteMovesTheOriginSnapshotToTheClone()
    {
        Tree();
        Ok("/sbin/zfs", "snapshot", "zroot/jails/web@base");
        Ok("/sbin/zfs", "clone", "zroot/jails/web@base", "zroot/jails/api");
        Ok("/sbin/zfs", "promote", "zroot/jails/api");
        Assert.Equal("zroot/jails/api\t-\nzroot/jails/web\tzroot/jails/api@base\n", Ok("/sbin/zfs", "list", "-H", "-o", "name,origin", "-r", "zroot/jails/api", "zroot/jails/web"));
        Assert.Equal("zroot/jails/api@base\n", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "zroot/jails"));
        var notClone = Zfs("promote", "zroot/jails");
        Assert.Equal("cannot promote 'zroot/jails': not a cloned filesystem\n", notClone.StandardError);
    }

    [Fact]
    public void InheritMountpointRemountsAtTheInheritedPlace()
    {
        Tree();
        Ok("/sbin/zfs", "set", "mountpoint=/srv/web", "zroot/jails/web");
        Assert.True(Directory.Exists(Real("/srv/web")));
        Ok("/sbin/zfs", "inherit", "mountpoint", "zroot/jails/web");
        Assert.Equal("/jails/web\tyes\n", Ok("/sbin/zfs", "list", "-H", "-o", "mountpoint,mounted", "zroot/jails/web"));
        Assert.False(Directory.Exists(Real("/srv/web")));
        Assert.Equal(1, Zfs("inherit", "quota", "zroot/jails/web").ExitCode);
    }

    [Fact]
    public void DestroySnapshotVerboseReportsReclaim()
    {
        Tree();
        Ok("/sbin/zfs", "snapshot", "zroot/jails/web@a");
        Assert.Equal("would destroy zroot/jails/web@a\nwould reclaim 0B\n", Ok("/sbin/zfs", "destroy", "-nv", "zroot/jails/web@a"));
        var missing = Zfs("destroy", "zroot/jails/web@zz");
        Assert.Equal("could not find any snapshots to destroy; check snapshot names.\n", missing.StandardError);
        Ok("/sbin/zfs", "destroy", "zroot/jails/web@a");
        Assert.Equal("", Ok("/sbin/zfs", "list", "-H", "-t", "snapshot", "-o", "name"));
        var none = Zfs("list", "-t", "snapshot");
        Assert.Equal((0, "", "no datasets available\n"), (none.ExitCode, none.StandardOutput, none.StandardError));
    }

    [Fact]
    public void RollbackRestoresTheFilesAndNeedsRForLaterSnapshots()
    {
        Tree();
        var f = Path.Combine(Real("/jails/web"), "etc.conf");
        File.WriteAllText(f, "one");
        Ok("/sbin/zfs", "snapshot", "zroot/jails/web@a");
        File.WriteAllText(f, "two");
        File.WriteAllText(f + ".new", "x");
        Ok("/sbin/zfs", "snapshot", "zroot/jails/web@b");
        var refused = Zfs("rollback", "zroot/jails/web@a");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("cannot rollback to 'zroot/jails/web@a': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\nzroot/jails/web@b\n", refused.StandardError);
        Ok("/sbin/zfs", "rollback", "-r", "zroot/jails/web@a");
        Assert.Equal("one", File.ReadAllText(f));
        Assert.False(File.Exists(f + ".new"));
        Assert.Equal("zroot/jails/web@a\n", Ok("/sbin/zfs", "list", "-H", "-o", "name", "-t", "snapshot"));
    }

    [Fact]
    public void ZpoolListPrintsThePool()
    {
        Assert.Equal("zroot\n", Ok("/sbin/zpool", "list", "-H", "-o", "name"));
    }

    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(98304L, "96K")]
    [InlineData(1536L, "1.50K")]
    [InlineData(107374182400L, "100G")]
    [InlineData(1288490188L, "1.20G")]
    public void NicenumMatchesZfs(long n, string text) => Assert.Equal(text, SimZfsPool.Nice(n));

    private sealed class SimZfsPoolProbe
    {
        private readonly SimState _s;
        public SimZfsPoolProbe(SimulatedHost h) => _s = h.ReadState();
        public SimDataset? Find(string n) => _s.Datasets.FirstOrDefault(d => d.Name == n);
    }
}
