@{
    RootModule           = 'JailsModule.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6c0f3a52-8d0e-4b7a-9a55-2f1b7f0c9d11'
    Author               = 'JailsModule contributors'
    CompanyName          = 'JailsModule'
    Copyright            = '(c) JailsModule contributors. BSD-2-Clause.'
    Description          = 'Manage FreeBSD jails with typed objects: Get-Jail, Start-Jail, Stop-Jail, jail.conf editing, templates, VNET, with -WhatIf that shows the native commands and a simulated FreeBSD host for trying and testing on any OS.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('JailsModule.Format.ps1xml')
    TypesToProcess       = @('JailsModule.Types.ps1xml')
    CmdletsToExport      = @(
        'Add-JailBridgeMember'
        'Add-JailVnet'
        'Clear-JailSimulatorFault'
        'Connect-JailHost'
        'Enter-Jail'
        'Get-Jail'
        'Get-JailBridge'
        'Get-JailConfig'
        'Get-JailHost'
        'Get-JailModuleSetting'
        'Get-JailSimulatorFault'
        'Get-JailSimulatorLog'
        'Get-JailTemplate'
        'Get-JailVnet'
        'Invoke-JailCommand'
        'New-Jail'
        'New-JailBridge'
        'New-JailTemplate'
        'Remove-Jail'
        'Remove-JailBridge'
        'Remove-JailBridgeMember'
        'Remove-JailTemplate'
        'Remove-JailVnet'
        'Repair-JailHost'
        'Restart-Jail'
        'Save-JailRelease'
        'Set-JailConfig'
        'Set-JailModuleSetting'
        'Set-JailSimulatorFault'
        'Start-Jail'
        'Stop-Jail'
        'Test-JailHost'
        'Update-Jail'
        'Update-JailTemplate'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('FreeBSD', 'Jail', 'Jails', 'Containers', 'ZFS', 'VNET', 'PSEdition_Core')
            ProjectUri = 'https://example.invalid/JailsModule'
        }
    }
}
