#requires -Version 7.4
<#
.SYNOPSIS
    Builds, documents, tests and demonstrates JailsModule.
.DESCRIPTION
    Tasks:
      Build  compile src/JailsModule, the simulator (src/JailsModule.Simulator) and jailsim (src/JailsSim), and lay out the loadable module in out/JailsModule
      Help   generate en-US/JailsModule.dll-Help.xml (MAML) from docs/help/*.md and the cmdlet metadata
      Test   Build + Help, then xunit (tests/Unit) and Pester (tests/Pester); prints "N passed, N failed"
      Demo   Build + Help, then run examples/Demo.ps1 against a fresh simulated FreeBSD host in a temp folder
    Everything it needs comes from NuGet (dotnet restore); nothing is assumed installed but the .NET SDK.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Help', 'Test', 'Demo', 'UnitTest', 'PesterTest')]
    [string[]] $Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester: only files whose name matches
    [string] $PesterFilter = '*'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'JailsModule'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    Write-Host "> $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & $File @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$File exited with $LASTEXITCODE" }
}

. (Join-Path $PSScriptRoot 'build/Get-PwshCommand.ps1')

function Invoke-Pwsh {
    param([object[]] $Arguments)
    $cmd = @(Get-PwshCommand)
    $rest = @($cmd | Select-Object -Skip 1) + $Arguments
    & $cmd[0] @rest | Out-Host
}

function Get-NuGetPackagesRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Get-PesterPath {
    Invoke-Native dotnet @('restore', (Join-Path $root 'build/Dependencies.csproj'), '--verbosity', 'quiet')
    $p = Join-Path (Get-NuGetPackagesRoot) 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $p)) { throw "Pester 6.2.0 was not restored at $p" }
    return $p
}

function Invoke-Build {
    # jailsim (src/JailsSim) references the simulator, which references the module: one build makes all three.
    Invoke-Native dotnet @('build', (Join-Path $root 'src/JailsSim/JailsSim.csproj'), '-c', $Configuration, '--nologo', '-v', 'quiet')
    $bin = Join-Path $root "src/JailsModule/bin/$Configuration/net8.0"
    $simBin = Join-Path $root "src/JailsSim/bin/$Configuration/net8.0"
    $simulatorBin = Join-Path $root "src/JailsModule.Simulator/bin/$Configuration/net8.0"
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $moduleOut | Out-Null
    foreach ($f in 'JailsModule.dll', 'JailsModule.pdb', 'CliWrap.dll', 'JailsModule.deps.json') {
        $src = Join-Path $bin $f
        if (Test-Path $src) { Copy-Item $src $moduleOut }
    }
    # The simulated host, loaded only by Connect-JailHost -Simulator / $env:JAILSMODULE_SIMULATOR (Host/SimulatorLoader).
    foreach ($f in 'JailsModule.Simulator.dll', 'JailsModule.Simulator.pdb') {
        Copy-Item (Join-Path $simulatorBin $f) $moduleOut
    }
    # The simulator's programs as processes of their own (Connect-JailHost -Simulator -OutOfProcess; jailsim -h).
    foreach ($f in 'jailsim.dll', 'jailsim.runtimeconfig.json', 'jailsim.deps.json') {
        Copy-Item (Join-Path $simBin $f) $moduleOut
    }
    foreach ($f in 'JailsModule.psd1', 'JailsModule.Format.ps1xml', 'JailsModule.Types.ps1xml') {
        Copy-Item (Join-Path $root $f) $moduleOut
    }
    if (Test-Path (Join-Path $moduleOut 'System.Management.Automation.dll')) {
        throw 'System.Management.Automation.dll must not ship with the module.'
    }
    Write-Host "Module laid out in $moduleOut"
}

function Invoke-Help {
    $en = Join-Path $moduleOut 'en-US'
    New-Item -ItemType Directory -Force -Path $en | Out-Null
    & (Join-Path $root 'build/New-MamlHelp.ps1') -ModulePath $moduleOut -DocsPath (Join-Path $root 'docs/help') -OutputPath $en
}

function Invoke-UnitTest {
    $results = Join-Path $out 'TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    & dotnet test (Join-Path $root 'tests/Unit/JailsModule.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=unit.trx' --results-directory $results | Out-Host
    $trx = Get-ChildItem $results -Filter *.trx -Recurse | Select-Object -First 1
    if (-not $trx) { return [pscustomobject]@{ Passed = 0; Failed = 1; Note = 'xunit produced no results' } }
    [xml] $x = Get-Content $trx.FullName -Raw
    $c = $x.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Note = '' }
}

# The remoting tests start real OpenSSH servers on 127.0.0.1. On a Debian-like machine where we are
# root, install Debian's openssh-server (which brings the ssh client) when it is missing, so the test
# command works on a fresh machine that has only the .NET SDK.
function Install-TestPrerequisite {
    if ((Test-Path '/usr/sbin/sshd') -and (Test-Path '/usr/bin/ssh')) { return }
    $apt = Get-Command apt-get -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $isRoot = $IsLinux -and ((& id -u) -eq '0')
    if (-not $apt -or -not $isRoot) {
        Write-Warning 'OpenSSH (sshd, ssh) is missing and cannot be installed here: the remoting tests will fail. Install openssh-server.'
        return
    }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native $apt.Source @('update', '-qq')
    Invoke-Native $apt.Source @('install', '-y', '-qq', '--no-install-recommends', 'openssh-server', 'openssh-client')
}

function Invoke-PesterTest {
    Install-TestPrerequisite
    $pester = Get-PesterPath
    $summary = Join-Path $out 'pester-summary.json'
    if (Test-Path $summary) { Remove-Item $summary }
    $script = {
        Import-Module $PesterPath -Force
        $env:JAILSMODULE_TEST_MODULE = $ModulePath
        $cfg = New-PesterConfiguration
        $cfg.Run.Path = @(Get-ChildItem $TestsPath -Filter "$Filter.Tests.ps1" -Recurse | ForEach-Object FullName)
        $cfg.Run.PassThru = $true
        $cfg.Output.Verbosity = 'Normal'
        $cfg.TestResult.Enabled = $true
        $cfg.TestResult.OutputPath = Join-Path (Split-Path $Summary) 'pester.xml'
        $r = Invoke-Pester -Configuration $cfg
        if ($null -eq $r) { @{ Passed = 0; Failed = 1 } | ConvertTo-Json | Set-Content $Summary; exit 1 }
        @{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount } |
            ConvertTo-Json | Set-Content $Summary
    }
    $runner = Join-Path $out 'run-pester.ps1'
    # Values travel in the environment: pwsh on Unix would glob a '*' passed as a native argument.
    Set-Content -Path $runner -Value "param(`$PesterPath, `$TestsPath, `$ModulePath, `$Summary)`n`$Filter = `$env:JAILSMODULE_PESTER_FILTER`n$script"
    $env:JAILSMODULE_PESTER_FILTER = $PesterFilter
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', $runner, $pester, (Join-Path $root 'tests/Pester'), (Join-Path $moduleOut 'JailsModule.psd1'), $summary)
    if (-not (Test-Path $summary)) { return [pscustomobject]@{ Passed = 0; Failed = 1 } }
    $s = Get-Content $summary -Raw | ConvertFrom-Json
    [pscustomobject]@{ Passed = [int]$s.Passed; Failed = [int]$s.Failed }
}

function Invoke-Demo {
    $sim = Join-Path ([System.IO.Path]::GetTempPath()) ("JailsModule-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    try {
        Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'examples/Demo.ps1'), '-ModulePath', (Join-Path $moduleOut 'JailsModule.psd1'), '-SimulatorPath', $sim)
        if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit $LASTEXITCODE)." }
    }
    finally {
        if (Test-Path $sim) { Remove-Item $sim -Recurse -Force }
    }
}

$needBuild = $Task | Where-Object { $_ -in 'Build', 'Help', 'Test', 'Demo', 'PesterTest' }
if ($needBuild) { Invoke-Build }
if ($Task | Where-Object { $_ -in 'Help', 'Test', 'Demo', 'PesterTest' }) { Invoke-Help }
if ('Demo' -in $Task) { Invoke-Demo }
if ($Task | Where-Object { $_ -in 'Test', 'UnitTest', 'PesterTest' }) {
    $unit = if ('PesterTest' -notin $Task -or 'Test' -in $Task -or 'UnitTest' -in $Task) { Invoke-UnitTest } else { [pscustomobject]@{ Passed = 0; Failed = 0 } }
    $pes = if ('UnitTest' -notin $Task -or 'Test' -in $Task -or 'PesterTest' -in $Task) { Invoke-PesterTest } else { [pscustomobject]@{ Passed = 0; Failed = 0 } }
    $passed = $unit.Passed + $pes.Passed
    $failed = $unit.Failed + $pes.Failed
    Write-Host "xunit: $($unit.Passed) passed, $($unit.Failed) failed; Pester: $($pes.Passed) passed, $($pes.Failed) failed"
    Write-Output "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}
