# A tour of JailsModule on the simulated FreeBSD host: the seed workflow from a release to running
# thin jails, with -WhatIf, a fault injected half-way and the rollback that follows.
# Writes only under -SimulatorPath.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Show-Step([string] $Text) { Write-Host "`n# $Text" -ForegroundColor Cyan }

Show-Step 'Connect to a fresh simulated FreeBSD 14.3 host and check what it can do'
Connect-JailHost -Simulator -Path $SimulatorPath -PassThru | Format-Table
Test-JailHost | Format-List FreeBSDVersion, Architecture, Vimage, Racct, IsRoot, Problems

Show-Step 'Fetch base.txz (checked against the release MANIFEST) and build a template: extract, patch, snapshot @base'
Save-JailRelease -Release 14.3-RELEASE | Format-Table
New-JailTemplate -Release 14.3-RELEASE -Update | Format-Table

Show-Step 'What New-Jail would run, without running it'
New-Jail web1 -Template 14.3-RELEASE -IPv4Address 192.0.2.11 -Interface em0 -WhatIf

Show-Step 'Two thin jails (ZFS clones of the template), started'
Get-JailTemplate 14.3-RELEASE | New-Jail web1, web2 -Start | Format-Table
Get-Jail | Format-Table

Show-Step 'The configuration stays FreeBSD''s own: /etc/jail.conf.d/web1.conf'
Get-Content (Join-Path $SimulatorPath 'fs/etc/jail.conf.d/web1.conf')
Set-JailConfig web1 -Parameter @{ 'allow.raw_sockets' = $true } -PassThru | Format-List Name, Path, Parameters

Show-Step 'Run a command in a jail'
Invoke-JailCommand web1 -- freebsd-version -u   # "--" ends the cmdlet's own parameters

Show-Step 'A failure half-way leaves nothing behind: zfs clone fails for web3'
Set-JailSimulatorFault 'zfs clone *' -StandardError "cannot create 'zroot/jails/containers/web3': out of space" | Out-Null
New-Jail web3 -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable failed
Write-Host "error: $($failed[0])"
Write-Host "web3 config file exists afterwards: $(Test-Path (Join-Path $SimulatorPath 'fs/etc/jail.conf.d/web3.conf'))"

Show-Step 'Stop and remove the jails; the template stays'
Get-Jail web* | Stop-Jail -PassThru | Format-Table
Remove-Jail web1, web2 -Confirm:$false
Get-Jail | Format-Table
Get-JailTemplate | Format-Table

Show-Step 'Every native command the simulator answered, as argv'
Get-JailSimulatorLog -Last 8 | Format-Table
