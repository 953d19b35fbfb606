#requires -Version 7.4
<#
.SYNOPSIS
    Robustness category "faults": a fault at every command of every changing cmdlet, with and without a
    failing undo.
.DESCRIPTION
    Each operation first runs once on a fresh copy of its base host to learn its command sequence. Then,
    for each command k of that sequence, a fresh copy gets a fault on the k-th command of that tool
    (Set-JailSimulatorFault 'TOOL *' -Occurrence N) and the operation runs again.
    Pass 1 (undo works) holds when the fault fired and either the cmdlet reported an error and the host
    (state.json without counters, every file, mode and link, datasets, mounts, jails) equals the host
    before, or the failed command was a read and the result equals the clean run's; and no lock is held.
    Pass 2 (undo fails too): from command k on every command fails (Set-JailSimulatorFault '*' -Occurrence
    k -Count 0). It holds when the host equals the host before, or the error names a saved journal
    (/var/db/jailsmodule/journal/ID.json) that exists and names every dataset, jail.conf file and jail left
    changed. Pass 2 runs only where a changing command comes before k (otherwise there is nothing to undo).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/JailsModule/JailsModule.psd1'),
    [switch] $Quick,
    [string] $ResultPath,
    [string] $WorkRoot
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Robustness.Common.ps1')
Initialize-Robust 'faults' $ModulePath $WorkRoot

# ---------------------------------------------------------------------------------------------------
# Base hosts
$zfs = New-RobustHost 'base-zfs'
Save-JailRelease 14.3-RELEASE | Out-Null
New-JailTemplate 14.3-RELEASE | Out-Null
New-Jail web1 -Template 14.3-RELEASE -Start | Out-Null
New-Jail web2 -Template 14.3-RELEASE | Out-Null
New-Jail web3 -Template 14.3-RELEASE -Thick | Out-Null
# a newer template snapshot, so that Update-Jail of a thin jail has work to do
$zfsUpd = Copy-RobustHost $zfs 'base-zfs-upd'
Update-JailTemplate 14.3-RELEASE -WarningAction SilentlyContinue | Out-Null

$ufs = New-RobustHost 'base-ufs'
Set-RobustUfsHost $ufs
Save-JailRelease 14.3-RELEASE | Out-Null
New-JailTemplate 14.3-RELEASE | Out-Null
New-Jail u1 -Template 14.3-RELEASE -Start | Out-Null

$ops = @(
    @{ Name = 'New-Jail thin -Start (ZFS)'; Base = $zfs; Cmd = 'New-Jail'; Params = @{ Name = 'f1'; Template = '14.3-RELEASE'; Start = $true } }
    @{ Name = 'New-Jail -Thick (ZFS)'; Base = $zfs; Cmd = 'New-Jail'; Params = @{ Name = 'f1'; Template = '14.3-RELEASE'; Thick = $true } }
    @{ Name = 'New-Jail thin -Start (UFS)'; Base = $ufs; Cmd = 'New-Jail'; Params = @{ Name = 'f1'; Template = '14.3-RELEASE'; Start = $true } }
    @{ Name = 'Remove-Jail running (ZFS)'; Base = $zfs; Cmd = 'Remove-Jail'; Params = @{ Name = 'web1'; Force = $true } }
    @{ Name = 'Remove-Jail running (UFS)'; Base = $ufs; Cmd = 'Remove-Jail'; Params = @{ Name = 'u1'; Force = $true } }
    @{ Name = 'New-JailTemplate -Update (ZFS)'; Base = $zfs; Cmd = 'New-JailTemplate'; Params = @{ Release = '14.3-RELEASE'; Name = 't2'; Update = $true } }
    @{ Name = 'New-JailTemplate (UFS)'; Base = $ufs; Cmd = 'New-JailTemplate'; Params = @{ Release = '14.3-RELEASE'; Name = 't2' } }
    @{ Name = 'Update-Jail thin (ZFS)'; Base = $zfsUpd; Cmd = 'Update-Jail'; Params = @{ Name = 'web2'; Force = $true } }
    @{ Name = 'Update-Jail thick (ZFS)'; Base = $zfs; Cmd = 'Update-Jail'; Params = @{ Name = 'web3'; Force = $true } }
    @{ Name = 'Set-JailConfig running jail'; Base = $zfs; Cmd = 'Set-JailConfig'; Params = @{ Name = 'web1'; Parameter = @{ 'host.hostname' = 'new.example.org' } } }
    @{ Name = 'Start-Jail'; Base = $zfs; Cmd = 'Start-Jail'; Params = @{ Name = 'web2' } }
    @{ Name = 'Stop-Jail'; Base = $zfs; Cmd = 'Stop-Jail'; Params = @{ Name = 'web1' } }
    @{ Name = 'Update-JailTemplate (ZFS)'; Base = $zfs; Cmd = 'Update-JailTemplate'; Params = @{ Name = '14.3-RELEASE' } }
)
if ($Quick) { $ops = @($ops | Where-Object Name -In 'New-Jail thin -Start (ZFS)', 'Remove-Jail running (ZFS)', 'New-JailTemplate (UFS)', 'Update-Jail thin (ZFS)', 'Start-Jail') }

function Test-ReadCommand($e) {
    $tool = [IO.Path]::GetFileName($e.FileName)
    $a = @($e.Arguments)
    ($tool -in 'jls', 'uname', 'id', 'sha256', 'sysctl', 'kldstat', 'freebsd-version', 'whoami', 'stat') -or
    ($tool -in 'zfs', 'zpool' -and $a.Count -and $a[0] -in 'list', 'get') -or
    ($tool -eq 'mount' -and $a.Count -eq 1 -and $a[0] -eq '-p') -or
    ($tool -eq 'jexec' -and ($a -join ' ') -like '*freebsd-version*') -or
    ($tool -eq 'sysrc' -and $a -contains '-n')
}

# Runs an operation in this session; returns errors (records or the terminating one) and warnings.
function Invoke-Op($Op) {
    $p = @{}
    foreach ($k in $Op.Params.Keys) { $p[$k] = $Op.Params[$k] }
    $ev = $null; $wv = $null; $thrown = $null
    try { & $Op.Cmd @p -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable ev -WarningAction SilentlyContinue -WarningVariable wv | Out-Null }
    catch { $thrown = $_ }
    $errs = @(@($ev) + @($thrown) | Where-Object { $_ })
    [pscustomobject]@{ Errors = $errs; Text = ($errs | ForEach-Object { $_.ToString() }) -join "`n"; Warnings = @($wv) }
}

# What a pass-2 journal must name: datasets, jail.conf files, jails and top folders left changed.
function Get-RemainTokens([string[]] $Diff) {
    @(foreach ($d in $Diff) {
            $l = $d.Substring(2)
            if ($l -match '^dataset (\S+) = ') { $Matches[1] -replace '@.*$', '' }
            elseif ($l -match '^jail (\S+) = ') { $Matches[1] }
            elseif ($l -match '^fs(/etc/jail\.conf\.d/[^ ]+) = ') { $Matches[1] }
            elseif ($l -match '^fs(/usr/local/jails/(containers|templates)/[^/ ]+)[/ ]') { 'path:' + $Matches[1] }
        }) | Select-Object -Unique | ForEach-Object {
        # a dataset's mountpoint is named by the dataset
        if ($_ -like 'path:*') { $leaf = $_.Split('/')[-1]; if (-not ($Diff -match ('^[-+] dataset \S+/' + [regex]::Escape($leaf) + ' = '))) { $_.Substring(5) } }
        else { $_ }
    }
}

foreach ($op in $ops) {
    # learn the sequence
    $dir = Copy-RobustHost $op.Base
    $before = Get-RobustState $dir
    $r0 = Invoke-Op $op
    if ($r0.Errors.Count) { Add-RobustResult "$($op.Name): clean run" $false 'the operation fails without any fault' $r0.Text; continue }
    $seq = @(Get-RobustLog $dir 0)
    $clean = Get-RobustState $dir -NormalizeUuid
    Remove-RobustHost $dir
    Add-RobustNote "$($op.Name): $($seq.Count) commands"
    $mutatedBefore = $false
    for ($k = 0; $k -lt $seq.Count; $k++) {
        $e = $seq[$k]
        $pattern = if (@($e.Arguments).Count) { "$($e.FileName) *" } else { $e.FileName }
        $occ = @($seq[0..$k] | Where-Object { $_.FileName -eq $e.FileName -and ([bool]@($_.Arguments).Count -eq [bool]@($e.Arguments).Count) }).Count
        $step = "step $($k + 1)/$($seq.Count) $(Format-RobustCommand $e)"
        $isRead = Test-ReadCommand $e

        # pass 1: the undo works
        $dir = Copy-RobustHost $op.Base
        Set-JailSimulatorFault -Command $pattern -Occurrence $occ -StandardError 'robustness: simulated failure' | Out-Null
        $r = Invoke-Op $op
        Clear-JailSimulatorFault
        $fired = @(Get-RobustLog $dir 0 | Where-Object { $_.Note -like 'fault *' }).Count -gt 0
        if (-not $fired) { Add-RobustSkip "$($op.Name) $step (pass 1): the fault did not fire (the sequence changed)" }
        else {
            $after = Get-RobustState $dir
            $locks = @(Get-RobustHeldLocks $dir)
            $diff = @(Compare-RobustState $before $after)
            $problems = @()
            if ($locks.Count) { $problems += "lock still held: $($locks -join '; ')" }
            if ($r.Errors.Count) {
                if ($diff.Count -and $isRead -and -not @($seq[($k + 1)..($seq.Count)] | Where-Object { $_ -and -not (Test-ReadCommand $_) }).Count -and $k -gt 0) {
                    $problems += "the cmdlet reports a failure but keeps its change (a read after the last change failed; no rollback): $($diff -join ' | ')"
                }
                elseif ($diff.Count) { $problems += "the host is not as before after the rollback: $($diff -join ' | ')" }
                if ($r.Text -notmatch 'robustness: simulated failure') { $problems += "the error does not carry the tool's stderr: $($r.Text)" }
            }
            elseif (-not $isRead) { $problems += "the cmdlet reported success although a changing command failed" }
            elseif ([IO.Path]::GetFileName($e.FileName) -eq 'id') { $problems += 'the root check (id -u) failed and the cmdlet went on (fails open)' }
            else {
                $cd = @(Compare-RobustState $clean (Get-RobustState $dir -NormalizeUuid))
                if ($cd.Count) { $problems += "a failed read was ignored and the result differs from a clean run: $($cd -join ' | ')" }
            }
            Add-RobustResult "$($op.Name), fault at $step" ($problems.Count -eq 0) ($problems -join ' || ')
        }
        Remove-RobustHost $dir

        # pass 2: every command from k on fails, the undo included
        if ($mutatedBefore) {
            $dir = Copy-RobustHost $op.Base
            Set-JailSimulatorFault -Command '*' -Occurrence ($k + 1) -Count 0 -StandardError 'robustness: simulated failure' | Out-Null
            $r = Invoke-Op $op
            Clear-JailSimulatorFault
            $after = Get-RobustState $dir
            $diff = @([RobustSnapshot]::Diff([string[]]$before, [string[]]$after))
            $problems = @()
            $locks = @(Get-RobustHeldLocks $dir)
            if ($locks.Count) { $problems += "lock still held: $($locks -join '; ')" }
            if (-not $r.Errors.Count) { $problems += 'the cmdlet reported success although every command from this step on failed' }
            elseif ($diff.Count) {
                $named = [regex]::Matches($r.Text, '/var/db/jailsmodule/journal/[^\s''"]+\.json') | ForEach-Object Value | Select-Object -Unique
                $journals = @(Get-RobustJournals $dir)
                if (-not $named) { $problems += "the undo failed and the host is changed, but the error names no journal: $(($diff | Select-Object -First 3) -join ' | ')" }
                else {
                    $j = @($journals | Where-Object Path -In $named)
                    if (-not $j.Count) { $problems += "the error names $($named -join ', ') but no such journal exists" }
                    else {
                        $missing = @(Get-RemainTokens $diff | Where-Object { -not $j[0].Text.Contains($_) })
                        if ($missing.Count) { $problems += "the journal does not name what remains: $($missing -join ', ')" }
                    }
                }
            }
            Add-RobustResult "$($op.Name), fault at $step and on every later command (undo fails)" ($problems.Count -eq 0) ($problems -join ' || ')
            Remove-RobustHost $dir
        }
        if (-not $isRead) { $mutatedBefore = $true }
    }
}
Save-RobustResult $ResultPath
