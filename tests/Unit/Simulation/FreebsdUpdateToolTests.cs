using JailsModule.Host;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

public sealed class FreebsdUpdateToolTests : SimToolTestBase
{
    private const string Tool = "/usr/sbin/freebsd-update";

    private void Tree(string dir, string release)
    {
        var b = "https://download.freebsd.org/releases/amd64/amd64/" + release + "/base.txz";
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", b);
        Directory.CreateDirectory(Real(dir));
        Ok("/usr/bin/tar", "-xf", "/tmp/base.txz", "-C", dir);
    }

    [Fact]
    public void UsageExitsZero()
    {
        var r = Run(Tool);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("usage: freebsd-update [options] command ...\n", r.StandardOutput);
        Assert.Equal(0, Run(Tool, "-b").ExitCode);
        Assert.Equal(0, Run(Tool, "-b", "/a", "-b", "/b", "fetch").ExitCode);
        Assert.Equal(0, Run(Tool, "frobnicate").ExitCode);
    }

    [Fact]
    public void FetchWithoutATtyIsRefused()
    {
        var r = Run(Tool, "fetch");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("freebsd-update fetch should not be run non-interactively.\nRun freebsd-update cron instead.\n", r.StandardOutput);
    }

    [Fact]
    public void FetchInstallPatchesTheTreeAndASecondRunHasNothingToDo()
    {
        Tree("/jails/web", "14.3-RELEASE");
        var r = Run(Tool, "-b", "/jails/web", "--not-running-from-cron", "--currently-running", "14.3-RELEASE", "fetch", "install");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("src component not installed, skipped\nLooking up update.FreeBSD.org mirrors... 3 mirrors found.\nFetching metadata signature for 14.3-RELEASE from update1.freebsd.org... done.\n", r.StandardOutput);
        Assert.Contains("The following files will be updated as part of updating to\n14.3-RELEASE-p5:\n/bin/freebsd-version\n", r.StandardOutput);
        Assert.EndsWith("Installing updates... done.\n", r.StandardOutput);
        Assert.Equal("14.3-RELEASE-p5", SimUserlandVersion.Read(Host.Fs, "/jails/web"));

        var again = Run(Tool, "-b", "/jails/web", "--not-running-from-cron", "--currently-running", "14.3", "fetch", "install");
        Assert.Equal(0, again.ExitCode);
        Assert.EndsWith("\nNo updates needed to update system to 14.3-RELEASE-p5.\nNo updates are available to install.\n", again.StandardOutput);
    }

    [Fact]
    public void InstallWithoutFetchAsksForFetchAndExits1()
    {
        Tree("/jails/web", "14.2-RELEASE");
        var r = Run(Tool, "-b", "/jails/web", "install");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("No updates are available to install.\nRun '/usr/sbin/freebsd-update fetch' first.\n", r.StandardOutput);
    }

    [Fact]
    public void JailOptionReadsTheJailsFreebsdVersion()
    {
        var missing = Run(Tool, "-j", "web", "--not-running-from-cron", "fetch");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("The specified jail either doesn't exist or does not have freebsd-version.\n", missing.StandardOutput);

        Tree("/jails/web", "14.2-RELEASE");
        Host.UpdateState(s => s.Jails.Add(new SimJail { Jid = 4, Name = "web", Params = { ["path"] = "/jails/web" } }));
        var r = Run(Tool, "-j", "web", "--not-running-from-cron", "fetch", "install");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Fetching metadata signature for 14.2-RELEASE from", r.StandardOutput);
        Assert.Equal("14.2-RELEASE-p4", SimUserlandVersion.Read(Host.Fs, "/jails/web"));
    }

    [Fact]
    public async Task UpgradeNeedsATargetAndAYesThenInstallBringsTheNewRelease()
    {
        Tree("/jails/web", "14.2-RELEASE");
        var noTarget = Run(Tool, "-b", "/jails/web", "--currently-running", "14.2-RELEASE", "upgrade");
        Assert.Equal("freebsd-update: Release target must be specified via -r option.\n", noTarget.StandardOutput);
        Assert.Equal(1, noTarget.ExitCode);

        var r = await Host.RunAsync(new ProcessRequest(Tool, new[] { "-b", "/jails/web", "--currently-running", "14.2-RELEASE", "-r", "14.3", "upgrade" }) { StandardInput = "y\n" }, CancellationToken.None);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("Does this look reasonable", r.StandardOutput); // read -p prompts only on a tty
        Assert.Contains("14.3-RELEASE-p5:\n", r.StandardOutput);
        var fetchNow = Run(Tool, "-b", "/jails/web", "--not-running-from-cron", "fetch");
        Assert.Equal(1, fetchNow.ExitCode);
        Assert.StartsWith("You have a partially completed upgrade pending\n", fetchNow.StandardOutput);
        Ok(Tool, "-b", "/jails/web", "install");
        Assert.Equal("14.3-RELEASE-p5", SimUserlandVersion.Read(Host.Fs, "/jails/web"));
        Ok(Tool, "-b", "/jails/web", "rollback");
        Assert.Equal("14.2-RELEASE", SimUserlandVersion.Read(Host.Fs, "/jails/web"));
    }

    [Fact]
    public void FetchRefusesRAndNonReleases()
    {
        Tree("/jails/web", "14.3-RELEASE");
        var r = Run(Tool, "-b", "/jails/web", "--not-running-from-cron", "-r", "14.3-RELEASE", "fetch");
        Assert.Equal((1, "freebsd-update: -r option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)\n"), (r.ExitCode, r.StandardOutput));
        var stable = Run(Tool, "-b", "/jails/web", "--not-running-from-cron", "--currently-running", "14.3-STABLE", "fetch");
        Assert.Equal(1, stable.ExitCode);
        Assert.EndsWith("Currently running: 14.3-STABLE\n", stable.StandardOutput);
        var itself = Run(Tool, "-b", "/jails/web", "--currently-running", "14.3-RELEASE", "-r", "14.3", "upgrade");
        Assert.Equal("freebsd-update: Cannot upgrade from 14.3-RELEASE to itself\n", itself.StandardOutput);
    }

    [Fact]
    public void UnknownReleaseFailsLikeTheScript()
    {
        Tree("/jails/web", "14.3-RELEASE");
        var r = Run(Tool, "-b", "/jails/web", "--not-running-from-cron", "--currently-running", "13.0-RELEASE", "fetch");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("No mirrors remaining, giving up.\n", r.StandardOutput);
    }
}
