# A tour of JailsModule on the simulated FreeBSD host. Writes only under -SimulatorPath.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

Connect-JailHost -Simulator -Path $SimulatorPath -PassThru | Format-Table

Write-Host "`n# Get-Jail on a fresh host" -ForegroundColor Cyan
Get-Jail | Format-Table
