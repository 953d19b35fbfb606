#requires -Version 7.4
<#
.SYNOPSIS
    Robustness category "kill": kill -9 of a process in the middle of a plan.
.DESCRIPTION
    For each operation: a run on a copy of the base host learns its command sequence; on a fresh copy
    the middle changing command gets a fault with -Delay (the command hangs, then would run); a child
    pwsh runs the operation; once the fault fired (the child hangs in that command, half-way through
    its plan) the child is killed with SIGKILL. Then, in this process:
    - the next plan (New-Jail of another jail) must name the dead plan's journal
      (/var/db/jailsmodule/journal/ID.json, in a warning or error) and that file must exist;
    - the journal must list, for every step done, the command that undoes it;
    - no lock may still be held;
    - the host must be brought back with the module's own cmdlets (the operation's inverse, e.g.
      Remove-Jail of a jail whose New-Jail was killed, or Remove-Jail again), leaving nothing behind.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/JailsModule/JailsModule.psd1'),
    [switch] $Quick,
    [string] $ResultPath,
    [string] $WorkRoot
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Robustness.Common.ps1')
Initialize-Robust 'kill' $ModulePath $WorkRoot
$modFull = (Resolve-Path $ModulePath).ProviderPath

$zfs = New-RobustHost 'base-zfs'
Save-JailRelease 14.3-RELEASE | Out-Null
New-JailTemplate 14.3-RELEASE | Out-Null
New-Jail web1 -Template 14.3-RELEASE -Start | Out-Null
New-Jail web2 -Template 14.3-RELEASE | Out-Null
$zfsUpd = Copy-RobustHost $zfs 'base-zfs-upd'
Update-JailTemplate 14.3-RELEASE -WarningAction SilentlyContinue | Out-Null

function Test-NoDataset([string] $Dir, [string] $Like) { -not @((Get-RobustSim $Dir).ReadState().Datasets | Where-Object Name -Like $Like).Count }
$ops = @(
    @{ Name = 'New-Jail -Start'; Base = $zfs; Cmd = 'New-Jail'; Params = @{ Name = 'k1'; Template = '14.3-RELEASE'; Start = $true }
        Recover = @(@{ Cmd = 'Remove-Jail'; Params = @{ Name = 'k1'; Force = $true } })
        Final = { param($d) @(if (-not (Test-NoDataset $d '*/k1*')) { 'a dataset of k1 is left' }; if (Test-Path "$d/fs/etc/jail.conf.d/k1.conf") { 'k1.conf is left' }) } }
    @{ Name = 'Remove-Jail'; Base = $zfs; Cmd = 'Remove-Jail'; Params = @{ Name = 'web2'; Force = $true }
        Recover = @(@{ Cmd = 'Remove-Jail'; Params = @{ Name = 'web2'; Force = $true } }, @{ Cmd = 'New-Jail'; Params = @{ Name = 'web2'; Template = '14.3-RELEASE' } })
        Final = { param($d) @(if ((Test-NoDataset $d '*/web2*') -ne (-not (Test-Path "$d/fs/etc/jail.conf.d/web2.conf"))) { 'web2 is half there: its dataset without its config or the other way round' }
                if (-not (Test-NoDataset $d '*/web2*') -and -not (Get-Jail -Name web2 -ErrorAction SilentlyContinue)) { 'web2 is not listed' }) } }
    @{ Name = 'Update-Jail thin'; Base = $zfsUpd; Cmd = 'Update-Jail'; Params = @{ Name = 'web2'; Force = $true }
        Recover = @(@{ Cmd = 'Remove-Jail'; Params = @{ Name = 'web2'; Force = $true } })
        Final = { param($d) @(if (-not (Test-NoDataset $d '*/web2*')) { "datasets left: $(((Get-RobustSim $d).ReadState().Datasets | Where-Object Name -Like '*/web2*' | ForEach-Object Name) -join ', ')" }) } }
    @{ Name = 'New-JailTemplate'; Base = $zfs; Cmd = 'New-JailTemplate'; Params = @{ Release = '14.3-RELEASE'; Name = 't2' }
        Recover = @(@{ Cmd = 'Remove-JailTemplate'; Params = @{ Name = 't2'; Force = $true } }, @{ Cmd = 'New-JailTemplate'; Params = @{ Release = '14.3-RELEASE'; Name = 't2' } })
        Final = { param($d) @(if (-not (Test-NoDataset $d '*/t2*') -and -not (Get-JailTemplate -Name t2 -ErrorAction SilentlyContinue)) { 'a t2 dataset is left that Get-JailTemplate does not list' }) } }
)
if ($Quick) { $ops = @($ops | Where-Object Name -In 'New-Jail -Start', 'Remove-Jail') }

function Test-Changing($e) {
    $tool = [IO.Path]::GetFileName($e.FileName); $a = @($e.Arguments)
    -not (($tool -in 'jls', 'uname', 'id', 'sha256', 'sysctl', 'kldstat', 'freebsd-version', 'fetch') -or ($tool -eq 'zfs' -and $a[0] -in 'list', 'get') -or ($tool -eq 'mount' -and $a -contains '-p'))
}

foreach ($op in $ops) {
    $learn = Copy-RobustHost $op.Base
    $p = @{}; foreach ($k in $op.Params.Keys) { $p[$k] = $op.Params[$k] }
    & $op.Cmd @p -Confirm:$false -WarningAction SilentlyContinue | Out-Null
    $seq = @(Get-RobustLog $learn 0)
    Remove-RobustHost $learn
    $changing = @(for ($k = 0; $k -lt $seq.Count; $k++) { if (Test-Changing $seq[$k]) { $k } })
    if (-not $changing.Count) { Add-RobustSkip "$($op.Name): no changing command to stop in"; continue }
    $k = $changing[[int][math]::Floor($changing.Count / 2)]
    $e = $seq[$k]
    $pattern = "$($e.FileName) *"
    $occ = @($seq[0..$k] | Where-Object FileName -EQ $e.FileName).Count
    $case = "$($op.Name) killed while it runs '$(Format-RobustCommand $e)' (changing step $([array]::IndexOf($changing, $k) + 1) of $($changing.Count))"

    $dir = Copy-RobustHost $op.Base
    Set-JailSimulatorFault -Command $pattern -Occurrence $occ -Delay 120000 -ThenRun | Out-Null
    $resFile = Join-Path $script:RobustWork "child-$($op.Name -replace '\W', '').jsonl"
    $child = Start-RobustChild (Join-Path $PSScriptRoot 'Robustness.Child.ps1') @($modFull, $dir, (ConvertTo-Json @(@{ Cmd = $op.Cmd; Params = $op.Params }) -Depth 5 -Compress), $resFile)
    $deadline = [DateTime]::UtcNow.AddSeconds(240)
    while (@(Get-JailSimulatorFault).Count -and -not $child.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
    if ($child.HasExited -or @(Get-JailSimulatorFault).Count) {
        $w = Wait-RobustChild $child 5
        Add-RobustResult $case $false 'setup: the child never reached the delayed command' "$($w.Stderr)"
        Clear-JailSimulatorFault; continue
    }
    Start-Sleep -Milliseconds 300
    $child.Kill($true) # SIGKILL
    [void](Wait-RobustChild $child 20)
    Clear-JailSimulatorFault

    # 1. the next plan names the dead plan's journal
    $ev = $null; $wv = $null
    New-Jail nextplan -Template 14.3-RELEASE -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable ev -WarningAction SilentlyContinue -WarningVariable wv | Out-Null
    $said = (@($wv) + @($ev) | ForEach-Object { $_.ToString() }) -join "`n"
    $named = @([regex]::Matches($said, '/var/db/jailsmodule/journal/[^\s''"]+\.json') | ForEach-Object Value | Select-Object -Unique)
    $journals = @(Get-RobustJournals $dir)
    $j = @($journals | Where-Object Path -In $named)
    Add-RobustResult "$case; the next plan names the dead plan's journal" ([bool]$j.Count) $(if (-not $named.Count) { "the next plan said nothing of a journal (warnings/errors: $said)" } else { "it names $($named -join ', ') but the file is missing" })

    # 2. the journal lists the undo command of every step done
    if ($j.Count) {
        $rec = $j[0].Text | ConvertFrom-Json
        $steps = @($rec.Steps)
        $progress = @($steps | Where-Object { $_.State -and $_.State -ne 'Pending' })
        $noUndo = @($steps | Where-Object { -not @($_.PSObject.Properties | Where-Object { $_.Name -match 'undo' -and $_.Value }).Count })
        $why = @()
        if (-not $progress.Count) { $why += "the journal does not record which of its $($steps.Count) steps ran (every step is Pending)" }
        if ($noUndo.Count) { $why += "$($noUndo.Count) of $($steps.Count) steps list no undo command ($(($noUndo | ForEach-Object Description | Select-Object -First 3) -join '; '))" }
        Add-RobustResult "$case; the journal lists the undo commands of the steps done" ($why.Count -eq 0) ($why -join '; ')
    }
    else { Add-RobustResult "$case; the journal lists the undo commands of the steps done" $false 'no journal to read' }

    # 3. no lock held by the dead process
    $locks = @(Get-RobustHeldLocks $dir)
    Add-RobustResult "$case; no lock is left held" ($locks.Count -eq 0) "held: $($locks -join '; ')"

    # 4. the host can be brought back with the module's cmdlets
    $said = @()
    foreach ($r in $op.Recover) {
        $ev = $null
        $rp = @{}; foreach ($k2 in $r.Params.Keys) { $rp[$k2] = $r.Params[$k2] }
        & $r.Cmd @rp -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable ev -WarningAction SilentlyContinue | Out-Null
        $said += "$($r.Cmd): $(if ($ev) { ($ev | ForEach-Object { $_.ToString() }) -join ' ' } else { 'ok' })"
        if (-not $ev) { break }
    }
    $left = @(& $op.Final $dir)
    Add-RobustResult "$case; the module's cmdlets bring the host back" ($left.Count -eq 0) ($left -join '; ') ($said -join ' | ')
    Remove-RobustHost $dir
}
Save-RobustResult $ResultPath
