BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    # The simulator keeps its FreeBSD file tree under fs/.
    function script:HostFile([string] $p) { Join-Path (Join-Path $script:sim 'fs') $p.TrimStart('/') }
    function script:ReadHost([string] $p) { [IO.File]::ReadAllText((HostFile $p)) }
    function script:WriteHost([string] $p, [string] $text) {
        $f = HostFile $p
        New-Item -ItemType Directory -Force -Path (Split-Path $f) | Out-Null
        [IO.File]::WriteAllText($f, $text)
    }
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Set-JailConfig -New and Get-JailConfig' {
    It 'creates /etc/jail.conf.d/NAME.conf in house style with mode 0644' {
        Set-JailConfig -Name web -New -Parameter ([ordered]@{
                'host.hostname' = 'web.example.org'
                'path'          = '/usr/local/jails/containers/web'
                'persist'       = $true
            })
        ReadHost '/etc/jail.conf.d/web.conf' | Should -BeExactly "web {`n`thost.hostname = web.example.org;`n`tpath = /usr/local/jails/containers/web;`n`tpersist;`n}`n"
        if (-not $IsWindows) {
            ([IO.File]::GetUnixFileMode((HostFile '/etc/jail.conf.d/web.conf'))) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
        }
    }
    It 'reads it back with parameters and sources' {
        $c = Get-JailConfig -Name web
        $c.Name | Should -Be 'web'
        $c.Path | Should -Be '/etc/jail.conf.d/web.conf'
        $c.Line | Should -Be 1
        $c.Parameters['host.hostname'] | Should -Be 'web.example.org'
        $c.Parameters['persist'] | Should -BeTrue
        $c.Sources['path'] | Should -Be '/etc/jail.conf.d/web.conf:3'
        $c.ComputerName | Should -Be 'bsd1.example.org'
    }
    It 'renders jail -e output' {
        Get-JailConfig -Path /etc/jail.conf.d/web.conf -AsJailE '|' |
            Should -BeExactly "name=web|host.hostname=web.example.org|path=/usr/local/jails/containers/web|persist`n"
    }
    It 'shows the configured jail in Get-Jail as Stopped with its parameters' {
        $j = Get-Jail -Name web
        $j.State | Should -Be 'Stopped'
        $j.HostName | Should -Be 'web.example.org'
        $j.Path | Should -Be '/usr/local/jails/containers/web'
        $j.ConfigPath | Should -Be '/etc/jail.conf.d/web.conf'
    }
    It 'takes Get-Jail objects from the pipeline' {
        $c = Get-Jail -Name web | Get-JailConfig
        $c.Name | Should -Be 'web'
        $c.ConfigFile | Should -Be '/etc/jail.conf.d/web.conf'
    }
    It 'refuses -New for a jail that exists' {
        Set-JailConfig -Name web -New -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailConfigExists,*'
    }
    It 'refuses -New in another file for a jail defined elsewhere' {
        Set-JailConfig -Name web -New -Path /etc/jail.other.conf -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailConfigExists,*'
        Test-Path (HostFile '/etc/jail.other.conf') | Should -BeFalse
    }
    It 'pipes Get-JailConfig objects into Set-JailConfig' {
        Get-JailConfig -Name web | Set-JailConfig -Parameter @{ 'allow.raw_sockets' = $true }
        (Get-JailConfig -Name web).Parameters['allow.raw_sockets'] | Should -BeTrue
    }
}

Describe 'Editing a hand-written file' {
    BeforeEach {
        $script:orig = "# managed by hand`n`n/* globals */`nexec.start = `"/bin/sh /etc/rc`";`nexec.stop = `"/bin/sh /etc/rc.shutdown`";`n`ndb {`n    # the database`n    host.hostname = 'db.local';   // quoted on purpose`n    ip4.addr = 10.0.0.5;`n    allow.nomount;`n}`n`nmail { persist; }`n"
        WriteHost '/etc/jail.conf' $script:orig
    }
    It 'changes only the line concerned' {
        Set-JailConfig -Name db -Parameter @{ 'host.hostname' = 'db.example.org' }
        ReadHost '/etc/jail.conf' | Should -BeExactly ($script:orig.Replace("host.hostname = 'db.local';", 'host.hostname = db.example.org;'))
    }
    It 'appends to a list with +=' {
        Set-JailConfig -Name db -Append @{ 'ip4.addr' = '10.0.0.6' }
        ReadHost '/etc/jail.conf' | Should -BeExactly ($script:orig.Replace("ip4.addr = 10.0.0.5;`n", "ip4.addr = 10.0.0.5;`n    ip4.addr += 10.0.0.6;`n"))
        (Get-JailConfig -Name db).Parameters['ip4.addr'] | Should -Be @('10.0.0.5', '10.0.0.6')
    }
    It 'removes a parameter and its no-form' {
        Set-JailConfig -Name db -Remove 'allow.mount'
        ReadHost '/etc/jail.conf' | Should -BeExactly ($script:orig.Replace("    allow.nomount;`n", ''))
    }
    It 'edits a one-line block in place' {
        # -Literal: the $name stays text (single quotes); without it jail(8) would expand it (issue 10 item 16).
        Set-JailConfig -Name mail -Parameter @{ path = '/jails/$name' } -Literal -WarningAction SilentlyContinue
        ReadHost '/etc/jail.conf' | Should -BeExactly ($script:orig.Replace('mail { persist; }', "mail { persist; path = '/jails/`$name'; }"))
        Get-JailConfig -Path /etc/jail.conf -AsJailE ' ' | Should -BeExactly ("name=db exec.start=`"/bin/sh /etc/rc`" exec.stop=`"/bin/sh /etc/rc.shutdown`" host.hostname=db.local ip4.addr=10.0.0.5 allow.nomount`n" +
            "name=mail exec.start=`"/bin/sh /etc/rc`" exec.stop=`"/bin/sh /etc/rc.shutdown`" persist path=/jails/`$name`n")
    }
    It 'removes a whole block with -RemoveJail -Force' {
        Set-JailConfig -Name mail -RemoveJail -Force
        ReadHost '/etc/jail.conf' | Should -BeExactly ($script:orig.Replace("`nmail { persist; }`n", ''))
    }
    It 'keeps the file mode on edit' {
        [IO.File]::SetUnixFileMode((HostFile '/etc/jail.conf'), [IO.UnixFileMode]'UserRead, UserWrite')
        Set-JailConfig -Name db -Parameter @{ persist = $true }
        [IO.File]::GetUnixFileMode((HostFile '/etc/jail.conf')) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
    }
    It '-WhatIf writes nothing' {
        Set-JailConfig -Name db -Parameter @{ securelevel = 3 } -WhatIf
        ReadHost '/etc/jail.conf' | Should -BeExactly $script:orig
    }
    It 'a value the catalogue refuses writes nothing' {
        Set-JailConfig -Name db -Parameter @{ 'ip4.addr' = '10.0.0.300' } -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidJailParameter,*'
        ReadHost '/etc/jail.conf' | Should -BeExactly $script:orig
    }
    It 'an edit that a wildcard overrides writes nothing (JailConfigInvalid)' {
        WriteHost '/etc/jail.conf' ($script:orig + "`"*`" { securelevel = 1; }`n")
        Set-JailConfig -Name db -Parameter @{ securelevel = 3 } -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailConfigInvalid,*'
        ReadHost '/etc/jail.conf' | Should -BeExactly ($script:orig + "`"*`" { securelevel = 1; }`n")
    }
    It 'an unparsable file is left alone (JailConfigInvalid)' {
        WriteHost '/etc/jail.conf' "db { x = `"a`" 'b'; }`n"
        Set-JailConfig -Name db -Parameter @{ persist = $true } -Path /etc/jail.conf -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailConfigInvalid,*'
        $err[0].Exception.Message | Should -BeLike "*/etc/jail.conf line 1: 'b': syntax error*"
        ReadHost '/etc/jail.conf' | Should -BeExactly "db { x = `"a`" 'b'; }`n"
    }
    It 'warns on an unknown parameter and still writes it' {
        Set-JailConfig -Name db -Parameter @{ 'allow.future_thing' = $true } -WarningVariable w -WarningAction SilentlyContinue
        $w[0] | Should -BeLike "*Unknown jail parameter 'allow.future_thing'*"
        (Get-JailConfig -Name db).Parameters['allow.future_thing'] | Should -BeTrue
    }
    It 'warns when depend names a jail its file does not define, not when the file defines it' {
        WriteHost '/etc/jail.conf.d/front.conf' "front {`n`tpath = /jails/front;`n}`n"
        Set-JailConfig -Name front -Parameter @{ depend = 'back' } -WarningVariable w -WarningAction SilentlyContinue
        @($w | Where-Object { "$_" -like '*depends on*' }) | Should -HaveCount 1
        "$($w[0])" | Should -BeLike "*'jail -f /etc/jail.conf.d/front.conf -c front'*depends on undefined jail `"back`"*"
        (Get-JailConfig -Name front).Parameters['depend'] | Should -Be 'back'
        WriteHost '/etc/jail.conf.d/pair.conf' "one {`n`tpath = /jails/one;`n}`ntwo {`n`tpath = /jails/two;`n}`n"
        Set-JailConfig -Name two -Parameter @{ depend = 'one' } -WarningVariable w2 -WarningAction SilentlyContinue
        @($w2 | Where-Object { "$_" -like '*depends on*' }) | Should -HaveCount 0
    }
    It 'Get-JailConfig reports syntax errors the way jail(8) does' {
        WriteHost '/etc/jail.conf' "a {`n  path = /a//b;`n}`n"
        Get-JailConfig -Path /etc/jail.conf -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailConfigSyntaxError,*'
        $err[0].Exception.Message | Should -Be 'jail: /etc/jail.conf line 3: }: syntax error'
    }
}
