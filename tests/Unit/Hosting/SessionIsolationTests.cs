using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Services;
using Xunit;

namespace JailsModule.Tests.Hosting;

/// <summary>
/// A session per connection: two runspaces of one process, each connected to its own simulated
/// host, never see each other's jails, caches or answers (issue 9, deliverable 1).
/// </summary>
public sealed class SessionIsolationTests : IDisposable
{
    private readonly string _a = ModuleHost.NewSimulatorFolder("sess-a");
    private readonly string _b = ModuleHost.NewSimulatorFolder("sess-b");

    public void Dispose()
    {
        ModuleHost.DeleteFolder(_a);
        ModuleHost.DeleteFolder(_b);
    }

    private static List<string> JailCommands(string dir) => ((global::JailsModule.Simulation.SimulatedHost)JailHostManager.GetSimulator(dir)).ReadLog()
        .Where(e => e.FileName == "/usr/sbin/jail").Select(e => e.ToString()).ToList();

    [Fact]
    public void TwoRunspacesConnectedToTwoHostsSeeOnlyTheirOwn()
    {
        ModuleHost.DefineJail(_a, "alpha");
        ModuleHost.DefineJail(_b, "beta");
        using var ra = new ModuleHost().Connect(_a);
        using var rb = new ModuleHost().Connect(_b);

        // Interleaved: each runspace sees its own host's jails only, every time.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(new[] { "alpha" }, ra.Run("(Get-Jail).Name").Output);
            Assert.Equal(new[] { "beta" }, rb.Run("(Get-Jail).Name").Output);
        }
        var startA = ra.Run("Start-Jail alpha -PassThru");
        Assert.Empty(startA.Errors);
        Assert.Equal(JailState.Running, startA.Single<Jail>().State);
        var missing = rb.Run("Start-Jail alpha");
        Assert.Equal("JailNotFound,JailsModule.Commands.StartJailCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
        Assert.Equal("Stopped", rb.Run("(Get-Jail beta).State.ToString()").Output.Single());

        // Each host ran only its own runspace's commands.
        Assert.Equal(new[] { "/usr/sbin/jail -i -f /etc/jail.conf.d/alpha.conf -c alpha" }, JailCommands(_a));
        Assert.Empty(JailCommands(_b));

        // Two sessions, each with its own parsed-file cache and lock owner.
        var sa = JailHostManager.FindSession(ra.Runspace.InstanceId)!;
        var sb = JailHostManager.FindSession(rb.Runspace.InstanceId)!;
        Assert.NotSame(sa, sb);
        Assert.NotSame(sa.ConfFiles, sb.ConfFiles);
        Assert.NotSame(sa.LockOwner, sb.LockOwner);
        Assert.Same(JailHostManager.GetSimulator(_a), sa.Host);
        Assert.Same(JailHostManager.GetSimulator(_b), sb.Host);
    }

    [Fact]
    public void AnswersAreNotSharedBetweenHostsOfTheSameName()
    {
        // Both simulated machines are called the same: nothing may be keyed by the host's name.
        ModuleHost.DefineJail(_a, "alpha");
        ModuleHost.DefineJail(_b, "alpha");
        using var ra = new ModuleHost().Connect(_a, "bsd.example.org");
        using var rb = new ModuleHost().Connect(_b, "bsd.example.org");
        // B's module runs as a normal user there: its root check says no, A's (root) is not affected.
        ((global::JailsModule.Simulation.SimulatedHost)JailHostManager.GetSimulator(_b)).UpdateState(s => { s.Uid = 1001; s.UserName = "alice"; });
        Assert.Empty(ra.Run("Start-Jail alpha").Errors);
        var denied = rb.Run("Start-Jail alpha");
        Assert.Equal("JailHostRequiresRoot,JailsModule.Commands.StartJailCommand", Assert.Single(denied.Errors).FullyQualifiedErrorId);
        Assert.Empty(ra.Run("Stop-Jail alpha").Errors);

        // Test-JailHost in A records A's kernel parameter list in A's session only.
        var caps = ra.Run("Test-JailHost").Single<JailHostCapabilities>();
        Assert.NotEmpty(caps.SupportedParameters);
        Assert.NotNull(JailHostManager.FindSession(ra.Runspace.InstanceId)!.SupportedParameters);
        Assert.Null(JailHostManager.FindSession(rb.Runspace.InstanceId)!.SupportedParameters);
        // ...and A checks names against it (an error), while B only warns (the kernel may be newer).
        var ea = ra.Run("Set-JailConfig alpha -Parameter @{ 'allow.future_thing' = $true }");
        Assert.Equal("InvalidJailParameter,JailsModule.Commands.SetJailConfigCommand", Assert.Single(ea.Errors).FullyQualifiedErrorId);
        ((global::JailsModule.Simulation.SimulatedHost)JailHostManager.GetSimulator(_b)).UpdateState(s => s.Uid = 0);
        rb.Run("Connect-JailHost -Simulator -Path $args[0]", _b); // a new session forgets the non-root answer
        var eb = rb.Run("Set-JailConfig alpha -Parameter @{ 'allow.future_thing' = $true }");
        Assert.Empty(eb.Errors);
        Assert.Contains(eb.Warnings, w => w.Contains("Unknown jail parameter 'allow.future_thing'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConcurrentRunspacesOnFourHostsDoNotCrossTalk()
    {
        // As ForEach-Object -Parallel or thread jobs would: four runspaces at once, each on its own host.
        var dirs = Enumerable.Range(0, 4).Select(i => ModuleHost.NewSimulatorFolder("par" + i)).ToList();
        try
        {
            for (int i = 0; i < dirs.Count; i++) ModuleHost.DefineJail(dirs[i], "j" + i);
            var hosts = dirs.Select(d => new ModuleHost().Connect(d)).ToList();
            var runs = hosts.Select((h, i) => Task.Run(() =>
            {
                var seen = new List<string>();
                for (int k = 0; k < 4; k++)
                {
                    var r = h.Run("Start-Jail -Name $args[0] -PassThru | ForEach-Object Name; (Get-Jail).Name; Stop-Jail -Name $args[0]", "j" + i);
                    Assert.Empty(r.Errors);
                    seen.AddRange(r.Output.Select(o => (string)o!));
                }
                return seen;
            })).ToList();
            var results = await Task.WhenAll(runs);
            for (int i = 0; i < dirs.Count; i++)
            {
                Assert.All(results[i], n => Assert.Equal("j" + i, n));
                Assert.Equal(8, results[i].Count);
                var cmds = JailCommands(dirs[i]);
                Assert.Equal(8, cmds.Count);
                Assert.All(cmds, c => Assert.EndsWith(" j" + i, c));
            }
            foreach (var h in hosts) h.Dispose();
        }
        finally
        {
            foreach (var d in dirs) ModuleHost.DeleteFolder(d);
        }
    }
}
