# The simulated host lives in its own assembly, JailsModule.Simulator.dll, beside JailsModule.dll.
# The module never references it at compile time: a session on a real host must not load it, and
# Connect-JailHost -Simulator (or $env:JAILSMODULE_SIMULATOR) loads it on demand.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../build/Get-PwshCommand.ps1')
    # Runs a script in a fresh pwsh (nothing loaded yet) and returns its output lines.
    function script:Invoke-FreshPwsh([string] $Script, [hashtable] $Environment = @{}) {
        $cmd = @(Get-PwshCommand)
        $psi = [Diagnostics.ProcessStartInfo]::new($cmd[0])
        $file = Join-Path ([IO.Path]::GetTempPath()) ("jm-asm-" + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.ps1')
        Set-Content -Path $file -Value "`$ErrorActionPreference = 'Stop'`nImport-Module '$($env:JAILSMODULE_TEST_MODULE)'`n$Script`n"
        foreach ($a in @($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $psi.Environment.Remove('JAILSMODULE_SIMULATOR') | Out-Null
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $p = [Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        $p.WaitForExit()
        Remove-Item $file
        $err.Result | Should -BeNullOrEmpty
        @($out.Result -split "`n" | Where-Object { $_ -ne '' })
    }
    $script:loaded = '([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq ''JailsModule.Simulator'' }).Count'
    $script:sim = Join-Path ([IO.Path]::GetTempPath()) ("jm-asm-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
}
AfterAll {
    Remove-Item $script:sim -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'JailsModule.Simulator.dll is loaded only for the simulated host' {
    It 'ships beside JailsModule.dll, and JailsModule.dll does not reference it' {
        $dir = Split-Path $env:JAILSMODULE_TEST_MODULE
        Join-Path $dir 'JailsModule.Simulator.dll' | Should -Exist
        $refs = [Reflection.AssemblyName[]] [Reflection.Assembly]::LoadFile((Join-Path $dir 'JailsModule.dll')).GetReferencedAssemblies()
        $refs.Name | Should -Not -Contain 'JailsModule.Simulator'
    }

    It 'is not loaded by importing the module and running a command that needs a host (Linux: NoJailHost)' {
        if ($IsFreeBSD) { Set-ItResult -Skipped -Because 'on FreeBSD the local host exists and answers' }
        $lines = Invoke-FreshPwsh @"
try { Get-Jail } catch { 'error: ' + `$_.FullyQualifiedErrorId }
try { Get-JailConfig } catch { 'error: ' + `$_.FullyQualifiedErrorId }
'loaded: ' + $script:loaded
"@
        $lines[0] | Should -BeLike 'error: NoJailHost,*'
        $lines[1] | Should -BeLike 'error: NoJailHost,*'
        $lines[-1] | Should -Be 'loaded: 0'
    }

    It 'is not loaded by Connect-JailHost -Local either (or its refusal off FreeBSD)' {
        $lines = Invoke-FreshPwsh @"
try { Connect-JailHost -Local } catch { 'error: ' + `$_.FullyQualifiedErrorId }
'loaded: ' + $script:loaded
"@
        $lines[-1] | Should -Be 'loaded: 0'
    }

    It 'is loaded by Connect-JailHost -Simulator, from the module folder, and the simulated host answers' {
        $lines = Invoke-FreshPwsh @"
'before: ' + $script:loaded
Connect-JailHost -Simulator -Path '$($script:sim)'
'kind: ' + (Get-JailHost).Kind
'jails: ' + @(Get-Jail).Count
'loaded: ' + $script:loaded
'from: ' + [IO.Path]::GetDirectoryName(([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'JailsModule.Simulator' }).Location)
"@
        $lines | Should -Contain 'before: 0'
        $lines | Should -Contain 'kind: Simulator'
        $lines | Should -Contain 'jails: 0'
        $lines | Should -Contain 'loaded: 1'
        $lines | Should -Contain ('from: ' + (Split-Path $env:JAILSMODULE_TEST_MODULE))
    }

    It 'is loaded by $env:JAILSMODULE_SIMULATOR for a session that never connected' {
        $lines = Invoke-FreshPwsh @"
'before: ' + $script:loaded
'kind: ' + (Get-JailHost).Kind
'loaded: ' + $script:loaded
"@ -Environment @{ JAILSMODULE_SIMULATOR = $script:sim }
        $lines | Should -Be @('before: 0', 'kind: Simulator', 'loaded: 1')
    }
}
