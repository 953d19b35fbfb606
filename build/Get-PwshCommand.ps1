# The pwsh running this script, as a command plus leading arguments (it may be "dotnet pwsh.dll"),
# so build scripts can start a child pwsh of the same version. Dot-sourced by build.ps1 and New-MamlHelp.ps1.
function Get-PwshCommand {
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $proc = [Environment]::ProcessPath
    if ((Split-Path $proc -Leaf) -match '^dotnet(\.exe)?$' -and (Test-Path $dll)) { return @($proc, $dll) }
    return @($proc)
}
