# Jail objects survive Export-Clixml/Import-Clixml (the same serializer PowerShell remoting uses):
# the properties that matter keep their types, they display with the module's table view, and they
# still pipe into the action cmdlets by property name.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:root = (Get-JailHost).Path

    # Configured jails written straight into the simulator's file tree, as an administrator would.
    function script:Add-JailConfig([string] $Name, [string] $Body) {
        $dir = Join-Path $root 'fs/etc/jail.conf.d'
        New-Item -ItemType Directory -Force -Path $dir, (Join-Path $root "fs/jails/$Name") | Out-Null
        Set-Content -Path (Join-Path $dir "$Name.conf") -Value "$Name {`n  path = /jails/$Name;`n$Body}`n" -NoNewline
    }
    function script:Get-NewLogEntry([int] $Skip) { @(Get-JailSimulatorLog | Select-Object -Skip $Skip) }
    function script:ConvertTo-Deserialized($InputObject) {
        $file = Join-Path $sim ("clixml-" + [guid]::NewGuid().ToString('N') + '.xml')
        $InputObject | Export-Clixml -Path $file
        Import-Clixml -Path $file
    }

    Add-JailConfig web "  host.hostname = web.example.org;`n  ip4.addr = 192.0.2.10, 192.0.2.11;`n  persist;`n"
    Add-JailConfig db "  host.hostname = db.example.org;`n  ip4.addr = 192.0.2.20;`n  persist;`n"
    Add-JailConfig lab "  host.hostname = lab.example.org;`n  vnet;`n  persist;`n"
    Add-JailConfig cold "  host.hostname = cold.example.org;`n  ip4.addr = 192.0.2.30;`n  persist;`n"
    Start-Jail -Name web, db, lab
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Jail objects after Export-Clixml and Import-Clixml' {
    BeforeAll {
        $live = @(Get-Jail | Sort-Object Name)
        $back = @(ConvertTo-Deserialized $live | Sort-Object Name)
    }

    It 'are deserialized Jail objects, one per jail' {
        @($back | ForEach-Object Name) | Should -Be @('cold', 'db', 'lab', 'web')
        foreach ($j in $back) { $j.pstypenames[0] | Should -Be 'Deserialized.JailsModule.Model.Jail' }
    }

    It 'keep Jid as an integer, State as a string, addresses as strings and Vnet as a boolean' {
        $web = $back | Where-Object Name -EQ 'web'
        $web.Jid | Should -BeOfType [int]
        $web.Jid | Should -Be ($live | Where-Object Name -EQ 'web').Jid
        $web.State | Should -BeOfType [string]
        $web.State | Should -Be 'Running'
        @($web.IPv4Address) | Should -Be @('192.0.2.10', '192.0.2.11')
        foreach ($a in $web.IPv4Address) { $a | Should -BeOfType [string] }
        $web.Vnet | Should -BeOfType [bool]
        $web.Vnet | Should -BeFalse
        ($back | Where-Object Name -EQ 'lab').Vnet | Should -BeTrue
        $web.ConfigPath | Should -Be '/etc/jail.conf.d/web.conf'
        $web.ComputerName | Should -Be 'bsd1.example.org'
    }

    It 'keep a stopped jail without a Jid' {
        $cold = $back | Where-Object Name -EQ 'cold'
        $cold.State | Should -Be 'Stopped'
        $cold.Jid | Should -BeNullOrEmpty
        @($cold.IPv4Address) | Should -Be @('192.0.2.30')
    }

    It 'keep every effective parameter' {
        $webLive = $live | Where-Object Name -EQ 'web'
        $web = $back | Where-Object Name -EQ 'web'
        @($web.Parameters.Keys | Sort-Object) | Should -Be @($webLive.Parameters.Keys | Sort-Object)
        $web.Parameters['host.hostname'] | Should -Be 'web.example.org'
        $web.Parameters['path'] | Should -Be '/jails/web'
    }

    It 'display with the same table view as the live objects' {
        $text = $back | Out-String -Width 200
        $text | Should -Match 'JID\s+Name\s+State\s+HostName\s+IPv4\s+Path'
        $text | Should -Not -Match 'ComputerName' -Because 'the default formatter would list every property'
        $text | Should -Be ($live | Out-String -Width 200)
    }

    It 'display with the same list view as the live objects, addresses and config path included' {
        $web = $back | Where-Object Name -EQ 'web'
        $text = $web | Format-List | Out-String -Width 200
        $text | Should -Match 'IPv4Address\s*: 192\.0\.2\.10, 192\.0\.2\.11'
        $text | Should -Match 'ConfigPath\s*: /etc/jail\.conf\.d/web\.conf'
        $text | Should -Match 'Vnet\s*: False'
        $text | Should -Be ($live | Where-Object Name -EQ 'web' | Format-List | Out-String -Width 200)
    }

    It 'pipe into Stop-Jail by property name and stop the running jails with the exact jail(8) command' {
        $before = @(Get-JailSimulatorLog).Count
        $back | Where-Object { $_.State -eq 'Running' -and $_.Name -ne 'lab' } | Stop-Jail
        $jail = Get-NewLogEntry $before | Where-Object FileName -EQ '/usr/sbin/jail'
        @($jail | ForEach-Object { $_.Arguments -join ' ' }) | Should -Be @('-q -f /etc/jail.conf.d/db.conf -r db', '-q -f /etc/jail.conf.d/web.conf -r web')
        (Get-Jail -Name web).State | Should -Be 'Stopped'
        (Get-Jail -Name db).State | Should -Be 'Stopped'
        (Get-Jail -Name lab).State | Should -Be 'Running'
    }

    It 'pipe into Start-Jail by property name and start the stopped jails' {
        $stopped = ConvertTo-Deserialized @(Get-Jail -State Stopped)
        $before = @(Get-JailSimulatorLog).Count
        $started = @($stopped | Where-Object Name -In 'web', 'cold' | Start-Jail -PassThru)
        @($started | ForEach-Object Name | Sort-Object) | Should -Be @('cold', 'web')
        foreach ($s in $started) { $s.State | Should -Be 'Running'; $s.Jid | Should -BeGreaterThan 0 }
        $jail = Get-NewLogEntry $before | Where-Object FileName -EQ '/usr/sbin/jail'
        @($jail | ForEach-Object { $_.Arguments -join ' ' } | Sort-Object) | Should -Be @('-i -f /etc/jail.conf.d/cold.conf -c cold', '-i -f /etc/jail.conf.d/web.conf -c web')
    }

    It 'run nothing with -WhatIf, even when deserialized' {
        $running = ConvertTo-Deserialized @(Get-Jail -State Running)
        $before = @(Get-JailSimulatorLog).Count
        $running | Stop-Jail -WhatIf
        @(Get-NewLogEntry $before | Where-Object FileName -EQ '/usr/sbin/jail') | Should -BeNullOrEmpty
        @(Get-Jail -State Running).Count | Should -Be @($running).Count
    }
}

Describe 'Other output types after Export-Clixml and Import-Clixml' {
    It 'display the simulator log with its table view' {
        $null = Get-Jail
        $back = ConvertTo-Deserialized @(Get-JailSimulatorLog -Last 1)
        $back.pstypenames[0] | Should -Be 'Deserialized.JailsModule.Simulation.SimLogEntry'
        @($back.Arguments) | Should -Be @('--libxo', 'json', '-d', 'jid', 'name', 'dying', 'path', 'host.hostname', 'vnet', 'ip4.addr', 'ip6.addr') # named parameters, not -n (jls.c, reference §17.4)
        $back.ExitCode | Should -BeOfType [int]
        $text = $back | Out-String -Width 200
        $text | Should -Match 'Time\s+Exit\s+Note\s+CommandLine'
        $text | Should -Match '/usr/sbin/jls --libxo json -d jid name'
    }

    It 'display faults with their table view and still bind to Clear-JailSimulatorFault by Id' {
        $f = Set-JailSimulatorFault -Command 'zfs clone *' -Occurrence 2 -ExitCode 2
        $back = ConvertTo-Deserialized $f
        $text = $back | Out-String -Width 200
        $text | Should -Match 'Id\s+Occurrence\s+Count\s+ExitCode\s+Seen\s+Fired\s+Pattern'
        $text | Should -Match ([regex]::Escape($f.Id) + '\s+2\s+1\s+2\s+0\s+0\s+zfs clone \*')
        $back | Clear-JailSimulatorFault
        @(Get-JailSimulatorFault | Where-Object Id -EQ $f.Id) | Should -BeNullOrEmpty
    }

    It 'display the host connection with its table view' {
        $back = ConvertTo-Deserialized (Get-JailHost)
        $back.Kind | Should -Be 'Simulator'
        $back | Out-String -Width 200 | Should -Match 'ComputerName\s+Kind\s+Path'
    }
}
