using JailsModule.Model;
using JailsModule.Services;
using JailsModule.Simulation;
using JailsModule.Simulation.Tools;
using Xunit;

namespace JailsModule.Tests.Hosting;

/// <summary>
/// The module does what FreeBSD's own tools do (issue 10, "FreeBSD fidelity (module)" items 10-16, and
/// item 9's root check): each test reproduces a defect found by reading the FreeBSD sources.
/// </summary>
public sealed class ModuleFidelityTests : IDisposable
{
    private readonly string _dir = ModuleHost.NewSimulatorFolder("fidelity");

    public void Dispose() => ModuleHost.DeleteFolder(_dir);

    private SimulatedHost Sim => (SimulatedHost)JailHostManager.GetSimulator(_dir);

    private List<SimLogEntry> Log(string fileName) => Sim.ReadLog().Where(e => e.FileName == fileName).ToList();

    /// <summary>Runs a program on the simulated host (outside the test methods: xUnit1031).</summary>
    private global::JailsModule.Host.ProcessResult Exec(string tool, params string[] args)
        => Sim.RunAsync(new global::JailsModule.Host.ProcessRequest(tool, args), CancellationToken.None).GetAwaiter().GetResult();

    private SimContext Ctx() => new(Sim.ReadState(), Sim.Fs, "/usr/sbin/service", null, new Dictionary<string, string>(), CancellationToken.None);

    // ------------------------------------------------------------ 9: the root check fails closed

    [Theory]
    [InlineData(1, "", "id: getpwuid: simulated failure")]
    [InlineData(0, "uid=0(root)\n", "")]
    [InlineData(0, "", "")]
    public void TheRootCheckFailsClosedWhenIdUCannotTell(int exit, string stdout, string stderr)
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        Sim.UpdateState(s => s.Faults.Add(new SimFault { Pattern = "id -u", ExitCode = exit, StandardOutput = stdout, StandardError = stderr }));
        var r = ps.Run("Start-Jail web");
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("JailHostRootUnknown,", e.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
        if (stderr.Length > 0) Assert.Contains(stderr, e.Exception.Message);
        Assert.Contains("id -u", e.Exception.Message);
        Assert.Empty(Log("/usr/sbin/jail"));
        Assert.Empty(Sim.ReadState().Jails);

        // Nothing unknown is remembered: once id -u answers, the command runs.
        Assert.Empty(ps.Run("Start-Jail web").Errors);
        Assert.Single(Sim.ReadState().Jails);
    }

    // ------------------------------------------------------------ 10: the jid file, read back with jls -j NAME jid

    [Fact]
    public void TheJidFileHoldsTheJidEvenWhenExecStartPrintsAfterIt()
    {
        // jail -i prints the jid right after creation; exec.start's output follows it (no exec.consolelog),
        // and its last line here is a number that is not the jid.
        ModuleHost.DefineJail(_dir, "other");
        ModuleHost.DefineJail(_dir, "web", "    exec.start = \"/bin/echo started\";\n    exec.start += \"/bin/echo 7\";\n");
        SimSeed.InstallUserland(Sim.Fs, "/jails/web", null);
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Empty(ps.Run("Start-Jail other").Errors); // jid 1: the jail below gets 2
        var r = ps.Run("Start-Jail web -PassThru");
        Assert.Empty(r.Errors);
        Assert.Empty(r.Warnings);
        var jail = r.Single<Jail>();
        Assert.NotEqual(7, jail.Jid);
        Assert.Equal($"{jail.Jid}\n", Sim.ReadAllText("/var/run/jail_web.id"));
        Assert.Contains("/usr/sbin/jls -j web jid", Log("/usr/sbin/jls").Select(e => e.ToString()));
    }

    [Fact]
    public void TheStartPlanReadsTheJidWithJls()
    {
        var jail = new Jail { Name = "web", State = JailState.Stopped, ConfigPath = "/etc/jail.conf.d/web.conf" };
        Assert.Equal("Start jail 'web'\n1. /usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web\n2. /usr/sbin/jls -j web jid > /var/run/jail_web.id",
            JailLifecycle.PlanStart(jail, RcJailCommand.Default).WhatIfText);
    }

    // ------------------------------------------------------------ 11: jail_flags, jail_NAME_flags, jail_NAME_program

    // Flags that keep jail(8) in config-file mode: -l, -u, -U, -n, -s, -h turn docf off (jail.c main), so
    // "jail -l -f CONF -c NAME" is a usage error on FreeBSD too.
    [Theory]
    [InlineData("jail_flags=\"-v\"\n")]
    [InlineData("jail_flags=\"-v  -p\t1\"\n")]
    [InlineData("jail_flags=\"-v\"\njail_web_2_flags=\"-p 1 -J /var/run/web.jids\"\n")]
    [InlineData("jail_flags=\"-p 2\"\njail_web_2_flags=\"\"\n")]
    [InlineData("jail_web_2_program=\"/usr/sbin/jail\"\njail_web_2_flags=\"-v\"\n")]
    public void StartAndStopRunWhatServiceJailRuns(string rc)
    {
        // web-2: rc.d/jail's JV is web_2 (every non-alphanumeric turned into '_'), its J web-2.
        ModuleHost.DefineJail(_dir, "web-2");
        Sim.WriteAllTextAtomic("/etc/rc.conf", Sim.ReadAllText("/etc/rc.conf") + "jail_enable=\"YES\"\n" + rc, null);
        using var ps = new ModuleHost().Connect(_dir);
        var conf = "/etc/jail.conf.d/web-2.conf";
        var (program, argv) = SimService.StartCommand(Ctx(), "web-2", conf);
        Assert.Empty(ps.Run("Start-Jail web-2").Errors);
        var started = Assert.Single(Sim.ReadLog(), e => e.Arguments.Contains("-c"));
        Assert.Equal(program, started.FileName);
        Assert.Equal(argv, started.Arguments);

        var (stopProgram, stopArgv) = SimService.StopCommand(Ctx(), "web-2", conf);
        Assert.Empty(ps.Run("Stop-Jail web-2").Errors);
        var stopped = Assert.Single(Sim.ReadLog(), e => e.Arguments.Contains("-r"));
        Assert.Equal(stopProgram, stopped.FileName);
        Assert.Equal(stopArgv, stopped.Arguments);

        // And the simulated rc.d/jail runs that command line itself.
        var svc = Exec("/usr/sbin/service", "jail", "start", "web-2");
        Assert.Equal(0, svc.ExitCode);
        Assert.Equal("Running", ps.Run("(Get-Jail web-2).State.ToString()").Output.Single());
    }

    [Fact]
    public void JailProgramFromRcConfIsRun()
    {
        ModuleHost.DefineJail(_dir, "web");
        Sim.WriteAllTextAtomic("/etc/rc.conf", Sim.ReadAllText("/etc/rc.conf") + "jail_program=\"/usr/local/sbin/myjail\"\njail_flags=\"-v\"\n", null);
        using var ps = new ModuleHost().Connect(_dir);
        var r = ps.Run("Start-Jail web");
        Assert.NotEmpty(r.Errors); // the simulated host has no /usr/local/sbin/myjail
        var ran = Assert.Single(Sim.ReadLog(), e => e.Arguments.Contains("-c"));
        Assert.Equal("/usr/local/sbin/myjail -v -i -f /etc/jail.conf.d/web.conf -c web", ran.ToString());
        Assert.Equal(SimService.StartCommand(Ctx(), "web", "/etc/jail.conf.d/web.conf").Program, ran.FileName);
    }

    [Fact]
    public void FlagsAShellWouldReinterpretAreRefused()
    {
        ModuleHost.DefineJail(_dir, "web");
        Sim.WriteAllTextAtomic("/etc/rc.conf", Sim.ReadAllText("/etc/rc.conf") + "jail_web_flags='-l $(reboot)'\n", null);
        using var ps = new ModuleHost().Connect(_dir);
        var r = ps.Run("Start-Jail web");
        Assert.StartsWith("JailRcFlagsUnsupported,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        Assert.Empty(Log("/usr/sbin/jail"));
    }

    // ------------------------------------------------------------ 12: the mirror folder is uname -m / uname -p

    [Theory]
    [InlineData("amd64", "amd64")]
    [InlineData("arm64", "aarch64")]
    [InlineData("arm", "armv7")]
    [InlineData("powerpc", "powerpc64")]
    [InlineData("powerpc", "powerpc64le")]
    [InlineData("riscv", "riscv64")]
    public void SaveJailReleaseFetchesFromMachineSlashMachineArch(string machine, string arch)
    {
        using var ps = new ModuleHost().Connect(_dir);
        Sim.UpdateState(s => { s.Machine = machine; s.MachineArch = arch; });
        var r = ps.Run("Save-JailRelease 14.3-RELEASE");
        Assert.Empty(r.Errors);
        Assert.Equal(arch, r.Single<JailRelease>().Arch);
        var fetches = Log("/usr/bin/fetch").Select(e => e.ToString()).ToList();
        Assert.NotEmpty(fetches);
        Assert.All(fetches, f => Assert.Contains($"https://download.freebsd.org/releases/{machine}/{arch}/14.3-RELEASE/", f));
    }

    // ------------------------------------------------------------ 13: sysctl -N security.jail.param

    [Fact]
    public void TheSimulatedSysctlListsJailParametersAsSysctlDoes()
    {
        var names = Exec("/sbin/sysctl", "-N", "security.jail.param").StandardOutput.Split('\n');
        Assert.Contains("security.jail.param.ip4.addr", names);
        Assert.Contains("security.jail.param.ip6.addr", names);
        Assert.Contains("security.jail.param.host.hostname", names);
        var values = Exec("/sbin/sysctl", "-e", "security.jail.param").StandardOutput.Split('\n');
        // Opaque (struct) OIDs are skipped without -o/-x; string parameters report their maximum length.
        Assert.DoesNotContain(values, l => l.StartsWith("security.jail.param.ip4.addr=", StringComparison.Ordinal));
        Assert.DoesNotContain(values, l => l.StartsWith("security.jail.param.ip6.addr=", StringComparison.Ordinal));
        Assert.Contains("security.jail.param.host.hostname=256", values);
        Assert.Contains("security.jail.param.path=1024", values);
        Assert.Contains("security.jail.param.osrelease=32", values);
        Assert.Contains("security.jail.param.host.hostuuid=64", values);
        Assert.Contains("security.jail.param.persist=0", values);
    }

    [Fact]
    public void TestJailHostListsEveryJailParameterByName()
    {
        using var ps = new ModuleHost().Connect(_dir);
        var caps = ps.Run("Test-JailHost").Single<JailHostCapabilities>();
        Assert.Contains("ip4.addr", caps.SupportedParameters);
        Assert.Contains("ip6.addr", caps.SupportedParameters);
        Assert.Contains("host.hostname", caps.SupportedParameters);
        Assert.Contains("vnet", caps.SupportedParameters);
        Assert.Contains(Log("/sbin/sysctl"), e => e.ToString() == "/sbin/sysctl -N security.jail.param");
    }

    // ------------------------------------------------------------ 14: jls asked for named parameters

    [Fact]
    public void GetJailAsksJlsForNamedParametersInOneProcess()
    {
        ModuleHost.DefineJail(_dir, "web", "    ip4.addr = 192.0.2.10, 192.0.2.11;\n");
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Empty(ps.Run("Start-Jail web").Errors);
        var before = Sim.ReadLog().Count;
        var jail = ps.Run("Get-Jail web").Single<Jail>();
        var ran = Sim.ReadLog().Skip(before).ToList();
        var jls = Assert.Single(ran);
        Assert.Equal("/usr/sbin/jls", jls.FileName);
        Assert.DoesNotContain("-n", jls.Arguments);
        Assert.DoesNotContain("all", jls.Arguments);
        Assert.Equal(new[] { "--libxo", "json", "-d" }, jls.Arguments.Take(3));
        Assert.DoesNotContain("host.domainname", jls.Arguments); // a kernel string that is empty by default
        Assert.Equal(new[] { "192.0.2.10", "192.0.2.11" }, jail.IPv4Address);
        Assert.Equal(JailState.Running, jail.State);
        Assert.Equal("/jails/web", jail.Path);
        Assert.False(jail.Vnet);
    }

    [Fact]
    public void GetJailWorksOnAKernelWithoutVimage()
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Empty(ps.Run("Start-Jail web").Errors);
        Sim.UpdateState(s => s.Sysctls.Remove("kern.features.vimage"));
        // jls.c: a named parameter the kernel does not know is an error (no vnet without VIMAGE).
        var bad = Exec("/usr/sbin/jls", "--libxo", "json", "jid", "vnet");
        Assert.Equal((1, "jls: unknown parameter: vnet\n"), (bad.ExitCode, bad.StandardError));
        var r = ps.Run("Get-Jail web");
        Assert.Empty(r.Errors);
        Assert.Equal(JailState.Running, r.Single<Jail>().State);
    }

    // ------------------------------------------------------------ 15: running and installed kernel

    [Fact]
    public void TestJailHostShowsTheRunningAndTheInstalledKernel()
    {
        using var ps = new ModuleHost().Connect(_dir);
        // A kernel update installed, not yet booted.
        Sim.UpdateState(s => { s.KernelRelease = "14.3-RELEASE-p1"; s.InstalledKernelRelease = "14.3-RELEASE-p3"; s.UserlandRelease = "14.3-RELEASE-p4"; });
        var fv = Exec("/bin/freebsd-version", "-k", "-r", "-u");
        Assert.Equal("14.3-RELEASE-p3\n14.3-RELEASE-p1\n14.3-RELEASE-p4\n", fv.StandardOutput);
        var caps = ps.Run("Test-JailHost").Single<JailHostCapabilities>();
        Assert.Equal("14.3-RELEASE-p1", caps.KernelVersion);
        Assert.Equal("14.3-RELEASE-p3", caps.InstalledKernelVersion);
        Assert.Equal("14.3-RELEASE-p4", caps.UserlandVersion);
        Assert.Contains(caps.Problems, p => p.Contains("reboot", StringComparison.Ordinal));
    }

    // ------------------------------------------------------------ 16: $path in mount lines expands as jail(8) expands it

    public static readonly TheoryData<string> LinuxMountLines = new()
    {
        "devfs $path/compat/debian/dev devfs rw 0 0",
        "tmpfs ${path}/compat/debian/dev/shm tmpfs rw,size=1g,mode=1777 0 0",
        "fdescfs   $path/compat/debian/dev/fd  fdescfs   rw,linrdlnk 0 0",
    };

    [Theory]
    [MemberData(nameof(LinuxMountLines))]
    public void MountLinesWithPathExpandAsJailDoes(string line)
    {
        ModuleHost.DefineJail(_dir, "debian");
        using var ps = new ModuleHost().Connect(_dir);
        var r = ps.Run("param($l) Set-JailConfig debian -Append @{ mount = $l }", line);
        Assert.Empty(r.Errors);
        Assert.Empty(r.Warnings);
        var expected = line.Replace("${path}", "/jails/debian").Replace("$path", "/jails/debian");
        // The module's engine...
        var mount = ps.Run("(Get-JailConfig debian).Parameters['mount']").Output.Select(o => o?.ToString()).ToList();
        Assert.Equal(new[] { expected }, mount);
        // ...and the simulated jail -e agree.
        var e = Exec("/usr/sbin/jail", "-f", "/etc/jail.conf.d/debian.conf", "-e", "|");
        Assert.Equal(0, e.ExitCode);
        Assert.Contains("mount=" + (expected.Contains(' ') ? "\"" + expected + "\"" : expected), e.StandardOutput);
    }

    [Fact]
    public void ParameterValuesExpandToo()
    {
        var line = "devfs $path/compat/debian/dev devfs rw 0 0";
        ModuleHost.DefineJail(_dir, "debian");
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Empty(ps.Run("param($l) Set-JailConfig debian -Parameter @{ 'exec.consolelog' = '/var/log/jail_${name}.log'; mount = @($l) }", line).Errors);
        var c = ps.Run("Get-JailConfig debian").Single<JailConfig>();
        Assert.Equal("/var/log/jail_debian.log", c.Parameters["exec.consolelog"]);
        Assert.Equal("devfs /jails/debian/compat/debian/dev devfs rw 0 0", c.Parameters["mount"]?.ToString());
    }

    [Fact]
    public void LiteralKeepsTheDollarAndWarns()
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        var r = ps.Run("Set-JailConfig web -Parameter @{ 'exec.start' = 'echo $path' } -Literal");
        Assert.Empty(r.Errors);
        Assert.Contains(r.Warnings, w => w.Contains("$path", StringComparison.Ordinal) && w.Contains("not expand", StringComparison.Ordinal));
        Assert.Equal("echo $path", ps.Run("Get-JailConfig web").Single<JailConfig>().Parameters["exec.start"]?.ToString());
        Assert.Contains("'echo $path'", Sim.ReadAllText("/etc/jail.conf.d/web.conf"));
    }

    [Fact]
    public void AnUnterminatedReferenceStaysLiteralAndParses()
    {
        ModuleHost.DefineJail(_dir, "web");
        using var ps = new ModuleHost().Connect(_dir);
        Assert.Empty(ps.Run("Set-JailConfig web -Parameter @{ 'exec.start' = 'echo ${x and $ 5' }").Errors);
        Assert.Equal("echo ${x and $ 5", ps.Run("Get-JailConfig web").Single<JailConfig>().Parameters["exec.start"]?.ToString());
    }
}
