#requires -Version 7.4
<#
.SYNOPSIS
    Robustness category "concurrency": N processes run the same change at the same moment.
.DESCRIPTION
    N worker processes (Robustness.Worker.ps1) each connect to the scenario's host, say they are ready and
    start their cmdlet together when the go file appears. Scenarios and invariants:
    - New-Jail of one name: exactly one succeeds; one dataset, one config file, one zfs clone; the others
      fail with a clear error (the module's, not a raw .NET exception).
    - Set-JailConfig -Append of N different addresses to one jail: every edit that reported success is in
      the file afterwards.
    - Set-JailConfig -New of N jails into one shared file: every jail that reported success is defined.
    - Start-Jail of one jail: it runs once and exactly one jail -c ran.
    No lock is left held after any of them.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/JailsModule/JailsModule.psd1'),
    [switch] $Quick,
    [string] $ResultPath,
    [string] $WorkRoot,
    [int] $Workers = 0
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Robustness.Common.ps1')
Initialize-Robust 'concurrency' $ModulePath $WorkRoot
if ($Workers -le 0) { $Workers = if ($Quick) { 4 } else { 12 } }

$base = New-RobustHost 'base'
Save-JailRelease 14.3-RELEASE | Out-Null
New-JailTemplate 14.3-RELEASE | Out-Null
New-Jail web1 -Template 14.3-RELEASE -Start | Out-Null
New-Jail web2 -Template 14.3-RELEASE | Out-Null

$scen = @(
    @{ Name = 'new-same-name'; Cmd = 'New-Jail'; Params = @{ Name = 'race'; Template = '14.3-RELEASE' } }
    @{ Name = 'append-one-file'; Cmd = 'Set-JailConfig'; Params = @{ Name = 'web2'; Append = @{ 'ip4.addr' = '192.0.2.1{i}' } } }
    @{ Name = 'new-jails-one-file'; Cmd = 'Set-JailConfig'; Params = @{ Name = 'c{i}'; New = $true; Path = '/etc/jail.conf.d/shared.conf'; Parameter = @{ path = '/jails/c{i}'; persist = $true } } }
    @{ Name = 'start-one-jail'; Cmd = 'Start-Jail'; Params = @{ Name = 'web2' } }
)
$control = Join-Path $script:RobustWork 'control'
New-Item -ItemType Directory -Force -Path $control | Out-Null
foreach ($s in $scen) { $s.Dir = Copy-RobustHost $base $s.Name -NoConnect }
ConvertTo-Json @($scen) -Depth 6 | Set-Content -LiteralPath (Join-Path $control 'scenarios.json')

$procs = @(for ($i = 0; $i -lt $Workers; $i++) {
        Start-RobustChild (Join-Path $PSScriptRoot 'Robustness.Worker.ps1') @($ModulePath, $control, [string]$i)
    })
Add-RobustNote "$Workers worker processes"

$first = $true
foreach ($s in $scen) {
    # the first scenario waits for the workers to start (slow on a busy machine), the others for their warm-up
    $deadline = [DateTime]::UtcNow.AddMinutes($(if ($first) { 10 } else { 3 })); $first = $false
    while (@(Get-ChildItem -LiteralPath $control -Filter "ready-$($s.Name)-*").Count -lt $Workers -and [DateTime]::UtcNow -lt $deadline -and @($procs | Where-Object { -not $_.HasExited }).Count) { Start-Sleep -Milliseconds 50 }
    $ready = @(Get-ChildItem -LiteralPath $control -Filter "ready-$($s.Name)-*").Count
    Set-Content -LiteralPath (Join-Path $control "go-$($s.Name)") -Value ''
    $deadline = [DateTime]::UtcNow.AddMinutes(4)
    while (@(Get-ChildItem -LiteralPath $control -Filter "result-$($s.Name)-*").Count -lt $ready -and [DateTime]::UtcNow -lt $deadline -and @($procs | Where-Object { -not $_.HasExited }).Count) { Start-Sleep -Milliseconds 50 }
    Start-Sleep -Milliseconds 200
    $res = @(Get-ChildItem -LiteralPath $control -Filter "result-$($s.Name)-*" | ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json })
    $case = "$($s.Name) x$($res.Count)"
    if ($ready -lt $Workers) { Add-RobustNote "$($s.Name): only $ready of $Workers workers were ready in time; ran with those" }
    if ($res.Count -lt 2) { Add-RobustResult $case $false "only $($res.Count) of $Workers workers answered: no concurrency to judge" ''; continue }
    $ok = @($res | Where-Object Ok)
    $bad = @($res | Where-Object { -not $_.Ok })
    $raw = @($bad | Where-Object { $_.ErrorId -match '^System\.' -or -not $_.ErrorId })
    Connect-JailHost -Simulator -Path $s.Dir
    $log = @(Get-RobustLog $s.Dir 0)
    $problems = @()
    $locks = @(Get-RobustHeldLocks $s.Dir)
    if ($locks.Count) { $problems += "lock still held: $($locks -join '; ')" }
    if ($raw.Count) { $problems += "$($raw.Count) workers failed with a raw error: $($raw[0].ErrorId): $($raw[0].Error)" }
    switch ($s.Name) {
        'new-same-name' {
            if ($ok.Count -ne 1) { $problems += "$($ok.Count) New-Jail race succeeded (want 1)" }
            $clones = @($log | Where-Object { $_.FileName -like '*/zfs' -and @($_.Arguments)[0] -eq 'clone' -and $_.ExitCode -eq 0 })
            if ($clones.Count -ne 1) { $problems += "$($clones.Count) zfs clone ran (want 1)" }
            $ds = @((Get-RobustSim $s.Dir).ReadState().Datasets | Where-Object Name -Like '*/race*')
            if ($ds.Count -ne 1) { $problems += "$($ds.Count) datasets named race" }
            if (-not (Test-Path (Join-Path $s.Dir 'fs/etc/jail.conf.d/race.conf'))) { $problems += 'no race.conf' }
            $other = @($bad | Where-Object { $_.ErrorId -notmatch '^(JailExists|JailAlreadyExists|DatasetExists|ResourceLocked|NameInUse)' } | ForEach-Object ErrorId | Select-Object -Unique)
            if ($other.Count) { Add-RobustNote "new-same-name: the losers failed with $($other -join ', ')" }
        }
        'append-one-file' {
            $have = @((Get-JailConfig -Name web2).Parameters['ip4.addr'] | ForEach-Object { $_ -split '[ ,]+' })
            $lost = @($ok | ForEach-Object { $_.Params.Append.'ip4.addr' } | Where-Object { $_ -notin $have })
            if ($lost.Count) { $problems += "$($lost.Count) of $($ok.Count) reported edits are lost: $($lost -join ', ')" }
            if ($bad.Count) { Add-RobustNote "append-one-file: $($bad.Count) edits failed: $(($bad | ForEach-Object ErrorId | Select-Object -Unique) -join ', ')" }
        }
        'new-jails-one-file' {
            $have = @(Get-JailConfig | ForEach-Object Name)
            $lost = @($ok | ForEach-Object { $_.Params.Name } | Where-Object { $_ -notin $have })
            if ($lost.Count) { $problems += "$($lost.Count) of $($ok.Count) reported new jails are lost: $($lost -join ', ')" }
            if ($bad.Count) { Add-RobustNote "new-jails-one-file: $($bad.Count) failed: $(($bad | ForEach-Object ErrorId | Select-Object -Unique) -join ', ')" }
        }
        'start-one-jail' {
            $creates = @($log | Where-Object { $_.FileName -like '*/jail' -and @($_.Arguments) -contains '-c' })
            if ($creates.Count -ne 1) { $problems += "$($creates.Count) jail -c ran (want 1): exit codes $(($creates | ForEach-Object ExitCode) -join ',')" }
            $running = @((Get-RobustSim $s.Dir).ReadState().Jails | Where-Object Name -EQ 'web2')
            if ($running.Count -ne 1) { $problems += "web2 runs $($running.Count) times" }
        }
    }
    Add-RobustResult $case ($problems.Count -eq 0) ($problems -join ' || ') ''
}
foreach ($p in $procs) { $w = Wait-RobustChild $p 60; if ($w.ExitCode -ne 0) { Add-RobustNote "a worker ended with $($w.ExitCode): $($w.Stderr)" } }
Save-RobustResult $ResultPath
