#requires -Version 7.4
# A child process for the kill -9 and corrupt-input categories: connects to the simulated host in Dir and
# runs the steps of StepsJson ([{Cmd, Params}]) in order, each with -ErrorAction SilentlyContinue; after
# each step it appends one JSON line to ResultFile (what the step returned, its errors and warnings), so
# that what was answered before a crash, hang or kill is kept.
param([string] $ModulePath, [string] $Dir, [string] $StepsJson, [string] $ResultFile)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
Connect-JailHost -Simulator -Path $Dir
# the parent's timeout counts from here (starting a pwsh on a busy machine takes long)
Add-Content -LiteralPath $ResultFile -Value '{"Cmd":"(start)","Ok":true}'
foreach ($s in @($StepsJson | ConvertFrom-Json -AsHashtable)) {
    $p = @{}
    if ($s.Params) { foreach ($k in $s.Params.Keys) { $p[$k] = $s.Params[$k] } }
    if ((Get-Command $s.Cmd).Parameters.ContainsKey('Confirm')) { $p['Confirm'] = $false }
    $ev = $null; $wv = $null; $thrown = $null; $out = $null
    $sw = [Diagnostics.Stopwatch]::StartNew()
    try { $out = @(& $s.Cmd @p -ErrorAction SilentlyContinue -ErrorVariable ev -WarningAction SilentlyContinue -WarningVariable wv) }
    catch { $thrown = $_ }
    $errs = @(@($ev) + @($thrown) | Where-Object { $_ })
    $line = [ordered]@{
        Cmd      = $s.Cmd
        Ok       = ($errs.Count -eq 0)
        Ms       = $sw.ElapsedMilliseconds
        Names    = @($out | Where-Object { $null -ne $_ } | ForEach-Object { if ($_.PSObject.Properties['Name']) { [string]$_.Name } })
        ErrorIds = @($errs | ForEach-Object { [string]$_.FullyQualifiedErrorId })
        Errors   = @($errs | ForEach-Object { $_.ToString() })
        Warnings = @($wv | ForEach-Object { $_.ToString() })
    } | ConvertTo-Json -Depth 4 -Compress
    Add-Content -LiteralPath $ResultFile -Value $line
}
Add-Content -LiteralPath $ResultFile -Value '{"Cmd":"(end)","Ok":true}'
