# Issue 10 items 7 and 8: hostile files and inputs end in clear errors naming them; everything else keeps working.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:host_ = [JailsModule.Services.JailHostManager]::GetSimulator($script:sim)
    . (Join-Path $PSScriptRoot 'Support/ProvisioningHelpers.ps1')
    function script:Write-SimFile([string] $Path, [string] $Text) { $script:host_.WriteAllTextAtomic($Path, $Text) }
    function script:Real([string] $Path) { $script:host_.Fs.Map($Path) }
    Write-SimFile '/etc/jail.conf.d/good.conf' "good {`n  path = /usr/local/jails/containers/good;`n  persist;`n}`n"

    # Runs $Command in another pwsh on the same simulator folder: a crash or hang there cannot take this run down.
    function script:Invoke-ChildPwsh([string] $Command, [int] $TimeoutMs = 120000) {
        $exe = [Environment]::ProcessPath
        $argv = @()
        if ((Split-Path $exe -Leaf) -match '^dotnet(\.exe)?$') { $argv += Join-Path $PSHOME 'pwsh.dll' }
        $script = "Import-Module '$env:JAILSMODULE_TEST_MODULE'; Connect-JailHost -Simulator -Path '$script:sim'; $Command"
        $argv += '-NoProfile', '-NonInteractive', '-Command', $script
        $out = Join-Path ([IO.Path]::GetTempPath()) ("jm-child-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $p = Start-Process -FilePath $exe -ArgumentList $argv -PassThru -RedirectStandardOutput "$out.out" -RedirectStandardError "$out.err"
        $exited = $p.WaitForExit($TimeoutMs)
        if (-not $exited) { $p.Kill($true) }
        $r = [pscustomobject]@{ Exited = $exited; ExitCode = $p.ExitCode; Out = "$(Get-Content "$out.out" -Raw)"; Err = "$(Get-Content "$out.err" -Raw)" }
        Remove-Item "$out.out", "$out.err" -ErrorAction SilentlyContinue
        $r
    }
    $script:listCommand = "Get-Jail -WarningVariable w -WarningAction SilentlyContinue | ForEach-Object Name; `$w | ForEach-Object { 'WARNING: ' + `$_.Message }"
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Hostile files in /etc/jail.conf.d' {
    AfterEach {
        Get-ChildItem (Real '/etc/jail.conf.d') -Exclude good.conf | Remove-Item -Force
    }
    It '100,000 nested blocks: Get-Jail (in another process) still lists the good jail and names the file' {
        $sb = [Text.StringBuilder]::new()
        foreach ($i in 1..100000) { [void]$sb.Append("j$i {`n") }
        [void]$sb.Append("x = 1;`n")
        foreach ($i in 1..100000) { [void]$sb.Append("}`n") }
        Write-SimFile '/etc/jail.conf.d/deep.conf' $sb.ToString()
        $r = Invoke-ChildPwsh $script:listCommand
        $r.Exited | Should -BeTrue
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $lines = $r.Out -split "`n" | ForEach-Object TrimEnd
        $lines | Should -Contain 'good'
        @($lines | Where-Object { $_ -like 'WARNING:*/etc/jail.conf.d/deep.conf*nested deeper than*' }) | Should -HaveCount 1
    }
    It 'doubling variables (under 1 KB): the good jail lists, the bad jail carries the error' {
        $text = "bomb {`n`$v0 = x;`n" + ((1..50 | ForEach-Object { "`$v$_ = `"`$v$($_ - 1)`$v$($_ - 1)`";" }) -join "`n") + "`nhost.hostname = `"`$v50`";`n}`n"
        $text.Length | Should -BeLessThan 1024
        Write-SimFile '/etc/jail.conf.d/bomb.conf' $text
        $r = Invoke-ChildPwsh "$script:listCommand; (Get-JailConfig -Name bomb -WarningAction SilentlyContinue).Errors | ForEach-Object { 'ERROR: ' + `$_ }"
        $r.Exited | Should -BeTrue
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $lines = $r.Out -split "`n" | ForEach-Object TrimEnd
        $lines | Should -Contain 'good'
        "$r" | Should -BeLike '*bomb*longer than*'
    }
    It 'an entry that is a FIFO: Get-Jail does not hang, lists the good jail and names the file' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'no FIFOs'; return }
        & mkfifo (Real '/etc/jail.conf.d/fifo.conf')
        $r = Invoke-ChildPwsh $script:listCommand -TimeoutMs 60000
        $r.Exited | Should -BeTrue -Because 'Get-Jail must not block on a FIFO'
        $lines = $r.Out -split "`n" | ForEach-Object TrimEnd
        $lines | Should -Contain 'good'
        @($lines | Where-Object { $_ -like 'WARNING:*/etc/jail.conf.d/fifo.conf*FIFO*' }) | Should -HaveCount 1
    }
    It 'an entry linked to /dev/zero: Get-Jail lists the good jail and names the file' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'no /dev/zero'; return }
        New-Item -ItemType SymbolicLink -Path (Real '/etc/jail.conf.d/zero.conf') -Target '/dev/zero' | Out-Null
        $r = Invoke-ChildPwsh $script:listCommand -TimeoutMs 60000
        $r.Exited | Should -BeTrue -Because 'Get-Jail must not read /dev/zero without end'
        $lines = $r.Out -split "`n" | ForEach-Object TrimEnd
        $lines | Should -Contain 'good'
        @($lines | Where-Object { $_ -like 'WARNING:*/etc/jail.conf.d/zero.conf*device*' }) | Should -HaveCount 1
    }
}

Describe 'Module settings with a trailing newline (issue 10 item 8)' {
    BeforeEach {
        $script:settingsReal = Real '/usr/local/etc/jailsmodule.conf'
        Remove-Item $script:settingsReal -ErrorAction SilentlyContinue
    }
    AfterAll {
        Remove-Item (Real '/usr/local/etc/jailsmodule.conf') -ErrorAction SilentlyContinue
    }
    It 'Set-JailModuleSetting refuses a value ending in <name> and writes nothing' -TestCases @(
        @{ name = 'LF'; suffix = "`n" }, @{ name = 'CRLF'; suffix = "`r`n" }, @{ name = 'NUL'; suffix = "`0" }
    ) {
        Set-JailModuleSetting -JailRoot "zroot/jails/containers$suffix" -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidModuleSetting,*'
        Test-Path $script:settingsReal | Should -BeFalse
        Set-JailModuleSetting -JailMountpoint "/usr/local/jails/containers$suffix" -ErrorAction SilentlyContinue -ErrorVariable err2
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidModuleSetting,*'
        (Get-JailModuleSetting).JailRoot | Should -Be 'zroot/jails/containers'
    }
    It 'a corrupt settings file stops New-Jail, and Set-JailModuleSetting repairs it' {
        # What the old validator wrote for -JailRoot "zroot/jails/containers`n".
        Write-SimFile '/usr/local/etc/jailsmodule.conf' "TemplateRoot=`"zroot/jails/templates`"`nJailRoot=`"zroot/jails/containers`n`"`nLockTimeout=`"60`"`n"
        { Get-JailModuleSetting -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidModuleSetting,*'
        { New-Jail corrupt1 -Template 14.3-RELEASE -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidModuleSetting,*'
        Set-JailModuleSetting -JailRoot zroot/jails/containers -ErrorAction Stop
        $s = Get-JailModuleSetting -ErrorAction Stop
        $s.JailRoot | Should -Be 'zroot/jails/containers'
        $s.TemplateRoot | Should -Be 'zroot/jails/templates'
        Get-Content $script:settingsReal -Raw | Should -Match 'JailRoot="zroot/jails/containers"\n'
    }
    It 'an unreadable settings file (a FIFO) is an error naming it, for Get- and Set-JailModuleSetting alike, without blocking' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'no FIFOs'; return }
        & mkfifo $script:settingsReal
        $r = Invoke-ChildPwsh ("foreach (`$c in { Get-JailModuleSetting }, { Set-JailModuleSetting -LockTimeout 7 }) { " +
            "try { & `$c -ErrorAction Stop | Out-Null; 'NO ERROR' } catch { 'ERROR: ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message } }") -TimeoutMs 60000
        $r.Exited | Should -BeTrue -Because 'reading the settings must not block on a FIFO'
        $lines = @($r.Out -split "`n" | Where-Object { $_ -like 'ERROR: InvalidModuleSetting*/usr/local/etc/jailsmodule.conf*FIFO*' })
        $lines | Should -HaveCount 2 -Because $r.Out
    }
}

Describe 'Smaller hostile inputs (issue 10 item 9)' {
    BeforeAll {
        # A template to clone from, made once.
        Save-JailRelease 14.3-RELEASE | New-JailTemplate | Out-Null
        $script:goodBefore = Get-Content (Real '/etc/jail.conf.d/good.conf') -Raw
    }
    AfterEach {
        Write-SimFile '/etc/jail.conf.d/good.conf' $script:goodBefore
    }
    It 'New-Jail -IPv4Address 192.0.2.010 is refused (inet_pton reads no leading zeros), nothing is created' {
        New-Jail ip010 -Template 14.3-RELEASE -IPv4Address 192.0.2.010 -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidIPAddress,*'
        Test-Path (Real '/etc/jail.conf.d/ip010.conf') | Should -BeFalse
    }
    It 'New-Jail -Parameter with <case> is InvalidJailParameter and nothing is created' -TestCases @(
        @{ case = 'a NUL'; value = "/bin/sh`0/etc/rc" }
        @{ case = 'an empty array'; value = @() }
        @{ case = 'a nested array'; value = @(@('a', 'b'), 'c') }
        @{ case = 'a NUL in a list item'; value = @('a', "b`0c") }
        @{ case = 'a hashtable'; value = @{ a = 1 } }
    ) {
        New-Jail badparam -Template 14.3-RELEASE -Parameter @{ 'exec.start' = $value } -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidJailParameter,*'
        $err[0].Exception | Should -BeOfType [ArgumentException]
        Test-Path (Real '/etc/jail.conf.d/badparam.conf') | Should -BeFalse
        @($script:host_.ReadState().Datasets | Where-Object Name -like '*/badparam') | Should -HaveCount 0
    }
    It 'Set-JailConfig -<how> with <case> is InvalidJailParameter and the file is unchanged' -TestCases @(
        @{ how = 'Parameter'; case = 'a NUL'; value = "a`0b" }
        @{ how = 'Parameter'; case = 'an empty array'; value = @() }
        @{ how = 'Parameter'; case = 'a nested array'; value = @(@('a', 'b'), 'c') }
        @{ how = 'Append'; case = 'a NUL'; value = "a`0b" }
        @{ how = 'Append'; case = 'an empty array'; value = @() }
        @{ how = 'Append'; case = 'a nested array'; value = @(@('a', 'b'), 'c') }
    ) {
        $splat = @{ Name = 'good'; $how = @{ 'exec.start' = $value } }
        Set-JailConfig @splat -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidJailParameter,*'
        Get-Content (Real '/etc/jail.conf.d/good.conf') -Raw | Should -Be $script:goodBefore
    }
    It 'Invoke-JailCommand refuses a NUL in an argument before running anything' {
        $mark = Mark
        $e = { Invoke-JailCommand good -Command 'echo', "a`0b" } | Should -Throw -ErrorId 'InvalidCommand,*' -PassThru
        $e.Exception.Message | Should -BeLike '*NUL*'
        @(Since $mark | Where-Object { $_ -like '/usr/sbin/jexec*' }) | Should -HaveCount 0
    }
    It 'a process argument with a NUL is refused at the host boundary' {
        { [JailsModule.Host.ProcessRequest]::new('/bin/echo', [string[]]@("a`0b")) } | Should -Throw '*NUL*'
    }
    It 'a jail name whose dataset name would pass 255 characters is refused before anything runs' {
        $name = 'n' * (255 - 'zroot/jails/containers/'.Length - '.prev'.Length + 1)
        $mark = Mark
        New-Jail $name -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNameTooLong,*'
        $err[0].Exception.Message | Should -BeLike '*255*'
        @(Mutating (Since $mark)) | Should -HaveCount 0
        # One character less fits, .prev included.
        $ok = New-Jail $name.Substring(1) -Template 14.3-RELEASE -ErrorAction Stop
        $ok.Name | Should -Be $name.Substring(1)
    }
    It 'a locks folder that is a file is a clear error naming it' {
        $locks = Real '/var/db/jailsmodule/locks'
        Remove-Item $locks -Recurse -Force -ErrorAction SilentlyContinue
        New-Item -ItemType Directory (Split-Path $locks) -Force | Out-Null
        Set-Content $locks 'not a folder'
        try {
            New-Jail lockdir1 -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            Test-Path (Real '/etc/jail.conf.d/lockdir1.conf') | Should -BeFalse
            $err[0].Exception.GetType().FullName | Should -Not -BeLike 'System.IO.*'
            $err[0].Exception.Message | Should -BeLike '*/var/db/jailsmodule/locks*not a folder*'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'LockDirectoryInvalid,*'
        } finally { Remove-Item $locks -Force }
    }
}
