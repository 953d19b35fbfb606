# End-to-end provisioning on the simulated host: releases, templates, New-Jail, Remove-Jail.
# Every argv is asserted against the Handbook/seed commands; every fault leaves the host as it was.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-prov-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:host_ = [JailsModule.Services.JailHostManager]::GetSimulator($script:sim)
    . (Join-Path $PSScriptRoot 'Support/ProvisioningHelpers.ps1')

    # The host state a failed plan must leave untouched.
    function script:HostState {
        $st = $script:host_.ReadState()
        $files = foreach ($d in '/etc/jail.conf.d', '/var/db/jailsmodule/journal', '/usr/local/jails/media') {
            $real = Join-Path $script:sim ('fs' + $d)
            if (Test-Path $real) { Get-ChildItem $real -Force | ForEach-Object { "$d/$($_.Name):$((Get-FileHash $_.FullName).Hash)" } }
        }
        [pscustomobject]@{
            Datasets = @($st.Datasets | ForEach-Object { "$($_.Name)|$($_.Origin)|$($_.Mounted)" } | Sort-Object)
            Mounts   = @($st.Mounts | ForEach-Object { "$($_.Special) $($_.Node) $($_.FsType)" } | Sort-Object)
            Jails    = @($st.Jails | ForEach-Object { "$($_.Name) $($_.Dying)" } | Sort-Object)
            Files    = @($files | Sort-Object)
            # Plans holding resources (the lines of the lock table; its files are locked by live processes).
            Locks    = @([JailsModule.Plans.HostLock]::Held($script:host_) | ForEach-Object { "$($_.Id) $($_.Resources -join ',')" })
        }
    }
    # Injects a fault, runs the action, and checks the error (id and the tool's stderr) and that nothing changed.
    function script:Assert-FaultLeavesNoTrace([string] $Pattern, [string] $Message, [string] $ErrorId, [scriptblock] $Action) {
        $before = HostState
        Set-JailSimulatorFault -Command $Pattern -StandardError $Message | Out-Null
        try { $err = @(& $Action 2>&1 | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) }
        finally { Clear-JailSimulatorFault }
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err[0].ToString() | Should -BeLike "*$Message*"
        Assert-SameState $before (HostState)
    }
    function script:Local-Props([string] $ds) {
        (Run-Sim '/sbin/zfs' @('get', '-H', '-o', 'property,value,source', 'org.jailsmodule:managed,org.jailsmodule:kind,org.jailsmodule:template', $ds)).StandardOutput
    }
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Save-JailRelease' {
    It 'fetches MANIFEST and base.txz with fetch -o and verifies the SHA-256' {
        $m = Mark
        $r = Save-JailRelease -Release 14.3-RELEASE
        $cmds = Since $m
        $cmds | Should -Contain '/usr/bin/fetch -o /usr/local/jails/media/14.3-RELEASE-MANIFEST https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/MANIFEST'
        $cmds | Should -Contain '/usr/bin/fetch -o /usr/local/jails/media/14.3-RELEASE-base.txz https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/base.txz'
        $cmds | Should -Contain '/sbin/sha256 -q /usr/local/jails/media/14.3-RELEASE-base.txz'
        $r.Verified | Should -BeTrue
        $r.Files | Should -Be @('/usr/local/jails/media/14.3-RELEASE-base.txz')
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/media/14.3-RELEASE-base.txz') | Should -BeTrue
    }
    It 'does not download again when the files are there, but verifies them' {
        $m = Mark
        Save-JailRelease 14.3-RELEASE | Out-Null
        $cmds = Since $m
        @($cmds | Where-Object { $_ -like '/usr/bin/fetch *' }) | Should -HaveCount 0
        $cmds | Should -Contain '/sbin/sha256 -q /usr/local/jails/media/14.3-RELEASE-base.txz'
    }
    It 'removes a download whose SHA-256 does not match the MANIFEST and reports ReleaseChecksumMismatch' {
        $script:host_.UpdateState([Action[JailsModule.Simulation.SimState]] { param($s) $s.Mirror.Corrupt.Add('14.2-RELEASE/base.txz') })
        try {
            Save-JailRelease 14.2-RELEASE -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        }
        finally {
            $script:host_.UpdateState([Action[JailsModule.Simulation.SimState]] { param($s) $s.Mirror.Corrupt.Clear() })
        }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ReleaseChecksumMismatch,*'
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/media/14.2-RELEASE-base.txz') | Should -BeFalse
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/media/14.2-RELEASE-MANIFEST') | Should -BeFalse
    }
    It 'validates the release name before anything runs' {
        $m = Mark
        Save-JailRelease '14.3-RELEASE; rm -rf /' -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidReleaseName,*'
        Since $m | Should -HaveCount 0
    }
    It '-WhatIf lists the fetch commands and runs none' {
        $m = Mark
        Save-JailRelease 14.1-RELEASE -WhatIf
        Mutating (Since $m) | Should -HaveCount 0
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/media/14.1-RELEASE-MANIFEST') | Should -BeFalse
    }
}

Describe 'New-JailTemplate and Get-JailTemplate' {
    It 'creates the dataset, extracts base.txz, copies resolv.conf and localtime, and snapshots @base' {
        $m = Mark
        $t = New-JailTemplate -Release 14.3-RELEASE
        $cmds = Mutating (Since $m)
        $cmds[0] | Should -Be '/sbin/zfs create -p -o mountpoint=/usr/local/jails/templates zroot/jails/templates'
        $cmds[1] | Should -BeLike '/sbin/zfs create -o org.jailsmodule:managed=yes -o org.jailsmodule:kind=template -o org.jailsmodule:release=14.3-RELEASE -o org.jailsmodule:uuid=* zroot/jails/templates/14.3-RELEASE'
        $cmds[2] | Should -Be '/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-base.txz -C /usr/local/jails/templates/14.3-RELEASE --unlink'
        $cmds[3] | Should -Be '/sbin/zfs snapshot zroot/jails/templates/14.3-RELEASE@base'
        $t.Snapshot | Should -Be 'zroot/jails/templates/14.3-RELEASE@base'
        $t.Path | Should -Be '/usr/local/jails/templates/14.3-RELEASE'
        $t.PatchLevel | Should -Be '14.3-RELEASE'
        Get-Content (Join-Path $script:sim 'fs/usr/local/jails/templates/14.3-RELEASE/etc/resolv.conf') -Raw | Should -Be "nameserver 192.0.2.1`n"
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/templates/14.3-RELEASE/etc/localtime') | Should -BeTrue
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/templates/14.3-RELEASE/bin/freebsd-version') | Should -BeTrue
    }
    It 'Get-JailTemplate finds it by name and wildcard' {
        (Get-JailTemplate 14.3-RELEASE).Dataset | Should -Be 'zroot/jails/templates/14.3-RELEASE'
        @(Get-JailTemplate '14.*') | Should -HaveCount 1
        Get-JailTemplate nothere -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TemplateNotFound,*'
    }
    It 'refuses a release that was not saved, and an existing template, changing nothing' {
        $before = HostState
        New-JailTemplate 15.0-RELEASE -ErrorAction SilentlyContinue -ErrorVariable e1
        New-JailTemplate 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable e2
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'ReleaseNotSaved,*'
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'TemplateExists,*'
        Assert-SameState $before (HostState)
    }
    It 'a fault while extracting leaves no dataset, snapshot or lock behind' {
        Assert-FaultLeavesNoTrace 'tar -xf *' 'tar: Error exit delayed from previous errors.' 'NewTemplateFailed' { New-JailTemplate 14.3-RELEASE -Name other }
    }
}

Describe 'New-Jail' {
    It 'clones thin jails from a piped template exactly like the seeds and writes a standard config' {
        $m = Mark
        $jails = Get-JailTemplate 14.3-RELEASE | New-Jail web1, web2 -IPv4Address 192.0.2.10, 192.0.2.11/24 -Interface em0
        $cmds = Mutating (Since $m)
        $cmds | Should -Contain '/sbin/zfs create -p -o mountpoint=/usr/local/jails/containers zroot/jails/containers'
        # The seed's clone (zfs clone SNAPSHOT DATASET), with the module's properties set as the clone is made.
        foreach ($n in 'web1', 'web2') {
            @($cmds | Where-Object { $_ -like "/sbin/zfs clone *" -and $_ -like "* zroot/jails/containers/$n" }) | Should -HaveCount 1
            @($cmds -match ('^/sbin/zfs clone -o org\.jailsmodule:managed=yes -o org\.jailsmodule:uuid=[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12} ' +
                '-o org\.jailsmodule:kind=thin -o org\.jailsmodule:template=14\.3-RELEASE -o org\.jailsmodule:jail=' + $n + ' zroot/jails/templates/14\.3-RELEASE@base zroot/jails/containers/' + $n + '$')) | Should -HaveCount 1
        }
        @($cmds | Where-Object { $_ -like '/sbin/zfs set *' }) | Should -HaveCount 0
        $web1 = $script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/web1'
        $web1.Origin | Should -Be 'zroot/jails/templates/14.3-RELEASE@base'
        $jails | Should -HaveCount 2
        $jails[0].Name | Should -Be 'web1'
        $jails[0].Path | Should -Be '/usr/local/jails/containers/web1'
        $jails[0].IPv4Address | Should -Be @('192.0.2.10', '192.0.2.11')
        $jails[0].ConfigPath | Should -Be '/etc/jail.conf.d/web1.conf'
        $conf = Get-Content (Join-Path $script:sim 'fs/etc/jail.conf.d/web1.conf') -Raw
        $conf | Should -Match '(?m)^web1 \{$'
        $conf | Should -Match 'exec.start = "/bin/sh /etc/rc";'
        $conf | Should -Match 'exec.stop = "/bin/sh /etc/rc.shutdown";'
        $conf | Should -Match '(?m)^\s+exec.clean;$'
        $conf | Should -Match '(?m)^\s+mount.devfs;$'
        $conf | Should -Match 'ip4.addr = 192.0.2.10, 192.0.2.11/24;'
        $conf | Should -Match 'interface = em0;'
        Local-Props 'zroot/jails/containers/web1' | Should -Match "org.jailsmodule:managed`tyes`tlocal"
        Local-Props 'zroot/jails/containers/web1' | Should -Match "org.jailsmodule:kind`tthin`tlocal"
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/containers/web1/etc/rc') | Should -BeTrue
    }
    It 'the written config starts the jail with jail -f and jls shows it' {
        $m = Mark
        $j = New-Jail app1 -Template 14.3-RELEASE -HostName app1.example.org -Parameter @{ 'allow.raw_sockets' = $true; 'devfs_ruleset' = 4 } -Start
        Since $m | Should -Contain '/usr/sbin/jail -i -f /etc/jail.conf.d/app1.conf -c app1'
        $j.State | Should -Be 'Running'
        $j.HostName | Should -Be 'app1.example.org'
        $conf = Get-Content (Join-Path $script:sim 'fs/etc/jail.conf.d/app1.conf') -Raw
        $conf | Should -Match '(?m)^\s+allow.raw_sockets;$'
        $conf | Should -Match 'devfs_ruleset = 4;'
    }
    It '-Thick extracts its own copy and -Empty makes an empty dataset' {
        $m = Mark
        New-Jail thick1 -Template 14.3-RELEASE -Thick | Out-Null
        New-Jail empty1 -Empty | Out-Null
        $cmds = Mutating (Since $m)
        $cmds | Should -Contain '/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-base.txz -C /usr/local/jails/containers/thick1 --unlink'
        ($cmds | Where-Object { $_ -like '/sbin/zfs create *zroot/jails/containers/thick1' }) | Should -BeLike '*org.jailsmodule:kind=thick*'
        ($cmds | Where-Object { $_ -like '/sbin/zfs create *zroot/jails/containers/empty1' }) | Should -BeLike '*org.jailsmodule:kind=empty*'
        @($cmds | Where-Object { $_ -like '/sbin/zfs clone *' }) | Should -HaveCount 0
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/containers/thick1/etc/resolv.conf') | Should -BeTrue
    }
    It 'a thick jail gets every distribution set of its template (base and lib32 here)' {
        Save-JailRelease 14.3-RELEASE -DistributionSet base, lib32 | Out-Null
        $t = New-JailTemplate 14.3-RELEASE -Name t32 -DistributionSet base, lib32
        $t.DistributionSet | Should -Be @('base', 'lib32')
        (Get-JailTemplate t32).DistributionSet | Should -Be @('base', 'lib32')
        (Local-Props 'zroot/jails/templates/t32') | Should -Not -BeNullOrEmpty
        (Run-Sim '/sbin/zfs' @('get', '-H', '-o', 'value', 'org.jailsmodule:sets', 'zroot/jails/templates/t32')).StandardOutput.Trim() | Should -Be 'base,lib32'
        $m = Mark
        New-Jail thick32 -Template t32 -Thick | Out-Null
        $tars = @(Mutating (Since $m) | Where-Object { $_ -like '/usr/bin/tar *' })
        $tars | Should -Be @(
            '/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-base.txz -C /usr/local/jails/containers/thick32 --unlink'
            '/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-lib32.txz -C /usr/local/jails/containers/thick32 --unlink')
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/containers/thick32/usr/lib32/libc.so.7') | Should -BeTrue
        # A template made before the sets were recorded (no property) stands for base only.
        (Get-JailTemplate 14.3-RELEASE).DistributionSet | Should -Be @('base')
        Remove-Jail thick32 -Confirm:$false
        Remove-JailTemplate t32 -Confirm:$false
    }
    It 'warns that jails in a config file that does not parse cannot be seen' {
        $bad = Join-Path $script:sim 'fs/etc/jail.conf.d/broken.conf'
        Set-Content $bad "broken {`n  path = `"/x`"`n"
        try {
            New-Jail warn1 -Template 14.3-RELEASE -WarningVariable w -WarningAction SilentlyContinue | Out-Null
        }
        finally { Remove-Item $bad }
        ($w -join "`n") | Should -BeLike '*broken.conf*'
        (Get-Jail warn1).Name | Should -Be 'warn1'
    }
    It '-WhatIf shows every native command and changes nothing' {
        $before = HostState
        $m = Mark
        $log = Join-Path $script:sim 'whatif-new.txt'
        Start-Transcript -Path $log | Out-Null
        try { New-Jail whatif1 -Template 14.3-RELEASE -Start -WhatIf } finally { Stop-Transcript | Out-Null }
        $text = Get-Content $log -Raw
        $text | Should -BeLike '*1. /sbin/zfs clone -o org.jailsmodule:managed=yes -o org.jailsmodule:uuid=* zroot/jails/templates/14.3-RELEASE@base zroot/jails/containers/whatif1*'
        $text | Should -BeLike '*write file /etc/jail.conf.d/whatif1.conf*'
        $text | Should -BeLike '*/usr/sbin/jail -i -f /etc/jail.conf.d/whatif1.conf -c whatif1*'
        Mutating (Since $m) | Should -HaveCount 0
        Assert-SameState $before (HostState)
    }
    It 'rejects bad input before any step: <case>' -ForEach @(
        @{ case = 'address'; params = @{ Name = 'x1'; Template = '14.3-RELEASE'; IPv4Address = '300.1.2.3' }; id = 'InvalidIPAddress' }
        @{ case = 'v6 in v4'; params = @{ Name = 'x1'; Template = '14.3-RELEASE'; IPv4Address = '2001:db8::1' }; id = 'InvalidIPAddress' }
        @{ case = 'interface'; params = @{ Name = 'x1'; Template = '14.3-RELEASE'; Interface = 'em0;reboot' }; id = 'InvalidInterfaceName' }
        @{ case = 'name'; params = @{ Name = 'a b'; Template = '14.3-RELEASE' }; id = 'InvalidJailName' }
        @{ case = 'child name'; params = @{ Name = 'a.b'; Template = '14.3-RELEASE' }; id = 'InvalidJailName' }
        @{ case = 'dataset outside root'; params = @{ Name = 'x1'; Template = '14.3-RELEASE'; Dataset = 'zroot/elsewhere/x1' }; id = 'DatasetOutsideRoot' }
        @{ case = 'dataset name'; params = @{ Name = 'x1'; Template = '14.3-RELEASE'; Dataset = 'zroot/jails/containers/x 1' }; id = 'InvalidDatasetName' }
        @{ case = 'template'; params = @{ Name = 'x1'; Template = 'nope' }; id = 'TemplateNotFound' }
        @{ case = 'name taken'; params = @{ Name = 'web1'; Template = '14.3-RELEASE' }; id = 'JailNameTaken' }
        @{ case = 'depend (its own file could never start it)'; params = @{ Name = 'x1'; Template = '14.3-RELEASE'; Parameter = @{ depend = 'web1' } }; id = 'DependNeedsSharedConfig' }
    ) {
        $before = HostState
        $m = Mark
        New-Jail @params -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike "$id,*"
        Mutating (Since $m) | Should -HaveCount 0
        Assert-SameState $before (HostState)
    }
    It 'a fault at step <pattern> leaves no dataset, snapshot, config file or lock behind' -ForEach @(
        @{ pattern = 'zfs create -p *' }
        @{ pattern = 'zfs clone *' }
        @{ pattern = 'jail -i -f *' }
    ) {
        # A jail root of its own so that the root-creation step runs too.
        Set-Content (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf') "JailRoot=`"zroot/jails/faulty`"`nJailMountpoint=`"/usr/local/jails/faulty`"`n"
        try {
            $m = Mark
            Assert-FaultLeavesNoTrace $pattern 'simulated failure at this step' 'NewJailFailed' { New-Jail faulty1 -Template 14.3-RELEASE -Start }
            @(Get-JailSimulatorLog | Select-Object -Skip $m | Where-Object Note -like 'fault *') | Should -HaveCount 1
        }
        finally {
            Remove-Item (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf')
        }
    }
}

Describe 'Remove-Jail' {
    It 'destroys only the dataset the module created and removes the config file' {
        New-Jail gone1 -Template 14.3-RELEASE | Out-Null
        $m = Mark
        Remove-Jail gone1 -Confirm:$false
        Mutating (Since $m) | Should -Be @('/sbin/zfs destroy zroot/jails/containers/gone1')
        Test-Path (Join-Path $script:sim 'fs/etc/jail.conf.d/gone1.conf') | Should -BeFalse
        $script:host_.ReadState().Datasets.Name | Should -Not -Contain 'zroot/jails/containers/gone1'
        Get-Jail gone1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
    It 'refuses a running jail without -Force and stops it first with -Force' {
        $before = HostState
        Remove-Jail app1 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailRunning,*'
        Assert-SameState $before (HostState)
        $m = Mark
        Remove-Jail app1 -Force
        Mutating (Since $m) | Should -Be @('/usr/sbin/jail -q -f /etc/jail.conf.d/app1.conf -r app1', '/sbin/zfs destroy zroot/jails/containers/app1')
        @(Get-Jail | Where-Object Name -eq app1) | Should -HaveCount 0
    }
    It 'refuses while a nullfs is mounted under the jail and never touches it' {
        New-Jail busy1 -Template 14.3-RELEASE | Out-Null
        New-Item -ItemType Directory (Join-Path $script:sim 'fs/usr/local/jails/containers/busy1/mnt/data') -Force | Out-Null
        (Run-Sim '/sbin/mount' @('-t', 'nullfs', '/usr/local/jails/media', '/usr/local/jails/containers/busy1/mnt/data')).ExitCode | Should -Be 0
        $before = HostState
        Remove-Jail busy1 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailPathBusy,*'
        $err[0].ToString() | Should -BeLike '*/usr/local/jails/media on /usr/local/jails/containers/busy1/mnt/data*'
        Assert-SameState $before (HostState)
        (Run-Sim '/sbin/umount' @('/usr/local/jails/containers/busy1/mnt/data')).ExitCode | Should -Be 0
        Remove-Jail busy1 -Confirm:$false
        Test-Path (Join-Path $script:sim 'fs/usr/local/jails/media/14.3-RELEASE-base.txz') | Should -BeTrue
    }
    It 'never destroys a dataset whose managed flag is inherited; -KeepDataset removes only the config' {
        (Run-Sim '/sbin/zfs' @('create', '-o', 'org.jailsmodule:managed=yes', 'zroot/jails/containers/parent')).ExitCode | Should -Be 0
        (Run-Sim '/sbin/zfs' @('create', 'zroot/jails/containers/parent/inh1')).ExitCode | Should -Be 0
        # Its config points at the dataset's mountpoint, as a hand-made jail would.
        Set-Content (Join-Path $script:sim 'fs/etc/jail.conf.d/inh1.conf') "inh1 {`n  path = `"/usr/local/jails/containers/parent/inh1`";`n  persist;`n}`n"
        $before = HostState
        Remove-Jail inh1 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotManaged,*'
        Assert-SameState $before (HostState)
        $m = Mark
        Remove-Jail inh1 -KeepDataset -Confirm:$false
        Mutating (Since $m) | Should -HaveCount 0
        Test-Path (Join-Path $script:sim 'fs/etc/jail.conf.d/inh1.conf') | Should -BeFalse
        $script:host_.ReadState().Datasets.Name | Should -Contain 'zroot/jails/containers/parent/inh1'
    }
    It 'refuses a dataset whose uuid is not the one in the jail''s config comment' {
        New-Jail uu1 -Template 14.3-RELEASE | Out-Null
        $file = Join-Path $script:sim 'fs/etc/jail.conf.d/uu1.conf'
        (Get-Content $file -Raw) -replace '# jailsmodule: uuid=\S+', '# jailsmodule: uuid=00000000-0000-0000-0000-000000000000' | Set-Content $file -NoNewline
        $before = HostState
        Remove-Jail uu1 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotManaged,*'
        $err[0].ToString() | Should -BeLike '*00000000-0000-0000-0000-000000000000*'
        Assert-SameState $before (HostState)
    }
    It '-WhatIf lists the stop and destroy commands and changes nothing' {
        New-Jail wi2 -Template 14.3-RELEASE -Start | Out-Null
        $before = HostState
        $m = Mark
        Remove-Jail wi2 -Force -WhatIf
        Mutating (Since $m) | Should -HaveCount 0
        Assert-SameState $before (HostState)
    }
    It 'a fault at step <pattern> of Remove-Jail -Force leaves jail, config and dataset as they were' -ForEach @(
        @{ pattern = 'jail -q -f *' }
        @{ pattern = 'mount -p' }
        @{ pattern = 'zfs destroy *' }
    ) {
        Assert-FaultLeavesNoTrace $pattern 'simulated failure at this step' 'RemoveJailFailed' { Remove-Jail wi2 -Force }
        (Get-Jail wi2).State | Should -Be 'Running'
    }
}

Describe 'Update-Jail and Update-JailTemplate' {
    It 'New-JailTemplate -Update patches the tree with freebsd-update before the snapshot' {
        Save-JailRelease 14.1-RELEASE | Out-Null
        $m = Mark
        $t = New-JailTemplate 14.1-RELEASE -Name 14.1-patched -Update
        $cmds = Mutating (Since $m)
        $cmds | Should -Contain '/usr/sbin/freebsd-update -b /usr/local/jails/templates/14.1-patched --currently-running 14.1-RELEASE --not-running-from-cron fetch install'
        $cmds[-1] | Should -Be '/sbin/zfs snapshot zroot/jails/templates/14.1-patched@base'
        $t.PatchLevel | Should -Be '14.1-RELEASE-p8'
        Get-JailTemplate 14.1-patched | Remove-JailTemplate -Force
    }
    It 'Update-JailTemplate patches and snapshots at the new level; existing clones keep their snapshot; Update-Jail patches a thin jail in place to it' {
        Save-JailRelease 14.2-RELEASE | Out-Null
        New-JailTemplate 14.2-RELEASE | Out-Null
        New-Jail thin142 -Template 14.2-RELEASE | Out-Null
        $m = Mark
        $t = Update-JailTemplate 14.2-RELEASE -PassThru
        Mutating (Since $m) | Should -Be @(
            '/usr/sbin/freebsd-update -b /usr/local/jails/templates/14.2-RELEASE --currently-running 14.2-RELEASE --not-running-from-cron fetch install'
            '/sbin/zfs snapshot zroot/jails/templates/14.2-RELEASE@14.2-RELEASE-p4')
        $t.Snapshot | Should -Be 'zroot/jails/templates/14.2-RELEASE@14.2-RELEASE-p4'
        $t.PatchLevel | Should -Be '14.2-RELEASE-p4'
        ($script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/thin142').Origin | Should -Be 'zroot/jails/templates/14.2-RELEASE@base'
        Get-Content (Join-Path $script:sim 'fs/usr/local/jails/containers/thin142/bin/freebsd-version') -Raw | Should -BeLike '*"14.2-RELEASE"*'
        Update-Jail thin142 -PassThru | Should -Not -BeNullOrEmpty
        # The clone holds the jail's own files: patched in place, never re-cloned (issue 10, item 3).
        ($script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/thin142').Origin | Should -Be 'zroot/jails/templates/14.2-RELEASE@base'
        Get-Content (Join-Path $script:sim 'fs/usr/local/jails/containers/thin142/bin/freebsd-version') -Raw | Should -BeLike '*"14.2-RELEASE-p4"*'
    }
    It 'Update-Jail patches a thick jail with freebsd-update -b and checks freebsd-version' {
        New-JailTemplate 14.2-RELEASE -Name 14.2-plain | Out-Null
        New-Jail thick142 -Template 14.2-plain -Thick | Out-Null
        $m = Mark
        Update-Jail thick142 -Verbose 4>&1 | Out-String | Should -BeLike '*freebsd-version -u: 14.2-RELEASE-p4*'
        Mutating (Since $m) | Should -Be @('/usr/sbin/freebsd-update -b /usr/local/jails/containers/thick142 --currently-running 14.2-RELEASE --not-running-from-cron fetch install')
    }
    It 'a running thick jail is patched with freebsd-update -j' {
        Start-Jail thick142
        $m = Mark
        Update-Jail thick142
        Mutating (Since $m) | Should -Be @('/usr/sbin/freebsd-update -j thick142 --not-running-from-cron fetch install')
        Stop-Jail thick142
    }
    It 'patches a thin jail in place with freebsd-update -b (no .prev, same uuid and origin) and checks freebsd-version' {
        New-Jail upd1 -Template 14.3-RELEASE | Out-Null
        # A newer template snapshot, as Update-JailTemplate would leave it: the jail is not re-cloned from it.
        Set-Content (Join-Path $script:sim 'fs/usr/local/jails/templates/14.3-RELEASE/bin/freebsd-version') "#!/bin/sh`nUSERLAND_VERSION=`"14.3-RELEASE-p2`"`n" -NoNewline
        (Run-Sim '/sbin/zfs' @('snapshot', 'zroot/jails/templates/14.3-RELEASE@14.3-RELEASE-p2')).ExitCode | Should -Be 0
        (Get-JailTemplate 14.3-RELEASE).Snapshot | Should -Be 'zroot/jails/templates/14.3-RELEASE@14.3-RELEASE-p2'
        $uuid = ($script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/upd1').Properties['org.jailsmodule:uuid']
        $uuid | Should -Match '^[0-9a-f-]{36}$'
        $m = Mark
        Update-Jail upd1 -Verbose 4>&1 | Out-String | Should -BeLike '*freebsd-version -u: 14.3-RELEASE-p5*'
        Mutating (Since $m) | Should -Be @('/usr/sbin/freebsd-update -b /usr/local/jails/containers/upd1 --currently-running 14.3-RELEASE --not-running-from-cron fetch install')
        $ds = $script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/upd1'
        $ds.Properties['org.jailsmodule:uuid'] | Should -Be $uuid
        $ds.Origin | Should -Be 'zroot/jails/templates/14.3-RELEASE@base'
        $script:host_.ReadState().Datasets.Name | Should -Not -Contain 'zroot/jails/containers/upd1.prev'
        Get-Content (Join-Path $script:sim 'fs/usr/local/jails/containers/upd1/bin/freebsd-version') -Raw | Should -BeLike '*14.3-RELEASE-p5*'
        # Existing clones of the template keep their snapshot.
        ($script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/web1').Origin | Should -Be 'zroot/jails/templates/14.3-RELEASE@base'
    }
    It 'a failed freebsd-update of a thin jail leaves it as it was' {
        New-Jail upd2 -Template 14.3-RELEASE | Out-Null
        (Run-Sim '/sbin/zfs' @('snapshot', 'zroot/jails/templates/14.3-RELEASE@later')).ExitCode | Should -Be 0
        Assert-FaultLeavesNoTrace 'freebsd-update *' 'The update metadata signature is invalid.' 'UpdateJailFailed' { Update-Jail upd2 }
    }
    It 'a running thin jail is patched with freebsd-update -j and keeps running' {
        New-Jail upd3 -Template 14.3-RELEASE -Start | Out-Null
        $m = Mark
        (Update-Jail upd3 -PassThru).State | Should -Be 'Running'
        Mutating (Since $m) | Should -Be @('/usr/sbin/freebsd-update -j upd3 --not-running-from-cron fetch install')
    }
    It 'Remove-Jail destroys a root an earlier Update-Jail kept (.prev) with the jail; a .prev that is not provably the jail''s stays, with a warning' {
        # upd1.prev as earlier versions of the module left it: the jail's uuid, kind=previous, managed, all local.
        $uuid = ($script:host_.ReadState().Datasets | Where-Object Name -eq 'zroot/jails/containers/upd1').Properties['org.jailsmodule:uuid']
        (Run-Sim '/sbin/zfs' @('clone', '-o', 'org.jailsmodule:managed=yes', '-o', "org.jailsmodule:uuid=$uuid", '-o', 'org.jailsmodule:kind=previous', 'zroot/jails/templates/14.3-RELEASE@base', 'zroot/jails/containers/upd1.prev')).ExitCode | Should -Be 0
        # The template names the kept roots among its clones.
        Remove-JailTemplate 14.3-RELEASE -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable terr
        $terr[0].ToString() | Should -BeLike '*zroot/jails/containers/upd1.prev is a root Update-Jail kept*'
        # Busy kept root: refused before anything irreversible, the host as it was.
        Assert-FaultLeavesNoTrace 'zfs destroy zroot/jails/containers/upd1.prev' 'cannot destroy ''zroot/jails/containers/upd1.prev'': dataset is busy' 'RemoveJailFailed' { Remove-Jail upd1 -Confirm:$false }
        $m = Mark
        Remove-Jail upd1 -Confirm:$false
        Mutating (Since $m) | Should -Be @('/sbin/zfs destroy zroot/jails/containers/upd1.prev', '/sbin/zfs destroy zroot/jails/containers/upd1')
        $names = @($script:host_.ReadState().Datasets.Name)
        $names | Should -Not -Contain 'zroot/jails/containers/upd1.prev'
        $names | Should -Not -Contain 'zroot/jails/containers/upd1'
        # A kind=previous dataset with another uuid is not upd2's: Remove-Jail upd2 leaves it and says so.
        (Run-Sim '/sbin/zfs' @('create', '-o', 'org.jailsmodule:managed=yes', '-o', 'org.jailsmodule:kind=previous', '-o', 'org.jailsmodule:uuid=00000000-0000-4000-8000-000000000000', 'zroot/jails/containers/upd2.prev')).ExitCode | Should -Be 0
        Remove-Jail upd2 -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $script:host_.ReadState().Datasets.Name | Should -Contain 'zroot/jails/containers/upd2.prev'
        ($w -join "`n") | Should -BeLike '*zroot/jails/containers/upd2.prev*kept*'
        (Run-Sim '/sbin/zfs' @('destroy', 'zroot/jails/containers/upd2.prev')).ExitCode | Should -Be 0
    }
    It 'Update-JailTemplate -WhatIf shows freebsd-update with -b, --currently-running and --not-running-from-cron' {
        $m = Mark
        $log = Join-Path $script:sim 'whatif.txt'
        Start-Transcript -Path $log | Out-Null
        try { Update-JailTemplate 14.3-RELEASE -WhatIf } finally { Stop-Transcript | Out-Null }
        $text = Get-Content $log -Raw
        Mutating (Since $m) | Should -HaveCount 0
        $text | Should -BeLike '*/usr/sbin/freebsd-update -b /usr/local/jails/templates/14.3-RELEASE --currently-running 14.3-RELEASE-p2 --not-running-from-cron fetch install*'
    }
    It 'a failed freebsd-update leaves the template without a new snapshot' {
        Assert-FaultLeavesNoTrace 'freebsd-update *' 'The update metadata signature is invalid.' 'UpdateTemplateFailed' { Update-JailTemplate 14.3-RELEASE }
    }
}

Describe 'Remove-JailTemplate' {
    It 'refuses while jails are cloned from the template' {
        $before = HostState
        Remove-JailTemplate 14.3-RELEASE -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TemplateHasClones,*'
        $err[0].ToString() | Should -BeLike '*zroot/jails/containers/web1*'
        Assert-SameState $before (HostState)
    }
    It 'destroys the snapshot then the dataset once no clone is left' {
        Save-JailRelease 14.1-RELEASE | Out-Null
        New-JailTemplate 14.1-RELEASE | Out-Null
        $m = Mark
        Get-JailTemplate 14.1-RELEASE | Remove-JailTemplate -Force
        Mutating (Since $m) | Should -Be @('/sbin/zfs destroy zroot/jails/templates/14.1-RELEASE@base', '/sbin/zfs destroy zroot/jails/templates/14.1-RELEASE')
        Get-JailTemplate 14.1-RELEASE -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Get-JailModuleSetting and Set-JailModuleSetting' {
    AfterEach { Remove-Item (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf') -ErrorAction SilentlyContinue }
    It 'shows the Handbook defaults when no settings file exists' {
        $s = Get-JailModuleSetting
        $s.JailRoot | Should -Be 'zroot/jails/containers'
        $s.TemplateRoot | Should -Be 'zroot/jails/templates'
        $s.MediaPath | Should -Be '/usr/local/jails/media'
        $s.LockTimeout | Should -Be 60
    }
    It 'writes /usr/local/etc/jailsmodule.conf as name="value" lines that the next cmdlet reads' {
        $s = Set-JailModuleSetting -JailRoot tank/jails -JailMountpoint /jails -LockTimeout 5 -PassThru
        $s.JailRoot | Should -Be 'tank/jails'
        $text = Get-Content (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf') -Raw
        $text | Should -BeLike '*JailRoot="tank/jails"*'
        $text | Should -BeLike '*JailMountpoint="/jails"*'
        $text | Should -BeLike '*LockTimeout="5"*'
        (Get-JailModuleSetting).LockTimeout | Should -Be 5
        (Get-JailModuleSetting).TemplateRoot | Should -Be 'zroot/jails/templates'
    }
    It '-WhatIf writes nothing, and a bad value is refused before anything is written' {
        Set-JailModuleSetting -JailRoot tank/x -WhatIf
        Test-Path (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf') | Should -BeFalse
        Set-JailModuleSetting -TemplateRoot zroot/jails/containers/t -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidModuleSetting,*'
        Test-Path (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf') | Should -BeFalse
        { Set-JailModuleSetting -LockTimeout -1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }
    It 'a bad value written by hand is reported by the next provisioning cmdlet' {
        Set-Content (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf') "LockTimeout=`"soon`"`n"
        { New-Jail badsetting1 -Template 14.3-RELEASE -ErrorAction Stop } | Should -Throw '*LockTimeout*soon*'
    }
}

Describe 'Concurrency' {
    BeforeAll {
        # Another pwsh process connected to the same simulator folder, running $Command.
        function script:Start-ChildPwsh([string] $Tag, [string] $Command) {
            $exe = [Environment]::ProcessPath
            $argv = @()
            if ((Split-Path $exe -Leaf) -match '^dotnet(\.exe)?$') { $argv += Join-Path $PSHOME 'pwsh.dll' }
            $script = "Import-Module '$env:JAILSMODULE_TEST_MODULE'; Connect-JailHost -Simulator -Path '$script:sim'; $Command"
            $argv += '-NoProfile', '-NonInteractive', '-Command', $script
            Start-Process -FilePath $exe -ArgumentList $argv -PassThru -RedirectStandardOutput (Join-Path $script:sim "$Tag.out") -RedirectStandardError (Join-Path $script:sim "$Tag.err")
        }
    }
    It '4 processes racing New-Jail of one name: exactly one succeeds, the others get JailNameTaken or ResourceLocked' {
        $cmd = "`$j = New-Jail prace1 -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable e; " +
               "[pscustomobject]@{ Ok = [bool]`$j; Error = if (`$e) { `$e[0].FullyQualifiedErrorId -replace ',.*$' } } | ConvertTo-Json -Compress"
        $children = 1..4 | ForEach-Object { Start-ChildPwsh "race$_" $cmd }
        $children | ForEach-Object { $_.WaitForExit(120000) | Should -BeTrue }
        $results = 1..4 | ForEach-Object { Get-Content (Join-Path $script:sim "race$_.out") -Raw | ConvertFrom-Json }
        @($results | Where-Object Ok) | Should -HaveCount 1
        @($results | Where-Object { -not $_.Ok -and $_.Error -notin 'JailNameTaken', 'ResourceLocked' }) | Should -HaveCount 0
        @($script:host_.ReadState().Datasets | Where-Object Name -like 'zroot/jails/containers/prace1*') | Should -HaveCount 1
        @([JailsModule.Plans.HostLock]::Held($script:host_)) | Should -HaveCount 0
        # Their owner files went with them: the next process to make its own removes the dead ones.
        Start-ChildPwsh 'after' 'Get-JailModuleSetting | Out-Null; Set-JailModuleSetting -LockTimeout 60; Remove-Item -LiteralPath (Join-Path (Get-JailHost).Path fs/usr/local/etc/jailsmodule.conf)' | ForEach-Object { $_.WaitForExit(120000) | Should -BeTrue }
        foreach ($c in $children) { @(Get-ChildItem (Join-Path $script:sim 'fs/var/db/jailsmodule/locks') -Filter "owner-$($c.Id)-*") | Should -HaveCount 0 }
    }
    It 'New-Jail killed half-way (kill -9) holds nothing; the next plan saves its journal and warns' {
        # Another pwsh process runs New-Jail crash1; its zfs clone hangs (a slow machine) and it is killed there.
        Set-JailSimulatorFault -Command 'zfs clone * zroot/jails/containers/crash1' -Delay 120000 -ThenRun | Out-Null
        $child = Start-ChildPwsh 'crash' "New-Jail crash1 -Template 14.3-RELEASE"
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 100
                $line = [JailsModule.Plans.HostLock]::Held($script:host_) | Where-Object { $_.Resources -contains 'jail:crash1' -and $_.Steps }
            } until ($line -or $child.HasExited -or [datetime]::UtcNow -gt $deadline)
            $line | Should -Not -BeNullOrEmpty -Because "the child's plan holds jail:crash1 with its journal while its clone hangs"
            $line.Pid | Should -Be $child.Id
            # While it lives, its lock holds (a 1-second lock timeout, not the default 60).
            Set-JailModuleSetting -LockTimeout 1
            New-Jail crash1 -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable busy -WarningAction SilentlyContinue | Out-Null
            $busy[0].FullyQualifiedErrorId | Should -BeLike 'ResourceLocked,*'
            $busy[0].ToString() | Should -BeLike "*pid $($child.Id)*"
        }
        finally {
            $child.Kill($true)
            $child.WaitForExit()
            Clear-JailSimulatorFault
            Remove-Item (Join-Path $script:sim 'fs/usr/local/etc/jailsmodule.conf') -ErrorAction SilentlyContinue
        }
        # The kernel dropped its flock: the next plan runs, drops the dead line, saves the journal and says so.
        $j = New-Jail crash1 -Template 14.3-RELEASE -WarningVariable w -WarningAction SilentlyContinue
        $j.Name | Should -Be 'crash1'
        $saved = "/var/db/jailsmodule/journal/$($line.Id).json"
        ($w -join "`n") | Should -BeLike "*interrupted*$saved*"
        $journal = Get-Content (Join-Path $script:sim "fs$saved") -Raw | ConvertFrom-Json
        $journal.Pid | Should -Be $child.Id
        $journal.Steps[0].Actions[0] | Should -BeLike '/sbin/zfs clone * zroot/jails/templates/14.3-RELEASE@* zroot/jails/containers/crash1'
        @([JailsModule.Plans.HostLock]::Held($script:host_)) | Should -HaveCount 0
        Remove-Item (Join-Path $script:sim "fs$saved")
        # No owner file of the dead process is left.
        @(Get-ChildItem (Join-Path $script:sim 'fs/var/db/jailsmodule/locks') -Filter "owner-$($child.Id)-*") | Should -HaveCount 0
    }
    It '50 concurrent New-Jail of one name: exactly one succeeds, the others get JailNameTaken or ResourceLocked' {
        $module = $env:JAILSMODULE_TEST_MODULE
        $sim = $script:sim
        $results = 1..50 | ForEach-Object -ThrottleLimit 10 -Parallel {
            Import-Module $using:module
            Connect-JailHost -Simulator -Path $using:sim
            $j = New-Jail race1 -Template 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable e
            [pscustomobject]@{ Ok = [bool]$j; Error = if ($e) { $e[0].FullyQualifiedErrorId -replace ',.*$' } }
        }
        $results | Should -HaveCount 50
        @($results | Where-Object Ok) | Should -HaveCount 1
        @($results | Where-Object { -not $_.Ok -and $_.Error -notin 'JailNameTaken', 'ResourceLocked' }) | Should -HaveCount 0
        @($script:host_.ReadState().Datasets | Where-Object Name -like 'zroot/jails/containers/race1*') | Should -HaveCount 1
        @([JailsModule.Plans.HostLock]::Held($script:host_)) | Should -HaveCount 0
        @(Get-ChildItem (Join-Path $script:sim 'fs/var/db/jailsmodule/journal')) | Should -HaveCount 0
    }
}
