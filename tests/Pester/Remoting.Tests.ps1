# Cross-platform remoting: the module on a "FreeBSD" host (a simulated one) reached through a real
# OpenSSH server on 127.0.0.1 and PowerShell SSH remoting, the way admins run
# Invoke-Command -HostName bsd1,bsd2 { Get-Jail } from Windows, macOS or Linux.
# Needs /usr/sbin/sshd (Debian openssh-server; build.ps1 -Task Test installs it as root). Run alone with:
#   dotnet pwsh ./build.ps1 -Task PesterTest -PesterFilter 'Remoting*'

BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'Support/SshTestHost.psm1') -Force

    $script:root = Join-Path ([IO.Path]::GetTempPath()) ("jm-remoting-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:lab = $null
    $script:lab = New-SshTestLab -Path (Join-Path $script:root 'ssh')
    # No remote command may hang the run: after 150 s every sshd tree of the lab is killed.
    Start-SshTestWatchdog -Lab $script:lab -Seconds 150

    # A simulated FreeBSD host with running jails written straight into its kernel state.
    function New-SimHost([string] $Name, [string] $ComputerName, [object[]] $Jails) {
        $dir = Join-Path $script:root "sim-$Name"
        Connect-JailHost -Simulator -Path $dir -ComputerName $ComputerName
        $sim = [JailsModule.Services.JailHostManager]::GetSimulator($dir)
        $sim.UpdateState({
            param($s)
            foreach ($j in $Jails) {
                $s.LastJid++
                $s.LastCpusetId++
                $sj = [JailsModule.Simulation.SimJail]::new()
                $sj.Jid = $s.LastJid
                $sj.Name = $j.Name
                $sj.CpusetId = $s.LastCpusetId
                $sj.Processes = 3
                $sj.Params['path'] = "/jails/$($j.Name)"
                $sj.Params['host.hostname'] = "$($j.Name).$ComputerName"
                $sj.Params['persist'] = 'true'
                if ($j.Vnet) { $sj.Params['vnet'] = 'new' } else { $sj.Params['vnet'] = 'inherit' }
                foreach ($a in @($j.Ip4)) { if ($a) { $sj.Ip4.Add($a) } }
                $s.Jails.Add($sj)
            }
        })
        New-Item -ItemType Directory -Force -Path (@($Jails | ForEach-Object { $sim.Fs.Map("/jails/$($_.Name)") })) | Out-Null
        $dir
    }

    $script:sims = [ordered]@{
        bsd1 = New-SimHost bsd1 'bsd1.example.org' @(
            @{ Name = 'web'; Vnet = $true }
            @{ Name = 'db'; Ip4 = '192.0.2.20' }
            @{ Name = 'mail'; Ip4 = '192.0.2.25' })
        bsd2 = New-SimHost bsd2 'bsd2.example.org' @(@{ Name = 'app'; Vnet = $true }, @{ Name = 'cache'; Ip4 = '192.0.2.30' })
        bsd3 = New-SimHost bsd3 'bsd3.example.org' @(@{ Name = 'ci'; Ip4 = '192.0.2.40' })
    }
    $script:hosts = [ordered]@{}
    foreach ($n in $script:sims.Keys) {
        $script:hosts[$n] = Start-SshTestHost -Lab $script:lab -Name $n -SimulatorPath $script:sims[$n] -ModulePath $env:JAILSMODULE_TEST_MODULE
    }
    # How an admin addresses each host: an alias (PSComputerName) that ssh maps to 127.0.0.1.
    function HostName([string] $n) { "${n}:$($script:hosts[$n].Port)" }
    $script:ssh = @{
        UserName          = $script:lab.UserName
        KeyFilePath       = $script:lab.KeyFilePath
        Options           = Get-SshTestOption
        ConnectingTimeout = 30000
    }
    # One session to bsd1 reused by most tests (a remote pwsh starts in about two seconds).
    $script:s1 = New-PSSession -HostName (HostName bsd1) @script:ssh

    # The jails of a simulated host as the module sees them locally (the expected answer).
    function Get-LocalJail([string] $n) {
        Connect-JailHost -Simulator -Path $script:sims[$n]
        Get-Jail
    }
    function Get-SimLog([string] $n) { [JailsModule.Services.JailHostManager]::GetSimulator($script:sims[$n]).ReadLog() }
}

AfterAll {
    # Whatever happened: close the sessions, then stop every sshd (listener and sessions) by pid.
    Get-PSSession | Remove-PSSession -ErrorAction SilentlyContinue
    if ($script:lab) { Stop-SshTestLab -Lab $script:lab }
    Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-Jail over SSH remoting' -Tag 'Remoting' {
    BeforeAll {
        $script:remote = @(Invoke-Command -Session $script:s1 { Get-Jail })
    }
    It 'returns the jails of the remote host, tagged with the host' {
        $local = @(Get-LocalJail bsd1)
        $script:remote.Name | Should -Be $local.Name
        $script:remote | ForEach-Object { $_.PSComputerName | Should -Be 'bsd1' }
        $script:remote | ForEach-Object { $_.ComputerName | Should -Be 'bsd1.example.org' }
        $script:remote[0].PSObject.TypeNames | Should -Contain 'Deserialized.JailsModule.Model.Jail'
    }
    It 'keeps the types users filter on: State string, Jid int, Vnet bool, addresses strings' {
        $db = $script:remote | Where-Object Name -EQ 'db'
        $db.State | Should -BeOfType [string]
        $db.Jid | Should -BeOfType [int]
        $db.Vnet | Should -BeOfType [bool]
        @($db.IPv4Address) | Should -Be @('192.0.2.20')
        @($db.IPv4Address)[0] | Should -BeOfType [string]
        $db.Parameters['path'] | Should -Be '/jails/db'
    }
    It 'filters deserialized jails with Where-Object on State, Vnet and Jid' {
        @($script:remote | Where-Object State -EQ 'Running').Name | Should -Be @('web', 'db', 'mail')
        @($script:remote | Where-Object Vnet).Name | Should -Be @('web')
        @($script:remote | Where-Object Jid -GT 1).Name | Should -Be @('db', 'mail')
        @($script:remote | Where-Object { $_.IPv4Address -contains '192.0.2.25' }).Name | Should -Be @('mail')
    }
    It 'filters on the remote side too (Get-Jail -State, Where-Object Vnet in the script block)' {
        $r = @(Invoke-Command -Session $script:s1 { Get-Jail -State Running | Where-Object Vnet })
        $r.Name | Should -Be @('web')
    }
    It 'displays deserialized jails with the same table view as live ones' {
        $local = Get-LocalJail bsd1
        $localLines = @(($local | Out-String -Width 250) -split "`n" | ForEach-Object TrimEnd)
        # PowerShell adds the PSComputerName column to remote output: the rest of each row is the live view.
        $remoteLines = @(($script:remote | Out-String -Width 250) -split "`n" | ForEach-Object TrimEnd)
        $remoteLines[1] | Should -Match '^\s*JID\s+Name\s+State\s+HostName\s+IPv4\s+Path\s+PSComputerName$'
        $remoteLines | Select-Object -Skip 3 | Where-Object { $_ } | ForEach-Object { $_ | Should -Match '\sbsd1$' }
        $remoteLines.Count | Should -Be $localLines.Count
        for ($i = 3; $i -lt $localLines.Count; $i++) {
            ($remoteLines[$i] -replace '\s+bsd1$', '') | Should -Be $localLines[$i]
        }
        # With -HideComputerName the deserialized jails print exactly like live ones.
        $hidden = Invoke-Command -Session $script:s1 -HideComputerName { Get-Jail }
        ($hidden | Out-String -Width 250) | Should -Be ($local | Out-String -Width 250)
        ($script:remote | Format-Table -View Host | Out-String -Width 200) | Should -Match 'bsd1\.example\.org\s+2\s+db\s+Running'
    }
    It 'returns Get-JailHost as a deserialized JailHostInfo naming the host and its simulator' {
        $h = Invoke-Command -Session $script:s1 { Get-JailHost }
        $h.PSObject.TypeNames | Should -Contain 'Deserialized.JailsModule.Model.JailHostInfo'
        $h.ComputerName | Should -Be 'bsd1.example.org'
        $h.Kind | Should -Be 'Simulator'
        $h.Path | Should -Be ([IO.Path]::GetFullPath($script:sims['bsd1']))
        ($h | Out-String) | Should -Match 'ComputerName\s+Kind\s+Path'
    }
    It 'works with the plain form Invoke-Command -HostName 127.0.0.1 -Port N' {
        $o = Get-SshTestOption
        $o.Remove('HostName')
        $r = @(Invoke-Command -HostName 127.0.0.1 -Port $script:hosts['bsd2'].Port -UserName $script:lab.UserName `
                -KeyFilePath $script:lab.KeyFilePath -Options $o -ConnectingTimeout 30000 { Get-Jail } -ErrorAction Stop)
        $r.Name | Should -Be @(Get-LocalJail bsd2).Name
        $r | ForEach-Object { $_.PSComputerName | Should -Be '127.0.0.1' }
        $r | ForEach-Object { $_.ComputerName | Should -Be 'bsd2.example.org' }
    }
    It 'runs exactly one jls on the remote host for Get-Jail' {
        $before = @(Get-SimLog bsd1).Count
        Invoke-Command -Session $script:s1 { Get-Jail } | Out-Null
        $new = @(Get-SimLog bsd1 | Select-Object -Skip $before)
        $new.FileName | Should -Be @('/usr/sbin/jls')
        $new[0].Arguments | Should -Be @('--libxo', 'json', '-d', 'jid', 'name', 'dying', 'path', 'host.hostname', 'vnet', 'ip4.addr', 'ip6.addr') # named parameters, not -n (jls.c, reference §17.4)
    }
}

Describe 'Every output type survives serialization' -Tag 'Remoting' {
    BeforeDiscovery {
        Import-Module $env:JAILSMODULE_TEST_MODULE -Force
        $script:types = @((Get-Module JailsModule).ExportedCmdlets.Values | ForEach-Object { $_.OutputType.Type } |
                Where-Object { $_ -and $_.Assembly.GetName().Name -eq 'JailsModule' } | Sort-Object FullName -Unique |
                ForEach-Object { @{ Type = $_; Name = $_.FullName } })
    }
    It '<Name> keeps its type name and property values and types' -ForEach $script:types {
        $o = [Activator]::CreateInstance($Type)
        $expected = @{}
        foreach ($p in $Type.GetProperties() | Where-Object { $_.CanWrite -and $_.CanRead }) {
            $t = [Nullable]::GetUnderlyingType($p.PropertyType) ?? $p.PropertyType
            $v = switch ($t) {
                ([string]) { "v-$($p.Name)" }
                ([int]) { 41 }
                ([long]) { 42L }
                ([bool]) { $true }
                ([double]) { 1.5 }
                ([datetime]) { [datetime]::SpecifyKind([datetime]'2026-11-25T03:30:00', 'Utc') }
                ([string[]]) { [string[]]@('192.0.2.7', '192.0.2.8') }
                default {
                    if ($t.IsEnum) { [Enum]::GetValues($t)[0] }
                    elseif ($t -eq [System.Collections.Generic.List[string]]) { [System.Collections.Generic.List[string]]@('a', 'b') }
                    else { $null }
                }
            }
            if ($null -eq $v) { continue }
            $v = [System.Management.Automation.LanguagePrimitives]::ConvertTo($v, $p.PropertyType)
            $p.SetValue($o, $v)
            $expected[$p.Name] = $v
        }
        $d = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 3))
        $d.PSObject.TypeNames[0] | Should -Be "Deserialized.$Name"
        foreach ($k in $expected.Keys) {
            $e = $expected[$k]
            if ($e -is [System.Collections.IEnumerable] -and $e -isnot [string]) {
                @($d.$k) | Should -Be @($e) -Because "$Name.$k keeps its items"
                @($d.$k)[0] | Should -BeOfType [string]
            }
            elseif ($e -is [enum]) {
                "$($d.$k)" | Should -Be "$e" -Because "$Name.$k keeps its enum value as text"
            }
            else {
                $d.$k | Should -Be $e -Because "$Name.$k keeps its value"
                $d.$k.GetType() | Should -Be $e.GetType() -Because "$Name.$k keeps its type"
            }
        }
    }
    It '<Name> has a table view for its deserialized form' -ForEach ($script:types | Where-Object { $_.Type.Namespace -eq 'JailsModule.Model' }) {
        $fd = Get-FormatData -TypeName "Deserialized.$Name"
        $fd | Should -Not -BeNullOrEmpty
        @($fd.FormatViewDefinition.Control | Where-Object { $_ -is [System.Management.Automation.TableControl] }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'Start-Jail and Stop-Jail over SSH remoting' -Tag 'Remoting' {
    It 'starts a configured jail on the remote host with jail -i -f CONF -c NAME' {
        $sim = [JailsModule.Services.JailHostManager]::GetSimulator($script:sims['bsd1'])
        $sim.WriteAllTextAtomic('/etc/jail.conf.d/www.conf', "www {`n    path = `"/jails/www`";`n    host.hostname = `"www.bsd1.example.org`";`n    ip4.addr = 192.0.2.80;`n    persist;`n}`n")
        $sim.CreateDirectory('/jails/www')
        $r = @(Invoke-Command -Session $script:s1 { Start-Jail -Name www -PassThru })
        $r.Name | Should -Be @('www')
        $r[0].State | Should -Be 'Running'
        $r[0].Jid | Should -BeOfType [int]
        @($r[0].IPv4Address) | Should -Be @('192.0.2.80')
        $last = @(Get-SimLog bsd1 | Where-Object FileName -EQ '/usr/sbin/jail')[-1]
        $last.Arguments | Should -Be @('-i', '-f', '/etc/jail.conf.d/www.conf', '-c', 'www')
        (Get-LocalJail bsd1 | Where-Object Name -EQ 'www').State | Should -Be 'Running'
    }
    It 'stops the configured jail on the remote host with jail -q -f CONF -r NAME and reports it stopped' {
        $r = @(Invoke-Command -Session $script:s1 { Stop-Jail -Name www -PassThru })
        $r.Name | Should -Be @('www')
        $r[0].State | Should -Be 'Stopped'
        $r[0].Jid | Should -BeNullOrEmpty
        $r[0].PSComputerName | Should -Be 'bsd1'
        $last = @(Get-SimLog bsd1 | Where-Object FileName -EQ '/usr/sbin/jail')[-1]
        $last.Arguments | Should -Be @('-q', '-f', '/etc/jail.conf.d/www.conf', '-r', 'www')
        (Get-LocalJail bsd1 | Where-Object Name -EQ 'www').State | Should -Be 'Stopped'
    }
    It 'stops a jail made without a config file (jail -q -r NAME)' {
        Invoke-Command -Session $script:s1 { Stop-Jail -Name mail } -ErrorAction Stop
        $last = @(Get-SimLog bsd1 | Where-Object FileName -EQ '/usr/sbin/jail')[-1]
        $last.Arguments | Should -Be @('-q', '-r', 'mail')
        (Get-LocalJail bsd1 | Where-Object Name -EQ 'mail') | Should -BeNullOrEmpty -Because 'a jail made without a config file is gone once removed'
    }
    It 'binds deserialized jails piped back into a remote session by property name' {
        $db = Invoke-Command -Session $script:s1 { Get-Jail -Name db }
        $db.PSObject.TypeNames | Should -Contain 'Deserialized.JailsModule.Model.Jail'
        $db | Invoke-Command -Session $script:s1 { $input | Stop-Jail } -ErrorAction Stop
        $last = @(Get-SimLog bsd1 | Where-Object FileName -EQ '/usr/sbin/jail')[-1]
        $last.Arguments | Should -Be @('-q', '-r', 'db')
        (Get-LocalJail bsd1 | Where-Object Name -EQ 'db') | Should -BeNullOrEmpty
    }
    It 'converts deserialized jails sent back to -InputObject (Start-Jail -InputObject)' {
        $www = Invoke-Command -Session $script:s1 { Get-Jail -Name www }
        $www.State | Should -Be 'Stopped'
        $r = @($www | Invoke-Command -Session $script:s1 { Start-Jail -InputObject @($input) -PassThru })
        $r.Name | Should -Be @('www')
        $r[0].State | Should -Be 'Running'
        $last = @(Get-SimLog bsd1 | Where-Object FileName -EQ '/usr/sbin/jail')[-1]
        $last.Arguments | Should -Be @('-i', '-f', '/etc/jail.conf.d/www.conf', '-c', 'www')
    }
    It 'pipes a filtered fleet listing back into Stop-Jail (Where-Object Vnet | ForEach-Object)' {
        $vnet = @(Invoke-Command -Session $script:s1 { Get-Jail } | Where-Object Vnet)
        $vnet.Name | Should -Be @('web')
        $vnet | ForEach-Object { Invoke-Command -Session $script:s1 -ArgumentList $_.Name { param($n) Stop-Jail -Name $n } }
        (Get-LocalJail bsd1 | Where-Object Name -EQ 'web') | Should -BeNullOrEmpty
    }
}

Describe 'A non-root remote user' -Tag 'Remoting' {
    BeforeAll {
        $script:sim3 = [JailsModule.Services.JailHostManager]::GetSimulator($script:sims['bsd3'])
        $script:sim3.UpdateState({ param($s) $s.Uid = 1001; $s.UserName = 'alice' })
    }
    AfterAll {
        $script:sim3.UpdateState({ param($s) $s.Uid = 0; $s.UserName = 'root' })
    }
    It 'gets JailHostRequiresRoot naming the fix, and nothing runs' {
        $before = @(Get-SimLog bsd3).Count
        Invoke-Command -HostName (HostName bsd3) @script:ssh { Stop-Jail -Name ci } -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'JailHostRequiresRoot,JailsModule.Commands.StopJailCommand'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].OriginInfo.PSComputerName | Should -Be 'bsd3'
        $msg = $err[0].Exception.Message
        $msg | Should -Match 'bsd3\.example\.org'
        $msg | Should -Match 'uid 1001'
        $msg | Should -Match ([regex]::Escape('Subsystem powershell /usr/local/bin/sudo /usr/local/bin/pwsh -sshs -NoLogo'))
        $msg | Should -Match 'doas'
        $new = @(Get-SimLog bsd3 | Select-Object -Skip $before)
        @($new | Where-Object FileName -EQ '/usr/sbin/jail') | Should -HaveCount 0
        @($new | Where-Object FileName -EQ '/usr/bin/id').Arguments | Should -Be @('-u')
        (Get-LocalJail bsd3 | Where-Object Name -EQ 'ci').State | Should -Be 'Running'
    }
    It 'can still list jails, preview changes with -WhatIf and see why with Test-JailHost' {
        $r = @(Invoke-Command -HostName (HostName bsd3) @script:ssh { Get-Jail; Stop-Jail -Name ci -WhatIf; Test-JailHost } -ErrorAction Stop)
        $r[0].Name | Should -Be 'ci'
        $r[1].PSObject.TypeNames | Should -Contain 'Deserialized.JailsModule.Model.JailHostCapabilities'
        $r[1].IsRoot | Should -BeOfType [bool]
        $r[1].IsRoot | Should -BeFalse
        $r[1].ComputerName | Should -Be 'bsd3.example.org'
        $r | Should -HaveCount 2
    }
}

Describe 'Fan-out to several hosts' -Tag 'Remoting' {
    It 'Invoke-Command -HostName h1,h2,h3 returns every host''s jails tagged with its host; a dead host only reports its own error' {
        $dead = Get-FreeTcpPort
        $names = @((HostName bsd1), (HostName bsd2), (HostName bsd3), "bsd9:$dead")
        $r = @(Invoke-Command -HostName $names @script:ssh { Get-Jail } -ErrorAction SilentlyContinue -ErrorVariable err)
        foreach ($n in 'bsd1', 'bsd2', 'bsd3') {
            $expected = @(Get-LocalJail $n).Name
            @($r | Where-Object PSComputerName -EQ $n).Name | Should -Be $expected
            @($r | Where-Object PSComputerName -EQ $n | Where-Object ComputerName -NE "$n.example.org") | Should -HaveCount 0
        }
        $err | Should -HaveCount 1
        $err[0].TargetObject | Should -Be 'bsd9'
        $err[0].ToString() | Should -Match '^\[bsd9\]'
    }
    It 'Invoke-Command -Session -ThrottleLimit runs on every host; a host whose jls fails names itself' {
        Connect-JailHost -Simulator -Path $script:sims['bsd2']
        Set-JailSimulatorFault -Command 'jls *' -ExitCode 1 -StandardError 'jls: sysctl(security.jail.param.allow.): Cannot allocate memory' | Out-Null
        $sessions = @(New-PSSession -HostName (HostName bsd2), (HostName bsd3) @script:ssh) + $script:s1
        try {
            $r = @(Invoke-Command -Session $sessions -ThrottleLimit 2 { Get-Jail } -ErrorAction SilentlyContinue -ErrorVariable err)
        }
        finally {
            $sessions | Where-Object { $_ -ne $script:s1 } | Remove-PSSession
        }
        @($r.PSComputerName | Sort-Object -Unique) | Should -Be @('bsd1', 'bsd3')
        @($r | Where-Object PSComputerName -EQ 'bsd3').Name | Should -Be @('ci')
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'JlsFailed,JailsModule.Commands.GetJailCommand'
        $err[0].OriginInfo.PSComputerName | Should -Be 'bsd2'
        $err[0].Exception.Message | Should -Match 'Cannot allocate memory'
        $err[0].ToString() | Should -Match '^Reading the jail list of bsd2\.example\.org failed: .*Cannot allocate memory'
        @(Get-JailSimulatorFault) | Should -HaveCount 0 -Because 'the fault fired once, on bsd2'
    }
}

Describe 'Naming simulated hosts and the root check, locally' -Tag 'Remoting' {
    BeforeAll {
        $script:dir4 = Join-Path $script:root 'sim-local'
    }
    It 'Connect-JailHost -Simulator -ComputerName renames the simulated machine (hostname, kern.hostname, rc.conf)' {
        $h = Connect-JailHost -Simulator -Path $script:dir4 -ComputerName 'bsd4.example.org' -PassThru
        $h.ComputerName | Should -Be 'bsd4.example.org'
        (Get-JailHost).ComputerName | Should -Be 'bsd4.example.org'
        $sim = [JailsModule.Services.JailHostManager]::GetSimulator($script:dir4)
        $sim.ReadState().Sysctls['kern.hostname'] | Should -Be 'bsd4.example.org'
        $sim.ReadAllText('/etc/rc.conf') | Should -Match '(?m)^hostname="bsd4\.example\.org"$'
    }
    It 'rejects a bad -ComputerName with InvalidComputerName and changes nothing' {
        { Connect-JailHost -Simulator -Path $script:dir4 -ComputerName 'bad_name' } |
            Should -Throw -ErrorId 'InvalidComputerName,JailsModule.Commands.ConnectJailHostCommand' -ExpectedMessage "*'bad_name'*"
        (Get-JailHost).ComputerName | Should -Be 'bsd4.example.org'
    }
    It 'stops a non-root Start-Jail before any jail(8) runs; -WhatIf still previews' {
        $sim = [JailsModule.Services.JailHostManager]::GetSimulator($script:dir4)
        $sim.WriteAllTextAtomic('/etc/jail.conf.d/t.conf', "t {`n    path = `"/jails/t`";`n    persist;`n}`n")
        $sim.CreateDirectory('/jails/t')
        $sim.UpdateState({ param($s) $s.Uid = 1001; $s.UserName = 'alice' })
        Connect-JailHost -Simulator -Path $script:dir4
        $before = @(Get-JailSimulatorLog).Count
        Start-Jail -Name t -WhatIf
        { Start-Jail -Name t } | Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.StartJailCommand' -ExpectedMessage '*Start-Jail changes jails on bsd4.example.org*uid 1001*sudo*'
        $new = @(Get-JailSimulatorLog | Select-Object -Skip $before)
        $new.FileName | Should -Not -Contain '/usr/sbin/jail'
        @($new | Where-Object FileName -EQ '/usr/bin/id').Arguments | Should -Be @('-u')
        (Get-Jail -Name t).State | Should -Be 'Stopped'

        $sim.UpdateState({ param($s) $s.Uid = 0; $s.UserName = 'root' })
        Connect-JailHost -Simulator -Path $script:dir4   # a new connection asks id -u again
        Start-Jail -Name t
        (Get-Jail -Name t).State | Should -Be 'Running'
    }
    It 'stops Set-JailConfig, Invoke-JailCommand and Enter-Jail of a non-root user the same way, before anything changes' {
        $sim = [JailsModule.Services.JailHostManager]::GetSimulator($script:dir4)
        $sim.UpdateState({ param($s) $s.Uid = 1001; $s.UserName = 'alice' })
        try {
            Connect-JailHost -Simulator -Path $script:dir4
            $conf = $sim.ReadAllText('/etc/jail.conf.d/t.conf')
            $before = @(Get-JailSimulatorLog).Count
            { Set-JailConfig -Name t -Parameter @{ 'host.hostname' = 'x.example.org' } -Confirm:$false } |
                Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.SetJailConfigCommand' -ExpectedMessage '*Set-JailConfig changes jails on bsd4.example.org*'
            $sim.ReadAllText('/etc/jail.conf.d/t.conf') | Should -Be $conf
            { Invoke-JailCommand -Name t /bin/echo hi -Confirm:$false } |
                Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.InvokeJailCommandCommand'
            { Enter-Jail -Name t } | Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.EnterJailCommand'
            $new = @(Get-JailSimulatorLog | Select-Object -Skip $before)
            $new.FileName | Should -Not -Contain '/usr/sbin/jexec'
            @($new | Where-Object FileName -EQ '/usr/bin/id') | Should -HaveCount 1 -Because 'id -u is asked once per connection'
        }
        finally {
            $sim.UpdateState({ param($s) $s.Uid = 0; $s.UserName = 'root' })
        }
    }
    It 'stops the provisioning cmdlets of a non-root user before any step: JailHostRequiresRoot, not a tool error and a rollback' {
        $sim = [JailsModule.Services.JailHostManager]::GetSimulator($script:dir4)
        $sim.UpdateState({ param($s) $s.Uid = 1001; $s.UserName = 'alice' })
        try {
            Connect-JailHost -Simulator -Path $script:dir4
            $before = @(Get-JailSimulatorLog).Count
            { Save-JailRelease 14.3-RELEASE } | Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.SaveJailReleaseCommand' -ExpectedMessage '*Save-JailRelease changes jails on bsd4.example.org*uid 1001*'
            { New-Jail n1 -Empty } | Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.NewJailCommand'
            { Remove-Jail t -Confirm:$false } | Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.RemoveJailCommand'
            { Set-JailModuleSetting -LockTimeout 5 } | Should -Throw -ErrorId 'JailHostRequiresRoot,JailsModule.Commands.SetJailModuleSettingCommand'
            New-Jail n1 -Empty -WhatIf   # a preview needs no root
            $new = @(Get-JailSimulatorLog | Select-Object -Skip $before)
            # Only reads ran (id -u, uname -m, jls, zfs list): no fetch, zfs create, file write or jail.
            $readOnly = { $_.FileName -in '/usr/bin/id', '/usr/bin/uname', '/usr/sbin/jls' -or ($_.FileName -eq '/sbin/zfs' -and $_.Arguments[0] -eq 'list') }
            @($new | Where-Object { -not (& $readOnly) }) | Should -HaveCount 0
            $sim.FileExists('/etc/jail.conf.d/n1.conf') | Should -BeFalse
            $sim.FileExists('/usr/local/etc/jailsmodule.conf') | Should -BeFalse
        }
        finally {
            $sim.UpdateState({ param($s) $s.Uid = 0; $s.UserName = 'root' })
        }
    }
}

Describe 'about_JailsModule_Remoting' -Tag 'Remoting' {
    BeforeAll {
        $script:about = Get-Content (Join-Path $PSScriptRoot '../../docs/help/about_JailsModule_Remoting.md') -Raw
    }
    It 'has the about-topic sections' {
        foreach ($h in '# about_JailsModule_Remoting', '# SHORT DESCRIPTION', '# LONG DESCRIPTION', '# EXAMPLES', '# SEE ALSO') {
            $script:about | Should -Match "(?m)^$([regex]::Escape($h))\s*$"
        }
    }
    It 'shows every fix the JailHostRequiresRoot error names' {
        $msg = [JailsModule.Services.RootCheck]::Message('Stop-Jail', 'bsd1', 1001)
        $fixes = @([regex]::Matches($msg, "'([^']*pwsh[^']*)'") | ForEach-Object { $_.Groups[1].Value })
        $fixes.Count | Should -BeGreaterOrEqual 3
        foreach ($line in $fixes) {
            $script:about | Should -Match ([regex]::Escape(($line -replace ' USER ', ' alice '))) -Because "the error tells users to '$line'"
        }
        $script:about | Should -Match ([regex]::Escape('Subsystem powershell /usr/local/bin/pwsh -sshs -NoLogo'))
    }
}
