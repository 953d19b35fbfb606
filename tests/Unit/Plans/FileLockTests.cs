using System.Diagnostics;
using System.Text.Json;
using JailsModule.Host;
using JailsModule.Plans;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Plans;

/// <summary>The flock(2) primitive on real files and the host lock on a simulator folder, across real processes.</summary>
public sealed class FileLockTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jm-lock-" + Guid.NewGuid().ToString("N")[..8]);

    public FileLockTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void ASecondHandleInTheSameProcessIsRefusedUntilTheFirstIsClosed()
    {
        var host = new LocalHost();
        var path = Path.Combine(_dir, "a.lock");
        var first = host.TryLockFile(path);
        Assert.NotNull(first);
        Assert.Null(host.TryLockFile(path));
        first!.Dispose();
        using var again = host.TryLockFile(path);
        Assert.NotNull(again);
    }

    [Fact]
    public void ContentIsReadAndReplacedThroughTheHandleAndAShorterWriteTruncates()
    {
        var host = new LocalHost();
        var path = Path.Combine(_dir, "b.lock");
        using (var l = host.TryLockFile(path)!)
        {
            Assert.Equal("", l.ReadAll());
            l.WriteAll("a long first line\n");
            l.WriteAll("short\n");
            Assert.Equal("short\n", l.ReadAll());
        }
        Assert.Equal("short\n", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void DeleteRemovesTheFileAndReleasesTheLock()
    {
        var host = new LocalHost();
        var path = Path.Combine(_dir, "c.lock");
        host.TryLockFile(path)!.Delete();
        Assert.False(File.Exists(path));
        using var again = host.TryLockFile(path);
        Assert.NotNull(again);
    }

    [Fact]
    public void AMissingFolderIsDirectoryNotFound()
        => Assert.Throws<DirectoryNotFoundException>(() => new LocalHost().TryLockFile(Path.Combine(_dir, "none", "x.lock")));

    /// <summary>
    /// Another process holding flock(2) LOCK_EX on the file, as .NET takes it for FileShare.None:
    /// flock(1) from util-linux (-o keeps the lock in flock itself, not in its sleep child), or perl's flock.
    /// </summary>
    private static Process HoldWithFlock(string path)
    {
        ProcessStartInfo psi;
        if (File.Exists("/usr/bin/flock")) psi = new ProcessStartInfo("/usr/bin/flock", new[] { "-x", "-o", path, "sleep", "60" });
        else if (File.Exists("/usr/bin/perl")) psi = new ProcessStartInfo("/usr/bin/perl", new[] { "-e", "use Fcntl ':flock'; open(my $f, '>>', $ARGV[0]) or die; flock($f, LOCK_EX) or die; sleep 60", path });
        else throw new InvalidOperationException("this test needs /usr/bin/flock (util-linux) or /usr/bin/perl to hold a lock from another process");
        psi.UseShellExecute = false;
        var p = Process.Start(psi)!;
        var until = DateTime.UtcNow.AddSeconds(20);
        var host = new LocalHost();
        while (DateTime.UtcNow < until)
        {
            var probe = host.TryLockFile(path);
            if (probe is null) return p;
            probe.Dispose();
            Thread.Sleep(20);
        }
        p.Kill(true);
        throw new TimeoutException("flock(1) did not take the lock");
    }

    [Fact]
    public void ALockHeldByAnotherProcessIsRefusedAndFreedWhenThatProcessIsKilled()
    {
        if (OperatingSystem.IsWindows()) return; // flock(2) is Unix; Windows share modes are covered by the in-process test
        var path = Path.Combine(_dir, "d.lock");
        File.WriteAllText(path, "");
        using var holder = HoldWithFlock(path);
        Assert.Null(new LocalHost().TryLockFile(path));
        holder.Kill(true); // kill -9: no clean-up code runs
        holder.WaitForExit();
        using var mine = new LocalHost().TryLockFile(path);
        Assert.NotNull(mine);
    }

    [Fact]
    public void TheHostLockDropsTheLineOfAKilledProcessOnASimulatorFolder()
    {
        if (OperatingSystem.IsWindows()) return;
        var host = new SimulatedHost(Path.Combine(_dir, "sim"));
        host.CreateDirectory(HostLock.Directory);
        const string owner = "owner-999-0123456789ab.lock";
        var line = new LockRecord { Id = "other-plan", Description = "Create thin jail 'web1'", Owner = owner, Pid = 999, Machine = "m", Acquired = DateTime.UtcNow, Resources = new() { "jail:web1" } };
        File.WriteAllText(host.Fs.Map(HostLock.TableFile), JsonSerializer.Serialize(line) + "\n");
        var ownerFile = host.Fs.Map(HostLock.Directory + "/" + owner);
        File.WriteAllText(ownerFile, "");
        using (var holder = HoldWithFlock(ownerFile))
        {
            var ex = Assert.Throws<PlanPreconditionException>(() => HostLock.Acquire(host, new[] { "jail:web1" }, "mine", "test", TimeSpan.FromMilliseconds(100), default));
            Assert.Equal("ResourceLocked", ex.ErrorId);
            Assert.Contains("other-plan", ex.Message);
            holder.Kill(true);
            holder.WaitForExit();
        }
        using (var lk = HostLock.Acquire(host, new[] { "jail:web1" }, "mine", "test", TimeSpan.FromSeconds(5), default))
            Assert.Equal(new[] { "mine" }, HostLock.Held(host).Select(r => r.Id).ToArray());
        Assert.Empty(HostLock.Held(host));
        Assert.False(File.Exists(ownerFile)); // the dead owner's file went with its line
    }

    [Fact]
    public void OwnerFilesOfDeadProcessesAreRemovedWhenAProcessMakesItsOwn()
    {
        var host = new SimulatedHost(Path.Combine(_dir, "sim2"));
        host.CreateDirectory(HostLock.Directory);
        var dead = host.Fs.Map(HostLock.Directory + "/owner-998-aaaaaaaaaaaa.lock");
        File.WriteAllText(dead, "");
        // A session's owner (JailSession.LockOwner) keeps its file locked between plans.
        var owner = new HostLockOwner(host);
        using (HostLock.Acquire(host, owner, new[] { "jail:x" }, "p", "test", TimeSpan.FromSeconds(5), default)) { }
        Assert.False(File.Exists(dead));
        var left = Directory.GetFiles(host.Fs.Map(HostLock.Directory)).Select(Path.GetFileName).ToList();
        Assert.Contains("held", left);
        Assert.Single(left, f => f!.StartsWith("owner-" + Environment.ProcessId + "-"));
        Assert.Equal(owner.Name, left.Single(f => f!.StartsWith("owner-")));
        // A lock taken without one makes a transient owner file and removes it on release.
        using (HostLock.Acquire(host, new[] { "jail:y" }, "q", "test", TimeSpan.FromSeconds(5), default)) { }
        Assert.Equal(left.OrderBy(f => f), Directory.GetFiles(host.Fs.Map(HostLock.Directory)).Select(Path.GetFileName).OrderBy(f => f));
    }
}
