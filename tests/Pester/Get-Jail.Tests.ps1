BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Connect-JailHost -Simulator -Path $script:sim
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-Jail on a fresh simulated host' {
    It 'returns no jails and runs exactly one jls' {
        $before = @(Get-JailSimulatorLog).Count
        @(Get-Jail) | Should -HaveCount 0
        $new = @(Get-JailSimulatorLog | Select-Object -Skip $before)
        $new | Should -HaveCount 1
        $new[0].FileName | Should -Be '/usr/sbin/jls'
        $new[0].Arguments | Should -Be @('--libxo', 'json', '-d', 'jid', 'name', 'dying', 'path', 'host.hostname', 'vnet', 'ip4.addr', 'ip6.addr') # named parameters, not -n (jls.c, reference §17.4)
    }
    It 'reports the simulated host' {
        $h = Get-JailHost
        $h.Kind | Should -Be 'Simulator'
        $h.ComputerName | Should -Be 'bsd1.example.org'
    }
    It 'rejects an invalid name with InvalidJailName' {
        Get-Jail -Name 'bad name' -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidJailName,*'
    }
}
