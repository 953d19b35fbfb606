<#
    A real OpenSSH server on 127.0.0.1 for the remoting tests: one sshd per simulated FreeBSD host,
    each on its own free port, with a generated host key, key-only login for the current user and the
    'powershell' subsystem pointing at a wrapper that starts the test pwsh with the built module on
    PSModulePath and $env:JAILSMODULE_SIMULATOR naming that host's simulator folder.
    Every wait is bounded; Stop-SshTestHost kills the listener and its session processes by pid.
#>
Set-StrictMode -Version Latest

$script:Sshd = '/usr/sbin/sshd'
$script:SshKeygen = '/usr/bin/ssh-keygen'

function Assert-SshTools {
    foreach ($t in $script:Sshd, $script:SshKeygen, '/usr/bin/ssh') {
        if (-not (Test-Path $t)) {
            throw "The remoting tests need OpenSSH ($t is missing). Install it: apt-get install -y openssh-server (build.ps1 -Task Test does this when run as root on Debian)."
        }
    }
}

function Get-FreeTcpPort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start()
    try { $l.LocalEndpoint.Port } finally { $l.Stop() }
}

# The pwsh running the tests as a command line for sh (it may be "dotnet pwsh.dll").
function Get-PwshCommandLine {
    $proc = [Environment]::ProcessPath
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ((Split-Path $proc -Leaf) -match '^dotnet(\.exe)?$' -and (Test-Path $dll)) { return "'$proc' '$dll'" }
    return "'$proc'"
}

function Invoke-Quiet([string] $File, [string[]] $Arguments) {
    $out = & $File @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') exited with ${LASTEXITCODE}: $out" }
}

<#
.SYNOPSIS
    Creates the client key shared by all test hosts. Returns the folder layout.
#>
function New-SshTestLab {
    param([Parameter(Mandatory)] [string] $Path)
    Assert-SshTools
    New-Item -ItemType Directory -Force -Path $Path | Out-Null
    $key = Join-Path $Path 'client_ed25519'
    Invoke-Quiet $script:SshKeygen @('-q', '-t', 'ed25519', '-N', '', '-C', 'jailsmodule-test', '-f', $key)
    # sshd refuses to start without its privilege separation folder (Debian: /run/sshd).
    if (-not (Test-Path '/run/sshd')) { New-Item -ItemType Directory -Path '/run/sshd' | Out-Null }
    [pscustomobject]@{ Path = $Path; KeyFilePath = $key; UserName = [Environment]::UserName; Hosts = [System.Collections.Generic.List[object]]::new(); Watchdog = $null }
}

<#
.SYNOPSIS
    Starts one sshd on 127.0.0.1 whose powershell subsystem serves the given simulator folder.
#>
function Start-SshTestHost {
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $SimulatorPath,
        [Parameter(Mandatory)] [string] $ModulePath
    )
    $dir = Join-Path $Lab.Path $Name
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    $hostKey = Join-Path $dir 'ssh_host_ed25519_key'
    Invoke-Quiet $script:SshKeygen @('-q', '-t', 'ed25519', '-N', '', '-f', $hostKey)
    $auth = Join-Path $dir 'authorized_keys'
    Copy-Item "$($Lab.KeyFilePath).pub" $auth

    # The subsystem command: sh wrapper, because sshd gives subsystems a clean environment.
    $wrapper = Join-Path $dir 'pwsh-subsystem.sh'
    $dotnetRoot = if ($env:DOTNET_ROOT) { $env:DOTNET_ROOT } else { Split-Path ([Environment]::ProcessPath) }
    $modulesRoot = Split-Path (Split-Path $ModulePath)
    $lines = @(
        '#!/bin/sh'
        "export DOTNET_ROOT='$dotnetRoot'"
        "export PSModulePath='$modulesRoot'"
        "export JAILSMODULE_SIMULATOR='$SimulatorPath'"
        'export DOTNET_CLI_TELEMETRY_OPTOUT=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off'
        "exec $(Get-PwshCommandLine) -sshs -NoLogo -NoProfile"
    )
    Set-Content -Path $wrapper -Value ($lines -join "`n") -NoNewline
    & chmod 755 $wrapper

    $pidFile = Join-Path $dir 'sshd.pid'
    $log = Join-Path $dir 'sshd.log'
    $config = Join-Path $dir 'sshd_config'
    $port = 0
    for ($attempt = 1; $attempt -le 5; $attempt++) {
        $port = Get-FreeTcpPort
        @(
            "Port $port"
            'ListenAddress 127.0.0.1'
            "HostKey $hostKey"
            "PidFile $pidFile"
            "AuthorizedKeysFile $auth"
            'PubkeyAuthentication yes'
            'PasswordAuthentication no'
            'KbdInteractiveAuthentication no'
            'PermitRootLogin prohibit-password'
            'StrictModes no'
            'UsePAM no'
            'MaxStartups 20'
            "Subsystem powershell $wrapper"
        ) | Set-Content -Path $config
        # Without -D sshd binds its socket, then daemonizes: when it returns it is listening.
        & $script:Sshd -f $config -E $log
        if ($LASTEXITCODE -eq 0) { break }
        $port = 0
    }
    if ($port -eq 0) { throw "sshd for $Name did not start: $(Get-Content $log -Raw -ErrorAction SilentlyContinue)" }
    # sshd creates the pid file before it writes the pid: wait for a whole number, not for the file.
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    $sshdPid = 0
    while ([DateTime]::UtcNow -lt $deadline) {
        $text = Get-Content $pidFile -Raw -ErrorAction SilentlyContinue
        if ($text -and [int]::TryParse($text.Trim(), [ref] $sshdPid) -and $sshdPid -gt 0) { break }
        Start-Sleep -Milliseconds 50
    }
    if ($sshdPid -le 0) { throw "sshd for $Name wrote no pid within 20 s: $(Get-Content $log -Raw -ErrorAction SilentlyContinue)" }
    $h = [pscustomobject]@{
        Name = $Name; Port = $port; PidFile = $pidFile; Pid = $sshdPid
        SimulatorPath = $SimulatorPath; Log = $log; Config = $config
    }
    $Lab.Hosts.Add($h)
    $h
}

# Kills an sshd listener and everything it started (per-connection sshd, the subsystem's pwsh) by pid.
function Stop-ProcessTree([int] $Id, [int] $TimeoutMs = 5000) {
    try { $p = [System.Diagnostics.Process]::GetProcessById($Id) } catch { return }
    try { $p.Kill($true) } catch [System.InvalidOperationException] { } # already gone
    [void]$p.WaitForExit($TimeoutMs)
}

<#
.SYNOPSIS
    Stops every sshd of the lab (listener and sessions, by pid) and its watchdog; waits up to 5 s for each.
#>
function Stop-SshTestLab {
    param([Parameter(Mandatory)] $Lab)
    if ($Lab.Watchdog) { $Lab.Watchdog | Stop-Job -PassThru | Remove-Job -Force; $Lab.Watchdog = $null }
    foreach ($h in @($Lab.Hosts)) { Stop-ProcessTree $h.Pid }
    $Lab.Hosts.Clear()
}

<#
.SYNOPSIS
    Bounds the whole test: after the given time the lab's sshd trees are killed, so a remote command that
    hangs ends with a broken session instead of hanging the test run. Stop-SshTestLab cancels it.
#>
function Start-SshTestWatchdog {
    param([Parameter(Mandatory)] $Lab, [int] $Seconds = 150)
    $Lab.Watchdog = Start-ThreadJob -ArgumentList $Lab, $Seconds -ScriptBlock {
        param($Lab, $Seconds)
        Start-Sleep -Seconds $Seconds
        foreach ($h in @($Lab.Hosts)) {
            try { [System.Diagnostics.Process]::GetProcessById($h.Pid).Kill($true) } catch { }
        }
        "watchdog fired after $Seconds s"
    }
}

<#
.SYNOPSIS
    The client options of pwsh SSH remoting for a test host: key login, no known_hosts, 127.0.0.1 behind a host alias.
.DESCRIPTION
    -Options HostName=127.0.0.1 makes ssh connect to the loopback address while PowerShell (and so
    PSComputerName) keeps the alias the test used, e.g. 'bsd2:2202'.
#>
function Get-SshTestOption {
    @{ HostName = '127.0.0.1'; StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR'; ConnectTimeout = '10' }
}

Export-ModuleMember -Function New-SshTestLab, Start-SshTestHost, Start-SshTestWatchdog, Stop-SshTestLab, Get-SshTestOption, Get-FreeTcpPort
