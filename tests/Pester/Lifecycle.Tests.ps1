BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-lifecycle-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:fs = Join-Path (Get-JailHost).Path 'fs'

    # A jail defined the FreeBSD way: /etc/jail.conf.d/NAME.conf, with its root folder under fs/.
    function script:New-ConfJail([string] $Name, [string] $Body, [switch] $Userland) {
        $root = Join-Path $script:fs "jails/$Name"
        New-Item -ItemType Directory -Force -Path $root | Out-Null
        if ($Userland) {
            [JailsModule.Simulation.SimSeed]::InstallUserland([JailsModule.Simulation.SimFileSystem]::new($script:fs), "/jails/$Name", $null)
        }
        $conf = Join-Path $script:fs "etc/jail.conf.d/$Name.conf"
        Set-Content -Path $conf -Value "$Name {`n    path = `"/jails/$Name`";`n    persist;`n$Body}`n" -NoNewline
    }
    function script:LogCount { @(Get-JailSimulatorLog).Count }
    function script:NewLog([int] $Since) { @(Get-JailSimulatorLog | Select-Object -Skip $Since) }

    New-ConfJail web "    host.hostname = `"web.example.org`";`n    ip4.addr = 192.0.2.10;`n" -Userland
    New-ConfJail db "    vnet;`n"
    New-ConfJail mail "    vnet;`n"
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Starting and stopping configured jails' {
    BeforeEach {
        Get-Jail | Where-Object State -eq 'Running' | Stop-Jail
        Clear-JailSimulatorFault
    }

    It 'starts jails with the rc.d/jail command line and lists them as running' {
        $before = LogCount
        Start-Jail web, db, mail
        (Get-Jail | Where-Object State -eq 'Running').Name | Sort-Object | Should -Be @('db', 'mail', 'web')
        $lines = NewLog $before | ForEach-Object ToString
        $lines | Should -Contain '/usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web'
        $lines | Should -Contain '/usr/sbin/jail -i -f /etc/jail.conf.d/db.conf -c db'
    }

    It 'keeps rc.d/jail''s /var/run/jail_NAME.id: written with the jid at start, removed at stop' {
        $idFile = Join-Path $script:fs 'var/run/jail_web.id'
        Start-Jail web
        $jid = (Get-Jail web).Jid
        (Get-Content $idFile -Raw) | Should -Be "$jid`n"
        Stop-Jail web
        Test-Path $idFile | Should -BeFalse
    }

    It 'Get-Jail | Where-Object Vnet | Stop-Jail stops exactly the vnet jails' {
        Start-Jail web, db, mail
        $before = LogCount
        Get-Jail | Where-Object Vnet | Stop-Jail
        $state = @{}
        Get-Jail | ForEach-Object { $state[$_.Name] = $_.State }
        $state['db'] | Should -Be 'Stopped'
        $state['mail'] | Should -Be 'Stopped'
        $state['web'] | Should -Be 'Running'
        $removes = NewLog $before | Where-Object { $_.FileName -eq '/usr/sbin/jail' } | ForEach-Object ToString
        $removes | Should -Be @('/usr/sbin/jail -q -f /etc/jail.conf.d/db.conf -r db', '/usr/sbin/jail -q -f /etc/jail.conf.d/mail.conf -r mail')
    }

    It '-WhatIf changes nothing and shows the native command line' {
        Start-Jail web
        $stateBefore = Get-Content (Join-Path (Get-JailHost).Path 'state.json') -Raw
        $transcript = Join-Path $script:sim 'whatif.txt'
        Start-Transcript -Path $transcript -Force | Out-Null
        Stop-Jail web -WhatIf
        Stop-Transcript | Out-Null
        $before = LogCount
        Stop-Jail web -WhatIf
        # only the inventory read (jls) ran, no jail(8)
        NewLog $before | ForEach-Object FileName | Should -Not -Contain '/usr/sbin/jail'
        (Get-Content (Join-Path (Get-JailHost).Path 'state.json') -Raw) | Should -Be $stateBefore
        (Get-Content $transcript -Raw) | Should -Match ([regex]::Escape('/usr/sbin/jail -q -f /etc/jail.conf.d/web.conf -r web'))
        (Get-Jail web).State | Should -Be 'Running'
    }

    It 'reports an unknown name as JailNotFound and still stops the others' {
        Start-Jail web
        Stop-Jail nope, web -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailNotFound,*'
        $err[0].TargetObject | Should -Be 'nope'
        (Get-Jail web).State | Should -Be 'Stopped'
    }

    It 'surfaces a fault injected into jail -c with the tool''s stderr' {
        Set-JailSimulatorFault 'jail *-c*' -StandardError 'jail: boom' | Out-Null
        Start-Jail web -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailStartFailed,*'
        $err[0].ToString() | Should -Match 'jail: boom'
        $err[0].Exception.Result.StandardError | Should -Be "jail: boom`n"
        (Get-Jail web).State | Should -Be 'Stopped'
    }

    It 'a -Delay fault hangs the command first: with -ThenRun it then runs, without it fails' {
        Stop-Jail web -ErrorAction SilentlyContinue
        Set-JailSimulatorFault 'jail *-c web' -Delay 400 -ThenRun | Out-Null
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Start-Jail web
        $sw.ElapsedMilliseconds | Should -BeGreaterOrEqual 400
        (Get-Jail web).State | Should -Be 'Running'
        $entry = Get-JailSimulatorLog -Last 5 | Where-Object { "$_" -like '*jail * -c web' } | Select-Object -Last 1
        $entry.ExitCode | Should -Be 0
        $entry.Note | Should -BeLike 'delayed 400 ms by fault *'
        Stop-Jail web
        Set-JailSimulatorFault 'jail *-c web' -Delay 200 -StandardError 'jail: web: timed out' | Out-Null
        Start-Jail web -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].ToString() | Should -Match 'jail: web: timed out'
        (Get-Jail web).State | Should -Be 'Stopped'
        Set-JailSimulatorFault 'jail *' -ThenRun -ErrorVariable bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'ThenRunWithoutDelay,*'
        @(Get-JailSimulatorFault) | Should -HaveCount 0
    }

    It 'reports a real jail(8) failure with its message' {
        Set-Content -Path (Join-Path $script:fs 'etc/jail.conf.d/broken.conf') -Value "broken { path = /jails/nowhere; persist; }`n"
        try {
            Start-Jail broken -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'JailStartFailed,*'
            $err[0].ToString() | Should -Match ([regex]::Escape('jail: broken: path /jails/nowhere: No such file or directory'))
        }
        finally { Remove-Item (Join-Path $script:fs 'etc/jail.conf.d/broken.conf') }
    }

    It 'restarts a running jail with a new jid' {
        Start-Jail web
        $jid = (Get-Jail web).Jid
        $j = Restart-Jail web -PassThru
        $j.State | Should -Be 'Running'
        $j.Jid | Should -BeGreaterThan $jid
    }

    It 'rejects bad names before any command runs' {
        $before = LogCount
        Start-Jail 'bad name', '-x', 'a..b' -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 3
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'InvalidJailName,*' }
        $err[0].Exception.Message | Should -Match 'bad name'
        LogCount | Should -Be $before
    }
}

Describe 'Invoke-JailCommand' {
    BeforeAll { Start-Jail web -ErrorAction SilentlyContinue }

    It 'writes the program''s output lines' {
        Invoke-JailCommand web hostname | Should -Be 'web.example.org'
        Invoke-JailCommand web -- /bin/sh -c 'echo one; echo two' | Should -Be @('one', 'two')
        $log = @(Get-JailSimulatorLog)[-1]
        $log.Arguments | Should -Be @('web', '/bin/sh', '-c', 'echo one; echo two')
    }

    It 'takes jails from the pipeline and passes -CleanEnvironment as jexec -l' {
        Get-Jail web | Invoke-JailCommand -Command pwd -CleanEnvironment | Should -Be '/root'
        @(Get-JailSimulatorLog)[-1].Arguments | Should -Be @('-l', 'web', 'pwd')
        $out = Get-Jail web | Invoke-JailCommand -Command hostname -PassThru
        $out[0] | Should -Be 'web.example.org'
        $out[1].Name | Should -Be 'web'
    }

    It 'runs as a user of the jail with -User' {
        Invoke-JailCommand web -User www -Command id, -un | Should -Be 'www'
        @(Get-JailSimulatorLog)[-1].Arguments | Should -Be @('-U', 'www', 'web', 'id', '-un')
    }

    It 'turns a non-zero exit into JailCommandFailed with the exit code and stderr' {
        $out = Invoke-JailCommand web -ErrorVariable err -ErrorAction SilentlyContinue -- /bin/sh -c 'echo partial; echo oops >&2; exit 3'
        $out | Should -Be 'partial'
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailCommandFailed,*'
        $err[0].Exception.Data['ExitCode'] | Should -Be 3
        $err[0].Exception.Result.ExitCode | Should -Be 3
        $err[0].Exception.Result.StandardError | Should -Be "oops`n"
        $err[0].ToString() | Should -Match 'exited with 3: oops'
    }

    It 'reports a program missing from the jail with jexec''s message' {
        Invoke-JailCommand web nonexistent-program -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].ToString() | Should -Match ([regex]::Escape('jexec: execvp: nonexistent-program: No such file or directory'))
    }

    It 'refuses a stopped jail and bad user names before running anything' {
        $before = LogCount
        $thrown = $null
        try { Invoke-JailCommand web -User '-rf' -Command id -ErrorAction Stop } catch { $thrown = $_ }
        $thrown.FullyQualifiedErrorId | Should -BeLike 'InvalidUserName,*'
        $thrown.Exception.Message | Should -Match "'-rf'"
        LogCount | Should -Be $before
        Invoke-JailCommand db -Command id -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'JailNotRunning,*'
    }

    It 'shows the jexec command line with -WhatIf and runs nothing' {
        $before = LogCount
        Invoke-JailCommand web -Command hostname -WhatIf
        NewLog $before | ForEach-Object FileName | Should -Not -Contain '/usr/sbin/jexec'
    }
}

Describe 'Test-JailHost' {
    It 'reports the simulated host''s capabilities with five commands' {
        $before = LogCount
        $c = Test-JailHost
        $c | Should -BeOfType ([JailsModule.Model.JailHostCapabilities])
        $c.KernelVersion | Should -Be '14.3-RELEASE'
        $c.InstalledKernelVersion | Should -Be '14.3-RELEASE'
        $c.UserlandVersion | Should -Be '14.3-RELEASE'
        $c.Architecture | Should -Be 'amd64'
        $c.Vimage | Should -BeTrue
        $c.Racct | Should -BeFalse
        $c.IsRoot | Should -BeTrue
        $c.LoadedModules | Should -Contain 'zfs.ko'
        $c.SupportedParameters | Should -Contain 'allow.mount.zfs'
        $c.SupportedParameters | Should -Contain 'vnet'
        $c.Problems | Should -HaveCount 1
        $c.Problems[0] | Should -Match 'kern.racct.enable'
        # sysctl twice: values, then -N for the parameter names (the value form hides ip4.addr/ip6.addr, sysctl.c)
        (NewLog $before).FileName | Should -Be @('/bin/freebsd-version', '/sbin/sysctl', '/sbin/sysctl', '/usr/bin/id', '/sbin/kldstat', '/sbin/ifconfig')
        $c.SupportedParameters | Should -Contain 'ip4.addr'
    }

    It 'shows a one-line table' {
        $text = Test-JailHost | Out-String -Width 200
        $text | Should -Match 'ComputerName\s+KernelVersion\s+Arch\s+Vimage\s+Racct\s+IsRoot\s+Problems'
        $text | Should -Match 'bsd1\.example\.org\s+14\.3-RELEASE\s+amd64\s+True\s+False\s+True\s+1'
    }

    It 'sees a non-root caller and a kernel without VIMAGE' {
        $state = Join-Path (Get-JailHost).Path 'state.json'
        $saved = Get-Content $state -Raw
        try {
            $j = $saved | ConvertFrom-Json -AsHashtable
            $j.Uid = 1001
            $j.Sysctls.Remove('kern.features.vimage')
            $j | ConvertTo-Json -Depth 20 | Set-Content $state
            $c = Test-JailHost
            $c.IsRoot | Should -BeFalse
            $c.Vimage | Should -BeFalse
            $c.SupportedParameters | Should -Not -Contain 'vnet'
            $c.Problems | Should -Contain 'Not running as root: creating, changing and removing jails needs uid 0.'
            ($c.Problems -join "`n") | Should -Match 'no VIMAGE'
        }
        finally { Set-Content $state $saved -NoNewline }
    }
}

Describe 'Enter-Jail' {
    It 'refuses unknown and stopped jails' {
        Enter-Jail nope -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailNotFound,*'
        Stop-Jail mail -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        Enter-Jail mail -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'JailNotRunning,*'
    }
}

Describe 'Config files chosen by rc.conf, as rc.d/jail chooses them' {
    BeforeAll {
        $script:rcConf = Join-Path $script:fs 'etc/rc.conf'
        $script:rcSaved = Get-Content $script:rcConf -Raw
        New-Item -ItemType Directory -Force -Path (Join-Path $script:fs 'usr/local/etc/jails'), (Join-Path $script:fs 'jails/legacy'), (Join-Path $script:fs 'jails/side') | Out-Null
        # $jail_conf moved to /usr/local/etc/jail.conf, and one jail kept in a file of its own.
        Set-Content (Join-Path $script:fs 'usr/local/etc/jail.conf') "legacy {`n    path = /jails/legacy;`n    persist;`n}`n" -NoNewline
        Set-Content (Join-Path $script:fs 'usr/local/etc/jails/side-car.conf') "side-car {`n    path = /jails/side;`n    persist;`n}`n" -NoNewline
        Add-Content $script:rcConf "jail_conf=`"/usr/local/etc/jail.conf`"`njail_side_car_conf=`"/usr/local/etc/jails/side-car.conf`"" -NoNewline:$false
    }
    AfterAll {
        Get-Jail legacy, side-car -ErrorAction SilentlyContinue | Where-Object State -eq 'Running' | Stop-Jail
        Set-Content $script:rcConf $script:rcSaved -NoNewline
    }
    It 'lists jails from $jail_conf and from jail_NAME_conf files with those files as ConfigPath' {
        $j = @(Get-Jail legacy, side-car)
        $j.Name | Should -Be @('legacy', 'side-car')
        ($j | Where-Object Name -eq 'legacy').ConfigPath | Should -Be '/usr/local/etc/jail.conf'
        ($j | Where-Object Name -eq 'side-car').ConfigPath | Should -Be '/usr/local/etc/jails/side-car.conf'
        (Get-JailConfig -Name side-car).ConfigFile | Should -Be '/usr/local/etc/jails/side-car.conf'
    }
    It 'starts and stops them with the file service jail uses, and service jail onestop/onestart sees what the module did' {
        $before = LogCount
        Start-Jail legacy, side-car
        $lines = NewLog $before | ForEach-Object ToString
        $lines | Should -Contain '/usr/sbin/jail -i -f /usr/local/etc/jail.conf -c legacy'
        $lines | Should -Contain '/usr/sbin/jail -i -f /usr/local/etc/jails/side-car.conf -c side-car'
        (Get-Jail side-car).State | Should -Be 'Running'
        $h = [JailsModule.Services.JailHostManager]::GetSimulator((Get-JailHost).Path)
        $stop = $h.RunAsync([JailsModule.Host.ProcessRequest]::new('/usr/sbin/service', [string[]]@('jail', 'onestop', 'side-car')), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $stop.ExitCode | Should -Be 0
        (Get-Jail side-car).State | Should -Be 'Stopped'
        $start = $h.RunAsync([JailsModule.Host.ProcessRequest]::new('/usr/sbin/service', [string[]]@('jail', 'onestart', 'side-car')), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $start.ExitCode | Should -Be 0
        (Get-Jail side-car).State | Should -Be 'Running'
        $before = LogCount
        Stop-Jail side-car
        NewLog $before | ForEach-Object ToString | Should -Contain '/usr/sbin/jail -q -f /usr/local/etc/jails/side-car.conf -r side-car'
    }
}

Describe 'Jails that depend on the one being stopped (one shared file)' {
    BeforeAll {
        New-Item -ItemType Directory -Force -Path (Join-Path $script:fs 'jails/db2'), (Join-Path $script:fs 'jails/app2'), (Join-Path $script:fs 'jails/web2') | Out-Null
        Set-Content (Join-Path $script:fs 'etc/jail.conf') "persist;`ndb2 { path = /jails/db2; }`napp2 { path = /jails/app2; depend = db2; }`nweb2 { path = /jails/web2; depend = app2; }`n" -NoNewline
    }
    AfterAll {
        Get-Jail db2, app2, web2 -ErrorAction SilentlyContinue | Where-Object State -eq 'Running' | Stop-Jail -WarningAction SilentlyContinue
        Remove-Item (Join-Path $script:fs 'etc/jail.conf')
    }
    It 'Stop-Jail says jail(8) stops the dependents first, under -WhatIf and after the fact' {
        Start-Jail web2
        (Get-Jail db2, app2, web2).State | Should -Be @('Running', 'Running', 'Running')
        $transcript = Join-Path $script:sim 'dep-whatif.txt'
        Start-Transcript -Path $transcript -Force | Out-Null
        Stop-Jail db2 -WhatIf
        Stop-Transcript | Out-Null
        (Get-Content $transcript -Raw) | Should -Match ([regex]::Escape("/usr/sbin/jail -q -f /etc/jail.conf -r db2 (jail(8) stops app2, web2 first: they depend on 'db2' in /etc/jail.conf)"))
        Stop-Jail db2 -WarningVariable w -WarningAction SilentlyContinue
        "$($w[0])" | Should -Be "Stopped 'db2' and, before it, app2, web2: jail(8) stops the running jails of /etc/jail.conf that depend on it."
        (Get-Jail db2, app2, web2).State | Should -Be @('Stopped', 'Stopped', 'Stopped')
    }
    It 'Restart-Jail warns that the dependents stay stopped' {
        Start-Jail web2
        Restart-Jail app2 -WarningVariable w -WarningAction SilentlyContinue
        "$($w[0])" | Should -BeLike "Stopping 'app2' also stopped web2 *start them again with Start-Jail."
        (Get-Jail db2, app2, web2).State | Should -Be @('Running', 'Running', 'Stopped')
        Stop-Jail web2 -WarningVariable w2 -WarningAction SilentlyContinue
        @($w2) | Should -HaveCount 1 -Because 'web2 is not running any more: only the not-running warning'
    }
}
