# Smoke test of the robustness suite (bench/Robustness): it runs, reports its figures, and the categories
# that hold today hold. Categories that still report failures (faults, concurrency, kill, corrupt,
# foreign: see issue 10) are not asserted here; add each once its defects are fixed.
BeforeDiscovery {
    $script:holding = @('hostile')
}
BeforeAll {
    $script:suite = Join-Path $PSScriptRoot '../../bench/Robustness/Invoke-Robustness.ps1'
    $script:json = Join-Path ([IO.Path]::GetTempPath()) ("jm-robust-" + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.json')
    $pwsh = [Environment]::ProcessPath
    $argv = @()
    if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $argv += (Join-Path $PSHOME 'pwsh.dll') }
    $argv += @('-NoProfile', '-NonInteractive', '-File', $script:suite, '-Quick', '-Category', ($holding -join ','), '-ModulePath', $env:JAILSMODULE_TEST_MODULE, '-Json', $script:json)
    $script:output = & $pwsh @argv 2>&1 | ForEach-Object { "$_" }
    $script:exitCode = $LASTEXITCODE
    $script:results = @(Get-Content -LiteralPath $script:json -Raw | ConvertFrom-Json)
}
AfterAll {
    Remove-Item -LiteralPath $script:json -Force -ErrorAction SilentlyContinue
}

Describe 'The robustness suite (-Quick)' {
    It 'prints tried/held/failed per category and a summary line' {
        $script:output -join "`n" | Should -Match '(?m)^hostile\s+tried \d+, held \d+, failed \d+'
        $script:output -join "`n" | Should -Match '(?m)^robustness: tried \d+, held \d+, failed \d+ in \d+ categories'
    }
    It 'category <_> tries cases and every one holds' -ForEach $holding {
        $r = $script:results | Where-Object Category -EQ $_
        $r | Should -Not -BeNullOrEmpty
        $r.Tried | Should -BeGreaterThan 0
        @($r.Failures | ForEach-Object { "$($_.Case): $($_.Invariant)" }) | Should -BeNullOrEmpty
        $r.Failed | Should -Be 0
        $r.Held | Should -Be $r.Tried
    }
    It 'exits 0 when everything held' {
        $script:exitCode | Should -Be 0
    }
}
