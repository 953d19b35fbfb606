#requires -Version 7.4
<#
.SYNOPSIS
    Robustness category "foreign": datasets and configs the module did not make, or that are not the
    jail's own, must survive Remove-Jail, Update-Jail and Remove-JailTemplate.
.DESCRIPTION
    Each case builds its foreign thing on a fresh copy of a host with a template and two module-made
    jails (web1 thin, web3 thick) and a newer template snapshot than web1's, runs one cmdlet (-Force, -Confirm:$false) and compares the protected
    datasets (properties, origin, mount state) and their files (content, mode, links) before and after.
    The cmdlet may fail or warn; it holds when nothing protected changed.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/JailsModule/JailsModule.psd1'),
    [switch] $Quick,
    [string] $ResultPath,
    [string] $WorkRoot
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Robustness.Common.ps1')
Initialize-Robust 'foreign' $ModulePath $WorkRoot

$base = New-RobustHost 'base'
Save-JailRelease 14.3-RELEASE | Out-Null
New-JailTemplate 14.3-RELEASE | Out-Null
New-Jail web1 -Template 14.3-RELEASE | Out-Null
New-Jail web3 -Template 14.3-RELEASE -Thick | Out-Null
# a newer template snapshot, so that an Update-Jail has work to do (a thin jail would be re-cloned)
Update-JailTemplate 14.3-RELEASE -WarningAction SilentlyContinue | Out-Null
$web1Uuid = ((Get-Content (Join-Path $base 'fs/etc/jail.conf.d/web1.conf')) -match 'uuid=' | Select-Object -First 1) -replace '.*uuid=', ''

function Invoke-Zfs([string] $Dir, [string[]] $Argv) {
    $r = (Get-RobustSim $Dir).RunAsync([JailsModule.Host.ProcessRequest]::new('/sbin/zfs', $Argv), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    if ($r.ExitCode -ne 0) { throw "zfs $($Argv -join ' '): $($r.StandardError)" }
}
function New-Conf([string] $Dir, [string] $Name, [string] $Path, [string] $Comment = '') {
    Set-Content -LiteralPath (Join-Path $Dir "fs/etc/jail.conf.d/$Name.conf") -Value "$Comment$Name {`n`tpath = `"$Path`";`n`thost.hostname = $Name;`n`tpersist;`n}" -NoNewline
}
# A foreign dataset with a file in it, mounted under the containers folder.
function New-ForeignDataset([string] $Dir, [string] $Leaf, [string[]] $Options = @(), [string] $Root = 'zroot/jails/containers') {
    Invoke-Zfs $Dir (@('create') + $Options + @("$Root/$Leaf"))
    $mp = if ($Root -like '*templates') { 'templates' } else { 'containers' }
    Set-Content -LiteralPath (Join-Path $Dir "fs/usr/local/jails/$mp/$Leaf/precious.txt") -Value "not the module's"
}
function Get-Protected([string] $Dir, [string[]] $Datasets) {
    $state = Get-RobustState $Dir
    @(foreach ($d in $Datasets) {
            $leaf = $d.Split('/')[-1]
            $mp = if ($d -like '*/templates/*') { 'templates' } else { 'containers' }
            $rx = '^(dataset ' + [regex]::Escape($d) + '[ @]|fs/usr/local/jails/' + $mp + '/' + [regex]::Escape($leaf) + '[/ ]|zfs-(data|snapshots)/' + [regex]::Escape($d) + '[/@])'
            $state | Where-Object { $_ -match $rx }
        })
}

$CtrRoot = 'zroot/jails/containers'
$cases = @(
    @{ Name = 'Remove-Jail of an alias config whose path is web1''s'; Protect = @("$CtrRoot/web1"); Quick = $true
        Setup = { param($d) New-Conf $d 'alias' '/usr/local/jails/containers/web1' }; Cmd = 'Remove-Jail'; Params = @{ Name = 'alias'; Force = $true } }
    @{ Name = 'Update-Jail of an alias config whose path is web1''s'; Protect = @("$CtrRoot/web1"); Quick = $true
        Setup = { param($d) New-Conf $d 'alias' '/usr/local/jails/containers/web1' }; Cmd = 'Update-Jail'; Params = @{ Name = 'alias'; Force = $true } }
    @{ Name = 'Remove-Jail of a config that copied web1''s uuid comment'; Protect = @("$CtrRoot/web1")
        Setup = { param($d) New-Conf $d 'copy' '/usr/local/jails/containers/web1' "# jailsmodule: uuid=$web1Uuid`n# jailsmodule: kind=thin`n# jailsmodule: template=14.3-RELEASE`n" }; Cmd = 'Remove-Jail'; Params = @{ Name = 'copy'; Force = $true } }
    @{ Name = 'Remove-Jail of a jail on a dataset without the managed property'; Protect = @("$CtrRoot/plain"); Quick = $true
        Setup = { param($d) New-ForeignDataset $d 'plain'; New-Conf $d 'plain' '/usr/local/jails/containers/plain' }; Cmd = 'Remove-Jail'; Params = @{ Name = 'plain'; Force = $true } }
    @{ Name = 'Remove-Jail of a jail on a dataset whose managed property is inherited'; Protect = @("$CtrRoot/inh")
        Setup = { param($d) Invoke-Zfs $d @('create', '-o', 'org.jailsmodule:managed=yes', "$CtrRoot/group"); New-ForeignDataset $d 'group/inh'; New-Conf $d 'inh' '/usr/local/jails/containers/group/inh' }
        Cmd = 'Remove-Jail'; Params = @{ Name = 'inh'; Force = $true } }
    @{ Name = 'Remove-Jail of a config without uuid on a dataset that copied web1''s uuid'; Protect = @("$CtrRoot/twin")
        Setup = { param($d) New-ForeignDataset $d 'twin' @('-o', 'org.jailsmodule:managed=yes', '-o', "org.jailsmodule:uuid=$web1Uuid", '-o', 'org.jailsmodule:kind=thin'); New-Conf $d 'twin' '/usr/local/jails/containers/twin' }
        Cmd = 'Remove-Jail'; Params = @{ Name = 'twin'; Force = $true } }
    @{ Name = 'Update-Jail of a jail on a dataset without the managed property'; Protect = @("$CtrRoot/plain")
        Setup = { param($d) New-ForeignDataset $d 'plain'; New-Conf $d 'plain' '/usr/local/jails/containers/plain' }; Cmd = 'Update-Jail'; Params = @{ Name = 'plain'; Force = $true } }
    @{ Name = 'Update-Jail of a jail with path=/ (the host)'; Protect = @('*host*'); Quick = $true
        Setup = { param($d) New-Conf $d 'hostroot' '/' }; Cmd = 'Update-Jail'; Params = @{ Name = 'hostroot'; Force = $true } }
    @{ Name = 'Update-Jail of a jail whose path is the template'; Protect = @('zroot/jails/templates/14.3-RELEASE')
        Setup = { param($d) New-Conf $d 'tpl' '/usr/local/jails/templates/14.3-RELEASE' }; Cmd = 'Update-Jail'; Params = @{ Name = 'tpl'; Force = $true } }
    @{ Name = 'Remove-JailTemplate of a foreign dataset under the templates root'; Protect = @('zroot/jails/templates/foreign')
        Setup = { param($d) New-ForeignDataset $d 'foreign' @() 'zroot/jails/templates' }; Cmd = 'Remove-JailTemplate'; Params = @{ Name = 'foreign'; Force = $true } }
)
if ($Quick) { $cases = @($cases | Where-Object { $_.Quick }) }

foreach ($c in $cases) {
    $dir = Copy-RobustHost $base
    & $c.Setup $dir
    $whole = $c.Protect -contains '*host*'
    $before = if ($whole) { Get-RobustState $dir } else { Get-Protected $dir $c.Protect }
    $mark = Get-RobustLogCount $dir
    $ev = $null; $wv = $null
    $p = $c.Params
    try { & $c.Cmd @p -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable ev -WarningAction SilentlyContinue -WarningVariable wv | Out-Null }
    catch { $ev = @($_) }
    $after = if ($whole) { Get-RobustState $dir } else { Get-Protected $dir $c.Protect }
    $diff = @(Compare-RobustState $before $after)
    $log = @(Get-RobustLog $dir $mark | Where-Object { $_.FileName -match 'zfs|freebsd-update|rm|chflags' -and @($_.Arguments)[0] -notin 'list', 'get' } | ForEach-Object { Format-RobustCommand $_ })
    $problems = @()
    $binding = @($ev | Where-Object { $_ -is [Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -match '^(ParameterBinding|CannotConvert|NamedParameterNotFound|PositionalParameterNotFound|MissingMandatory)' })
    if ($binding.Count) { $problems += "the case did not run (a parameter binding error in the suite): $($binding[0])" }
    if ($diff.Count) { $problems += "changed what is not the jail's own: $($diff -join ' | ')" }
    if ($whole -and $log.Count) { $problems += "ran $($log -join '; ')" }
    $said = (@($ev) + @($wv) | Where-Object { $_ } | ForEach-Object { $_.ToString() }) -join ' / '
    Add-RobustResult $c.Name ($problems.Count -eq 0) ($problems -join ' || ') "commands: $($log -join '; ') | said: $said"
    Remove-RobustHost $dir
}
Save-RobustResult $ResultPath
