# Smoke test of the robustness suite (bench/Robustness, issue 10): it runs against the built module, reports
# its figures (tried / held / failed) per category and a summary, and its exit code says whether all held.
# $holding lists the categories asserted to hold (every case held): hostile (since the strict validators and
# the fail-closed root check) and foreign (since a dataset is a jail's only when it says so itself). The
# other categories are slower than a test should be; run them with bench/Robustness/Invoke-Robustness.ps1.
# $smoke are run and checked for consistent figures (fast in -Quick).
BeforeDiscovery {
    $script:holding = @('hostile', 'foreign')
    $script:smoke = @('hostile', 'foreign')
}
BeforeAll {
    $script:smokeCats = @('hostile', 'foreign')
    $suite = Join-Path $PSScriptRoot '../../bench/Robustness/Invoke-Robustness.ps1'
    $script:json = Join-Path ([IO.Path]::GetTempPath()) ('jm-robust-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.json')
    $pwsh = [Environment]::ProcessPath
    $argv = @()
    if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $argv += (Join-Path $PSHOME 'pwsh.dll') }
    $argv += @('-NoProfile', '-NonInteractive', '-File', $suite, '-Quick', '-Category', ($script:smokeCats -join ','), '-ModulePath', $env:JAILSMODULE_TEST_MODULE, '-Json', $script:json)
    $script:output = (& $pwsh @argv 2>&1 | ForEach-Object { "$_" }) -join "`n"
    $script:exitCode = $LASTEXITCODE
    $script:results = @(Get-Content -LiteralPath $script:json -Raw | ConvertFrom-Json)
}
AfterAll {
    Remove-Item -LiteralPath $script:json -Force -ErrorAction SilentlyContinue
}

Describe 'The robustness suite (-Quick)' {
    It 'prints tried/held/failed for category <_>' -ForEach $smoke {
        $script:output | Should -Match "(?m)^$_\s+tried \d+, held \d+, failed \d+"
    }
    It 'prints a summary line' {
        $script:output | Should -Match '(?m)^robustness: tried \d+, held \d+, failed \d+ in 2 categories'
    }
    It 'category <_> tries cases, and its figures and failures are consistent' -ForEach $smoke {
        $r = $script:results | Where-Object Category -EQ $_
        $r | Should -Not -BeNullOrEmpty
        $r.Tried | Should -BeGreaterThan 0
        ($r.Held + $r.Failed) | Should -Be $r.Tried
        @($r.Failures) | Should -HaveCount $r.Failed
        foreach ($f in @($r.Failures)) {
            $f.Case | Should -Not -BeNullOrEmpty
            $f.Invariant | Should -Not -BeNullOrEmpty
            $f.Invariant | Should -Not -Match 'the category script|did not run' -Because 'a failure must be the module''s, not the suite''s'
        }
    }
    It 'category <_> holds' -ForEach $holding -AllowNullOrEmptyForEach {
        $r = $script:results | Where-Object Category -EQ $_
        $r.Tried | Should -BeGreaterThan 0
        @($r.Failures | ForEach-Object { "$($_.Case): $($_.Invariant)" }) | Should -BeNullOrEmpty
        $r.Held | Should -Be $r.Tried
    }
    It 'exits 1 exactly when something did not hold' {
        $failed = ($script:results | Measure-Object Failed -Sum).Sum
        $script:exitCode | Should -Be $(if ($failed) { 1 } else { 0 })
    }
}
