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
    compared; the goal is New-Jail <= 105 % of bare (all).
.EXAMPLE
    dotnet pwsh ./bench/NewJail.Bench.ps1 -ModulePath ./out/JailsModule/JailsModule.psd1 -Iterations 30
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/JailsModule/JailsModule.psd1'),
    [int] $Iterations = 30
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
Connect-JailHost -Simulator -Path $sim
$h = [JailsModule.Services.JailHostManager]::GetSimulator($sim)
$none = [Threading.CancellationToken]::None
try {
    Save-JailRelease 14.3-RELEASE | Out-Null
    New-JailTemplate 14.3-RELEASE | Out-Null
    New-Jail warmup -Template 14.3-RELEASE | Out-Null   # creates the jail root, JIT warm-up

    $module = [Collections.Generic.List[double]]::new()
    $bareAll = [Collections.Generic.List[double]]::new()
    $bareChange = [Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Iterations; $i++) {
        $name = "bench$i"
        $mark = @(Get-JailSimulatorLog).Count
        $sw = [Diagnostics.Stopwatch]::StartNew()
        New-Jail $name -Template 14.3-RELEASE | Out-Null
        $sw.Stop()
        $module.Add($sw.Elapsed.TotalMilliseconds)
        $ran = @(Get-JailSimulatorLog | Select-Object -Skip $mark)
        $conf = $h.ReadAllText("/etc/jail.conf.d/$name.conf")

        foreach ($mode in 'all', 'change') {
            $bare = "bare$mode$i"
            $cmds = foreach ($e in $ran) {
                if ($mode -eq 'change' -and ($e.Arguments[0] -in 'list', 'get' -or $e.FileName -eq '/usr/sbin/jls')) { continue }
                [JailsModule.Host.ProcessRequest]::new($e.FileName, [string[]]@($e.Arguments | ForEach-Object { $_ -replace "\b$name\b", $bare }))
            }
            $text = $conf -replace "\b$name\b", $bare
            $sw = [Diagnostics.Stopwatch]::StartNew()
            foreach ($c in $cmds) {
                $r = $h.RunAsync($c, $none).GetAwaiter().GetResult()
                if ($r.ExitCode -ne 0 -and $c.Arguments[0] -notin 'list', 'get') { throw "$c failed: $($r.StandardError)" }
            }
            $h.WriteAllTextAtomic("/etc/jail.conf.d/$bare.conf", $text, 420)
            $sw.Stop()
            if ($mode -eq 'all') { $bareAll.Add($sw.Elapsed.TotalMilliseconds) } else { $bareChange.Add($sw.Elapsed.TotalMilliseconds) }
        }
    }
    function Median($xs) { $s = @($xs | Sort-Object); if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
    $m = Median $module; $a = Median $bareAll; $c = Median $bareChange
    [pscustomobject]@{
        Iterations            = $Iterations
        NewJailMedianMs       = [math]::Round($m, 2)
        BareAllMedianMs       = [math]::Round($a, 2)
        BareChangesMedianMs   = [math]::Round($c, 2)
        OverheadVsAllPct      = [math]::Round(100 * ($m - $a) / $a, 1)
        OverheadVsChangesPct  = [math]::Round(100 * ($m - $c) / $c, 1)
        CommandsPerNewJail    = $ran.Count
    }
}
finally {
    Remove-Item $sim -Recurse -Force -ErrorAction SilentlyContinue
}
