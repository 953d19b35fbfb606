using System.Diagnostics;
using JailsModule.Host;
using JailsModule.Simulation;
using JailsModule.Services;
using Xunit;

namespace JailsModule.Tests;

/// <summary>Issue 10 item 7: host reads of files others control are bounded and refuse FIFOs, devices and links out of a jail root.</summary>
public sealed class BoundedReadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jm-bounded-" + Guid.NewGuid().ToString("N")[..8]);

    public BoundedReadTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void MkFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", new[] { path }) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>Runs the read on a worker with a deadline: a read that blocks fails the test instead of hanging it.</summary>
    private static Exception? Within(Func<object> read, int ms = 10_000)
    {
        var t = Task.Run(read);
        Assert.True(((IAsyncResult)t).AsyncWaitHandle.WaitOne(ms), "the read blocked");
        return t.Exception?.InnerException;
    }

    [Fact]
    public void LocalHost_RefusesAFifo_WithoutBlocking()
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = Path.Combine(_dir, "fifo.conf");
        MkFifo(fifo);
        var e = Within(() => new LocalHost().ReadRegularFile(fifo, 1000));
        var r = Assert.IsType<HostFileRefusedException>(e);
        Assert.Contains("FIFO", r.Message);
        Assert.Equal(fifo, r.Path);
    }

    [Fact]
    public void LocalHost_RefusesALinkToDevZero()
    {
        if (OperatingSystem.IsWindows()) return;
        var link = Path.Combine(_dir, "zero.conf");
        File.CreateSymbolicLink(link, "/dev/zero");
        var e = Within(() => new LocalHost().ReadRegularFile(link, 1000));
        Assert.Contains("character device", Assert.IsType<HostFileRefusedException>(e).Message);
    }

    [Fact]
    public void LocalHost_StopsAtTheLimit_AndReadsWhatFits()
    {
        var f = Path.Combine(_dir, "big.conf");
        File.WriteAllText(f, new string('x', 1001));
        Assert.Contains("larger than 1000 bytes", Assert.Throws<HostFileRefusedException>(() => new LocalHost().ReadRegularFile(f, 1000)).Message);
        Assert.Equal(new string('x', 1001), new LocalHost().ReadRegularFile(f, 1001));
        File.WriteAllBytes(f, new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a', 0xC3, 0xA9 });
        Assert.Equal("aé", new LocalHost().ReadRegularFile(f, 100));
        var link = Path.Combine(_dir, "link.conf");
        File.CreateSymbolicLink(link, f);
        Assert.Equal("aé", new LocalHost().ReadRegularFile(link, 100)); // links to regular files are fine
        Assert.Throws<FileNotFoundException>(() => new LocalHost().ReadRegularFile(Path.Combine(_dir, "missing"), 100));
        Assert.Contains("folder", Assert.Throws<HostFileRefusedException>(() => new LocalHost().ReadRegularFile(_dir, 100)).Message);
    }

    [Fact]
    public void LocalHost_InsideRoot_RefusesLinksOutOfTheRoot_AndFollowsLinksAsTheJailSeesThem()
    {
        if (OperatingSystem.IsWindows()) return;
        var root = Path.Combine(_dir, "jail");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
        File.WriteAllText(Path.Combine(_dir, "secret"), "host secret");
        File.WriteAllText(Path.Combine(root, "usr/bin/real-version"), "jail version\n");
        var host = new LocalHost();
        var target = Path.Combine(root, "bin/freebsd-version");

        File.CreateSymbolicLink(target, "../../secret"); // relative, climbing out
        Assert.Contains("leads out of", Assert.Throws<HostFileRefusedException>(() => host.ReadFileInsideRoot(root, target, 100)).Message);

        File.Delete(target);
        File.CreateSymbolicLink(target, "/usr/bin/real-version"); // absolute: the jail's /usr, not the host's
        Assert.Equal("jail version\n", host.ReadFileInsideRoot(root, target, 100));

        File.Delete(target);
        File.CreateSymbolicLink(target, Path.Combine(_dir, "secret")); // absolute host path: inside the jail it names nothing
        Assert.Throws<FileNotFoundException>(() => host.ReadFileInsideRoot(root, target, 100));

        File.Delete(target);
        File.CreateSymbolicLink(target, "/dev/zero");
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        File.CreateSymbolicLink(Path.Combine(root, "dev/zero"), "/dev/zero"); // a loop inside the jail's view
        Assert.IsType<HostFileRefusedException>(Within(() => host.ReadFileInsideRoot(root, target, 100)));

        File.Delete(target);
        MkFifo(target);
        Assert.Contains("FIFO", Assert.IsType<HostFileRefusedException>(Within(() => host.ReadFileInsideRoot(root, target, 100))).Message);
    }

    [Fact]
    public void ResolveInsideRoot_FollowsChains_AndStopsLoops()
    {
        var links = new Dictionary<string, string> { ["/j/a"] = "b", ["/j/b"] = "/c/d", ["/j/c"] = "x", ["/j/loop"] = "loop" };
        string? Link(string p) => links.TryGetValue(p, out var t) ? t : null;
        Assert.Equal("/j/x/d/e", BoundedFile.ResolveInsideRoot("/j", "/j/a/e", Link));
        Assert.Contains("symbolic links", Assert.Throws<HostFileRefusedException>(() => BoundedFile.ResolveInsideRoot("/j", "/j/loop", Link)).Message);
        Assert.Throws<ArgumentException>(() => BoundedFile.ResolveInsideRoot("/j", "/etc/passwd", Link));
    }

    [Fact]
    public void SimulatedHost_RefusesFifoAndDevZero_AndReadsGoodFiles()
    {
        if (OperatingSystem.IsWindows()) return;
        var sim = new SimulatedHost(Path.Combine(_dir, "sim"));
        sim.Fs.WriteAllText("/etc/jail.conf.d/good.conf", "good { path = /j; }\n");
        MkFifo(sim.Fs.Map("/etc/jail.conf.d/fifo.conf"));
        File.CreateSymbolicLink(sim.Fs.Map("/etc/jail.conf.d/zero.conf"), "/dev/zero");
        Assert.Equal("good { path = /j; }\n", sim.ReadRegularFile("/etc/jail.conf.d/good.conf", 100));
        var fifo = Assert.IsType<HostFileRefusedException>(Within(() => sim.ReadRegularFile("/etc/jail.conf.d/fifo.conf", 100)));
        Assert.Equal("/etc/jail.conf.d/fifo.conf", fifo.Path);
        Assert.IsType<HostFileRefusedException>(Within(() => sim.ReadRegularFile("/etc/jail.conf.d/zero.conf", BoundedFile.MaxConfigFileBytes)));

        SimSeed.InstallUserland(sim.Fs, "/jails/web", "14.3-RELEASE-p2");
        Assert.Contains("RELEASE", sim.ReadFileInsideRoot("/jails/web", "/jails/web/bin/freebsd-version", BoundedFile.MaxJailFileBytes));
        sim.Fs.DeleteIfExists("/jails/web/bin/freebsd-version");
        File.CreateSymbolicLink(sim.Fs.Map("/jails/web/bin/freebsd-version"), "../../../etc/rc.conf");
        Assert.Contains("leads out of", Assert.Throws<HostFileRefusedException>(() => sim.ReadFileInsideRoot("/jails/web", "/jails/web/bin/freebsd-version", 100)).Message);
    }

    [Fact]
    public async Task ConfigReaders_ReportAFifoByName_AndKeepEveryOtherJail()
    {
        if (OperatingSystem.IsWindows()) return;
        var sim = new SimulatedHost(Path.Combine(_dir, "sim2"));
        sim.Fs.WriteAllText("/etc/jail.conf.d/good.conf", "good { path = /j; }\n");
        MkFifo(sim.Fs.Map("/etc/jail.conf.d/fifo.conf"));
        File.CreateSymbolicLink(sim.Fs.Map("/etc/jail.conf.d/zero.conf"), "/dev/zero");
        var t = Task.Run(() => JailInventory.ReadConfigured(sim));
        Assert.True(t == await Task.WhenAny(t, Task.Delay(TimeSpan.FromSeconds(20))), "reading the configured jails blocked");
        var (jails, errors) = await t;
        Assert.Contains(jails, j => j.Jail.Name == "good");
        Assert.Contains(errors, e => e.Message.Contains("/etc/jail.conf.d/fifo.conf") && e.Message.Contains("FIFO"));
        Assert.Contains(errors, e => e.Message.Contains("/etc/jail.conf.d/zero.conf") && e.Message.Contains("device"));
    }

    [Fact]
    public void AJailsFreebsdVersion_ThatIsAFifo_ADevice_OrALinkOutOfTheRoot_ReportsNoVersion_WithoutBlocking()
    {
        if (OperatingSystem.IsWindows()) return;
        var sim = new SimulatedHost(Path.Combine(_dir, "sim3"));
        var sets = new JailsModule.Provisioning.Userland.FreebsdReleaseSets(sim, new JailModuleSettings());
        sim.Fs.CreateDirectory("/jails/good/bin");
        sim.Fs.WriteAllText("/jails/good/bin/freebsd-version", "#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p2\"\n");
        Assert.Equal("14.3-RELEASE-p2", sets.ReadVersion("/jails/good"));
        // The host's own file, which a jail's root links to: as the jail sees it, the link leads nowhere inside.
        sim.Fs.CreateDirectory("/etc");
        sim.Fs.WriteAllText("/etc/host-version", "USERLAND_VERSION=\"HOST-SECRET\"\n");
        foreach (var (jail, plant) in new (string, Action<string>)[]
        {
            ("fifo", f => MkFifo(f)),
            ("zero", f => File.CreateSymbolicLink(f, "/dev/zero")),
            ("escape", f => File.CreateSymbolicLink(f, "../../../../etc/host-version")),
        })
        {
            sim.Fs.CreateDirectory($"/jails/{jail}/bin");
            plant(sim.Fs.Map($"/jails/{jail}/bin/freebsd-version"));
            string? version = "unset";
            Assert.Null(Within(() => { version = sets.ReadVersion($"/jails/{jail}"); return jail; }));
            Assert.Null(version);
        }
    }
}
