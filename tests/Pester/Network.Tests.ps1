# The Network feature end to end on the simulated host: ifconfig/route of the simulator, bridges, vnet jails
# (seeds 000, 003, 004), leak-free teardown, names/MACs, rollback at every step, bad input, FreeBSD 15's rule.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-net-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
    $script:fs = Join-Path (Get-JailHost).Path 'fs'
    $script:host_ = [JailsModule.Services.JailHostManager]::GetSimulator($script:sim)

    function script:Sim([string] $tool, [string[]] $argv) {
        $script:host_.RunAsync([JailsModule.Host.ProcessRequest]::new($tool, $argv), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    }
    function script:Ifc([string[]] $argv) { Sim '/sbin/ifconfig' $argv }
    function script:IfList { (Ifc '-l').StandardOutput.Trim() -split ' ' }
    function script:RcConf { Get-Content (Join-Path $script:fs 'etc/rc.conf') -Raw }
    function script:Conf([string] $Name) { Get-Content (Join-Path $script:fs "etc/jail.conf.d/$Name.conf") -Raw }
    # A jail the Handbook way, with a userland so exec.start can run ifconfig inside it.
    function script:New-ConfJail([string] $Name, [switch] $Userland) {
        $root = Join-Path $script:fs "jails/$Name"
        New-Item -ItemType Directory -Force -Path $root | Out-Null
        if ($Userland) { [JailsModule.Simulation.SimSeed]::InstallUserland([JailsModule.Simulation.SimFileSystem]::new($script:fs), "/jails/$Name", $null) }
        Set-Content -Path (Join-Path $script:fs "etc/jail.conf.d/$Name.conf") -NoNewline -Value (
            "$Name {`n    path = `"/jails/$Name`";`n    exec.start = `"/bin/sh /etc/rc`";`n    exec.stop = `"/bin/sh /etc/rc.shutdown`";`n    mount.devfs;`n}`n")
    }
    # What -WhatIf printed (ShouldProcess writes to the host, so through a transcript).
    function script:WhatIfText([scriptblock] $Command) {
        $log = Join-Path $script:sim ("whatif-" + [guid]::NewGuid().ToString('N') + '.txt')
        Start-Transcript -Path $log | Out-Null
        try { & $Command | Out-Null } finally { Stop-Transcript | Out-Null }
        Get-Content $log -Raw
    }
    function script:Set-SimState([scriptblock] $Edit) {
        $state = Join-Path (Get-JailHost).Path 'state.json'
        $j = Get-Content $state -Raw | ConvertFrom-Json -AsHashtable
        & $Edit $j
        $j | ConvertTo-Json -Depth 30 | Set-Content $state
    }
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Simulated ifconfig and route' {
    It 'clones as ifclone.c prints: a name only when it differs from the one typed' {
        $r = Ifc 'bridge', 'create'
        $r.StandardOutput | Should -Be "bridge0`n"
        $r = Ifc 'bridge7', 'create'
        $r.ExitCode | Should -Be 0
        $r.StandardOutput | Should -BeNullOrEmpty
        (Ifc 'epair', 'create').StandardOutput | Should -Be "epair0a`n"
        (Ifc 'epair3', 'create').StandardOutput | Should -Be "epair3a`n"
        $dup = Ifc 'epair3', 'create'
        $dup.ExitCode | Should -Be 1
        $dup.StandardError | Should -Be "ifconfig: SIOCIFCREATE2 (epair3): File exists`n"
        IfList | Should -Contain 'epair3b'
        (Ifc '-g', 'epair').StandardOutput | Should -Be "epair0a`nepair0b`nepair3a`nepair3b`n"
        (Ifc '-g', 'nosuchgroup').StandardOutput | Should -BeNullOrEmpty
        (Ifc '-C').StandardOutput | Should -Match '\bbridge\b.*\bepair\b'
        (Sim '/sbin/kldstat' @('-q', '-m', 'if_epair')).ExitCode | Should -Be 0
    }

    It 'shows a bridge with its members, destroys an epair with its peer, keeps the driver group after a rename' {
        (Ifc 'bridge0', 'addm', 'epair0a', 'up').ExitCode | Should -Be 0
        $s = (Ifc 'bridge0').StandardOutput
        $s | Should -Match '^bridge0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n'
        $s | Should -Match "`n`tmember: epair0a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>`n`t        ifmaxaddr 0 port \d+ priority 128 path cost 2000`n"
        $s | Should -Match "`tgroups: bridge `n"
        (Ifc 'bridge0', 'addm', 'epair0a').StandardError | Should -Be "ifconfig: BRDGADD epair0a: File exists`n"
        (Ifc 'bridge0', 'addm', 'nope0').StandardError | Should -Be "ifconfig: BRDGADD nope0: No such file or directory`n"
        (Ifc 'epair3b', 'name', 'eth9').StandardOutput | Should -Be "eth9`n"
        (Ifc '-g', 'epair').StandardOutput | Should -Match 'eth9'
        (Ifc 'epair3a', 'destroy').ExitCode | Should -Be 0
        IfList | Should -Not -Contain 'eth9'
        (Ifc 'epair3a').StandardError | Should -Be "ifconfig: interface epair3a does not exist`n"
        (Ifc 'averyveryverylongname0', 'create').StandardError | Should -Match 'too long'
        (Ifc 'epair0a', 'group', 'jail1').StandardError | Should -Be "ifconfig: setifgroup: group names may not end in a digit`n"
        foreach ($i in 'bridge0', 'bridge7', 'epair0a') { (Ifc $i, 'destroy').ExitCode | Should -Be 0 }
        IfList | Should -Be @('em0', 're0', 'lo0')
    }

    It 'sets addresses, MACs, offload, descriptions; refuses multicast MACs' {
        (Ifc 'epair', 'create').ExitCode | Should -Be 0
        (Ifc 'epair0a', 'inet', '10.9.0.1/24', 'description', 'test:x', 'ether', '02:00:00:00:00:09', 'up').ExitCode | Should -Be 0
        $s = (Ifc 'epair0a').StandardOutput
        $s | Should -Match "`tinet 10\.9\.0\.1 netmask 0xffffff00 broadcast 10\.9\.0\.255`n"
        $s | Should -Match "`tdescription: test:x`n"
        $s | Should -Match "`tether 02:00:00:00:00:09`n"
        (Ifc 'epair0a', 'inet', '10.9.0.1', '-alias').ExitCode | Should -Be 0
        (Ifc 'epair0a').StandardOutput | Should -Not -Match 'inet 10\.9'
        (Ifc 'epair0a', 'ether', '01:00:5e:00:00:01').ExitCode | Should -Be 1
        (Ifc 'em0', '-lro', '-tso').ExitCode | Should -Be 0
        (Ifc 'em0').StandardOutput | Should -Not -Match 'LRO|TSO4'
        (Ifc 'em0', 'lro', 'tso').ExitCode | Should -Be 0
        (Ifc 'em0').StandardOutput | Should -Match 'TSO4,TSO6,LRO'
        (Ifc 'epair0a', 'destroy').ExitCode | Should -Be 0
    }

    It 'keeps a default route per network stack' {
        (Sim '/sbin/route' @('-n', 'get', 'default')).StandardOutput | Should -Match 'gateway: 192\.0\.2\.1'
        $r = Sim '/sbin/route' @('add', 'default', '192.0.2.9')
        $r.ExitCode | Should -Be 1
        $r.StandardError | Should -Be "route: route already in table`n"
        $r = Sim '/sbin/route' @('add', '-inet6', 'default', '2001:db8::1')
        $r.ExitCode | Should -Be 0
        (Sim '/sbin/route' @('delete', '-inet6', 'default')).StandardOutput | Should -Be "delete net default: gateway 2001:db8::1`n"
    }
}

Describe 'Bridges' {
    AfterEach {
        foreach ($b in Get-JailBridge) { Remove-JailBridge $b.Name -Force }
    }

    It 'creates seed 004''s bridge on re0.7 and persists it with sysrc' {
        $plan = WhatIfText { New-JailBridge bridge0 -Member re0 -VlanId 7 -Persist -WhatIf }
        $plan | Should -Match '1\. /sbin/ifconfig re0\.7 create'
        $plan | Should -Match '/usr/sbin/sysrc cloned_interfaces\+=bridge0'
        IfList | Should -Not -Contain 'bridge0'
        $b = New-JailBridge bridge0 -Member re0 -VlanId 7 -Persist
        $b.Name | Should -Be 'bridge0'
        $b.Member | Should -Be @('re0.7')
        $b.VlanId | Should -Be @(7)
        $b.Persistent | Should -BeTrue
        $b.OffloadMember | Should -BeNullOrEmpty
        (Ifc 're0').StandardOutput | Should -Not -Match 'LRO'
        $rc = RcConf
        $rc | Should -Match '(?m)^cloned_interfaces="bridge0"$'
        $rc | Should -Match '(?m)^ifconfig_bridge0="addm re0\.7 up"$'
        $rc | Should -Match '(?m)^vlans_re0="7"$'
        $rc | Should -Match '(?m)^ifconfig_re0_7="up"$'
        $rc | Should -Match '(?m)^ifconfig_re0="up -lro -tso"$'
        Remove-JailBridge bridge0 -Force
        IfList | Should -Not -Contain 'bridge0'
        RcConf | Should -Not -Match 'bridge0'
    }

    It 'adds and removes members, keeping the rc.conf line in step' {
        New-JailBridge bridge1 -Persist | Out-Null
        Ifc 'epair', 'create' | Out-Null
        Add-JailBridgeMember bridge1 epair0a -PassThru | ForEach-Object Member | Should -Be @('epair0a')
        RcConf | Should -Match '(?m)^ifconfig_bridge1="addm epair0a up"$'
        Add-JailBridgeMember bridge1 epair0a -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^AlreadyMember'
        Remove-JailBridgeMember bridge1 epair0a -Force
        (Get-JailBridge bridge1).Member | Should -BeNullOrEmpty
        RcConf | Should -Match '(?m)^ifconfig_bridge1="up"$'
        Ifc 'epair0a', 'destroy' | Out-Null
    }

    It 'refuses bad input before anything runs, naming it' {
        $before = IfList
        New-JailBridge bridge_with_a_long_name -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^InvalidInterfaceName'
        New-JailBridge bridge2 -Member em9 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^InterfaceNotFound'
        $e[0].Exception.Message | Should -Match 'em9'
        { New-JailBridge bridge2 -Member re0 -VlanId 4095 -ErrorAction Stop } | Should -Throw
        New-JailBridge bridge2 -IPv4Address 10.0.0.1/33 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^InvalidAddress'
        IfList | Should -Be $before
    }

    It 'leaves nothing behind when any step of New-JailBridge fails' {
        Ifc 're0', 'lro', 'tso' | Out-Null
        $rcBefore = RcConf
        $ifBefore = IfList
        $lines = @((WhatIfText { New-JailBridge bridge3 -Member re0 -VlanId 9 -IPv4Address 10.3.0.1/24 -Persist -WhatIf }) -split "`r?`n" | Where-Object { $_ -match '^\d+\. ' })
        $lines.Count | Should -BeGreaterThan 8
        foreach ($line in $lines) {
            $cmd = $line -replace '^\d+\. ', '' -replace "'", ''
            Set-JailSimulatorFault -Command $cmd -StandardError 'injected' | Out-Null
            New-JailBridge bridge3 -Member re0 -VlanId 9 -IPv4Address 10.3.0.1/24 -Persist -ErrorAction SilentlyContinue -ErrorVariable e
            Clear-JailSimulatorFault
            $e.Count | Should -BeGreaterThan 0 -Because "the fault at '$cmd' fails the plan"
            IfList | Should -Be $ifBefore -Because "a fault at '$cmd' is rolled back"
            RcConf | Should -Be $rcBefore -Because "a fault at '$cmd' is rolled back"
            (Ifc 're0').StandardOutput | Should -Match 'LRO' -Because "a fault at '$cmd' restores offload"
        }
    }

    It 'on FreeBSD 15 refuses an addressed member, or moves the address to the bridge with -MoveAddress' {
        Set-SimState { param($j) $j.KernelRelease = '15.0-RELEASE'; $j.Sysctls['kern.osrelease'] = '15.0-RELEASE' }
        try {
            (Ifc 'bridge', 'create').ExitCode | Should -Be 0
            (Ifc 'bridge0', 'addm', 'em0').StandardError | Should -Be "ifconfig: BRDGADD em0: Invalid argument`n"
            (Ifc 'bridge0', 'addm', 're0').ExitCode | Should -Be 0
            (Ifc 're0', 'inet', '10.5.0.1/24').StandardError | Should -Be "ifconfig: ioctl (SIOCAIFADDR): Invalid argument`n"
            Ifc 'bridge0', 'destroy' | Out-Null
            New-JailBridge bridge0 -Member em0 -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -Match '^MemberHasAddress'
            $e[0].Exception.Message | Should -Match 'FreeBSD 15.*-MoveAddress'
            (WhatIfText { New-JailBridge bridge0 -Member em0 -Persist -MoveAddress -WhatIf }) | Should -Match '/sbin/ifconfig em0 inet 192\.0\.2\.5 -alias'
            $b = New-JailBridge bridge0 -Member em0 -Persist -MoveAddress
            $b.IPv4Address | Should -Be @('192.0.2.5/24')
            (Ifc 'em0').StandardOutput | Should -Not -Match 'inet 192'
            RcConf | Should -Match '(?m)^ifconfig_bridge0="inet 192\.0\.2\.5/24 addm em0 up"$'
            RcConf | Should -Match '(?m)^ifconfig_em0="-lro -tso up"$'
            Remove-JailBridge bridge0 -Force
            (Ifc 'em0', 'inet', '192.0.2.5/24').ExitCode | Should -Be 0
            Sim '/usr/sbin/sysrc' @('ifconfig_em0=inet 192.0.2.5/24') | Out-Null
        }
        finally { Set-SimState { param($j) $j.KernelRelease = '14.3-RELEASE'; $j.Sysctls['kern.osrelease'] = '14.3-RELEASE' } }
    }

    It 'Test-JailHost reports VIMAGE, if_bridge/if_epair and bridge members that still have LRO/TSO on' {
        New-JailBridge bridge4 -Member re0 -KeepOffload | Out-Null
        (Ifc 're0').StandardOutput | Should -Match 'LRO'
        $c = Test-JailHost
        $c.Vimage | Should -BeTrue
        $c.IfBridge | Should -BeTrue
        $c.OffloadBridgeMember | Should -Be @('bridge4:re0')
        ($c.Problems -join "`n") | Should -Match 'Bridge bridge4 has member re0 with LRO/TSO on'
        Remove-JailBridge bridge4 -Force
        (Test-JailHost).OffloadBridgeMember | Should -BeNullOrEmpty
    }

    It 'sees the VLANs of a 15.0 VLAN-filtering bridge' {
        Ifc 'bridge5', 'create' | Out-Null
        Ifc 'epair', 'create' | Out-Null
        (Ifc 'bridge5', 'addm', 'epair0a', 'vlanfilter', 'epair0a', 'untagged', 'epair0a', '7', 'tagged', 'epair0a', '10,20-22').ExitCode | Should -Be 0
        (Ifc 'bridge5').StandardOutput | Should -Match 'path cost 2000 untagged 7 tagged 10,20-22'
        (Get-JailBridge bridge5).VlanId | Should -Be @(7)
        (Ifc 'bridge5', 'untagged', 'epair0a', '0').StandardError | Should -Be "ifconfig: invalid VLAN identifier: 0`n"
        Ifc 'epair0a', 'destroy' | Out-Null
    }
}

Describe 'Vnet jails' {
    BeforeAll {
        New-ConfJail samba -Userland
        New-ConfJail wifi -Userland
        New-ConfJail dhcp -Userland
        New-JailBridge bridge0 -Member re0 -VlanId 7 -Persist | Out-Null
    }

    It 'replays seed 004: a Samba jail on VLAN 7 with 192.168.1.240/24 via 192.168.1.250' {
        $v = Add-JailVnet samba -Bridge bridge0 -IPv4Address 192.168.1.240/24 -DefaultRoute 192.168.1.250
        $v.InterfaceName | Should -Be 'eth0'
        $v.HostInterface | Should -Match '^epair\d{1,5}a$'
        $v.HostInterface.Length | Should -BeLessOrEqual 15
        $v.MacAddress | Should -Match '^02(:[0-9a-f]{2}){5}$'
        $conf = Conf samba
        $conf | Should -Match '(?m)^\s*vnet;$'
        $conf | Should -Match "vnet\.interface \+= `"?$($v.JailInterface)`"?;"
        $conf | Should -Match "exec\.prestart \+= `"/sbin/ifconfig bridge0 addm $($v.HostInterface)`";"
        $conf | Should -Match "exec\.poststop \+= `"/sbin/ifconfig $($v.HostInterface) destroy`";"
        # the network comes up before /etc/rc
        $conf.IndexOf('/sbin/route add default 192.168.1.250') | Should -BeLessThan $conf.IndexOf('/bin/sh /etc/rc"')

        $before = IfList
        Start-Jail samba
        $inside = (Sim '/usr/sbin/jexec' @('samba', '/sbin/ifconfig', 'eth0')).StandardOutput
        $inside | Should -Match "`tinet 192\.168\.1\.240 netmask 0xffffff00 broadcast 192\.168\.1\.255`n"
        $inside | Should -Match "`tether $($v.MacAddress)`n"
        (Sim '/usr/sbin/jexec' @('samba', '/sbin/ifconfig', '-l')).StandardOutput.Trim() | Should -Be 'eth0'
        (Sim '/usr/sbin/jexec' @('samba', '/sbin/route', '-n', 'get', 'default')).StandardOutput | Should -Match 'gateway: 192\.168\.1\.250'
        (Get-JailBridge bridge0).Member | Should -Be @('re0.7', $v.HostInterface)
        (Get-JailBridge bridge0).Jail | Should -Be @('samba')
        (Ifc $v.HostInterface).StandardOutput | Should -Match "description: jail:samba`n"
        (Get-JailVnet samba).Present | Should -BeTrue
        Stop-Jail samba
        IfList | Should -Be $before
        (Get-JailVnet -Orphaned) | Should -BeNullOrEmpty
    }

    It 'starts with plain service jail start, without the module' {
        $r = Sim '/usr/sbin/service' @('jail', 'onestart', 'samba')
        $r.ExitCode | Should -Be 0
        (Sim '/usr/sbin/jexec' @('samba', '/sbin/ifconfig', '-l')).StandardOutput.Trim() | Should -Be 'eth0'
        (Sim '/usr/sbin/service' @('jail', 'onestop', 'samba')).ExitCode | Should -Be 0
        IfList | Should -Not -Match '^epair'
    }

    It 'leaks nothing over 20 start/stop cycles' {
        $before = IfList
        1..20 | ForEach-Object {
            Start-Jail samba
            Stop-Jail samba
        }
        IfList | Should -Be $before
        (Get-JailBridge bridge0).Member | Should -Be @('re0.7')
    }

    It 'replays seed 000: a jail on a bridge made by hand (wifibox0)' {
        (Ifc 'bridge', 'create', 'name', 'wifibox0').StandardOutput | Should -Match 'wifibox0'
        (Ifc 'wifibox0', 'inet', '10.0.0.1/24', 'up').ExitCode | Should -Be 0
        (Get-JailBridge wifibox0).IPv4Address | Should -Be @('10.0.0.1/24')
        $v = Add-JailVnet wifi -Bridge wifibox0 -IPv4Address 10.0.0.9/24 -DefaultRoute 10.0.0.1
        $v.Bridge | Should -Be 'wifibox0'
        Start-Jail wifi
        (Get-JailBridge wifibox0).Jail | Should -Be @('wifi')
        Remove-JailBridge wifibox0 -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^BridgeInUse'
        Stop-Jail wifi
    }

    It 'refuses an address another jail has on the same bridge, and bad input, before anything runs' {
        $conf = Conf wifi
        Add-JailVnet wifi -Bridge bridge0 -IPv4Address 192.168.1.240/24 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^AddressConflict'
        $e[0].Exception.Message | Should -Match "jail 'samba'"
        foreach ($bad in @(
                @{ IPv4Address = '192.168.1.9'; Id = 'InvalidAddress' },
                @{ IPv4Address = '192.168.1.9/24'; DefaultRoute = '10.1.1.1'; Id = 'GatewayUnreachable' },
                @{ IPv4Address = '192.168.1.9/24'; MacAddress = '01:00:5e:00:00:01'; Id = 'InvalidMacAddress' },
                @{ IPv4Address = '192.168.1.9/24'; MacAddress = '00:00:00:00:00:00'; Id = 'InvalidMacAddress' })) {
            $id = $bad.Id; $bad.Remove('Id')
            Add-JailVnet wifi -Bridge bridge0 @bad -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -Match "^$id"
        }
        Add-JailVnet wifi -Bridge bridge9 -IPv4Address 192.168.1.9/24 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^BridgeNotFound'
        $e[0].Exception.Message | Should -Match 'bridge9'
        Conf wifi | Should -Be $conf
    }

    It 'replays seed 003: a DHCP jail with bpf unhidden and SYNCDHCP in its rc.conf' {
        $v = Add-JailVnet dhcp -Bridge bridge0 -Dhcp
        $v.Dhcp | Should -BeTrue
        Conf dhcp | Should -Match 'devfs_ruleset = 11;'
        Conf dhcp | Should -Match '/sbin/dhclient eth0'
        Get-Content (Join-Path $script:fs 'jails/dhcp/etc/rc.conf') -Raw | Should -Match '(?m)^ifconfig_eth0="SYNCDHCP"$'
        Get-Content (Join-Path $script:fs 'etc/devfs.rules') -Raw | Should -Match "add path 'bpf\*' unhide"
    }

    It 'leaves no config line, rc.conf variable or devfs rule behind when a step of Add-JailVnet fails' {
        New-ConfJail dhcp2 -Userland
        $conf = Conf dhcp2
        $rules = Join-Path $script:fs 'etc/devfs.rules'
        Remove-Item $rules -ErrorAction SilentlyContinue
        Set-JailSimulatorFault -Command '/usr/sbin/sysrc -f /jails/dhcp2/etc/rc.conf ifconfig_eth0=SYNCDHCP' -StandardError 'injected' | Out-Null
        Add-JailVnet dhcp2 -Bridge bridge0 -Dhcp -ErrorVariable e -ErrorAction SilentlyContinue
        Clear-JailSimulatorFault
        $e.Count | Should -BeGreaterThan 0
        $e[0].ToString() | Should -Match 'undone|injected'
        Conf dhcp2 | Should -Be $conf
        (Get-Content (Join-Path $script:fs 'jails/dhcp2/etc/rc.conf') -Raw -ErrorAction SilentlyContinue) | Should -Not -Match 'SYNCDHCP'
        Test-Path $rules | Should -BeFalse
    }

    It 'fails first, changing nothing, on a kernel without VIMAGE' {
        New-ConfJail novnet
        $conf = Conf novnet
        Set-SimState { param($j) $j.Sysctls.Remove('kern.features.vimage') }
        try {
            Add-JailVnet novnet -Bridge bridge0 -IPv4Address 192.168.1.50/24 -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -Match '^VimageMissing'
            $e[0].Exception.Message | Should -Match 'VIMAGE'
        }
        finally { Set-SimState { param($j) $j.Sysctls['kern.features.vimage'] = '1' } }
        Conf novnet | Should -Be $conf
    }

    It 'finds and removes orphaned epairs, and removes a vnet interface from a config' {
        # a leak: the epair of samba exists while samba is stopped
        $v = Get-JailVnet samba
        Ifc "epair$($v.HostInterface -replace '\D', '')", 'create' | Out-Null
        Ifc $v.HostInterface, 'description', 'jail:samba', 'group', 'jailvnet' | Out-Null
        (Get-JailVnet -Orphaned).HostInterface | Should -Be @($v.HostInterface)
        Remove-JailVnet -Orphaned -Force
        IfList | Should -Not -Contain $v.HostInterface
        $conf = Conf wifi
        Remove-JailVnet wifi -Force
        Conf wifi | Should -Not -Match 'epair|vnet|route add'
        Conf wifi | Should -Match 'exec\.start = "/bin/sh /etc/rc";'
        (Get-JailVnet wifi) | Should -BeNullOrEmpty
    }

    It 'gives 100 vnet jails 100 distinct short epair names and MACs' {
        1..100 | ForEach-Object { New-ConfJail "v$_" }
        $vs = 1..100 | ForEach-Object { Add-JailVnet "v$_" -Bridge bridge0 -IPv4Address "10.77.$([int]($_ / 200)).$($_ + 1)/16" }
        $vs.Count | Should -Be 100
        @($vs.HostInterface | Sort-Object -Unique).Count | Should -Be 100
        @($vs.MacAddress | Sort-Object -Unique).Count | Should -Be 100
        $vs.HostInterface | ForEach-Object { $_.Length | Should -BeLessOrEqual 15 }
    }
}
