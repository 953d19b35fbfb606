# Helpers shared by the provisioning test files; dot-source them in BeforeAll after setting
# $script:host_ (the SimulatedHost of the file's own simulator folder):
#   . (Join-Path $PSScriptRoot 'Support/ProvisioningHelpers.ps1')

# Commands the simulator answered after a mark, as display strings.
function script:Mark { @(Get-JailSimulatorLog).Count }
function script:Since([int] $mark) { @(Get-JailSimulatorLog | Select-Object -Skip $mark | ForEach-Object { $_.ToString() }) }
# The commands that change the host (reads filtered out).
function script:Mutating([string[]] $lines) {
    @($lines | Where-Object { $_ -and $_ -notmatch '^/usr/sbin/jls |^/sbin/zfs (list|get) |^/sbin/mount -p$|^/usr/bin/uname |^/sbin/sha256 ' })
}
# Two HostState snapshots (Datasets, Mounts, Jails, Files) must be equal.
function script:Assert-SameState($before, $after) {
    ($after.Datasets -join "`n") | Should -Be ($before.Datasets -join "`n")
    ($after.Mounts -join "`n") | Should -Be ($before.Mounts -join "`n")
    ($after.Jails -join "`n") | Should -Be ($before.Jails -join "`n")
    ($after.Files -join "`n") | Should -Be ($before.Files -join "`n")
    ($after.Locks -join "`n") | Should -Be ($before.Locks -join "`n")
    @($after.Locks) | Should -HaveCount 0 -Because 'no plan may still hold a resource once its cmdlet returned'
}
# Runs a simulated program directly (bypassing the module), for setting up or inspecting the host.
function script:Run-Sim([string] $tool, [string[]] $argv) {
    $script:host_.RunAsync([JailsModule.Host.ProcessRequest]::new($tool, $argv), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
}
