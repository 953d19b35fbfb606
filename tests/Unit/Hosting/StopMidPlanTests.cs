using System.Management.Automation;
using JailsModule.Plans;
using JailsModule.Services;
using Xunit;

namespace JailsModule.Tests.Hosting;

/// <summary>
/// Ctrl+C (PowerShell.Stop, StopProcessing) during a plan: the undo runs to the end whatever the
/// pipeline does, the host is exactly as before, and what the undo did is reported (issue 9, deliverable 3).
/// </summary>
public sealed class StopMidPlanTests : IDisposable
{
    private readonly string _dir = ModuleHost.NewSimulatorFolder("stop");

    public void Dispose() => ModuleHost.DeleteFolder(_dir);

    private global::JailsModule.Simulation.SimulatedHost Sim => (global::JailsModule.Simulation.SimulatedHost)JailHostManager.GetSimulator(_dir);

    private string HostState()
    {
        var st = Sim.ReadState();
        var conf = Sim.DirectoryExists("/etc/jail.conf.d") ? string.Join(",", Sim.ListDirectory("/etc/jail.conf.d").Order()) : "";
        return string.Join("\n",
            "datasets: " + string.Join(",", st.Datasets.Select(d => d.Name).Order()),
            "jails: " + string.Join(",", st.Jails.Select(j => j.Name).Order()),
            "mounts: " + string.Join(",", st.Mounts.Select(m => m.Node).Order()),
            "conf: " + conf,
            "locks: " + string.Join(",", HostLock.Held(Sim).Select(l => l.Id)));
    }

    [Fact]
    public void StoppingNewJailMidPlanUndoesEveryStepAndSaysSo()
    {
        using var ps = new ModuleHost().Connect(_dir);
        var setup = ps.Run("Save-JailRelease 14.3-RELEASE | New-JailTemplate | Out-Null");
        Assert.Empty(setup.Errors);
        var before = HostState();
        Assert.Contains("zroot/jails/templates/14.3-RELEASE", before);

        // The jail(8) start of New-Jail -Start hangs: by then the clone and the config exist.
        ps.Run("Set-JailSimulatorFault 'jail *-c w1' -Delay 30000 -ThenRun | Out-Null");
        using var run = PowerShell.Create();
        run.Runspace = ps.Runspace;
        run.AddScript("New-Jail w1 -Template 14.3-RELEASE -Start -Verbose");
        var async = run.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(Sim.FileExists("/etc/jail.conf.d/w1.conf") && Sim.ReadState().Datasets.Any(d => d.Name.EndsWith("/w1", StringComparison.Ordinal))))
        {
            Assert.True(DateTime.UtcNow < deadline, "New-Jail never reached its jail -c step");
            Thread.Sleep(20);
        }
        Thread.Sleep(300); // inside the delayed jail -c now
        run.Stop();
        Assert.Throws<PipelineStoppedException>(() => run.EndInvoke(async));

        // Exactly as before: no clone, no config, no lock line, no jail.
        Assert.Equal(before, HostState());
        var log = Sim.ReadLog().Select(e => e.ToString()).ToList();
        Assert.Contains(log, l => l.StartsWith("/sbin/zfs destroy", StringComparison.Ordinal) && l.EndsWith("/w1", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l == "/usr/sbin/jail -i -f /etc/jail.conf.d/w1.conf -c w1"); // never ran: stopped in its delay

        // The pipeline could not write any more: the next command of the session tells what the undo did.
        Assert.Empty(run.Streams.Warning);
        var next = ps.Run("Clear-JailSimulatorFault; Get-Jail");
        var told = Assert.Single(next.Warnings, w => w.StartsWith("Earlier, New-Jail was stopped", StringComparison.Ordinal));
        Assert.Contains("Undid", told);
        Assert.Contains("zfs destroy", told);
        Assert.DoesNotContain(ps.Run("Get-Jail").Warnings, w => w.StartsWith("Earlier", StringComparison.Ordinal));
    }

    [Fact]
    public void StoppingRestartMidPlanStartsTheJailAgain()
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Empty(ps.Run("Start-Jail web").Errors);
        ps.Run("Set-JailSimulatorFault 'jail -i -f /etc/jail.conf.d/web.conf -c web' -Delay 30000 -ThenRun | Out-Null");
        using var run = PowerShell.Create();
        run.Runspace = ps.Runspace;
        run.AddScript("Restart-Jail web");
        var async = run.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Sim.ReadLog().Any(e => e.ToString() == "/usr/sbin/jail -q -f /etc/jail.conf.d/web.conf -r web"))
        {
            Assert.True(DateTime.UtcNow < deadline, "Restart-Jail never stopped the jail");
            Thread.Sleep(20);
        }
        Thread.Sleep(300);
        run.Stop();
        Assert.Throws<PipelineStoppedException>(() => run.EndInvoke(async));
        ps.Run("Clear-JailSimulatorFault");
        // The stop was undone: the jail runs again and its jid file names its new jid.
        var jail = ps.Run("Get-Jail web").Single<global::JailsModule.Model.Jail>();
        Assert.Equal("Running", jail.State);
        Assert.Equal($"{jail.Jid}\n", Sim.ReadAllText("/var/run/jail_web.id"));
        Assert.Empty(HostLock.Held(Sim));
    }
}

/// <summary>New-Jail and Set-JailConfig -New take the same lock key (jail:NAME) and check inside it: one name is created once.</summary>
public sealed class OneNameOnceTests : IDisposable
{
    private readonly string _dir = ModuleHost.NewSimulatorFolder("once");

    public void Dispose() => ModuleHost.DeleteFolder(_dir);

    [Fact]
    public async Task NewJailAndSetJailConfigNewRaceForOneName()
    {
        var hosts = Enumerable.Range(0, 4).Select(_ => new ModuleHost().Connect(_dir)).ToList();
        try
        {
            Assert.Empty(hosts[0].Run("Save-JailRelease 14.3-RELEASE | New-JailTemplate | Out-Null").Errors);
            using var go = new ManualResetEventSlim();
            var runs = new List<Task<ModuleHost.Result>>
            {
                Task.Run(() => { go.Wait(); return hosts[0].Run("New-Jail dup1 -Template 14.3-RELEASE"); }),
            };
            for (int i = 1; i < hosts.Count; i++)
            {
                var h = hosts[i];
                runs.Add(Task.Run(() => { go.Wait(); return h.Run("Set-JailConfig dup1 -New -Parameter @{ path = '/jails/dup1'; persist = $true }"); }));
            }
            go.Set();
            var results = await Task.WhenAll(runs);
            Assert.Equal(1, results.Count(r => r.Errors.Count == 0));
            Assert.All(results.Where(r => r.Errors.Count > 0), r => Assert.Matches("^(JailConfigExists|JailNameTaken),", r.Errors.Single().FullyQualifiedErrorId));
            var sim = JailHostManager.GetSimulator(_dir);
            Assert.Equal(1, sim.ReadAllText("/etc/jail.conf.d/dup1.conf").Split("dup1 {").Length - 1);
            Assert.Empty(HostLock.Held(sim));
        }
        finally
        {
            foreach (var h in hosts) h.Dispose();
        }
    }
}
