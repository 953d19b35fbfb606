using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;
using Xunit;

namespace JailsModule.Tests.Hosting;

/// <summary>
/// Start, Stop, Restart and Set-JailConfig hosted in process: binding, errors, and that each change
/// is a plan under the host lock (issue 9, deliverables 2 and 3).
/// </summary>
public sealed class PlanCmdletTests : IDisposable
{
    private readonly string _dir = ModuleHost.NewSimulatorFolder("plans");

    public void Dispose() => ModuleHost.DeleteFolder(_dir);

    private global::JailsModule.Simulation.SimulatedHost Sim => (global::JailsModule.Simulation.SimulatedHost)JailHostManager.GetSimulator(_dir);

    private List<string> Log(string fileName) => Sim.ReadLog().Where(e => e.FileName == fileName).Select(e => e.ToString()).ToList();

    [Fact]
    public void StartAndStopRunTheirPlanAndKeepTheJidFile()
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        var start = ps.Run("Start-Jail web -PassThru -Verbose");
        Assert.Empty(start.Errors);
        var jail = start.Single<Jail>();
        Assert.Equal(JailState.Running, jail.State);
        Assert.Equal($"{jail.Jid}\n", Sim.ReadAllText("/var/run/jail_web.id"));
        Assert.Contains("/usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web", start.Verbose);
        Assert.Empty(HostLock.Held(Sim));

        var again = ps.Run("Start-Jail web");
        Assert.Empty(again.Errors);
        Assert.Equal($"Jail 'web' is already running (jid {jail.Jid}).", Assert.Single(again.Warnings));

        var stop = ps.Run("Stop-Jail web");
        Assert.Empty(stop.Errors);
        Assert.False(Sim.FileExists("/var/run/jail_web.id"));
        Assert.Equal(new[] { "/usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web", "/usr/sbin/jail -q -f /etc/jail.conf.d/web.conf -r web" }, Log("/usr/sbin/jail"));
        Assert.Equal("Jail 'web' is not running.", Assert.Single(ps.Run("Stop-Jail web").Warnings));
    }

    [Fact]
    public void WhatIfRunsNoJailCommandAndChangesNothing()
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Empty(ps.Run("Start-Jail web -WhatIf").Errors);
        Assert.Empty(ps.Run("Restart-Jail web -WhatIf").Errors);
        Assert.Empty(ps.Run("Set-JailConfig web -Parameter @{ securelevel = 3 } -WhatIf").Errors);
        Assert.Empty(Log("/usr/sbin/jail"));
        Assert.Equal("Stopped", ps.Run("(Get-Jail web).State.ToString()").Output.Single());
        Assert.DoesNotContain("securelevel", Sim.ReadAllText("/etc/jail.conf.d/web.conf"));
        Assert.False(Sim.FileExists("/var/run/jail_web.id"));
    }

    [Fact]
    public void TheStartPlanShowsNumberedSteps()
    {
        // What -WhatIf prints: the description, then one numbered line per command or file edit.
        var jail = new Jail { Name = "web", State = JailState.Stopped, ConfigPath = "/etc/jail.conf.d/web.conf" };
        Assert.Equal("Start jail 'web'\n1. /usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web\n2. /usr/sbin/jls -j web jid > /var/run/jail_web.id",
            JailLifecycle.PlanStart(jail, RcJailCommand.Default).WhatIfText);
        jail.State = JailState.Running;
        Assert.Empty(JailLifecycle.PlanStart(jail, RcJailCommand.Default).Steps);
        Assert.Equal("Stop jail 'web'\n1. /usr/sbin/jail -q -f /etc/jail.conf.d/web.conf -r web\n2. delete file /var/run/jail_web.id",
            JailLifecycle.PlanStop(jail, Array.Empty<string>(), RcJailCommand.Default).WhatIfText);
        Assert.Equal(new[] { "Stop jail web", "Remove the jid file of web", "Start jail web", "Record the jid of web" },
            JailLifecycle.PlanRestart(jail, Array.Empty<string>(), RcJailCommand.Default).Steps.Select(s => s.Description));
    }

    [Fact]
    public void ErrorsHaveTheirIdsAndAFailedStartLeavesNoTrace()
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Equal("JailNotFound,JailsModule.Commands.StartJailCommand", Assert.Single(ps.Run("Start-Jail nope").Errors).FullyQualifiedErrorId);
        Assert.Equal("InvalidJailName,JailsModule.Commands.StopJailCommand", Assert.Single(ps.Run("Stop-Jail 'a..b'").Errors).FullyQualifiedErrorId);
        // Binding: -RemoveJail and -Parameter are in different parameter sets.
        var bind = Assert.Single(ps.Run("Set-JailConfig web -RemoveJail -Parameter @{ persist = $true }").Errors);
        Assert.StartsWith("AmbiguousParameterSet", bind.FullyQualifiedErrorId);

        ps.Run("Set-JailSimulatorFault 'jail *-c*' -StandardError 'jail: boom' | Out-Null");
        var failed = Assert.Single(ps.Run("Start-Jail web").Errors);
        Assert.Equal("JailStartFailed,JailsModule.Commands.StartJailCommand", failed.FullyQualifiedErrorId);
        Assert.Equal("jail: boom\n", Assert.IsType<NativeCommandException>(failed.Exception).Result.StandardError);
        Assert.False(Sim.FileExists("/var/run/jail_web.id"));
        Assert.Empty(HostLock.Held(Sim));

        var exists = Assert.Single(ps.Run("Set-JailConfig web -New -Parameter @{ persist = $true }").Errors);
        Assert.Equal("JailConfigExists,JailsModule.Commands.SetJailConfigCommand", exists.FullyQualifiedErrorId);
        var bad = Assert.Single(ps.Run("Set-JailConfig web -Parameter @{ 'ip4.addr' = '10.0.0.300' }").Errors);
        Assert.Equal("InvalidJailParameter,JailsModule.Commands.SetJailConfigCommand", bad.FullyQualifiedErrorId);
    }

    [Fact]
    public async Task EightConcurrentStartsRunOneJailC()
    {
        ModuleHost.DefineJail(_dir, "web");
        // The first jail -c is slow: the others pass the check outside the lock and queue on it.
        Sim.UpdateState(s => s.Faults.Add(new global::JailsModule.Simulation.SimFault { Pattern = "jail *-c web", DelayMilliseconds = 1500, ThenRun = true }));
        var hosts = Enumerable.Range(0, 8).Select(_ => new ModuleHost().Connect(_dir)).ToList();
        try
        {
            using var go = new ManualResetEventSlim();
            var runs = hosts.Select(h => Task.Run(() => { go.Wait(); return h.Run("Start-Jail web"); })).ToList();
            go.Set();
            var results = await Task.WhenAll(runs);
            Assert.All(results, r => Assert.Empty(r.Errors));
            Assert.Single(Log("/usr/sbin/jail"), c => c == "/usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web");
            Assert.Single(Log("/usr/sbin/jail"));
            Assert.Equal(7, results.Count(r => r.Warnings.Any(w => w.StartsWith("Jail 'web' is already running", StringComparison.Ordinal))));
            Assert.Equal(1, results.Count(r => r.Warnings.Count == 0));
            Assert.Empty(HostLock.Held(Sim));
        }
        finally
        {
            foreach (var h in hosts) h.Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentEditsOfOneFileAllSurviveAndOneNameIsCreatedOnce()
    {
        ModuleHost.DefineJail(_dir, "web");
        var hosts = Enumerable.Range(0, 6).Select(_ => new ModuleHost().Connect(_dir)).ToList();
        try
        {
            using var go = new ManualResetEventSlim();
            var edits = hosts.Select((h, i) => Task.Run(() => { go.Wait(); return h.Run("Set-JailConfig web -Append @{ 'ip4.addr' = $args[0] }", $"192.0.2.{10 + i}"); })).ToList();
            go.Set();
            Assert.All(await Task.WhenAll(edits), r => Assert.Empty(r.Errors));
            var addrs = hosts[0].Run("(Get-JailConfig web).Parameters['ip4.addr']").Output.Select(o => (string)o!).ToList();
            Assert.Equal(Enumerable.Range(10, 6).Select(i => $"192.0.2.{i}").OrderBy(a => a), addrs.OrderBy(a => a));

            // One new name, six creators: exactly one creates it, the others are told it exists.
            var news = hosts.Select(h => Task.Run(() => { go.Wait(); return h.Run("Set-JailConfig newbie -New -Parameter @{ path = '/jails/newbie' }"); })).ToList();
            var created = await Task.WhenAll(news);
            Assert.Equal(1, created.Count(r => r.Errors.Count == 0));
            Assert.All(created.Where(r => r.Errors.Count > 0), r => Assert.StartsWith("JailConfigExists,", r.Errors.Single().FullyQualifiedErrorId));
            Assert.Equal(1, Sim.ReadAllText("/etc/jail.conf.d/newbie.conf").Split("newbie {").Length - 1);
            Assert.Empty(HostLock.Held(Sim));
        }
        finally
        {
            foreach (var h in hosts) h.Dispose();
        }
    }
}
