#requires -Version 7.4
<#
.SYNOPSIS
    New-Jail's time over the bare native commands it runs, on the simulated host.
.DESCRIPTION
    For each iteration: New-Jail benchN -Template 14.3-RELEASE (thin clone + config file), timed;
    then the same argv list replayed straight through the host API (IJailHost.RunAsync) plus the
    config file write, timed. "Bare (all)" replays every command New-Jail ran, including its
    reads (jls, zfs list), which is what a careful shell script would run too; "bare (changes)"
    replays only the changing commands (zfs clone, zfs set) and the file write. Medians are
    compared; the goal is New-Jail <= 105 % of bare (all). Also printed: the median of the
    per-round differences (New-Jail minus bare (all) of the same round), which is New-Jail's own
    time in ms and varies much less than either side on a busy machine, and that as a share of the
    bare median.

    Two modes. In process (the default), the simulated commands run inside this process: a jls
    answers in about 0.1 ms and a zfs clone in about 3 ms, far below what any real FreeBSD
    command costs (a fork and exec alone), so New-Jail's own time (about 2 ms: binding, the name
    check against every jail.conf file, the host lock and journal, the jail read back) shows as a
    large share. -OutOfProcess runs every command, on both sides alike, as a process of its own
    (jailsim through CliWrap, as the module runs FreeBSD's tools on a real host): the same argv
    crosses a real process boundary with stdin, stdout, stderr and exit status, and that is the
    comparison the goal (New-Jail <= 5 % over the bare commands) is about. A jailsim process costs
    about 200 ms (a .NET start), more than most FreeBSD tools but of the order of a zfs clone,
    which waits for a transaction group; the paired overhead in ms is printed in both modes so
    the reader can set it against any command cost.

    Stability: the simulator folder is on /dev/shm where there is one (tmpfs), and what a round
    made is destroyed after it, untimed. On a disk, the simulator's own file work (a clone copies
    the snapshot's files, state.json is rewritten) made the bare side swing between 5 and 50 ms
    with the disk's latency, and the state grew every round; either hid New-Jail's own time in
    noise, one way or the other.

    Fairness: both sides run in this process against the same simulator folder, after -WarmUp
    uncounted rounds of each (JIT, caches, the jail root dataset). The bare list is New-Jail's own
    argv (recorded by the simulator, the jail name replaced), so the simulator's work (state.json
    load/save, the clone's file copy, the command log) is the same on both sides; everything else
    New-Jail does is its overhead: parameter binding, settings, the name check (jls, zfs list and
    the jail.conf files), the host lock, the plan journal, reading its new jail back. The order
    alternates (New-Jail first on even rounds, bare first on odd ones, replaying the previous
    round's list) so that a growing state or a busy neighbour does not favour one side. The result
    goes to $null (a "| Out-Null" pipeline would be the bench's cost, not New-Jail's).
    Besides wall-clock time, the CPU time is measured: getrusage RUSAGE_SELF (user + system, every
    thread of this process, where the in-process simulator runs) plus RUSAGE_CHILDREN (the jailsim
    processes of -OutOfProcess). Other processes on a shared machine disturb it less than wall
    time; it also counts the runtime's own threads (JIT, GC) on both sides. "n/a" where the call
    is not available.
    A benchmark reports; it never fails a build (keep it out of CI).
.EXAMPLE
    dotnet pwsh ./bench/NewJail.Bench.ps1 -ModulePath ./out/JailsModule/JailsModule.psd1 -Iterations 30
.EXAMPLE
    dotnet pwsh ./bench/NewJail.Bench.ps1 -OutOfProcess -Iterations 20
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/JailsModule/JailsModule.psd1'),
    [int] $Iterations = 30,
    [int] $WarmUp = 3,
    # Every command runs as a jailsim process of its own, as FreeBSD runs its tools (both sides).
    [switch] $OutOfProcess
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$tmp = if (Test-Path /dev/shm) { "/dev/shm" } else { [IO.Path]::GetTempPath() }
$sim = Join-Path $tmp ("jm-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
Connect-JailHost -Simulator -Path $sim -OutOfProcess:$OutOfProcess
$h = [JailsModule.Services.JailHostManager]::GetSimulator($sim, [bool]$OutOfProcess)
$none = [Threading.CancellationToken]::None

# CPU time of this process and its waited-for children in ms, or NaN.
try {
    Add-Type -TypeDefinition @'
using System.Runtime.InteropServices;
public static class JmBenchCpuSelf
{
    [StructLayout(LayoutKind.Sequential)] struct TimeVal { public long Sec; public long Usec; }
    [StructLayout(LayoutKind.Sequential)] struct RUsage { public TimeVal User; public TimeVal System; [MarshalAs(UnmanagedType.ByValArray, SizeConst = 14)] public long[] Rest; }
    [DllImport("libc", SetLastError = true)] static extern int getrusage(int who, out RUsage usage);
    public static double ThreadMs()
    {
        // RUSAGE_SELF: every thread of this process; RUSAGE_CHILDREN (-1): the jailsim processes
        // it waited for (out of process), so both sides' CPU counts their commands too.
        if (getrusage(0, out var u) != 0 || getrusage(-1, out var c) != 0) return double.NaN;
        return (u.User.Sec + u.System.Sec + c.User.Sec + c.System.Sec) * 1000.0 + (u.User.Usec + u.System.Usec + c.User.Usec + c.System.Usec) / 1000.0;
    }
}
'@
    $cpuOk = -not [double]::IsNaN([JmBenchCpuSelf]::ThreadMs())
}
catch { $cpuOk = $false }
function Cpu { if ($cpuOk) { [JmBenchCpuSelf]::ThreadMs() } else { 0 } }

try {
    Save-JailRelease 14.3-RELEASE | Out-Null
    New-JailTemplate 14.3-RELEASE | Out-Null
    $mark = @(Get-JailSimulatorLog).Count
    $null = New-Jail warmup -Template 14.3-RELEASE   # creates the jail root, JIT warm-up
    $last = [pscustomobject]@{ Name = 'warmup'; Ran = @(Get-JailSimulatorLog | Select-Object -Skip $mark); Conf = $h.ReadAllText('/etc/jail.conf.d/warmup.conf') }

    $series = @{}
    foreach ($k in 'module', 'all', 'change', 'moduleCpu', 'allCpu', 'changeCpu') { $series[$k] = [Collections.Generic.List[double]]::new() }

    function Invoke-Module([string] $name, [bool] $count) {
        $mark = @(Get-JailSimulatorLog).Count
        $c0 = Cpu
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = New-Jail $name -Template 14.3-RELEASE
        $sw.Stop()
        $c1 = Cpu
        if ($count) { $series.module.Add($sw.Elapsed.TotalMilliseconds); $series.moduleCpu.Add($c1 - $c0) }
        [pscustomobject]@{ Name = $name; Ran = @(Get-JailSimulatorLog | Select-Object -Skip $mark); Conf = $h.ReadAllText("/etc/jail.conf.d/$name.conf") }
    }
    function Invoke-Bare($from, [string] $suffix, [bool] $count) {
        foreach ($mode in 'all', 'change') {
            $bare = "bare$mode$suffix"
            $cmds = foreach ($e in $from.Ran) {
                if ($mode -eq 'change' -and ($e.Arguments[0] -in 'list', 'get' -or $e.FileName -eq '/usr/sbin/jls')) { continue }
                [JailsModule.Host.ProcessRequest]::new($e.FileName, [string[]]@($e.Arguments | ForEach-Object { $_ -replace "\b$($from.Name)\b", $bare }))
            }
            $text = $from.Conf -replace "\b$($from.Name)\b", $bare
            $c0 = Cpu
            $sw = [Diagnostics.Stopwatch]::StartNew()
            foreach ($c in $cmds) {
                $r = $h.RunAsync($c, $none).GetAwaiter().GetResult()
                if ($r.ExitCode -ne 0 -and $c.Arguments[0] -notin 'list', 'get') { throw "$c failed: $($r.StandardError)" }
            }
            $h.WriteAllTextAtomic("/etc/jail.conf.d/$bare.conf", $text, 420)
            $sw.Stop()
            $c1 = Cpu
            if ($count) { $series[$mode].Add($sw.Elapsed.TotalMilliseconds); $series["${mode}Cpu"].Add($c1 - $c0) }
        }
    }

    # What a round made is destroyed after it (untimed), so every round meets the same host:
    # the simulator's cost of a clone grows with its state, which would otherwise drift the
    # later rounds (and the ratio) upwards.
    function Remove-Made([string] $name) {
        $null = $h.RunAsync([JailsModule.Host.ProcessRequest]::new('/sbin/zfs', [string[]]@('destroy', "$($settings.JailRoot)/$name")), $none).GetAwaiter().GetResult()
        $h.DeleteFile("/etc/jail.conf.d/$name.conf")
    }
    $settings = Get-JailModuleSetting
    for ($i = -$WarmUp; $i -lt $Iterations; $i++) {
        $count = $i -ge 0
        $tag = if ($count) { "$i" } else { "w$(-$i)" }
        if ($i % 2 -eq 0) {
            $last = Invoke-Module "bench$tag" $count
            Invoke-Bare $last $tag $count
        }
        else {
            Invoke-Bare $last $tag $count
            $last = Invoke-Module "bench$tag" $count
        }
        foreach ($n in "bench$tag", "bareall$tag", "barechange$tag") { Remove-Made $n }
    }
    function Median($xs) { $s = @($xs | Sort-Object); if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
    function Pct($m, $b) { if ($b -gt 0) { [math]::Round(100 * ($m - $b) / $b, 1) } else { 'n/a' } }
    $m = Median $series.module; $a = Median $series.all; $c = Median $series.change
    $mc = Median $series.moduleCpu; $ac = Median $series.allCpu; $cc = Median $series.changeCpu
    $d = Median (0..($series.module.Count - 1) | ForEach-Object { $series.module[$_] - $series.all[$_] })
    $dc = Median (0..($series.module.Count - 1) | ForEach-Object { $series.moduleCpu[$_] - $series.allCpu[$_] })
    [pscustomobject]@{
        Mode                    = if ($OutOfProcess) { 'out of process (a jailsim process per command)' } else { 'in process' }
        Iterations              = $Iterations
        NewJailMedianMs         = [math]::Round($m, 2)
        BareAllMedianMs         = [math]::Round($a, 2)
        BareChangesMedianMs     = [math]::Round($c, 2)
        OverheadVsAllPct        = Pct $m $a
        OverheadVsChangesPct    = Pct $m $c
        PairedOverheadMs        = [math]::Round($d, 2)
        PairedOverheadPct       = Pct ($a + $d) $a
        NewJailCpuMedianMs      = if ($cpuOk) { [math]::Round($mc, 2) } else { 'n/a' }
        BareAllCpuMedianMs      = if ($cpuOk) { [math]::Round($ac, 2) } else { 'n/a' }
        CpuOverheadVsAllPct     = if ($cpuOk) { Pct $mc $ac } else { 'n/a' }
        CpuOverheadVsChangesPct = if ($cpuOk) { Pct $mc $cc } else { 'n/a' }
        PairedCpuOverheadMs     = if ($cpuOk) { [math]::Round($dc, 2) } else { 'n/a' }
        PairedCpuOverheadPct    = if ($cpuOk) { Pct ($ac + $dc) $ac } else { 'n/a' }
        CommandsPerNewJail      = $last.Ran.Count
    }
}
finally {
    Remove-Item $sim -Recurse -Force -ErrorAction SilentlyContinue
}
