#requires -Version 7.4
<#
.SYNOPSIS
    Benchmarks Get-Jail over 1,000 configured jails, 500 of them running, on the simulated host.
.DESCRIPTION
    Builds a simulator folder with -Jails files in /etc/jail.conf.d (one jail each, as the module
    writes them) and starts -Running of them with Start-Jail, so the kernel state is exactly what the
    simulated jail(8) makes. Then:
      * checks from Get-JailSimulatorLog that ONE Get-Jail runs exactly one native command,
        /usr/sbin/jls --libxo json -d with the parameters the module reads (JlsTool.ListAll), and nothing per jail, and that it returns every jail;
      * measures Get-Jail (module time: the cmdlet in this process, simulator included) over -Runs
        runs after a warm-up, and prints the median, minimum and 90th percentile;
      * splits one Get-Jail into its parts (the jls call, the configuration files) to show where
        time goes.
    The goal is a median under 150 ms. This is a benchmark, not a test: it prints figures and exits
    1 only when the one-jls rule is broken (or with -FailOverGoal, when the goal is missed).
    Why a pwsh script and not BenchmarkDotNet: the figure that matters is the cmdlet as a user runs
    it (parameter binding, pipeline, formatting of nothing), which only a PowerShell host measures.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./build.ps1 -Task Build; dotnet pwsh -NoProfile -File ./bench/GetJail.Bench.ps1
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/JailsModule/JailsModule.psd1'),
    [ValidateRange(1, 100000)] [int] $Jails = 1000,
    [ValidateRange(0, 100000)] [int] $Running = 500,
    [ValidateRange(1, 1000)] [int] $Runs = 25,
    [double] $GoalMilliseconds = 150,
    [switch] $FailOverGoal,
    # Keep the simulator folder (for profiling); by default a temp folder that is removed.
    [string] $SimulatorPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
if ($Running -gt $Jails) { throw "-Running ($Running) cannot exceed -Jails ($Jails)." }
if (-not (Test-Path $ModulePath)) { throw "Build the module first (./build.ps1 -Task Build): $ModulePath is missing." }
Import-Module $ModulePath -Force

$keep = [bool]$SimulatorPath
if (-not $SimulatorPath) { $SimulatorPath = Join-Path ([IO.Path]::GetTempPath()) ("jm-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8)) }

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { return $s[[int][Math]::Floor($s.Count / 2)] }
    return ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

try {
    Connect-JailHost -Simulator -Path $SimulatorPath
    $root = (Get-JailHost).Path
    $confDir = Join-Path $root 'fs/etc/jail.conf.d'
    New-Item -ItemType Directory -Force -Path $confDir | Out-Null

    # 1. the configuration: one file per jail, the shape New-Jail writes (path, hostname, address, persist).
    $setup = [Diagnostics.Stopwatch]::StartNew()
    $names = foreach ($i in 1..$Jails) { 'j{0:d4}' -f $i }
    $k = 0
    foreach ($n in $names) {
        $k++
        $ip = "10.{0}.{1}.{2}" -f (($k -shr 16) -band 255), (($k -shr 8) -band 255), ($k -band 255)
        New-Item -ItemType Directory -Force -Path (Join-Path $root "fs/jails/$n/dev") | Out-Null
        $text = "# managed by JailsModule`n$n {`n    path = ""/jails/$n"";`n    host.hostname = ""$n.example.org"";`n" +
            "    ip4.addr = ""em0|$ip/32"";`n    exec.clean;`n    mount.devfs;`n    persist;`n}`n"
        [IO.File]::WriteAllText((Join-Path $confDir "$n.conf"), $text)
    }
    $configSeconds = $setup.Elapsed.TotalSeconds

    # 2. the running jails, started the way a user would (one Start-Jail, one jail -c each).
    $setup.Restart()
    if ($Running -gt 0) { Start-Jail -Name ($names | Select-Object -First $Running) }
    $startSeconds = $setup.Elapsed.TotalSeconds

    # 3. one Get-Jail: exactly one native command, jls, and every jail returned.
    $before = @(Get-JailSimulatorLog).Count
    $all = @(Get-Jail)
    $ran = @(Get-JailSimulatorLog | Select-Object -Skip $before)
    $expected = [JailsModule.Tools.JlsTool]::ListAll()
    $oneJls = $ran.Count -eq 1 -and $ran[0].FileName -eq $expected.FileName -and ($ran[0].Arguments -join ' ') -eq ($expected.Arguments -join ' ')
    $runningSeen = @($all | Where-Object State -EQ 'Running').Count

    # 4. timing: warm-up, then -Runs measured runs.
    1..3 | ForEach-Object { $null = Get-Jail }
    $times = foreach ($r in 1..$Runs) { (Measure-Command { $null = Get-Jail }).TotalMilliseconds }
    $median = Get-Median $times
    $sorted = @($times | Sort-Object)
    $p90 = $sorted[[int][Math]::Min($sorted.Count - 1, [Math]::Ceiling(0.9 * $sorted.Count) - 1)]

    # 5. where the time goes: the jls call alone, and the configuration files alone.
    $sim = [JailsModule.Services.JailHostManager]::GetSimulator($root)
    $jls = [JailsModule.Tools.JlsTool]::ListAll()
    $jlsTimes = foreach ($r in 1..$Runs) {
        (Measure-Command { $null = $sim.RunAsync($jls, [Threading.CancellationToken]::None).GetAwaiter().GetResult() }).TotalMilliseconds
    }
    $confCache = [JailsModule.Services.ConfFileCache]::new()   # a session's cache of parsed files
    $confTimes = foreach ($r in 1..$Runs) {
        (Measure-Command { $null = [JailsModule.Services.JailInventory]::ReadConfigured($sim, $confCache) }).TotalMilliseconds
    }

    [pscustomobject]@{
        Jails               = $all.Count
        Running             = $runningSeen
        NativeCommands      = $ran.Count
        OneJlsOnly          = $oneJls
        'Median (ms)'       = [Math]::Round($median, 1)
        'Min (ms)'          = [Math]::Round(($times | Measure-Object -Minimum).Minimum, 1)
        'P90 (ms)'          = [Math]::Round($p90, 1)
        'Goal (ms)'         = $GoalMilliseconds
        'jls alone (ms)'    = [Math]::Round((Get-Median $jlsTimes), 1)
        'config alone (ms)' = [Math]::Round((Get-Median $confTimes), 1)
        'Setup config (s)'  = [Math]::Round($configSeconds, 1)
        'Setup start (s)'   = [Math]::Round($startSeconds, 1)
        Runs                = $Runs
    } | Format-List | Out-Host

    $problems = @()
    if (-not $oneJls) { $problems += "Get-Jail ran $($ran.Count) native command(s): $(($ran | ForEach-Object { $_.ToString() }) -join '; ')" }
    if ($all.Count -ne $Jails) { $problems += "Get-Jail returned $($all.Count) jails, expected $Jails." }
    if ($runningSeen -ne $Running) { $problems += "Get-Jail saw $runningSeen running jails, expected $Running." }
    if ($FailOverGoal -and $median -ge $GoalMilliseconds) { $problems += "Median $([Math]::Round($median, 1)) ms misses the goal of $GoalMilliseconds ms." }
    if ($problems) { $problems | ForEach-Object { Write-Error $_ -ErrorAction Continue }; exit 1 }
    $verdict = if ($median -lt $GoalMilliseconds) { 'meets' } else { 'MISSES' }
    Write-Host ("Get-Jail over {0} jails ({1} running): median {2:N1} ms, {3} the {4} ms goal; one jls, nothing per jail." -f $Jails, $Running, $median, $verdict, $GoalMilliseconds)
}
finally {
    if (-not $keep -and (Test-Path $SimulatorPath)) { Remove-Item $SimulatorPath -Recurse -Force }
}
