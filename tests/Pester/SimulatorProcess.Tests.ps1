# The simulated host's programs as processes of their own: jailsim on the command line, and
# Connect-JailHost -Simulator -OutOfProcess, where every command the module runs is a jailsim process.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-oop-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    # The same folder in process, to compare answers and to inspect the state (this loads the simulator assembly).
    $script:inproc = [JailsModule.Services.JailHostManager]::GetSimulator($script:sim)
    $script:tool = [JailsModule.Simulation.ToolProcess]::Locate()

    # Runs jailsim as a process; returns its exit status, stdout and stderr (stdin piped when given).
    function script:Invoke-Jailsim([string[]] $Arguments, [string] $InputText, [hashtable] $Environment = @{}) {
        $psi = [Diagnostics.ProcessStartInfo]::new($script:tool.Dotnet)
        $psi.ArgumentList.Add($script:tool.Assembly)
        foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.RedirectStandardInput = $true
        $psi.UseShellExecute = $false
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $p = [Diagnostics.Process]::Start($psi)
        if ($InputText) { $p.StandardInput.Write($InputText) }
        $p.StandardInput.Close()
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; StandardOutput = $out.Result; StandardError = $err.Result }
    }
    function script:Run-InProcess([string] $tool, [string[]] $argv) {
        $script:inproc.RunAsync([JailsModule.Host.ProcessRequest]::new($tool, $argv), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    }
}
AfterAll {
    Clear-JailSimulatorFault -ErrorAction SilentlyContinue
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'jailsim (a simulated program as a process)' {
    It 'answers exactly as the in-process simulator does, by path or by name' {
        $argv = @('list', '-H', '-p', '-o', 'name,mountpoint')
        $expected = Run-InProcess '/sbin/zfs' $argv
        $byPath = Invoke-Jailsim (@('-d', $script:sim, '--', '/sbin/zfs') + $argv)
        $byName = Invoke-Jailsim (@('-d', $script:sim, 'zfs') + $argv)
        $byPath.ExitCode | Should -Be 0
        $byPath.StandardOutput | Should -BeExactly $expected.StandardOutput
        $byName.StandardOutput | Should -BeExactly $expected.StandardOutput
        $expected.StandardOutput | Should -Match "(?m)^zroot`t/zroot$"
    }
    It 'passes the exit status and stderr of a failing program through' {
        $r = Invoke-Jailsim @('-d', $script:sim, '/sbin/zfs', 'destroy', 'zroot/nothing')
        $r.ExitCode | Should -Be 1
        $r.StandardError | Should -BeExactly "cannot open 'zroot/nothing': dataset does not exist`n"
        $r.StandardOutput | Should -BeExactly ''
    }
    It 'feeds stdin to the program (jail -f - reads its config from it)' {
        $r = Invoke-Jailsim @('-d', $script:sim, '/usr/sbin/jail', '-f', '-', '-e', '|') -InputText "web { path = /jails/web; persist; }`n"
        $r.ExitCode | Should -Be 0
        $r.StandardOutput | Should -BeExactly "name=web|path=/jails/web|persist`n"
    }
    It 'gives the program LC_ALL=C, the simulated PATH and the -e variables, nothing of its own environment' {
        $r = Invoke-Jailsim @('-d', $script:sim, '-e', 'PAGER=cat', '/usr/bin/env') -Environment @{ JM_LEAK = 'x' }
        $r.ExitCode | Should -Be 0
        $lines = $r.StandardOutput.TrimEnd("`n") -split "`n"
        $lines | Should -Contain 'LC_ALL=C'
        $lines | Should -Contain 'PAGER=cat'
        $lines | Should -Contain 'PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin'
        $lines | Should -Not -Contain 'JM_LEAK=x'
    }
    It 'takes the folder from JAILSMODULE_SIMULATOR when -d is not given' {
        $r = Invoke-Jailsim @('/bin/hostname') -Environment @{ JAILSMODULE_SIMULATOR = $script:sim }
        $r.ExitCode | Should -Be 0
        $r.StandardOutput.Trim() | Should -Be $script:inproc.ComputerName
    }
    It 'exits 127 for a program the simulated host does not have, 64 for a bad command line' {
        $missing = Invoke-Jailsim @('-d', $script:sim, '/usr/sbin/nosuchtool')
        $missing.ExitCode | Should -Be 127
        $missing.StandardError | Should -BeExactly "jailsim: /usr/sbin/nosuchtool: No such file or directory`n"
        (Invoke-Jailsim @('-d', $script:sim, 'nosuchtool')).ExitCode | Should -Be 127
        $bad = Invoke-Jailsim @('-q', 'zfs')
        $bad.ExitCode | Should -Be 64
        $bad.StandardError | Should -BeLike 'jailsim: unknown option -q*'
        $noDir = Invoke-Jailsim @('zfs', 'list') -Environment @{ JAILSMODULE_SIMULATOR = '' }
        $noDir.ExitCode | Should -Be 64
    }
    It 'is logged and obeys injected faults like any command of the simulator' {
        Connect-JailHost -Simulator -Path $script:sim
        $mark = @(Get-JailSimulatorLog).Count
        Set-JailSimulatorFault -Command 'zfs snapshot *' -StandardError 'cannot create snapshot: out of space' -ExitCode 1 | Out-Null
        try { $r = Invoke-Jailsim @('-d', $script:sim, 'zfs', 'snapshot', 'zroot@x') }
        finally { Clear-JailSimulatorFault }
        $r.ExitCode | Should -Be 1
        $r.StandardError | Should -BeExactly "cannot create snapshot: out of space`n"
        $log = @(Get-JailSimulatorLog | Select-Object -Skip $mark)
        $log | Should -HaveCount 1
        $log[0].ToString() | Should -Be '/sbin/zfs snapshot zroot@x'
        (Run-InProcess '/sbin/zfs' @('list', '-t', 'snapshot', '-H', '-o', 'name')).StandardOutput | Should -Not -Match 'zroot@x'
    }
}

Describe 'Connect-JailHost -Simulator -OutOfProcess' {
    BeforeAll {
        Connect-JailHost -Simulator -Path $script:sim -OutOfProcess
    }
    It 'says so in Get-JailHost' {
        $h = Get-JailHost
        $h.OutOfProcess | Should -BeTrue
        $h.Kind | Should -Be 'Simulator'
        $h.Path | Should -Be $script:sim
    }
    It 'provisions, starts, enters and removes a jail with the same argv as in process' {
        $mark = @(Get-JailSimulatorLog).Count
        Save-JailRelease 14.3-RELEASE | Out-Null
        New-JailTemplate 14.3-RELEASE | Out-Null
        $j = New-Jail oop1 -Template 14.3-RELEASE -IPv4Address 192.0.2.41 -Interface em0 -Start
        $j.State | Should -Be 'Running'
        $j.IPv4Address | Should -Be @('192.0.2.41')
        Invoke-JailCommand oop1 /bin/freebsd-version | Should -Be '14.3-RELEASE'
        (Get-Jail oop1).Jid | Should -Be $j.Jid
        Remove-Jail oop1 -Force -Confirm:$false
        Get-Jail oop1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $oop = @(Get-JailSimulatorLog | Select-Object -Skip $mark | ForEach-Object { $_.ToString() -replace '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}', 'UUID' })

        # The same sequence on a fresh folder in process.
        $other = Join-Path ([IO.Path]::GetTempPath()) ("jm-oop-ref-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        try {
            Connect-JailHost -Simulator -Path $other
            Save-JailRelease 14.3-RELEASE | Out-Null
            New-JailTemplate 14.3-RELEASE | Out-Null
            $null = New-Jail oop1 -Template 14.3-RELEASE -IPv4Address 192.0.2.41 -Interface em0 -Start
            $null = Invoke-JailCommand oop1 /bin/freebsd-version
            $null = Get-Jail oop1
            Remove-Jail oop1 -Force -Confirm:$false
            $null = Get-Jail oop1 -ErrorAction SilentlyContinue
            $ref = @(Get-JailSimulatorLog | ForEach-Object { $_.ToString() -replace '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}', 'UUID' })
        }
        finally {
            Connect-JailHost -Simulator -Path $script:sim -OutOfProcess
            Remove-Item $other -Recurse -Force -ErrorAction SilentlyContinue
        }
        $oop.Count | Should -BeGreaterThan 10
        ($oop -join "`n") | Should -Be (($ref | Select-Object -Last $oop.Count) -join "`n")
    }
    It 'rolls back across processes: a fault at zfs clone leaves no dataset, config or lock' {
        $before = @((Run-InProcess '/sbin/zfs' @('list', '-H', '-o', 'name')).StandardOutput)
        Set-JailSimulatorFault -Command 'zfs clone *' -StandardError 'cannot create clone: out of space' | Out-Null
        try { $err = @(New-Jail oop2 -Template 14.3-RELEASE 2>&1 | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) }
        finally { Clear-JailSimulatorFault }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NewJailFailed,*'
        $err[0].ToString() | Should -BeLike '*cannot create clone: out of space*'
        @((Run-InProcess '/sbin/zfs' @('list', '-H', '-o', 'name')).StandardOutput) | Should -Be $before
        $script:inproc.FileExists('/etc/jail.conf.d/oop2.conf') | Should -BeFalse
        @([JailsModule.Plans.HostLock]::Held($script:inproc)) | Should -HaveCount 0
    }
    It 'reports a program the host lacks as ToolNotFound, like a failed exec' {
        $jls = Join-Path $script:sim 'fs/usr/sbin/jls'
        Move-Item $jls "$jls.away"
        try { { Get-Jail -ErrorAction Stop } | Should -Throw -ErrorId 'ToolNotFound,*' }
        finally { Move-Item "$jls.away" $jls }
        { Get-Jail -ErrorAction Stop } | Should -Not -Throw -Because 'jls is back'
    }
}
