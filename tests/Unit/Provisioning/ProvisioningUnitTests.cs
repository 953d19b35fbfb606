using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JailsModule.Config;
using JailsModule.Model;
using JailsModule.Services;
using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Provisioning;

public sealed class ProvisionValidationTests
{
    [Theory]
    [InlineData("14.3-RELEASE")]
    [InlineData("15.0-RC1")]
    [InlineData("15.0-BETA2")]
    [InlineData("15.0-CURRENT")]
    [InlineData("14.2-RELEASE-p3")]
    public void GoodReleaseNames(string r) => Assert.Null(ProvisionValidation.Release(r));

    [Theory]
    [InlineData("14.3")]
    [InlineData("14.3-release")]
    [InlineData("14.3-RELEASE; rm -rf /")]
    [InlineData("../14.3-RELEASE")]
    [InlineData("")]
    public void BadReleaseNamesNameTheValue(string r)
    {
        var why = ProvisionValidation.Release(r);
        Assert.NotNull(why);
        if (r.Length > 0) Assert.Contains(r, why);
    }

    [Theory]
    [InlineData("zroot/jails/containers/web1", true)]
    [InlineData("tank/a.b:c-d_e", true)]
    [InlineData("zroot/jails/", false)]
    [InlineData("/zroot/jails", false)]
    [InlineData("zroot//jails", false)]
    [InlineData("zroot/jails@snap", false)]
    [InlineData("zroot/ja ils", false)]
    [InlineData("zroot/../etc", false)]
    [InlineData("1pool/x", false)]
    public void DatasetNames(string ds, bool ok) => Assert.Equal(ok, ProvisionValidation.Dataset(ds) is null);

    [Fact]
    public void UnderRootIsStrictAndComponentWise()
    {
        Assert.True(ProvisionValidation.IsUnder("zroot/jails/containers/web1", "zroot/jails/containers"));
        Assert.False(ProvisionValidation.IsUnder("zroot/jails/containers", "zroot/jails/containers"));
        Assert.False(ProvisionValidation.IsUnder("zroot/jails/containers2/web1", "zroot/jails/containers"));
    }

    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("192.0.2.10/24", "192.0.2.10/24")]
    [InlineData("192.0.2.10/024", "192.0.2.10/24")]
    public void IPv4IsNormalized(string input, string expected)
    {
        Assert.Null(ProvisionValidation.IPv4(input, out var n));
        Assert.Equal(expected, n);
    }

    [Theory]
    [InlineData("300.1.2.3")]
    [InlineData("192.0.2")]
    [InlineData("10")]
    [InlineData("192.0.2.1/33")]
    [InlineData("192.0.2.1/-1")]
    [InlineData("2001:db8::1")]
    [InlineData("192.0.2.1,192.0.2.2")]
    public void BadIPv4(string a) => Assert.NotNull(ProvisionValidation.IPv4(a, out _));

    [Fact]
    public void IPv6WithPrefixAndWithoutZone()
    {
        Assert.Null(ProvisionValidation.IPv6("2001:DB8::0:1/64", out var n));
        Assert.Equal("2001:db8::1/64", n);
        Assert.NotNull(ProvisionValidation.IPv6("fe80::1%em0", out _));
        Assert.NotNull(ProvisionValidation.IPv6("192.0.2.1", out _));
        Assert.NotNull(ProvisionValidation.IPv6("::1/129", out _));
    }

    [Theory]
    [InlineData("em0", true)]
    [InlineData("vtnet1", true)]
    [InlineData("bridge0", true)]
    [InlineData("epair3a", true)]
    [InlineData("vlan0.100", true)]
    [InlineData("em", false)]
    [InlineData("EM0", false)]
    [InlineData("em0;reboot", false)]
    [InlineData("averyveryverylong0", false)]
    public void InterfaceNames(string n, bool ok) => Assert.Equal(ok, ProvisionValidation.Interface(n) is null);

    [Theory]
    [InlineData("/usr/local/jails/containers/web1", true)]
    [InlineData("usr/local", false)]
    [InlineData("/usr/../etc", false)]
    [InlineData("/a\"b", false)]
    [InlineData("/a$b", false)]
    [InlineData("/a\nb", false)]
    public void Paths(string p, bool ok) => Assert.Equal(ok, ProvisionValidation.AbsolutePath(p) is null);
}

public sealed class ProvisioningParserTests
{
    // The columns of ZfsCommand.ListAll: name type origin mountpoint createtxg managed uuid template kind release sets.
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
        var z = ZfsListing.Parse(ListOutput);
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

    [Theory]
    [InlineData(null, "base")]
    [InlineData("", "base")]
    [InlineData("base,lib32", "base,lib32")]
    [InlineData("lib32, base ,lib32", "lib32,base")]
    [InlineData("base,../x,kernel", "base,kernel")]
    public void RecordedSetsAreReadBackWithBaseWhenNoneIsRecorded(string? recorded, string expected)
        => Assert.Equal(expected, string.Join(',', ProvisioningService.ParseSets(recorded)));

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
            var z = ZfsListing.Parse(string.Join("\n", rows) + "\n");
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
    public void ManifestLinesGiveTheDigestPerFile()
    {
        var sha = new string('a', 64);
        var m = MediaCommand.ParseManifest($"base.txz\t{sha}\t28814\tbase\t\"Base system (MANDATORY)\"\ton\nlib32.txz\t{new string('B', 64)}\t100\tlib32\t\"32-bit compatibility libraries\"\ton\n");
        Assert.Equal(sha, m["base.txz"]);
        Assert.Equal(new string('b', 64), m["lib32.txz"]);
    }

    [Fact]
    public void UserlandVersionAndMountTable()
    {
        Assert.Equal("14.3-RELEASE-p2", MediaCommand.ParseUserlandVersion("#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p2\"\n"));
        Assert.Null(MediaCommand.ParseUserlandVersion("#!/bin/sh\n"));
        var mounts = MediaCommand.ParseMountTable("zroot/ROOT/default\t/\tzfs\trw,noatime\t0 0\n/a\t/usr/local/jails/containers/x/mnt\tnullfs\tro\t0 0\n");
        Assert.Equal(("/a", "/usr/local/jails/containers/x/mnt", "nullfs"), mounts[1]);
    }

    [Fact]
    public void ArgvFollowsTheHandbook()
    {
        Assert.Equal(new[] { "clone", "zroot/jails/templates/14.2-RELEASE@base", "zroot/jails/containers/d2l" },
            ZfsCommand.Clone("zroot/jails/templates/14.2-RELEASE@base", "zroot/jails/containers/d2l").Arguments);
        Assert.Equal(new[] { "-xf", "/usr/local/jails/media/14.3-RELEASE-base.txz", "-C", "/usr/local/jails/templates/14.3-RELEASE", "--unlink" },
            MediaCommand.Extract("/usr/local/jails/media/14.3-RELEASE-base.txz", "/usr/local/jails/templates/14.3-RELEASE").Arguments);
        var fu = MediaCommand.FreebsdUpdate("/usr/local/jails/templates/14.3-RELEASE", "14.3-RELEASE");
        Assert.Equal("/usr/sbin/freebsd-update -b /usr/local/jails/templates/14.3-RELEASE --currently-running 14.3-RELEASE --not-running-from-cron fetch install", fu.DisplayText);
        Assert.Equal("cat", fu.Environment!["PAGER"]);
        Assert.Equal("/sbin/zfs set a:b=1 c:d=2 zroot/x", ZfsCommand.Set("zroot/x", new[] { KeyValuePair.Create("a:b", "1"), KeyValuePair.Create("c:d", "2") }).DisplayText);
    }

    [Fact]
    public void ConfigFileIsStandardAndReadsBackThroughTheEngine()
    {
        var text = JailConfigBuilder.Render("/etc/jail.conf.d/web1.conf", new NewJailConfig
        {
            Name = "web1",
            HostName = "web1.example.org",
            Path = "/usr/local/jails/containers/web1",
            IPv4 = new[] { "192.0.2.10", "192.0.2.11/24" },
            Interface = "em0",
            Extra = new[] { KeyValuePair.Create("allow.raw_sockets", (IReadOnlyList<string>?)null), KeyValuePair.Create("devfs_ruleset", (IReadOnlyList<string>?)new[] { "4" }) },
            Metadata = new[] { KeyValuePair.Create("uuid", "u1"), KeyValuePair.Create("kind", "thin") },
        });
        var r = JailConf.LoadText(text, "/etc/jail.conf.d/web1.conf", new NoFiles());
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var j = Assert.Single(r.Jails);
        Assert.Equal("web1", j.Name);
        Assert.Equal("/bin/sh /etc/rc", j.Find("exec.start")!.Value);
        Assert.Equal("/bin/sh /etc/rc.shutdown", j.Find("exec.stop")!.Value);
        Assert.Null(j.Find("exec.clean")!.Values);
        Assert.Null(j.Find("mount.devfs")!.Values);
        Assert.Equal("/usr/local/jails/containers/web1", j.Find("path")!.Value);
        Assert.Equal(new[] { "192.0.2.10", "192.0.2.11/24" }, j.Find("ip4.addr")!.Values);
        Assert.Equal("em0", j.Find("interface")!.Value);
        Assert.Equal("4", j.Find("devfs_ruleset")!.Value);
        Assert.Equal(new Dictionary<string, string> { ["uuid"] = "u1", ["kind"] = "thin" }, JailConfigBuilder.ReadMetadata(text));
    }

    [Fact]
    public void SettingsRoundTripAndRejectNestedRoots()
    {
        var s = new JailModuleSettings { JailRoot = "tank/jails", JailMountpoint = "/jails" };
        var h = new Plans.FakeHost();
        h.WriteAllTextAtomic(JailModuleSettings.SettingsFile, s.Render());
        var back = JailModuleSettings.Load(h);
        Assert.Equal("tank/jails", back.JailRoot);
        Assert.Equal("/jails", back.JailMountpoint);
        Assert.Equal("zroot/jails/templates", back.TemplateRoot);
        Assert.Null(back.Validate());
        back.TemplateRoot = "tank/jails/templates";
        Assert.NotNull(back.Validate());
    }

    [Theory]
    [InlineData("5", 5, true)]
    [InlineData("0", 0, true)]
    [InlineData("86400", 86400, true)]
    [InlineData("86401", 60, false)]
    [InlineData("-1", 60, false)]
    [InlineData("1.5", 60, false)]
    [InlineData("ten", 60, false)]
    public void LockTimeoutIsWholeSecondsAndABadValueIsReported(string text, int expected, bool valid)
    {
        var h = new Plans.FakeHost();
        h.WriteAllTextAtomic(JailModuleSettings.SettingsFile, $"LockTimeout=\"{text}\"\n");
        var s = JailModuleSettings.Load(h);
        Assert.Equal(expected, s.LockTimeout);
        Assert.Equal(valid, s.Validate() is null);
        if (!valid) Assert.Contains(text, s.Validate());
        if (valid) Assert.Contains($"LockTimeout=\"{expected}\"", s.Render());
    }

    private sealed class NoFiles : IConfFileSource
    {
        public bool FileExists(string path) => false;
        public string ReadAllText(string path) => throw new FileNotFoundException(path);
        public IReadOnlyList<string> Glob(string pattern) => Array.Empty<string>();
    }
}
