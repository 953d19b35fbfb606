using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JailsModule.Config;
using JailsModule.Model;
using JailsModule.Provisioning.Userland;
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
    [Theory]
    [InlineData(null, "base")]
    [InlineData("", "base")]
    [InlineData("base,lib32", "base,lib32")]
    [InlineData("lib32, base ,lib32", "lib32,base")]
    [InlineData("base,../x,kernel", "base,kernel")]
    public void RecordedSetsAreReadBackWithBaseWhenNoneIsRecorded(string? recorded, string expected)
        => Assert.Equal(expected, string.Join(',', ProvisioningService.ParseSets(recorded)));

    [Fact]
    public void ManifestLinesGiveTheDigestPerFile()
    {
        var sha = new string('a', 64);
        var m = FreebsdReleaseSets.ParseManifest($"base.txz\t{sha}\t28814\tbase\t\"Base system (MANDATORY)\"\ton\nlib32.txz\t{new string('B', 64)}\t100\tlib32\t\"32-bit compatibility libraries\"\ton\n");
        Assert.Equal(sha, m["base.txz"]);
        Assert.Equal(new string('b', 64), m["lib32.txz"]);
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
