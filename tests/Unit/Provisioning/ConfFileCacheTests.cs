using JailsModule.Host;
using JailsModule.Services;
using JailsModule.Tests.Simulation;
using Xunit;

namespace JailsModule.Tests.Provisioning;

/// <summary>
/// The per-host cache of parsed jail.conf files behind the jail list (JailInventory.ReadConfigured):
/// reused only while a file is provably unchanged, re-parsed when its size, mtime or (inside the
/// racy window) content changed, new files seen, removed ones dropped.
/// </summary>
public sealed class ConfFileCacheTests : SimHostTestBase
{
    private const string Dir_ = "/etc/jail.conf.d";

    private static string Conf(string name, string path) => $"{name} {{\n    path = \"{path}\";\n}}\n";

    /// <summary>Writes a file and dates it <paramref name="age"/> back (sub-second part kept, as on ext4/ZFS/UFS).</summary>
    private void WriteAged(string path, string text, TimeSpan age)
    {
        Write(path, text);
        File.SetLastWriteTimeUtc(Host.Fs.Map(path), DateTime.UtcNow - age - TimeSpan.FromTicks(1234567));
    }

    private void SetMtime(string path, DateTime mtime) => File.SetLastWriteTimeUtc(Host.Fs.Map(path), mtime);
    private DateTime Mtime(string path) => File.GetLastWriteTimeUtc(Host.Fs.Map(path));

    private (List<string> Names, List<string> Paths) Configured()
    {
        var (jails, errors) = JailInventory.ReadConfigured(Host, Cache);
        Assert.Empty(errors);
        return (jails.Select(j => j.Jail.Name).ToList(), jails.Select(j => j.Jail.Find("path")!.Value!).ToList());
    }

    private ConfFileCache Cache { get; } = new();

    [Fact]
    public void AnOldUnchangedFileIsParsedOnce()
    {
        WriteAged($"{Dir_}/a.conf", Conf("a", "/j/a"), TimeSpan.FromMinutes(5));
        Assert.Equal(new[] { "a" }, Configured().Names);
        var parses = Cache.Parses;
        Assert.Equal(new[] { "a" }, Configured().Names);
        Assert.Equal(new[] { "a" }, Configured().Names);
        Assert.Equal(parses, Cache.Parses);
        Assert.Equal(1, Cache.Count);
    }

    [Fact]
    public void AChangedMtimeIsReparsed()
    {
        var f = $"{Dir_}/a.conf";
        WriteAged(f, Conf("a", "/j/a"), TimeSpan.FromMinutes(5));
        var old = Mtime(f);
        Configured();
        var parses = Cache.Parses;
        // Same size, new content, mtime one second later: the stamp differs.
        File.WriteAllText(Host.Fs.Map(f), Conf("a", "/j/b"));
        SetMtime(f, old + TimeSpan.FromSeconds(1));
        Assert.Equal(new[] { "/j/b" }, Configured().Paths);
        Assert.Equal(parses + 1, Cache.Parses);
    }

    [Fact]
    public void AChangedSizeIsReparsedEvenWithTheSameMtime()
    {
        var f = $"{Dir_}/a.conf";
        WriteAged(f, Conf("a", "/j/a"), TimeSpan.FromMinutes(5));
        var old = Mtime(f);
        Configured();
        File.WriteAllText(Host.Fs.Map(f), Conf("a", "/j/longer"));
        SetMtime(f, old);
        Assert.Equal(new[] { "/j/longer" }, Configured().Paths);
    }

    [Fact]
    public void InsideTheRacyWindowTheContentDecidesNotTheStamp()
    {
        // A file written just now: its stamp is not trusted, so a rewrite in the same tick with
        // the same size and the same mtime is still seen (the content is compared).
        var f = $"{Dir_}/a.conf";
        Write(f, Conf("a", "/j/a"));
        var stamp = Mtime(f);
        Assert.Equal(new[] { "/j/a" }, Configured().Paths);
        File.WriteAllText(Host.Fs.Map(f), Conf("a", "/j/z"));
        SetMtime(f, stamp);
        Assert.Equal(new[] { "/j/z" }, Configured().Paths);
        // Unchanged content inside the window: read again, not parsed again.
        var parses = Cache.Parses;
        Assert.Equal(new[] { "/j/z" }, Configured().Paths);
        Assert.Equal(parses, Cache.Parses);
    }

    [Fact]
    public void ANewFileIsSeenAndARemovedOneDropped()
    {
        WriteAged($"{Dir_}/a.conf", Conf("a", "/j/a"), TimeSpan.FromMinutes(5));
        Assert.Equal(new[] { "a" }, Configured().Names);
        WriteAged($"{Dir_}/b.conf", Conf("b", "/j/b"), TimeSpan.FromMinutes(5));
        Assert.Equal(new[] { "a", "b" }, Configured().Names);
        Assert.Equal(2, Cache.Count);
        Host.DeleteFile($"{Dir_}/a.conf");
        Assert.Equal(new[] { "b" }, Configured().Names);
        Assert.Equal(1, Cache.Count);
    }

    [Fact]
    public void AFileWithAnIncludeIsNeverCached()
    {
        WriteAged("/etc/jail.conf", ".include \"/etc/jails.inc/*.conf\";\n", TimeSpan.FromMinutes(5));
        WriteAged("/etc/jails.inc/x.conf", Conf("x", "/j/x"), TimeSpan.FromMinutes(5));
        Assert.Equal(new[] { "x" }, Configured().Names);
        Assert.Equal(0, Cache.Count);
        // A new file matching the glob changes neither /etc/jail.conf's stamp nor its text.
        WriteAged("/etc/jails.inc/y.conf", Conf("y", "/j/y"), TimeSpan.FromMinutes(5));
        Assert.Equal(new[] { "x", "y" }, Configured().Names);
    }

    [Fact]
    public void AFileThatNoLongerParsesReportsItsErrorEveryTime()
    {
        var f = $"{Dir_}/a.conf";
        WriteAged(f, Conf("a", "/j/a"), TimeSpan.FromMinutes(5));
        Configured();
        WriteAged(f, "a {\n    path = \"/j/a\";\n", TimeSpan.FromMinutes(4));
        for (int i = 0; i < 2; i++)
        {
            var (jails, errors) = JailInventory.ReadConfigured(Host, Cache);
            Assert.Empty(jails);
            Assert.Single(errors);
        }
    }

    [Fact]
    public void TheWindowDependsOnTheMtimePrecision()
    {
        var whole = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        Assert.Equal(ConfFileCache.CoarseRacyWindow, ConfFileCache.RacyWindow(whole));
        Assert.Equal(ConfFileCache.FineRacyWindow, ConfFileCache.RacyWindow(whole.AddTicks(10)));
        Assert.True(ConfFileCache.CoarseRacyWindow >= TimeSpan.FromSeconds(1), "a seconds-only file system needs more than a second");
    }

    [Fact]
    public void AnMtimeOnAWholeSecondIsTrustedOnlyAfterTheCoarseWindow()
    {
        // 1 s old on a whole second: could be a seconds-only file system, so the content is compared.
        var f = $"{Dir_}/a.conf";
        Write(f, Conf("a", "/j/a"));
        var stamp = new DateTime((DateTime.UtcNow - TimeSpan.FromSeconds(1)).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        SetMtime(f, stamp);
        Assert.Equal(new[] { "/j/a" }, Configured().Paths);
        File.WriteAllText(Host.Fs.Map(f), Conf("a", "/j/q"));
        SetMtime(f, stamp);
        Assert.Equal(new[] { "/j/q" }, Configured().Paths);
    }

    [Fact]
    public void EachSessionHasItsOwnCache()
    {
        WriteAged($"{Dir_}/a.conf", Conf("a", "/j/a"), TimeSpan.FromMinutes(5));
        var one = new global::JailsModule.Session.JailSession(Host);
        var two = new global::JailsModule.Session.JailSession(Host);
        Assert.NotSame(one.ConfFiles, two.ConfFiles);
        Assert.Same(one.ConfFiles, one.ConfFiles);
        JailInventory.ReadConfigured(Host, one.ConfFiles);
        Assert.Equal(1, one.ConfFiles.Count);
        Assert.Equal(0, two.ConfFiles.Count);
    }
}

/// <summary>JailInventory.Find builds only the jail asked for, with the same answer as the joined list.</summary>
public sealed class JailInventoryFindTests : SimHostTestBase
{
    private global::JailsModule.Services.ConfFileCache Cache { get; } = new();

    [Fact]
    public void FindAgreesWithTheJoinedList()
    {
        Write("/etc/jail.conf.d/conf1.conf", "conf1 {\n    path = \"/j/conf1\";\n    persist;\n}\n");
        Write("/etc/jail.conf.d/both.conf", "both {\n    path = \"/\";\n    persist;\n}\n");
        Assert.Equal(0, Jail("-c", "name=run1", "persist").ExitCode);
        Assert.Equal(0, Jail("-f", "/etc/jail.conf.d/both.conf", "-c", "both").ExitCode);
        var names = new[] { "conf1", "both", "run1", "missing" };
        foreach (var n in names)
        {
            var lazy = JailInventory.Read(Host, CancellationToken.None, null, Cache).Find(n);
            var joined = JailInventory.Read(Host, CancellationToken.None, null, Cache).Jails.FirstOrDefault(j => j.Name == n);
            Assert.Equal(joined is null, lazy is null);
            if (joined is null) continue;
            Assert.Equal((joined.Name, joined.State, joined.Jid, joined.Path, joined.ConfigPath, joined.ComputerName),
                (lazy!.Name, lazy.State, lazy.Jid, lazy.Path, lazy.ConfigPath, lazy.ComputerName));
        }
        var inv = JailInventory.Read(Host, CancellationToken.None, null, Cache);
        Assert.Equal(Model.JailState.Running, inv.Find("both")!.State);
        Assert.Equal("/etc/jail.conf.d/both.conf", inv.Find("both")!.ConfigPath);
        Assert.Equal(Model.JailState.Stopped, inv.Find("conf1")!.State);
        Assert.Null(inv.Find("run1")!.ConfigPath);
        Assert.Null(inv.Find("missing"));
    }
}

/// <summary>A conf file that is a symbolic link: its stamp is the target's (stat, not lstat), so a changed target is seen.</summary>
public sealed class ConfFileCacheLinkTests : SimHostTestBase
{
    private global::JailsModule.Services.ConfFileCache Cache { get; } = new();

    [Fact]
    public void AChangedLinkTargetIsReparsed()
    {
        var target = Host.Fs.Map("/usr/local/etc/jails/a.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, "a {\n    path = \"/j/a\";\n}\n");
        File.SetLastWriteTimeUtc(target, DateTime.UtcNow - TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1234567));
        MkDir("/etc/jail.conf.d");
        var link = Host.Fs.Map("/etc/jail.conf.d/a.conf");
        File.CreateSymbolicLink(link, target);
        File.SetLastWriteTimeUtc(target, DateTime.UtcNow - TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1234567));
        string PathOf() => JailInventory.ReadConfigured(Host, Cache).Jails.Single().Jail.Find("path")!.Value!;
        Assert.Equal("/j/a", PathOf());
        Assert.Equal("/j/a", PathOf());
        // Same size, older than the racy window, and the link itself untouched.
        File.WriteAllText(target, "a {\n    path = \"/j/b\";\n}\n");
        File.SetLastWriteTimeUtc(target, DateTime.UtcNow - TimeSpan.FromMinutes(4) - TimeSpan.FromTicks(1234567));
        Assert.Equal("/j/b", PathOf());
        var info = Host.GetFileInfo("/etc/jail.conf.d/a.conf")!;
        Assert.Equal((false, new FileInfo(target).Length), (info.IsDirectory, info.Length));
    }
}
