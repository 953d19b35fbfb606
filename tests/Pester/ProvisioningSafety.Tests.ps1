# Data safety of provisioning (issue 10, items 1-6 and 9): the module never destroys or patches what
# is not provably a jail's own, loses no file of a jail, rolls back exactly (properties, modes), and a
# plan killed half-way can be finished or undone from its journal.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-safe-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:host_ = [JailsModule.Services.JailHostManager]::GetSimulator($script:sim)
    . (Join-Path $PSScriptRoot 'Support/ProvisioningHelpers.ps1')
    function script:Real([string] $p) { Join-Path $script:sim ('fs' + $p) }
    function script:Datasets { @($script:host_.ReadState().Datasets.Name) }
    # The module's user properties of a dataset with their source (local, inherited), one line each.
    function script:Props([string] $ds) {
        (Run-Sim '/sbin/zfs' @('get', '-H', '-o', 'property,value,source', 'org.jailsmodule:managed,org.jailsmodule:uuid,org.jailsmodule:kind,org.jailsmodule:template,org.jailsmodule:jail', $ds)).StandardOutput
    }
    Save-JailRelease 14.3-RELEASE | Out-Null
    New-JailTemplate 14.3-RELEASE | Out-Null
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Remove-Jail destroys only a dataset that is provably the jail''s (item 1)' {
    It 'records the jail''s name on its dataset (set locally) and in its config' {
        New-Jail own1 -Template 14.3-RELEASE | Out-Null
        Props 'zroot/jails/containers/own1' | Should -Match "org.jailsmodule:jail`town1`tlocal"
        Get-Content (Real '/etc/jail.conf.d/own1.conf') -Raw | Should -Match '# jailsmodule: jail=own1'
    }
    It 'an alias config pointing at another jail''s root: refused, naming the dataset; -KeepDataset removes only the alias' {
        New-Jail web1 -Template 14.3-RELEASE | Out-Null
        Set-JailConfig alias -New -Parameter @{ path = '/usr/local/jails/containers/web1' }
        $m = Mark
        Remove-Jail alias -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotManaged,*'
        $err[0].ToString() | Should -BeLike "*zroot/jails/containers/web1*"
        Mutating (Since $m) | Should -HaveCount 0
        Datasets | Should -Contain 'zroot/jails/containers/web1'
        Test-Path (Real '/etc/jail.conf.d/alias.conf') | Should -BeTrue
        Remove-Jail alias -KeepDataset -Force
        Test-Path (Real '/etc/jail.conf.d/alias.conf') | Should -BeFalse
        Datasets | Should -Contain 'zroot/jails/containers/web1'
        (Get-Jail web1).Path | Should -Be '/usr/local/jails/containers/web1'
    }
    It 'an alias carrying a copied uuid comment is refused too' {
        (Get-Content (Real '/etc/jail.conf.d/web1.conf') -Raw) -replace '(?m)^web1 \{', 'copy1 {' | Set-Content (Real '/etc/jail.conf.d/copy1.conf') -NoNewline
        (Get-Jail copy1).Path | Should -Be '/usr/local/jails/containers/web1'
        Remove-Jail copy1 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotManaged,*'
        $err[0].ToString() | Should -BeLike "*made for jail 'web1'*"
        Datasets | Should -Contain 'zroot/jails/containers/web1'
        Remove-Item (Real '/etc/jail.conf.d/copy1.conf')
    }
    It 'a config without the uuid comment is refused, even for a dataset made for a jail of that name' {
        New-Jail nouuid1 -Template 14.3-RELEASE | Out-Null
        $f = Real '/etc/jail.conf.d/nouuid1.conf'
        (Get-Content $f -Raw) -replace '(?m)^# jailsmodule: uuid=.*\n', '' | Set-Content $f -NoNewline
        Remove-Jail nouuid1 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotManaged,*'
        Datasets | Should -Contain 'zroot/jails/containers/nouuid1'
    }
    It 'a dataset that does not record its jail''s name is refused' {
        New-Jail noname1 -Template 14.3-RELEASE | Out-Null
        (Run-Sim '/sbin/zfs' @('inherit', 'org.jailsmodule:jail', 'zroot/jails/containers/noname1')).ExitCode | Should -Be 0
        Remove-Jail noname1 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotManaged,*'
        $err[0].ToString() | Should -BeLike '*org.jailsmodule:jail*'
        Datasets | Should -Contain 'zroot/jails/containers/noname1'
    }
}

Describe 'Update-Jail refuses what it does not manage (item 2)' {
    It 'a jail with path=/ (the host): JailPathIsHost, nothing runs' {
        Set-JailConfig hostroot -New -Parameter @{ path = '/'; persist = $true }
        $m = Mark
        Update-Jail hostroot -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailPathIsHost,*'
        Mutating (Since $m) | Should -HaveCount 0
        @(Since $m | Where-Object { $_ -like '*freebsd-update*' }) | Should -HaveCount 0
        Remove-Jail hostroot -KeepDataset -Force
    }
    It 'a jail whose path is a template: JailRootIsTemplate, nothing runs' {
        Set-JailConfig ontemplate -New -Parameter @{ path = '/usr/local/jails/templates/14.3-RELEASE'; persist = $true }
        $m = Mark
        Update-Jail ontemplate -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailRootIsTemplate,*'
        Mutating (Since $m) | Should -HaveCount 0
        Remove-Jail ontemplate -KeepDataset -Force
    }
    It 'an alias of another jail''s root: JailRootNotOwned, nothing runs' {
        Set-JailConfig alias2 -New -Parameter @{ path = '/usr/local/jails/containers/web1' }
        $m = Mark
        Update-Jail alias2 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailRootNotOwned,*'
        Mutating (Since $m) | Should -HaveCount 0
        Remove-Jail alias2 -KeepDataset -Force
        # With web1 alone on that path the dataset still says whose it is.
        Set-JailConfig alias3 -New -Parameter @{ path = '/usr/local/jails/containers/own1' }
        Remove-Item (Real '/etc/jail.conf.d/own1.conf')
        Update-Jail alias3 -Force -ErrorAction SilentlyContinue -ErrorVariable err3
        $err3[0].FullyQualifiedErrorId | Should -BeLike 'JailRootNotOwned,*'
        $err3[0].ToString() | Should -BeLike "*made for jail 'own1'*"
        Remove-Jail alias3 -KeepDataset -Force
        (Run-Sim '/sbin/zfs' @('destroy', 'zroot/jails/containers/own1')).ExitCode | Should -Be 0
    }
}

Describe 'Update-Jail of a ZFS thin jail keeps the jail''s own files (items 3 and 4)' {
    It 'patches the clone in place with freebsd-update -b: /etc/myapp.conf survives, the origin and properties stay' {
        New-Jail keep1 -Template 14.3-RELEASE | Out-Null
        Set-Content (Real '/usr/local/jails/containers/keep1/etc/myapp.conf') 'mine=1'
        (Run-Sim '/sbin/zfs' @('snapshot', 'zroot/jails/templates/14.3-RELEASE@newer')).ExitCode | Should -Be 0
        $props = Props 'zroot/jails/containers/keep1'
        $m = Mark
        Update-Jail keep1 -Confirm:$false
        Mutating (Since $m) | Should -Be @('/usr/sbin/freebsd-update -b /usr/local/jails/containers/keep1 --currently-running 14.3-RELEASE --not-running-from-cron fetch install')
        Get-Content (Real '/usr/local/jails/containers/keep1/etc/myapp.conf') | Should -Be 'mine=1'
        ($script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/keep1').Origin | Should -Be 'zroot/jails/templates/14.3-RELEASE@base'
        Datasets | Should -Not -Contain 'zroot/jails/containers/keep1.prev'
        Props 'zroot/jails/containers/keep1' | Should -Be $props
        Get-Content (Real '/usr/local/jails/containers/keep1/bin/freebsd-version') -Raw | Should -Not -BeLike '*"14.3-RELEASE"*'
    }
    It 'a running thin jail is patched with freebsd-update -j and keeps running' {
        New-Jail keep2 -Template 14.3-RELEASE -Start | Out-Null
        Set-Content (Real '/usr/local/jails/containers/keep2/etc/myapp.conf') 'mine=2'
        $m = Mark
        (Update-Jail keep2 -PassThru).State | Should -Be 'Running'
        Mutating (Since $m) | Should -Be @('/usr/sbin/freebsd-update -j keep2 --not-running-from-cron fetch install')
        Get-Content (Real '/usr/local/jails/containers/keep2/etc/myapp.conf') | Should -Be 'mine=2'
    }
    It 'a fault at step <pattern> of Update-Jail leaves the root, its properties and its files as they were' -ForEach @(
        @{ pattern = 'freebsd-update -b *' }
        @{ pattern = 'freebsd-update * fetch install' }
    ) {
        New-Jail "f$($pattern.Length)x" -Template 14.3-RELEASE | Out-Null
        $name = "f$($pattern.Length)x"
        $ds = "zroot/jails/containers/$name"
        Set-Content (Real "/usr/local/jails/containers/$name/etc/myapp.conf") 'mine'
        $props = Props $ds
        $state = $script:host_.ReadState().Datasets | Where-Object Name -like "$ds*" | ForEach-Object { "$($_.Name)|$($_.Origin)|$($_.Mounted)" }
        Set-JailSimulatorFault -Command $pattern -StandardError 'simulated failure at this step' | Out-Null
        try { Update-Jail $name -ErrorAction SilentlyContinue -ErrorVariable err } finally { Clear-JailSimulatorFault }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UpdateJailFailed,*'
        Props $ds | Should -Be $props
        ($script:host_.ReadState().Datasets | Where-Object Name -like "$ds*" | ForEach-Object { "$($_.Name)|$($_.Origin)|$($_.Mounted)" }) | Should -Be $state
        Get-Content (Real "/usr/local/jails/containers/$name/etc/myapp.conf") | Should -Be 'mine'
        Remove-Jail $name -Force
    }
}

Describe 'Rollback restores a config file''s mode (item 6)' {
    It 'a 0600 config deleted by Remove-Jail comes back 0600 when zfs destroy fails' -Skip:$IsWindows {
        New-Jail mode1 -Template 14.3-RELEASE | Out-Null
        $f = Real '/etc/jail.conf.d/mode1.conf'
        [IO.File]::SetUnixFileMode($f, [IO.UnixFileMode]'UserRead, UserWrite')
        $text = Get-Content $f -Raw
        Set-JailSimulatorFault -Command 'zfs destroy *' -StandardError 'dataset is busy' | Out-Null
        try { Remove-Jail mode1 -Force -ErrorAction SilentlyContinue -ErrorVariable err } finally { Clear-JailSimulatorFault }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RemoveJailFailed,*'
        Get-Content $f -Raw | Should -Be $text
        [IO.File]::GetUnixFileMode($f) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        Remove-Jail mode1 -Force
    }
}

Describe 'A ZFS host without zfs(8) (item 9, part)' {
    It 'New-Jail says /sbin/zfs is missing instead of making folders' {
        $zfs = Real '/sbin/zfs'
        Move-Item $zfs "$zfs.away"
        try {
            $m = Mark
            New-Jail nozfs1 -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ZfsToolMissing,*'
            $err[0].ToString() | Should -BeLike '*/sbin/zfs*'
            Mutating (Since $m) | Should -HaveCount 0
            Test-Path (Real '/usr/local/jails/containers/nozfs1') | Should -BeFalse
            Test-Path (Real '/etc/jail.conf.d/nozfs1.conf') | Should -BeFalse
        }
        finally { Move-Item "$zfs.away" $zfs }
    }
}

Describe 'Recovery after kill -9 (item 5): Repair-JailHost' {
    BeforeAll {
        function script:Start-ChildPwsh([string] $Tag, [string] $Command) {
            $exe = [Environment]::ProcessPath
            $argv = @()
            if ((Split-Path $exe -Leaf) -match '^dotnet(\.exe)?$') { $argv += Join-Path $PSHOME 'pwsh.dll' }
            $script = "Import-Module '$env:JAILSMODULE_TEST_MODULE'; Connect-JailHost -Simulator -Path '$script:sim'; $Command"
            $argv += '-NoProfile', '-NonInteractive', '-Command', $script
            Start-Process -FilePath $exe -ArgumentList $argv -PassThru -RedirectStandardOutput (Join-Path $script:sim "$Tag.out") -RedirectStandardError (Join-Path $script:sim "$Tag.err")
        }
        # Runs $Command in a child pwsh, waits until its plan holds $Resource with its journal and its slow step hangs, kills it (-Force).
        function script:Kill-MidPlan([string] $Tag, [string] $Command, [string] $Resource, [string] $SlowCommand, [scriptblock] $Until) {
            Set-JailSimulatorFault -Command $SlowCommand -Delay 120000 -ThenRun | Out-Null
            $child = Start-ChildPwsh $Tag $Command
            try {
                $deadline = [datetime]::UtcNow.AddSeconds(90)
                do {
                    Start-Sleep -Milliseconds 100
                    $line = [JailsModule.Plans.HostLock]::Held($script:host_) | Where-Object { $_.Resources -contains $Resource -and $_.Steps }
                } until (($line -and (& $Until)) -or $child.HasExited -or [datetime]::UtcNow -gt $deadline)
                $line | Should -Not -BeNullOrEmpty -Because "the child's plan holds $Resource while its step hangs"
                & $Until | Should -BeTrue -Because 'the steps before the slow one ran'
                Start-Sleep -Milliseconds 300
            }
            finally {
                Stop-Process -Id $child.Id -Force
                $child.WaitForExit()
                Clear-JailSimulatorFault
            }
            $line
        }
    }
    It 'a Remove-Jail killed between the config delete and zfs destroy: the dataset is listed, New-Jail names Repair-JailHost, -Finish destroys it' {
        New-Jail kill1 -Template 14.3-RELEASE | Out-Null
        $line = Kill-MidPlan 'kill1' 'Remove-Jail kill1 -Force' 'jail:kill1' 'zfs destroy zroot/jails/containers/kill1' { -not (Test-Path (Real '/etc/jail.conf.d/kill1.conf')) }
        Test-Path (Real '/etc/jail.conf.d/kill1.conf') | Should -BeFalse
        Datasets | Should -Contain 'zroot/jails/containers/kill1'
        # The journal lists each step's undo.
        $items = @(Repair-JailHost -WarningAction SilentlyContinue)
        $j = $items | Where-Object { $_.Kind -eq 'Journal' -and $_.Id -eq $line.Id }
        $j | Should -Not -BeNullOrEmpty
        ($j.Steps | Where-Object Kind -eq 'delete-file').UndoActions | Should -BeLike '*restore file /etc/jail.conf.d/kill1.conf*'
        ($items | Where-Object { $_.Kind -eq 'OrphanDataset' }).Id | Should -Contain 'zroot/jails/containers/kill1'
        New-Jail kill1 -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetExists,*'
        $err[0].ToString() | Should -BeLike '*Repair-JailHost -Dataset zroot/jails/containers/kill1 -Force*'
        # -WhatIf shows the commands and runs none.
        $m = Mark
        Repair-JailHost -Id $line.Id -Finish -WhatIf
        Mutating (Since $m) | Should -HaveCount 0
        Datasets | Should -Contain 'zroot/jails/containers/kill1'
        Repair-JailHost -Id $line.Id -Finish -Force
        Mutating (Since $m) | Should -Be @('/sbin/zfs destroy zroot/jails/containers/kill1')
        Datasets | Should -Not -Contain 'zroot/jails/containers/kill1'
        Test-Path (Real "/var/db/jailsmodule/journal/$($line.Id).json") | Should -BeFalse
        @(Repair-JailHost | Where-Object Id -eq 'zroot/jails/containers/kill1') | Should -HaveCount 0
    }
    It 'an orphaned dataset is destroyed with Repair-JailHost -Dataset -Force; a dataset a jail uses is refused' {
        New-Jail kill2 -Template 14.3-RELEASE | Out-Null
        Remove-Item (Real '/etc/jail.conf.d/kill2.conf')
        Repair-JailHost -Dataset zroot/jails/containers/web1 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotOrphaned,*'
        Datasets | Should -Contain 'zroot/jails/containers/web1'
        $m = Mark
        Repair-JailHost -Dataset zroot/jails/containers/kill2 -Force
        Mutating (Since $m) | Should -Be @('/sbin/zfs destroy zroot/jails/containers/kill2')
        Datasets | Should -Not -Contain 'zroot/jails/containers/kill2'
    }
    It 'a New-Jail -Start killed at the start: -Undo destroys the clone and deletes the config it wrote, checking the host first' {
        $line = Kill-MidPlan 'kill3' 'New-Jail kill3 -Template 14.3-RELEASE -Start' 'jail:kill3' 'jail -i -f /etc/jail.conf.d/kill3.conf -c kill3' { Test-Path (Real '/etc/jail.conf.d/kill3.conf') }
        Datasets | Should -Contain 'zroot/jails/containers/kill3'
        Test-Path (Real '/etc/jail.conf.d/kill3.conf') | Should -BeTrue
        $j = @(Repair-JailHost -WarningAction SilentlyContinue) | Where-Object { $_.Kind -eq 'Journal' -and $_.Id -eq $line.Id }
        $j.Steps[0].UndoActions | Should -Be @('/sbin/zfs destroy zroot/jails/containers/kill3')
        $m = Mark
        Repair-JailHost -Id $line.Id -Undo -WhatIf
        Mutating (Since $m) | Should -HaveCount 0
        Repair-JailHost -Id $line.Id -Undo -Force
        # The jail never started (its start hung): no jail -r; the clone is destroyed.
        Mutating (Since $m) | Should -Be @('/sbin/zfs destroy zroot/jails/containers/kill3')
        Datasets | Should -Not -Contain 'zroot/jails/containers/kill3'
        Test-Path (Real '/etc/jail.conf.d/kill3.conf') | Should -BeFalse
        Test-Path (Real "/var/db/jailsmodule/journal/$($line.Id).json") | Should -BeFalse
        New-Jail kill3 -Template 14.3-RELEASE | Should -Not -BeNullOrEmpty
    }
}
