# Provisioning on a FreeBSD host without ZFS (UFS root, zfs.ko not loaded, no pool): the Handbook's
# NullFS thin jails. Every argv is asserted; every injected fault leaves the host as it was.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-ufs-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:host_ = [JailsModule.Services.JailHostManager]::GetSimulator($script:sim)
    . (Join-Path $PSScriptRoot 'Support/ProvisioningHelpers.ps1')
    # A UFS host: root on /dev/ada0p2, no pool, zfs.ko available but not loaded, no zfs_enable.
    $script:host_.UpdateState([Action[JailsModule.Simulation.SimState]] {
            param($s)
            $s.Datasets.Clear()
            $s.Mounts.Clear()
            $s.Mounts.Add([JailsModule.Simulation.SimMount]@{ Special = '/dev/ada0p2'; Node = '/'; FsType = 'ufs'; Options = 'local, soft-updates' })
            $s.Mounts.Add([JailsModule.Simulation.SimMount]@{ Special = 'devfs'; Node = '/dev'; FsType = 'devfs'; Options = 'local, multilabel' })
            $zfs = $s.Klds | Where-Object File -eq 'zfs.ko'
            [void]$s.Klds.Remove($zfs)
            $s.AvailableKlds.Add($zfs)
        })
    $rc = Join-Path $script:sim 'fs/etc/rc.conf'
    (Get-Content $rc) | Where-Object { $_ -notmatch '^zfs_enable=' } | Set-Content $rc

    $script:B = '/usr/local/jails/templates/14.3-RELEASE-base'
    $script:S = '/usr/local/jails/templates/14.3-RELEASE-skeleton'
    function script:Real([string] $p) { Join-Path $script:sim ('fs' + $p) }
    # The chflags(1) names of a path's file flags in the simulated host ('' for none).
    function script:FlagsOf([string] $p) {
        [JailsModule.Simulation.SimFileFlags]::ToText([JailsModule.Simulation.SimFileFlags]::Get($script:host_.ReadState(), $script:host_.Fs, $script:host_.Fs.Map($p)))
    }
    # Files (with content hash or link target), mounts, jails and locks: what a failed plan must leave untouched.
    function script:HostState {
        $st = $script:host_.ReadState()
        $files = foreach ($d in '/etc/jail.conf.d', '/var/db/jailsmodule', '/usr/local/jails/templates', '/usr/local/jails/containers') {
            $real = Real $d
            if (Test-Path $real) {
                Get-ChildItem $real -Recurse -Force -Attributes !ReparsePoint, ReparsePoint | Where-Object FullName -notlike (Real '/var/db/jailsmodule/locks*') | ForEach-Object {
                    $rel = $_.FullName.Substring($real.Length)
                    if ($_.LinkTarget) { "$d$rel -> $($_.LinkTarget)" }
                    elseif ($_.PSIsContainer) { "$d$rel/" }
                    else { "$d${rel}:$((Get-FileHash -LiteralPath $_.FullName).Hash)" }
                }
            }
        }
        [pscustomobject]@{
            Datasets = @($st.Datasets | ForEach-Object Name)
            Mounts   = @($st.Mounts | ForEach-Object { "$($_.Special) $($_.Node) $($_.FsType) $($_.Options)" } | Sort-Object)
            Jails    = @($st.Jails | ForEach-Object { "$($_.Name) $($_.Dying)" } | Sort-Object)
            Files    = @($files | Sort-Object)
            Locks    = @([JailsModule.Plans.HostLock]::Held($script:host_) | ForEach-Object { "$($_.Id) $($_.Resources -join ',')" })
        }
    }
    function script:Assert-FaultLeavesNoTrace([string] $Pattern, [string] $ErrorId, [scriptblock] $Action) {
        $before = HostState
        $m = Mark
        Set-JailSimulatorFault -Command $Pattern -StandardError 'simulated failure at this step' | Out-Null
        try { $err = @(& $Action 2>&1 | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) }
        finally { Clear-JailSimulatorFault }
        @(Get-JailSimulatorLog | Select-Object -Skip $m | Where-Object Note -like 'fault *') | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err[0].ToString() | Should -BeLike '*simulated failure at this step*'
        Assert-SameState $before (HostState)
    }
    Save-JailRelease -Release 14.3-RELEASE | Out-Null
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'New-JailTemplate without ZFS' {
    It 'a fault at any step leaves no folder, file or lock behind' -ForEach @(
        @{ pattern = 'mkdir /usr/local/jails/templates/14.3-RELEASE-base' }
        @{ pattern = 'tar -xf *' }
        @{ pattern = 'mkdir -p *' }
        @{ pattern = 'mv */usr/local *' }
        @{ pattern = 'mkdir */skeleton' }
        @{ pattern = 'ln -s skeleton/var *' }
    ) {
        Assert-FaultLeavesNoTrace $pattern 'NewTemplateFailed' { New-JailTemplate 14.3-RELEASE }
    }
    It 'extracts base.txz into NAME-base, moves the writable parts to NAME-skeleton and links them back' {
        $m = Mark
        $t = New-JailTemplate -Release 14.3-RELEASE
        Mutating (Since $m) | Should -Be @(
            "/bin/mkdir $B"
            "/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-base.txz -C $B --unlink"
            "/bin/mkdir -p $S/usr $S/home"
            "/bin/mv $B/etc $S/etc"
            "/bin/mv $B/root $S/root"
            "/bin/mv $B/usr/local $S/usr/local"
            "/bin/mv $B/tmp $S/tmp"
            "/bin/mv $B/var $S/var"
            "/bin/mkdir $B/skeleton"
            "/bin/ln -s skeleton/etc $B/etc"
            "/bin/ln -s skeleton/home $B/home"
            "/bin/ln -s skeleton/root $B/root"
            "/bin/ln -s ../skeleton/usr/local $B/usr/local"
            "/bin/ln -s skeleton/tmp $B/tmp"
            "/bin/ln -s skeleton/var $B/var"
        )
        $t.Storage | Should -Be 'ufs'
        $t.Path | Should -Be $B
        $t.Skeleton | Should -Be $S
        $t.Dataset | Should -BeNullOrEmpty
        $t.PatchLevel | Should -Be '14.3-RELEASE'
        (Get-Item (Real "$B/etc")).LinkTarget | Should -Be 'skeleton/etc'
        Get-Content (Real "$S/etc/resolv.conf") -Raw | Should -Be "nameserver 192.0.2.1`n"
        Get-Content (Real '/usr/local/jails/templates/14.3-RELEASE.jailsmodule') | Should -Contain '# jailsmodule: release=14.3-RELEASE'
        $script:host_.ReadState().Datasets | Should -HaveCount 0
    }
    It 'Get-JailTemplate lists it; a second one of the same name is refused' {
        (Get-JailTemplate 14.3-RELEASE).Storage | Should -Be 'ufs'
        $before = HostState
        New-JailTemplate 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'TemplateExists,*'
        Assert-SameState $before (HostState)
    }
}

Describe 'New-Jail without ZFS' {
    It 'a fault at any step of a thin jail leaves the host as it was' -ForEach @(
        @{ pattern = 'cp -a *' }
        @{ pattern = 'mkdir /usr/local/jails/containers/faulty' }
        @{ pattern = 'jail -i -f *' }
    ) {
        Assert-FaultLeavesNoTrace $pattern 'NewJailFailed' { New-Jail faulty -Template 14.3-RELEASE -Start }
    }
    It 'a fault at any step of a thick jail leaves the host as it was' -ForEach @(
        @{ pattern = 'mkdir /usr/local/jails/containers/faulty' }
        @{ pattern = 'tar -xf *' }
    ) {
        Assert-FaultLeavesNoTrace $pattern 'NewJailFailed' { New-Jail faulty -Template 14.3-RELEASE -Thick }
    }
    It 'thin: copies the skeleton, makes the mount point and writes the nullfs mount lines' {
        $m = Mark
        $j = New-Jail web -Template 14.3-RELEASE -IPv4Address 192.0.2.20
        Mutating (Since $m) | Should -Be @(
            "/bin/cp -a $S /usr/local/jails/containers/web.skeleton"
            '/bin/mkdir /usr/local/jails/containers/web'
        )
        $j.Path | Should -Be '/usr/local/jails/containers/web'
        $conf = Get-Content (Real '/etc/jail.conf.d/web.conf') -Raw
        $conf | Should -Match "# jailsmodule: kind=thin"
        $conf | Should -Match "# jailsmodule: template=14.3-RELEASE"
        $conf | Should -Match ([regex]::Escape("`"$B /usr/local/jails/containers/web nullfs ro 0 0`""))
        $conf | Should -Match ([regex]::Escape('"/usr/local/jails/containers/web.skeleton /usr/local/jails/containers/web/skeleton nullfs rw 0 0"'))
        (Get-Item (Real '/usr/local/jails/containers/web.skeleton/etc/rc')) | Should -Not -BeNullOrEmpty
        (Get-JailTemplate 14.3-RELEASE).Clones | Should -Be @('web')
    }
    It 'Start-Jail mounts the base read-only and the skeleton read-write; the jail runs from them' {
        $m = Mark
        Start-Jail web
        Since $m | Should -Contain '/usr/sbin/jail -i -f /etc/jail.conf.d/web.conf -c web'
        $mounts = @($script:host_.ReadState().Mounts | Where-Object FsType -eq nullfs | ForEach-Object { "$($_.Special) $($_.Node) $($_.Options)" })
        $mounts | Should -Contain "$B /usr/local/jails/containers/web local, read-only"
        $mounts | Should -Contain '/usr/local/jails/containers/web.skeleton /usr/local/jails/containers/web/skeleton local'
        Invoke-JailCommand web -- freebsd-version -u | Should -Be '14.3-RELEASE'
        # /etc is the jail's own skeleton copy; /bin is the shared base, read-only.
        Invoke-JailCommand web -- sysrc sshd_enable=YES | Out-Null
        Get-Content (Real '/usr/local/jails/containers/web.skeleton/etc/rc.conf') | Should -Contain 'sshd_enable="YES"'
        Select-String -Path (Real "$S/etc/*") -Pattern 'sshd_enable' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Invoke-JailCommand web -ErrorAction SilentlyContinue -ErrorVariable err -- mkdir /bin/new | Out-Null
        $err[0].ToString() | Should -BeLike '*mkdir: /bin/new: Read-only file system*'
        Test-Path (Real "$B/bin/new") | Should -BeFalse
    }
    It 'thick: its own copy of the release in JailMountpoint/NAME' {
        $m = Mark
        New-Jail thick1 -Template 14.3-RELEASE -Thick | Out-Null
        Mutating (Since $m) | Should -Be @(
            '/bin/mkdir /usr/local/jails/containers/thick1'
            '/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-base.txz -C /usr/local/jails/containers/thick1 --unlink'
        )
        Test-Path (Real '/usr/local/jails/containers/thick1/bin/freebsd-version') | Should -BeTrue
        Get-Content (Real '/etc/jail.conf.d/thick1.conf') -Raw | Should -Not -Match 'nullfs'
    }
    It 'thick from a folder template made with base and lib32 extracts both sets' {
        Save-JailRelease 14.3-RELEASE -DistributionSet base, lib32 | Out-Null
        (New-JailTemplate 14.3-RELEASE -Name u32 -DistributionSet base, lib32).DistributionSet | Should -Be @('base', 'lib32')
        (Get-JailTemplate u32).DistributionSet | Should -Be @('base', 'lib32')
        $m = Mark
        New-Jail thick32 -Template u32 -Thick | Out-Null
        @(Mutating (Since $m) | Where-Object { $_ -like '/usr/bin/tar *' }) | Should -Be @(
            '/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-base.txz -C /usr/local/jails/containers/thick32 --unlink'
            '/usr/bin/tar -xf /usr/local/jails/media/14.3-RELEASE-lib32.txz -C /usr/local/jails/containers/thick32 --unlink')
        Test-Path (Real '/usr/local/jails/containers/thick32/usr/lib32/libc.so.7') | Should -BeTrue
        Remove-Jail thick32 -Confirm:$false
        Remove-JailTemplate u32 -Confirm:$false
        Get-JailTemplate u32 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
    It '-WhatIf prints the cp, mkdir and config write, and changes nothing' {
        $before = HostState
        $m = Mark
        $log = Join-Path $script:sim 'whatif-ufs.txt'
        Start-Transcript -Path $log | Out-Null
        try { New-Jail what1 -Template 14.3-RELEASE -WhatIf } finally { Stop-Transcript | Out-Null }
        $out = Get-Content $log -Raw
        Mutating (Since $m) | Should -HaveCount 0
        $out | Should -BeLike "*1. /bin/cp -a $S /usr/local/jails/containers/what1.skeleton*"
        $out | Should -BeLike '*/bin/mkdir /usr/local/jails/containers/what1*'
        $out | Should -BeLike "*write file /etc/jail.conf.d/what1.conf*"
        Assert-SameState $before (HostState)
    }
    It 'Update-Jail patches a thick jail in place and refuses a thin one; Update-JailTemplate needs ZFS' {
        $m = Mark
        Update-Jail thick1 | Out-Null
        Mutating (Since $m) | Should -Contain '/usr/sbin/freebsd-update -b /usr/local/jails/containers/thick1 --currently-running 14.3-RELEASE --not-running-from-cron fetch install'
        Get-Content (Real '/usr/local/jails/containers/thick1/bin/freebsd-version') -Raw | Should -Not -Match 'USERLAND_VERSION="14.3-RELEASE"'
        $before = HostState
        Update-Jail web -Force -ErrorAction SilentlyContinue -ErrorVariable e1
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'NotSupportedWithoutZfs,*'
        Update-JailTemplate 14.3-RELEASE -ErrorAction SilentlyContinue -ErrorVariable e2
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'NotSupportedWithoutZfs,*'
        Assert-SameState $before (HostState)
    }
    It '-Dataset is refused without a pool' {
        New-Jail ds1 -Template 14.3-RELEASE -Dataset zroot/jails/containers/ds1 -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'DatasetNotSupported,*'
    }
}

Describe 'Remove-JailTemplate and Remove-Jail without ZFS' {
    It 'Remove-JailTemplate refuses while jails use the template' {
        $before = HostState
        Remove-JailTemplate 14.3-RELEASE -Force -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'TemplateHasClones,*'
        $e[0].ToString() | Should -BeLike '*web*'
        Assert-SameState $before (HostState)
    }
    It 'a fault at any step of Remove-Jail leaves the host as it was' -ForEach @(
        @{ pattern = 'jail -q -f * -r web' }
        @{ pattern = 'mount -p' }
        @{ pattern = 'rmdir *' }
        @{ pattern = 'rm -rf -x *' }
    ) {
        Assert-FaultLeavesNoTrace $pattern 'RemoveJailFailed' { Remove-Jail web -Force }
        (Get-Jail web).State | Should -Be 'Running'
    }
    It 'refuses while something is mounted under the jail''s path' {
        Stop-Jail web
        (Run-Sim '/sbin/mount' @('-t', 'nullfs', '-o', 'ro', $B, '/usr/local/jails/containers/web')).ExitCode | Should -Be 0
        $before = HostState
        Remove-Jail web -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailPathBusy,*'
        Assert-SameState $before (HostState)
        (Run-Sim '/sbin/umount' @('/usr/local/jails/containers/web')).ExitCode | Should -Be 0
    }
    It 'refuses a skeleton path other than the one it made; -KeepDataset removes only the config' {
        New-Jail tam1 -Template 14.3-RELEASE | Out-Null
        $file = Real '/etc/jail.conf.d/tam1.conf'
        (Get-Content $file -Raw) -replace '# jailsmodule: skeleton=\S+', "# jailsmodule: skeleton=$S" | Set-Content $file -NoNewline
        $before = HostState
        Remove-Jail tam1 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailPathOutsideRoot,*'
        Assert-SameState $before (HostState)
        $m = Mark
        Remove-Jail tam1 -KeepDataset -Confirm:$false
        Mutating (Since $m) | Should -HaveCount 0
        Test-Path $file | Should -BeFalse
        Test-Path (Real '/usr/local/jails/containers/tam1.skeleton/etc/rc') | Should -BeTrue
        Test-Path (Real "$S/etc/rc") | Should -BeTrue
        # base.txz's var/empty is schg (BSD.var.dist) and cp -a kept it: rm -rf alone fails as on FreeBSD, the rest goes.
        $rm = Run-Sim '/bin/rm' @('-rf', '-x', '/usr/local/jails/containers/tam1.skeleton', '/usr/local/jails/containers/tam1')
        $rm.ExitCode | Should -Be 1
        $rm.StandardError | Should -BeLike '*rm: /usr/local/jails/containers/tam1.skeleton/var/empty: Operation not permitted*'
        Test-Path (Real '/usr/local/jails/containers/tam1.skeleton/etc/rc') | Should -BeFalse
        (Run-Sim '/bin/chflags' @('-R', '0', '/usr/local/jails/containers/tam1.skeleton')).ExitCode | Should -Be 0
        (Run-Sim '/bin/rm' @('-rf', '-x', '/usr/local/jails/containers/tam1.skeleton')).ExitCode | Should -Be 0
        Test-Path (Real '/usr/local/jails/containers/tam1.skeleton') | Should -BeFalse
    }
    It 'deletes the mount point and the skeleton copy, never the base, and removes the config' {
        Start-Jail web
        $m = Mark
        Remove-Jail web -Force
        Mutating (Since $m) | Should -Be @(
            '/usr/sbin/jail -q -f /etc/jail.conf.d/web.conf -r web'
            '/bin/rmdir /usr/local/jails/containers/web'
            '/bin/chflags -R -x 0 /usr/local/jails/containers/web.skeleton'
            '/bin/rm -rf -x /usr/local/jails/containers/web.skeleton'
        )
        @(Get-ChildItem (Real '/usr/local/jails/containers') -Force -Filter 'web*') | Should -HaveCount 0
        FlagsOf "$S/var/empty" | Should -Be 'schg' # the template's own skeleton is not touched
        Test-Path (Real '/etc/jail.conf.d/web.conf') | Should -BeFalse
        Test-Path (Real '/usr/local/jails/containers/web') | Should -BeFalse
        Test-Path (Real '/usr/local/jails/containers/web.skeleton') | Should -BeFalse
        Test-Path (Real "$B/bin/freebsd-version") | Should -BeTrue
        Test-Path (Real "$S/etc/rc") | Should -BeTrue
        @($script:host_.ReadState().Mounts | Where-Object FsType -eq nullfs) | Should -HaveCount 0
    }
    It 'an alias of thick1''s folder: Update-Jail refuses, Remove-Jail never deletes the folder and names it' {
        # With copied metadata comments: refused, nothing removed.
        (Get-Content (Real '/etc/jail.conf.d/thick1.conf') -Raw) -replace '(?m)^thick1 \{', 'ufsalias1 {' | Set-Content (Real '/etc/jail.conf.d/ufsalias1.conf') -NoNewline
        Update-Jail ufsalias1 -Force -ErrorAction SilentlyContinue -ErrorVariable uerr
        $uerr[0].FullyQualifiedErrorId | Should -BeLike 'JailRootNotOwned,*'
        Remove-Jail ufsalias1 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'JailPathOutsideRoot,*'
        Test-Path (Real '/etc/jail.conf.d/ufsalias1.conf') | Should -BeTrue
        Remove-Item (Real '/etc/jail.conf.d/ufsalias1.conf')
        # Without the comments: only the config goes, the folder stays and a warning names it.
        Set-JailConfig ufsalias2 -New -Parameter @{ path = '/usr/local/jails/containers/thick1' }
        $m = Mark
        Remove-Jail ufsalias2 -Force -WarningVariable w -WarningAction SilentlyContinue
        Mutating (Since $m) | Should -HaveCount 0
        Test-Path (Real '/etc/jail.conf.d/ufsalias2.conf') | Should -BeFalse
        Test-Path (Real '/usr/local/jails/containers/thick1/bin/freebsd-version') | Should -BeTrue
        ($w -join "`n") | Should -BeLike '*/usr/local/jails/containers/thick1*kept*'
    }
    It 'a new thin jail''s skeleton copy keeps base.txz''s schg var/empty, and Remove-Jail still leaves nothing behind' {
        New-Jail thin2 -Template 14.3-RELEASE | Out-Null
        FlagsOf '/usr/local/jails/containers/thin2.skeleton/var/empty' | Should -Be 'schg' # cp -a kept it; rm -rf alone stops there
        Remove-Jail thin2 -Force
        @(Get-ChildItem (Real '/usr/local/jails/containers') -Force -Filter 'thin2*') | Should -HaveCount 0
        Test-Path (Real '/etc/jail.conf.d/thin2.conf') | Should -BeFalse
        @($script:host_.ReadState().FileFlags.Keys | Where-Object { $_ -like '/usr/local/jails/containers/thin2*' }) | Should -HaveCount 0
    }
    It 'thick: chflags -R -x 0 and rm -rf -x of its tree' {
        FlagsOf '/usr/local/jails/containers/thick1/var/empty' | Should -Be 'schg' # bsdtar restored base.txz's flags
        $m = Mark
        Remove-Jail thick1 -Confirm:$false
        Mutating (Since $m) | Should -Be @(
            '/bin/chflags -R -x 0 /usr/local/jails/containers/thick1'
            '/bin/rm -rf -x /usr/local/jails/containers/thick1'
        )
        Test-Path (Real '/usr/local/jails/containers/thick1') | Should -BeFalse
        @($script:host_.ReadState().FileFlags.Keys | Where-Object { $_ -like '/usr/local/jails/containers/thick1/*' }) | Should -HaveCount 0
    }
    It 'Remove-JailTemplate deletes base, skeleton and metadata once unused' {
        Assert-FaultLeavesNoTrace 'rm -rf -x *' 'RemoveTemplateFailed' { Remove-JailTemplate 14.3-RELEASE -Force }
        $m = Mark
        Remove-JailTemplate 14.3-RELEASE -Force
        Mutating (Since $m) | Should -Be @("/bin/chflags -R -x 0 $S $B", "/bin/rm -rf -x $S $B")
        Test-Path (Real $B) | Should -BeFalse
        Test-Path (Real $S) | Should -BeFalse
        @(Get-ChildItem (Real '/usr/local/jails/templates') -Force) | Should -HaveCount 0
        Test-Path (Real '/usr/local/jails/templates/14.3-RELEASE.jailsmodule') | Should -BeFalse
        @(Get-JailTemplate) | Should -HaveCount 0
    }
}
