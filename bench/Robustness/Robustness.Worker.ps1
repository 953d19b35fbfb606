#requires -Version 7.4
# A worker process of the concurrency category: runs each scenario of ControlDir/scenarios.json at the
# same moment as the other workers (it says "ready", then waits for the "go" file), and writes what its
# cmdlet did to ControlDir/result-SCENARIO-INDEX.json. "{i}" in a string parameter becomes the index.
param([string] $ModulePath, [string] $ControlDir, [int] $Index)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$scenarios = Get-Content -LiteralPath (Join-Path $ControlDir 'scenarios.json') -Raw | ConvertFrom-Json -AsHashtable
function Expand-Value($v) {
    if ($v -is [string]) { return $v.Replace('{i}', [string]$Index) }
    if ($v -is [Collections.IDictionary]) { $h = @{}; foreach ($k in $v.Keys) { $h[(Expand-Value $k)] = Expand-Value $v[$k] }; return $h }
    if ($v -is [Collections.IList]) { return @($v | ForEach-Object { Expand-Value $_ }) }
    $v
}
foreach ($s in $scenarios) {
    Connect-JailHost -Simulator -Path $s.Dir
    $null = Get-Jail # warm up (JIT), so that every worker starts its cmdlet at about the same time
    $p = @{}
    foreach ($k in $s.Params.Keys) { $p[$k] = Expand-Value $s.Params[$k] }
    Set-Content -LiteralPath (Join-Path $ControlDir "ready-$($s.Name)-$Index") -Value ''
    $go = Join-Path $ControlDir "go-$($s.Name)"
    $deadline = [DateTime]::UtcNow.AddMinutes(5)
    while (-not (Test-Path -LiteralPath $go) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 5 }
    $ev = $null; $thrown = $null
    $sw = [Diagnostics.Stopwatch]::StartNew()
    try { & $s.Cmd @p -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable ev -WarningAction SilentlyContinue | Out-Null }
    catch { $thrown = $_ }
    $errs = @(@($ev) + @($thrown) | Where-Object { $_ })
    [ordered]@{
        Index = $Index; Ok = ($errs.Count -eq 0); Ms = $sw.ElapsedMilliseconds; Params = $p
        ErrorId = ($errs | Select-Object -First 1 | ForEach-Object FullyQualifiedErrorId)
        Error = (($errs | ForEach-Object { $_.ToString() }) -join "`n")
    } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $ControlDir "result-$($s.Name)-$Index.json")
}
