#requires -Version 7.4
<#
.SYNOPSIS
    Robustness category "corrupt": corrupt and hostile jail.conf files, settings files, ZFS properties and
    jail-controlled files, each case in a child pwsh with a timeout and a heap limit.
.DESCRIPTION
    Each case corrupts one thing on a fresh copy of a host with two healthy jails (web1 running, web2)
    and runs a few cmdlets in a child pwsh (Robustness.Child.ps1; DOTNET_GCHeapHardLimit caps its heap so
    a runaway expansion fails fast instead of taking the machine's memory). Invariants:
    - the child ends on its own within the timeout (no hang, no crash: stack overflow, out of memory);
    - every listing step still lists the healthy jails;
    - the cmdlets say what is wrong naming the bad file (in an error or a warning);
    - where the case says so, the repairing cmdlet works (Set-JailModuleSetting on a bad settings file).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/JailsModule/JailsModule.psd1'),
    [switch] $Quick,
    [string] $ResultPath,
    [string] $WorkRoot,
    [int] $TimeoutSeconds = 0,
    [int] $Parallel = 3
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Robustness.Common.ps1')
Initialize-Robust 'corrupt' $ModulePath $WorkRoot
if ($TimeoutSeconds -le 0) { $TimeoutSeconds = if ($Quick) { 30 } else { 60 } }
$modFull = (Resolve-Path $ModulePath).ProviderPath

$base = New-RobustHost 'base'
Save-JailRelease 14.3-RELEASE | Out-Null
New-JailTemplate 14.3-RELEASE | Out-Null
New-Jail web1 -Template 14.3-RELEASE -Start | Out-Null
New-Jail web2 -Template 14.3-RELEASE | Out-Null
New-Jail web3 -Template 14.3-RELEASE -Thick | Out-Null

function Write-Bytes([string] $Path, [byte[]] $Bytes) { New-Item -ItemType Directory -Force -Path (Split-Path $Path) | Out-Null; [IO.File]::WriteAllBytes($Path, $Bytes) }
function Write-Text([string] $Path, [string] $Text) { Write-Bytes $Path ([Text.Encoding]::UTF8.GetBytes($Text)) }
function New-Link([string] $Path, [string] $Target) {
    Remove-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
    New-Item -ItemType SymbolicLink -Path $Path -Target $Target | Out-Null
}
function New-Fifo([string] $Path) {
    Remove-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
    $p = Start-Process -FilePath mkfifo -ArgumentList @('--', $Path) -Wait -PassThru -NoNewWindow
    if ($p.ExitCode -ne 0) { throw "mkfifo $Path failed" }
}
# /dev/zero of the simulated host is the real one (devfs)
function Set-DevZero([string] $Dir) { $z = Join-Path $Dir 'fs/dev/zero'; if (-not (Test-Path -LiteralPath $z)) { New-Link $z '/dev/zero' } }
function Random-Bytes([int] $n) { $b = [byte[]]::new($n); [Random]::new(7).NextBytes($b); $b }

$list = @(@{ Cmd = 'Get-Jail' }, @{ Cmd = 'Get-JailConfig' })
$healthy = @('web1', 'web2')
$cases = @(
    @{ Name = 'jail.conf: 100,000 nested blocks'; File = '/etc/jail.conf.d/deep.conf'; Quick = $true
        Setup = { param($d, $f) Write-Text $f (('a { ' * 100000) + (' }' * 100000)) }; Steps = $list }
    @{ Name = 'jail.conf: doubling variables'; File = '/etc/jail.conf.d/double.conf'; Quick = $true
        Setup = { param($d, $f) $t = '$v0 = "xxxxxxxxxxxxxxxx";' + "`n"; for ($i = 1; $i -le 40; $i++) { $t += "`$v$i = `"`${v$($i - 1)}`${v$($i - 1)}`";`n" }; Write-Text $f ($t + "dbl { path = `"/jails/dbl`"; host.hostname = `"`${v40}`"; }`n") }; Steps = $list }
    @{ Name = 'jail.conf: a link to /dev/zero'; File = '/etc/jail.conf.d/zero.conf'; Quick = $true
        Setup = { param($d, $f) Set-DevZero $d; New-Link $f '/dev/zero' }; Steps = $list }
    @{ Name = 'jail.conf: binary junk'; File = '/etc/jail.conf.d/junk.conf'
        Setup = { param($d, $f) Write-Bytes $f (Random-Bytes 65536) }; Steps = $list }
    @{ Name = 'jail.conf: truncated in a string'; File = '/etc/jail.conf.d/trunc.conf'; Quick = $true
        Setup = { param($d, $f) Write-Text $f "trunc {`n    path = `"/jails/trunc`";`n    host.hostname = `"unterminat" }; Steps = $list }
    @{ Name = 'jail.conf: .include of itself'; File = '/etc/jail.conf.d/loop.conf'
        Setup = { param($d, $f) Write-Text $f ".include `"/etc/jail.conf.d/loop.conf`";`nloop { path = `"/jails/loop`"; }`n" }; Steps = $list }
    @{ Name = 'jail.conf: a FIFO'; File = '/etc/jail.conf.d/fifo.conf'
        Setup = { param($d, $f) New-Fifo $f }; Steps = $list }
    @{ Name = 'jail.conf: a folder named x.conf'; File = '/etc/jail.conf.d/dir.conf'
        Setup = { param($d, $f) New-Item -ItemType Directory -Force -Path $f | Out-Null }; Steps = $list }
    @{ Name = 'jail.conf: 20 MB of one line'; File = '/etc/jail.conf.d/huge.conf'
        Setup = { param($d, $f) Write-Text $f ('# ' + ('x' * 20MB) + "`n") }; Steps = $list }
    @{ Name = 'rc.conf: jail_conf is /dev/zero'; File = '/dev/zero'
        Setup = { param($d, $f) Set-DevZero $d; Add-Content -LiteralPath (Join-Path $d 'fs/etc/rc.conf') -Value 'jail_conf="/dev/zero"' }; Steps = $list }
    @{ Name = 'settings: binary junk'; File = '/usr/local/etc/jailsmodule.conf'; Quick = $true; Repair = $true
        Setup = { param($d, $f) Write-Bytes $f (Random-Bytes 4096) }
        Steps = @(@{ Cmd = 'Get-Jail' }, @{ Cmd = 'Get-JailTemplate' }, @{ Cmd = 'Set-JailModuleSetting'; Params = @{ JailRoot = 'zroot/jails/containers'; TemplateRoot = 'zroot/jails/templates' } }, @{ Cmd = 'Get-JailTemplate' }) }
    @{ Name = 'settings: a value with a newline'; File = '/usr/local/etc/jailsmodule.conf'; Repair = $true
        Setup = { param($d, $f) Write-Text $f "JailRoot = `"zroot/jails/containers`n`"`n" }
        Steps = @(@{ Cmd = 'Get-Jail' }, @{ Cmd = 'Get-JailTemplate' }, @{ Cmd = 'Set-JailModuleSetting'; Params = @{ JailRoot = 'zroot/jails/containers' } }, @{ Cmd = 'Get-JailTemplate' }) }
    @{ Name = 'settings: a link to /dev/zero'; File = '/usr/local/etc/jailsmodule.conf'; Repair = $true
        Setup = { param($d, $f) Set-DevZero $d; New-Item -ItemType Directory -Force -Path (Split-Path $f) | Out-Null; New-Link $f '/dev/zero' }
        Steps = @(@{ Cmd = 'Get-Jail' }, @{ Cmd = 'Get-JailTemplate' }, @{ Cmd = 'Set-JailModuleSetting'; Params = @{ JailRoot = 'zroot/jails/containers' } }, @{ Cmd = 'Get-JailTemplate' }) }
    @{ Name = 'ZFS properties: garbage managed/kind, 5,000-char uuid'; File = 'zroot/jails/containers/web2'; Quick = $true
        Setup = { param($d, $f) (Get-RobustSim $d).UpdateState([Action[JailsModule.Simulation.SimState]] { param($s) $x = $s.Datasets | Where-Object Name -EQ 'zroot/jails/containers/web2'; $x.Properties['org.jailsmodule:managed'] = 'maybe'; $x.Properties['org.jailsmodule:kind'] = "`u{0}?"; $x.Properties['org.jailsmodule:uuid'] = 'u' * 5000 }) }
        Steps = @(@{ Cmd = 'Get-Jail' }, @{ Cmd = 'Get-JailTemplate' }, @{ Cmd = 'Update-Jail'; Params = @{ Name = 'web2'; Force = $true } }) }
    @{ Name = 'ZFS properties: tab and newline in a value'; File = 'zroot/jails/templates/14.3-RELEASE'
        Setup = { param($d, $f) (Get-RobustSim $d).UpdateState([Action[JailsModule.Simulation.SimState]] { param($s) $x = $s.Datasets | Where-Object Name -EQ 'zroot/jails/templates/14.3-RELEASE'; $x.Properties['org.jailsmodule:release'] = "14.3-RELEASE`tfilesystem`nzroot/evil`tfilesystem" }) }
        Steps = @(@{ Cmd = 'Get-Jail' }, @{ Cmd = 'Get-JailTemplate' }, @{ Cmd = 'Get-Jail' }) }
    @{ Name = 'jail root: /bin/freebsd-version is a link to /dev/zero'; File = '/usr/local/jails/containers/web3/bin/freebsd-version'; Quick = $true
        Setup = { param($d, $f) Set-DevZero $d; New-Link (Join-Path $d "fs$f") '/dev/zero' }
        Steps = @(@{ Cmd = 'Update-Jail'; Params = @{ Name = 'web3'; Force = $true } }, @{ Cmd = 'Get-Jail' }) }
    @{ Name = 'jail root: /bin/freebsd-version is a FIFO'; File = '/usr/local/jails/containers/web3/bin/freebsd-version'
        Setup = { param($d, $f) New-Fifo (Join-Path $d "fs$f") }
        Steps = @(@{ Cmd = 'Update-Jail'; Params = @{ Name = 'web3'; Force = $true } }, @{ Cmd = 'Get-Jail' }) }
)
if ($Quick) { $cases = @($cases | Where-Object { $_.Quick }) }

$running = [Collections.Generic.List[object]]::new()
$queue = [Collections.Generic.Queue[object]]::new()
foreach ($c in $cases) { $queue.Enqueue($c) }
$n = 0
function Complete-Case($r) {
    $c = $r.Case
    $w = Wait-RobustChild $r.Proc 1
    $lines = @(if (Test-Path -LiteralPath $r.ResultFile) { Get-Content -LiteralPath $r.ResultFile | Where-Object { $_ } | ConvertFrom-Json })
    $steps = @($lines | Where-Object Cmd -NotIn '(end)', '(start)')
    $ended = @($lines | Where-Object Cmd -EQ '(end)').Count -gt 0
    $problems = @()
    if (-not $ended) {
        $at = if ($steps.Count -lt $c.Steps.Count) { $c.Steps[$steps.Count].Cmd } else { '?' }
        $how = if ($r.Proc.PSObject.Properties['Killed']) { "hang: no answer within $TimeoutSeconds s" } else { "the process died (exit $($w.ExitCode))$(if ($w.Stderr -match '(Stack overflow|OutOfMemory|out of memory)[^\r\n]*') { ': ' + $Matches[0] })" }
        $problems += "$how during $at"
    }
    foreach ($s in @($steps | Where-Object Cmd -EQ 'Get-Jail')) {
        $missing = @($healthy | Where-Object { $_ -notin @($s.Names) })
        if ($missing.Count) { $problems += "Get-Jail does not list $($missing -join ', ')$(if ($s.Errors) { ': ' + (([string]@($s.Errors)[0]) -split "`n")[0] })" }
    }
    $said = (@($steps | ForEach-Object { @($_.Errors) + @($_.Warnings) }) | Where-Object { $_ }) -join "`n"
    # a broken jail.conf must be named (jail(8) rejects it); elsewhere only an error that is said must name it
    $mustName = $c.Name -like 'jail.conf*' -or $c.Name -like 'rc.conf*' -or @($steps | Where-Object { -not $_.Ok }).Count
    if ($ended -and $mustName -and -not $said.Contains($c.File) -and -not $said.Contains((Split-Path $c.File -Leaf))) {
        $problems += "no error or warning names $($c.File)$(if ($said) { " (said: $(($said -split "`n")[0]))" })"
    }
    if ($c.Repair -and $ended) {
        $last = $steps[-1]
        if (-not $last.Ok) { $problems += "after Set-JailModuleSetting the settings are still unusable: $((([string]@($last.Errors)[0]) -split "`n")[0])" }
    }
    $errLines = @($w.Stderr -split "`n" | Where-Object { $_.Trim() })
    $key = @($errLines | Where-Object { $_ -match 'overflow|memory|Exception|\| ' } | Select-Object -First 3)
    $tail = if (-not $ended) { (@(if ($key.Count) { $key } else { $errLines | Select-Object -First 3 }) | ForEach-Object { $_.Trim() }) -join ' / ' } else { '' }
    Add-RobustResult $c.Name ($problems.Count -eq 0) ($problems -join ' || ') $tail
    Remove-RobustHost $r.Dir
}
while ($queue.Count -or $running.Count) {
    while ($queue.Count -and $running.Count -lt $Parallel) {
        $c = $queue.Dequeue(); $n++
        $dir = Copy-RobustHost $base "case$n" -NoConnect
        $f = if ($c.File.StartsWith('/') -and $c.File -ne '/dev/zero' -and $c.Name -notlike 'jail root*') { Join-Path $dir "fs$($c.File)" } else { $c.File }
        & $c.Setup $dir $f
        $rf = Join-Path $script:RobustWork "case$n.jsonl"
        $p = Start-RobustChild (Join-Path $PSScriptRoot 'Robustness.Child.ps1') @($modFull, $dir, (ConvertTo-Json @($c.Steps) -Depth 5 -Compress), $rf) -Environment @{ DOTNET_GCHeapHardLimit = '0x30000000' }
        $running.Add([pscustomobject]@{ Case = $c; Proc = $p; Dir = $dir; ResultFile = $rf; Started = [DateTime]::UtcNow; StepsFrom = $null })
    }
    Start-Sleep -Milliseconds 100
    foreach ($r in @($running)) {
        # the timeout runs from the child's first step (its start-up is not the case's time), at most 3 min of start-up
        if (-not $r.StepsFrom -and (Test-Path -LiteralPath $r.ResultFile)) { $r.StepsFrom = [DateTime]::UtcNow }
        $since = if ($r.StepsFrom) { $r.StepsFrom } else { $r.Started.AddSeconds(180 - $TimeoutSeconds) }
        if ($r.Proc.HasExited -or ([DateTime]::UtcNow - $since).TotalSeconds -gt $TimeoutSeconds) {
            if (-not $r.Proc.HasExited) { $r.Proc.Kill($true); [void]$r.Proc.WaitForExit(10000); $r.Proc | Add-Member -NotePropertyName Killed -NotePropertyValue $true }
            [void]$running.Remove($r)
            Complete-Case $r
        }
    }
}
Save-RobustResult $ResultPath
