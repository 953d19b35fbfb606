# Changes from several PROCESSES at once on one simulated host: every change is a plan under the
# host lock, built from the host's state read again inside the lock (issue 9, deliverable 2).
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-conc-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:host_ = [JailsModule.Services.JailHostManager]::GetSimulator($script:sim)
    $script:fs = Join-Path $script:sim 'fs'
    New-Item -ItemType Directory -Force -Path (Join-Path $script:fs 'jails/web') | Out-Null
    Set-Content -Path (Join-Path $script:fs 'etc/jail.conf.d/web.conf') -NoNewline -Value "# the web jail`nweb {`n    path = `"/jails/web`";`n    persist;`n}`n"

    # A pwsh process connected to the same simulator folder; it waits for $Go to exist, then runs $Command.
    function script:Start-ChildPwsh([string] $Tag, [string] $Go, [string] $Command) {
        $exe = [Environment]::ProcessPath
        $argv = @()
        if ((Split-Path $exe -Leaf) -match '^dotnet(\.exe)?$') { $argv += Join-Path $PSHOME 'pwsh.dll' }
        $script = "Import-Module '$env:JAILSMODULE_TEST_MODULE'; Connect-JailHost -Simulator -Path '$script:sim'; " +
                  "while (-not (Test-Path '$Go')) { Start-Sleep -Milliseconds 10 }; $Command"
        $argv += '-NoProfile', '-NonInteractive', '-Command', $script
        Start-Process -FilePath $exe -ArgumentList $argv -PassThru -RedirectStandardOutput (Join-Path $script:sim "$Tag.out") -RedirectStandardError (Join-Path $script:sim "$Tag.err")
    }
    function script:Wait-Children($children, [string[]] $tags) {
        $children | ForEach-Object { $_.WaitForExit(300000) | Should -BeTrue }
        foreach ($t in $tags) { Get-Content (Join-Path $script:sim "$t.out") -Raw | ConvertFrom-Json }
    }
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Concurrent changes from several processes' {
    It '10 processes editing one file at once (-Append and -Parameter): every edit survives' {
        $go = Join-Path $script:sim 'go-edit'
        $report = "[pscustomobject]@{ Errors = @(`$e | ForEach-Object { `$_.FullyQualifiedErrorId }) } | ConvertTo-Json -Compress"
        $addresses = 1..6 | ForEach-Object { "192.0.2.$(10 + $_)" }
        $flags = 'allow.raw_sockets', 'allow.chflags', 'allow.sysvipc', 'allow.mount'
        $children = @()
        $tags = @()
        foreach ($a in $addresses) {
            $tags += "edit-$a"
            $children += Start-ChildPwsh "edit-$a" $go "Set-JailConfig web -Append @{ 'ip4.addr' = '$a' } -ErrorAction SilentlyContinue -ErrorVariable e; $report"
        }
        foreach ($f in $flags) {
            $tags += "edit-$f"
            $children += Start-ChildPwsh "edit-$f" $go "Set-JailConfig web -Parameter @{ '$f' = `$true } -ErrorAction SilentlyContinue -ErrorVariable e; $report"
        }
        Start-Sleep -Seconds 1
        New-Item -ItemType File -Path $go | Out-Null
        $results = Wait-Children $children $tags
        @($results) | Should -HaveCount 10 -Because 'every process reports'
        @($results | Where-Object { $_.Errors.Count -gt 0 }) | Should -HaveCount 0
        $c = Get-JailConfig web
        @($c.Parameters['ip4.addr'] | Sort-Object) | Should -Be @($addresses | Sort-Object)
        foreach ($f in $flags) { $c.Parameters[$f] | Should -BeTrue -Because "the edit setting $f must survive" }
        (Get-Content (Join-Path $script:fs 'etc/jail.conf.d/web.conf') -Raw) | Should -BeLike '# the web jail*' -Because 'the comment stays'
        @([JailsModule.Plans.HostLock]::Held($script:host_)) | Should -HaveCount 0
    }

    It '8 processes starting one jail at once run exactly one jail -c; the others report it running' {
        $before = @(Get-JailSimulatorLog).Count
        # The first jail -c is slow, so the others pass their first look, then queue on the lock.
        Set-JailSimulatorFault 'jail *-c web' -Delay 2000 -ThenRun | Out-Null
        $go = Join-Path $script:sim 'go-start'
        # (no double quotes: Start-Process passes the command line through argv quoting)
        $report = "[pscustomobject]@{ Errors = @(`$e | ForEach-Object { `$_.FullyQualifiedErrorId }); Running = @(`$w | Where-Object { `$_.Message -like 'Jail ?web? is already running*' }).Count } | ConvertTo-Json -Compress"
        $tags = 1..8 | ForEach-Object { "start$_" }
        $children = foreach ($t in $tags) { Start-ChildPwsh $t $go "Start-Jail web -ErrorAction SilentlyContinue -ErrorVariable e -WarningAction SilentlyContinue -WarningVariable w; $report" }
        Start-Sleep -Seconds 1
        New-Item -ItemType File -Path $go | Out-Null
        $results = Wait-Children $children $tags
        @($results) | Should -HaveCount 8 -Because 'every process reports'
        @($results | Where-Object { $_.Errors.Count -gt 0 }) | Should -HaveCount 0
        $starts = @(Get-JailSimulatorLog | Select-Object -Skip $before | Where-Object { "$_" -like '/usr/sbin/jail * -c web' })
        $starts | Should -HaveCount 1
        ($results | Measure-Object Running -Sum).Sum | Should -Be 7
        (Get-Jail web).State | Should -Be 'Running'
        @([JailsModule.Plans.HostLock]::Held($script:host_)) | Should -HaveCount 0
    }
}
