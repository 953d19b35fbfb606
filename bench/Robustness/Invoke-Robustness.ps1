#requires -Version 7.4
<#
.SYNOPSIS
    The robustness suite: the red team's categories against the built module on simulated hosts, with
    figures (tried / held / failed) per category, the way a benchmark reports.
.DESCRIPTION
    Categories (one script each in this folder, each run in a child pwsh of its own, so a crash or hang
    of one is reported as such and the others still run):
      hostile      hostile strings into every string parameter of every cmdlet that changes the host
      faults       a fault at every command of each changing cmdlet, with and without a failing undo
      concurrency  N processes doing the same New-Jail, Set-JailConfig edits of one file, Start-Jail
      kill         kill -9 half-way through a plan; the next plan and the cmdlets must recover
      corrupt      corrupt jail.conf, settings, ZFS properties and jail-controlled files
      foreign      datasets and configs the module did not make survive Remove-Jail/Update-Jail
    Each prints "tried N, held N, failed N", then one line per failure (the input or step, and the
    invariant that broke). The exit code is 1 when anything did not hold (or a category could not run),
    0 otherwise. Every host is a fresh folder under /dev/shm (or the temp folder), removed at the end
    unless -Keep. -Quick uses smaller corpora and fewer cases (a few minutes); the full run is bounded
    (about 15 minutes on 2 cores). -Json writes all figures and failures to a file.
    Build first: dotnet pwsh -NoProfile -File ./build.ps1 -Task Build
.EXAMPLE
    dotnet pwsh -NoProfile -File ./bench/Robustness/Invoke-Robustness.ps1 -Quick
.EXAMPLE
    dotnet pwsh -NoProfile -File ./bench/Robustness/Invoke-Robustness.ps1 -Category hostile, foreign -Json robustness.json
#>
param(
    # Names or a comma-separated list (pwsh -File passes "hostile,foreign" as one string).
    [string[]] $Category = @('hostile', 'faults', 'concurrency', 'kill', 'corrupt', 'foreign'),
    [switch] $Quick,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/JailsModule/JailsModule.psd1'),
    # Minutes a category may take before it is stopped and reported as hung.
    [int] $CategoryTimeoutMinutes = 0,
    [string] $Json,
    [switch] $Keep
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Robustness.Common.ps1')
if (-not (Test-Path $ModulePath)) { throw "No built module at $ModulePath; run: dotnet pwsh -NoProfile -File ./build.ps1 -Task Build" }
$ModulePath = (Resolve-Path $ModulePath).ProviderPath
$Category = @($Category | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
$unknown = @($Category | Where-Object { $_ -notin 'hostile', 'faults', 'concurrency', 'kill', 'corrupt', 'foreign' })
if ($unknown.Count) { throw "Unknown category: $($unknown -join ', ') (hostile, faults, concurrency, kill, corrupt, foreign)" }
if ($CategoryTimeoutMinutes -le 0) { $CategoryTimeoutMinutes = if ($Quick) { 8 } else { 20 } }
$scripts = @{ hostile = 'Hostile.ps1'; faults = 'Faults.ps1'; concurrency = 'Concurrency.ps1'; kill = 'Kill.ps1'; corrupt = 'Corrupt.ps1'; foreign = 'Foreign.ps1' }
$tmp = if (Test-Path /dev/shm) { '/dev/shm' } else { [IO.Path]::GetTempPath() }
$work = Join-Path $tmp ('jm-robust-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Force -Path $work | Out-Null
if ($Keep) { $env:JAILSMODULE_ROBUST_KEEP = '1' }
$clock = [Diagnostics.Stopwatch]::StartNew()
$results = [Collections.Generic.List[object]]::new()

Write-Host "JailsModule robustness suite$(if ($Quick) { ' (quick)' }): $($Category -join ', ')"
Write-Host "module: $ModulePath; hosts under $work"
foreach ($c in $Category) {
    $resultFile = Join-Path $work "$c.json"
    $argv = @('-ModulePath', $ModulePath, '-ResultPath', $resultFile, '-WorkRoot', $work)
    if ($Quick) { $argv += '-Quick' }
    $p = Start-RobustChild (Join-Path $PSScriptRoot $scripts[$c]) $argv
    $w = Wait-RobustChild $p ($CategoryTimeoutMinutes * 60)
    $r = if (Test-Path -LiteralPath $resultFile) { Get-Content -LiteralPath $resultFile -Raw | ConvertFrom-Json } else { $null }
    if (-not $r -or $w.TimedOut -or $w.ExitCode -ne 0) {
        # the category itself could not finish: that does not hold either
        $why = if ($w.TimedOut) { "stopped after $CategoryTimeoutMinutes min" } else { "ended with exit code $($w.ExitCode)" }
        $tail = (($w.Stderr -split "`n" | Where-Object { $_.Trim() }) | Select-Object -Last 6) -join ' / '
        $failures = @(if ($r) { $r.Failures }) + @([pscustomobject]@{ Case = "the $c category itself"; Invariant = "the category script $why"; Detail = $tail })
        $r = [pscustomobject]@{ Category = $c; Tried = $(if ($r) { $r.Tried } else { 0 }) + 1; Held = $(if ($r) { $r.Held } else { 0 }); Failed = $(if ($r) { $r.Failed } else { 0 }) + 1; Skipped = 0; Failures = $failures; Notes = @(); Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 1) }
    }
    $results.Add($r)
    Write-Host ''
    Write-Host ("{0,-12} tried {1}, held {2}, failed {3}{4}  ({5} s)" -f $c, $r.Tried, $r.Held, $r.Failed, $(if ($r.Skipped) { ", skipped $($r.Skipped)" } else { '' }), $r.Seconds)
    foreach ($f in @($r.Failures)) {
        Write-Host "  FAILED  $($f.Case)"
        Write-Host "          $($f.Invariant)"
        if ($f.Detail) { Write-Host "          ($($f.Detail))" }
    }
    foreach ($n in @($r.Notes)) { Write-Host "  note: $n" }
}
$tried = ($results | Measure-Object Tried -Sum).Sum
$held = ($results | Measure-Object Held -Sum).Sum
$failed = ($results | Measure-Object Failed -Sum).Sum
$bad = @($results | Where-Object Failed | ForEach-Object Category)
Write-Host ''
Write-Host ("robustness: tried {0}, held {1}, failed {2} in {3} categories ({4:0} s){5}" -f $tried, $held, $failed, $results.Count, $clock.Elapsed.TotalSeconds, $(if ($bad.Count) { "; not holding: $($bad -join ', ')" } else { '' }))
if ($Json) { ConvertTo-Json @($results) -Depth 6 | Set-Content -LiteralPath $Json -Encoding utf8NoBOM }
if (-not $Keep) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
exit $(if ($failed) { 1 } else { 0 })
