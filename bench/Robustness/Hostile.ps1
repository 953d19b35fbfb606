#requires -Version 7.4
<#
.SYNOPSIS
    Robustness category "hostile": a generated corpus of hostile strings into every string parameter of
    every exported cmdlet that changes the host, against a fresh simulated host.
.DESCRIPTION
    The cmdlets are found with Get-Command -Module JailsModule (SupportsShouldProcess, the simulator's own
    cmdlets left out) and their parameter metadata: every String, String[] and dictionary parameter (keys
    and values) is a slot. Each slot gets every corpus value on top of a valid base invocation of its
    cmdlet (-Confirm:$false, -WhatIf off), in a runspace of its own with a timeout.
    Invariants, per case:
    - no simulator command runs through sh -c (or jexec ... sh -c) carrying the value;
    - no argument derived from the value lands in an option position of the command (getopt scan with
      each FreeBSD tool's option string; operands after "--" or the first operand are fine);
    - a rejected input changed nothing (state.json without counters + every file, mode and link of the
      simulated tree), and is a clear error, not a raw .NET exception; no lock is left held;
    - an accepted input changed only the module's folders and datasets, added or removed no jail other
      than the one named, and reads back as given (jail.conf values, settings);
    - no case hangs (timeout).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/JailsModule/JailsModule.psd1'),
    [switch] $Quick,
    [string] $ResultPath,
    [string] $WorkRoot,
    [int] $TimeoutSeconds = 30
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Robustness.Common.ps1')
Initialize-Robust 'hostile' $ModulePath $WorkRoot

# ---------------------------------------------------------------------------------------------------
# The corpus
function Get-HostileCorpus([switch] $Quick) {
    $nl = "`n"; $nul = [string][char]0
    if ($Quick) { return @('a;id', '$(id)', "a'b", "web$nl", "a${nul}b", '../../etc/passwd', ('x' * 300), 'jäil-日本', '-QZ', '*', '', 'x"; evil { path = "/"; }; y="') }
    $core = @(
        'a;id', '$(id)', '`id`', 'a|id', "a'b", 'a"b', "a${nl}b", "web$nl", "a${nul}b", '..', '../../etc/passwd', '/',
        ('x' * 300), 'jäil-日本', '-QZ', '--QZ=1', '*', 'a b', '', 'x"; evil { path = "/"; }; y="', '${path}', "a`r"
    )
    $core + @(
        'a&&id', 'a||id', 'a&id', '$id', '${IFS}', 'a>x', 'a<x', '>/etc/passwd', "a`tb", "${nl}", "a${nl}evil { path = /; }$nl",
        "$nul", "web$nul", "web$nl$nl", "web`r$nl", '.', '/etc/jail.conf.d/../../etc/x', 'a/b', '//', './x', 'web/../web1',
        ('y' * 4096), ('z' * 70000), ('é' * 300), "`u{202E}gnp.exe", "a`u{200B}b", "`u{1F600}", "`u{FEFF}web", 'ＷＥＢ',
        '-oQZ=/', '-rfQZ', '--help', '-', '--', '-fQZ', '-cQZ', '?', '[a-z]', '~root', '%s%n%x', '{a,b}', ' lead', 'trail ',
        ' ', 'a=b', 'a;b=c', '#QZ', '"', "'", '\', 'a\', '\$(id)', 'a;', '}', '{', 'a { }', '.include "/etc/passwd"',
        '$name', 'exec.start="/bin/sh"', "x`u{0085}y", "x`u{2028}y", 'CON', 'zroot/jails/containers/web1', '@base', 'a@b', 'a#b'
    )
}

# ---------------------------------------------------------------------------------------------------
# getopt scan: which arguments of a command sit in an option position
$optSpec = @{
    'jail' = 'cdf:hiJ:lmn:p:qrRs:u:U:ve:'; 'jexec' = 'd:lnu:U:'; 'jls' = 'dhj:Nnqsv'; 'sysrc' = 'cdDeEf:FhijnNqR:vxX'
    'service' = 'ejJ:lrRv'; 'fetch' = '146AaB:bc:dFf:Hh:i:lMmN:nPpo:qRrS:sT:UvwY:'; 'tar' = 'cxtruf:C:vpPzjJkmOUS'
    'cp' = 'aRfHLPpinvlsxN'; 'mv' = 'fhinv'; 'mkdir' = 'm:pv'; 'rmdir' = 'pv'; 'rm' = 'dfiIPRrvWx'; 'ln' = 'fFhinsvw'
    'chflags' = 'fhvxRHLP'; 'chown' = 'fhvxRHLP'; 'mount' = 'adfFlnpruvwo:t:'; 'umount' = 'aAfnvF:h:t:'
    'freebsd-update' = 'b:d:f:F:k:r:s:t:j:'; 'sha256' = 'bc:pqrs:tx'; 'sysctl' = 'bdeiNnoqTtwWxf:hB:'; 'kldstat' = 'dhqvi:m:n:'
    'kldload' = 'nqv'; 'uname' = 'abiKmnoprsUv'; 'id' = 'AaGgnPpru'; 'chroot' = 'G:g:u:n'; 'stat' = 'FHLnqrsxf:l:t:'
}
$zfsSpec = @{
    'list' = 'rHpdo:s:S:t:'; 'get' = 'rHpdo:s:t:'; 'create' = 'pPnuvo:b:V:s'; 'clone' = 'pPnuo:'; 'snapshot' = 'ro:'
    'destroy' = 'dfnpRrv'; 'rename' = 'fnpru'; 'set' = 'u'; 'inherit' = 'rS'; 'promote' = ''; 'rollback' = 'rRf'; 'mount' = 'aflvo:O'; 'unmount' = 'afu'
}
$longWithArg = @('--libxo', '--currently-running')
# Indexes (into Arguments) of the arguments getopt reads as options (not their option-arguments).
function Get-OptionPositions([string] $FileName, [string[]] $Arguments) {
    $tool = [IO.Path]::GetFileName($FileName)
    $i = 0
    $spec = $optSpec[$tool]
    if ($tool -in 'zfs', 'zpool') { if ($Arguments.Count -eq 0) { return @() }; $spec = $zfsSpec[$Arguments[0]]; $i = 1 }
    if ($tool -eq 'service') { $spec = $optSpec['service'] }
    if ($null -eq $spec) { $spec = '' }
    $pos = @()
    while ($i -lt $Arguments.Count) {
        $a = $Arguments[$i]
        if ($a -eq '--') { $pos += $i; break }
        if (-not $a.StartsWith('-') -or $a -eq '-') { break }
        $pos += $i
        if ($a.StartsWith('--')) { if ($a -in $longWithArg) { $i++ }; $i++; continue }
        for ($c = 1; $c -lt $a.Length; $c++) {
            $k = $spec.IndexOf($a[$c])
            if ($k -ge 0 -and $k + 1 -lt $spec.Length -and $spec[$k + 1] -eq ':') { if ($c -eq $a.Length - 1) { $i++ }; break }
        }
        $i++
    }
    $pos
}
function Test-Derived([string] $Arg, [string] $Value) {
    if ($Value.Length -eq 0) { return $false }
    ($Arg -ceq $Value) -or ($Value.Length -ge 3 -and $Arg.Contains($Value))
}
$shells = @('sh', 'bash', 'csh', 'tcsh', 'zsh', 'ksh', 'dash')
# The log's commands that break the argv invariants for value $Value.
function Test-LogInvariants($Entries, [string] $Value) {
    foreach ($e in $Entries) {
        $argv = @($e.Arguments)
        $tool = [IO.Path]::GetFileName($e.FileName)
        # a shell with -c anywhere in the argv (the host's sh, or jexec JAIL sh -c ...)
        $all = @($e.FileName) + $argv
        for ($i = 0; $i -lt $all.Count - 1; $i++) {
            if ([IO.Path]::GetFileName($all[$i]) -in $shells -and $all[$i + 1] -ceq '-c') {
                $script = ($all | Select-Object -Skip ($i + 2)) -join ' '
                if ($Value.Length -gt 0 -and $script.Contains($Value)) { "runs sh -c with the value: $(Format-RobustCommand $e)" }
            }
        }
        foreach ($p in Get-OptionPositions $e.FileName $argv) {
            if (Test-Derived $argv[$p] $Value) { "argument $($p + 1) of $tool, derived from the value, is in an option position: $(Format-RobustCommand $e)" }
        }
    }
}

# ---------------------------------------------------------------------------------------------------
# The base host: a template, web1 (thin ZFS jail, running), web2 (stopped).
$base = New-RobustHost 'base'
Save-JailRelease 14.3-RELEASE | Out-Null
New-JailTemplate 14.3-RELEASE | Out-Null
New-Jail web1 -Template 14.3-RELEASE -Start | Out-Null
New-Jail web2 -Template 14.3-RELEASE | Out-Null

# Valid invocations: every slot gets its hostile value on top of one of these.
$baseArgs = @{
    'Invoke-JailCommand'    = @{ Name = 'web1'; Command = @('/bin/echo', 'ok') }
    'New-Jail'              = @{ Name = 'h1'; Template = '14.3-RELEASE' }
    'New-JailTemplate'      = @{ Release = '14.3-RELEASE'; Name = 't2' }
    'Remove-Jail'           = @{ Name = 'web2'; Force = $true }
    'Remove-JailTemplate'   = @{ Name = '14.3-RELEASE'; Force = $true }
    'Restart-Jail'          = @{ Name = 'web1' }
    'Save-JailRelease'      = @{ Release = '14.2-RELEASE' }
    'Set-JailConfig'        = @{ Name = 'web1'; Parameter = @{ 'host.hostname' = 'ok.example.org' } }
    'Set-JailModuleSetting' = @{}
    'Start-Jail'            = @{ Name = 'web2' }
    'Stop-Jail'             = @{ Name = 'web1' }
    'Update-Jail'           = @{ Name = 'web1'; Force = $true }
    'Update-JailTemplate'   = @{ Name = '14.3-RELEASE' }
    'New-JailBridge'          = @{ Name = 'bridge7'; Member = 'em0' }
    'Add-JailBridgeMember'    = @{ Bridge = 'bridge7'; Member = 'em0' }
    'Remove-JailBridgeMember' = @{ Bridge = 'bridge7'; Member = 'em0'; Confirm = $false }
    'Remove-JailBridge'       = @{ Name = 'bridge7'; Force = $true; Confirm = $false }
    'Add-JailVnet'            = @{ Name = 'web2'; Bridge = 'bridge7'; IPv4Address = '10.7.0.9/24' }
    'Remove-JailVnet'         = @{ Name = 'web2'; Confirm = $false }
    'Repair-JailHost'         = @{ Id = 'none'; Undo = $true; Confirm = $false }
}
# Extra parameters a slot needs to be reached at all (an interface needs an address).
$slotExtra = @{ 'New-Jail.Interface' = @{ IPv4Address = '192.0.2.50' } }
# The key whose value a dictionary's value slot carries.
$dictValueKey = @{ 'Parameter' = 'host.hostname'; 'Append' = 'exec.poststart' }

$common = [Management.Automation.PSCmdlet]::CommonParameters + [Management.Automation.PSCmdlet]::OptionalCommonParameters
$slots = [Collections.Generic.List[object]]::new()
foreach ($c in Get-Command -Module JailsModule -CommandType Cmdlet | Sort-Object Name) {
    $attr = $c.ImplementingType.GetCustomAttributes([Management.Automation.CmdletAttribute], $true)[0]
    if (-not $attr.SupportsShouldProcess -or $c.Noun -like 'JailSimulator*') { continue }
    if (-not $baseArgs.ContainsKey($c.Name)) { Add-RobustResult "$($c.Name)" $false 'cmdlet changes the host but has no base invocation in Hostile.ps1' 'add one to $baseArgs'; continue }
    foreach ($p in $c.Parameters.Values | Where-Object { $_.Name -notin $common } | Sort-Object Name) {
        $t = $p.ParameterType
        if ($p.Name -eq 'Command') { $slots.Add(@{ Cmd = $c.Name; Param = $p.Name; Kind = 'argv0' }); $slots.Add(@{ Cmd = $c.Name; Param = $p.Name; Kind = 'argv1' }); continue }
        if ($t -eq [string] -or $t -eq [string[]]) { $slots.Add(@{ Cmd = $c.Name; Param = $p.Name; Kind = $(if ($t -eq [string[]]) { 'array' } else { 'string' }) }) }
        elseif ([Collections.IDictionary].IsAssignableFrom($t)) {
            $slots.Add(@{ Cmd = $c.Name; Param = $p.Name; Kind = 'key' })
            $slots.Add(@{ Cmd = $c.Name; Param = $p.Name; Kind = 'value' })
        }
    }
}
Add-RobustNote "Enter-Jail is interactive (reads lines at a prompt) and is not driven here; its -User/-HostUser reach the same jexec argv builder as Invoke-JailCommand's."
$corpus = @(Get-HostileCorpus -Quick:$Quick)
Add-RobustNote "$($slots.Count) parameter slots x $($corpus.Count) corpus values"

# A runspace of our own for the cmdlet, so that a hang can be stopped.
$rs = [runspacefactory]::CreateRunspace()
$rs.Open()
$ps0 = [powershell]::Create($rs)
[void]$ps0.AddCommand('Import-Module').AddParameter('Name', (Resolve-Path $ModulePath).ProviderPath)
[void]$ps0.Invoke(); $ps0.Dispose()
$rsDir = $null
function Connect-Runspace([string] $Dir) {
    if ($script:rsDir -ne $Dir) {
        $p = [powershell]::Create($rs)
        [void]$p.AddCommand('Connect-JailHost').AddParameter('Simulator').AddParameter('Path', $Dir)
        [void]$p.Invoke(); $p.Dispose(); $script:rsDir = $Dir
    }
}
function Invoke-InRunspace([string] $Dir, [string] $Command, [hashtable] $Parameters) {
    Connect-Runspace $Dir
    $p = [powershell]::Create($rs)
    [void]$p.AddCommand($Command).AddParameters($Parameters)
    $p.Streams.Error.Clear()
    $h = $p.BeginInvoke()
    $timedOut = -not $h.AsyncWaitHandle.WaitOne($TimeoutSeconds * 1000)
    $thrown = $null; $out = $null
    if ($timedOut) { $p.Stop() }
    else { try { $out = $p.EndInvoke($h) } catch { $thrown = $_.Exception } }
    $errs = @($p.Streams.Error)
    $p.Dispose()
    [pscustomobject]@{ TimedOut = $timedOut; Thrown = $thrown; Errors = $errs; Output = $out }
}
function Invoke-Read([string] $Command, [hashtable] $Parameters = @{}) {
    $p = [powershell]::Create($rs)
    [void]$p.AddCommand($Command).AddParameters($Parameters)
    $e = @()
    try { $r = $p.Invoke() } catch { $r = $null; $e += $_.Exception.Message }
    $e = @($e) + @($p.Streams.Error)
    $p.Dispose()
    [pscustomobject]@{ Output = $r; Errors = $e }
}
function Get-JailNames { @((Invoke-Read 'Get-Jail').Output | ForEach-Object Name | Sort-Object -Unique) }

$allowedFs = @('fs/etc/jail.conf.d/', 'fs/usr/local/jails/', 'fs/var/db/jailsmodule/', 'fs/var/run/jail_', 'fs/var/log/jail_console_',
    'fs/usr/local/etc/jailsmodule.conf', 'zfs-data/zroot/jails/', 'zfs-snapshots/zroot/jails/')
$rawExceptions = 'NullReference|IndexOutOfRange|ArgumentOutOfRange|InvalidCast|KeyNotFound|FormatException|OutOfMemory|StackOverflow|InvalidOperation|ArgumentException|NotSupported|IOException'

$hostDir = Copy-RobustHost $base 'work'
$pristine = Get-RobustState $hostDir
Connect-Runspace $hostDir
$namesBefore = Get-JailNames
$n = 0
foreach ($slot in $slots) {
    foreach ($v in $corpus) {
        $n++
        $cmd = $slot.Cmd
        $params = @{}
        foreach ($k in $baseArgs[$cmd].Keys) { $params[$k] = $baseArgs[$cmd][$k] }
        if ($slotExtra.ContainsKey("$cmd.$($slot.Param)")) { foreach ($k in $slotExtra["$cmd.$($slot.Param)"].Keys) { $params[$k] = $slotExtra["$cmd.$($slot.Param)"][$k] } }
        switch ($slot.Kind) {
            'string' { $params[$slot.Param] = $v }
            'array' { $params[$slot.Param] = [string[]]@($v) }
            'argv0' { $params[$slot.Param] = [string[]]@($v, 'ok') }
            'argv1' { $params[$slot.Param] = [string[]]@('/bin/echo', $v) }
            'key' { $params[$slot.Param] = @{ $v = 'x' } }
            'value' { $params[$slot.Param] = @{ $dictValueKey[$slot.Param] = $v } }
        }
        if ($slot.Param -eq 'Remove') { $params.Remove('Parameter') }
        $params['Confirm'] = $false
        $case = "$cmd -$($slot.Param)$(if ($slot.Kind -in 'key','value','argv0','argv1') { "[$($slot.Kind)]" }) $(Format-RobustValue $v)"
        $mark = Get-RobustLogCount $hostDir
        $r = Invoke-InRunspace $hostDir $cmd $params
        $problems = [Collections.Generic.List[string]]::new()
        if ($r.TimedOut) { $problems.Add("hang: no answer within $TimeoutSeconds s") }
        $log = Get-RobustLog $hostDir $mark
        foreach ($x in @(Test-LogInvariants $log $v)) { $problems.Add($x) }
        $after = Get-RobustState $hostDir
        $diff = @(Compare-RobustState $pristine $after 1000)
        $locks = @(Get-RobustHeldLocks $hostDir)
        if ($locks.Count) { $problems.Add("lock still held after the cmdlet returned: $($locks -join '; ')") }
        $rejected = $r.TimedOut -or $null -ne $r.Thrown -or $r.Errors.Count -gt 0
        if ($rejected) {
            $e = if ($r.Errors.Count) { $r.Errors[0] } else { $null }
            $ex = if ($r.Thrown) { $r.Thrown } elseif ($e) { $e.Exception } else { $null }
            $fqid = if ($e) { $e.FullyQualifiedErrorId } else { '' }
            # parameter binding and the module's own errors are clear; a raw .NET exception is not
            if ($ex -and $ex.GetType().FullName -match "^System\.($rawExceptions)" -and $fqid -notmatch '^(ParameterArgument|ParameterBinding|Argument|MissingArgument|CannotConvert|PositionalParameter|AmbiguousParameter)' -and $fqid -notmatch '^[A-Z][A-Za-z]+,JailsModule') {
                $problems.Add("rejected with a raw .NET exception: $($ex.GetType().FullName) ($fqid): $($ex.Message)")
            }
            elseif ($fqid -match '^System\.') { $problems.Add("rejected with a raw .NET exception id: $fqid : $($ex.Message)") }
            if ($diff.Count) {
                # a cmdlet that reported an error may still have done its job for the valid part (e.g. Start-Jail
                # of web2 with a hostile extra); only an accepted-looking change is checked below, a partial one is a failure
                $problems.Add("rejected input changed the host: $((@($diff | Select-Object -First 4)) -join ' | ')$(if ($diff.Count -gt 4) { " ... ($($diff.Count))" })")
            }
        }
        else {
            # accepted: only the module's folders and datasets change
            foreach ($d in $diff) {
                $line = $d.Substring(2)
                if ($line -match '^(fs|zfs-data|zfs-snapshots)(\S*) = ') {
                    $path = $Matches[1] + $Matches[2]
                    if (-not @($allowedFs | Where-Object { $path.StartsWith($_) -or ($_.EndsWith('/') -and $path -eq $_.TrimEnd('/')) }).Count) { $problems.Add("accepted input changed a file outside the module's folders: $d") }
                }
                elseif ($line -match '^dataset (\S+) = ' -and -not $Matches[1].StartsWith('zroot/jails/')) { $problems.Add("accepted input changed a dataset outside zroot/jails: $d") }
            }
            $names = Get-JailNames
            $expectNew = if ($cmd -eq 'New-Jail') { [string]@($params.Name)[0] } else { $null }
            # Remove-Jail -Name takes wildcards: what the pattern matches may go
            $gonePattern = if ($cmd -eq 'Remove-Jail') { [string]@($params.Name)[0] } else { $null }
            $added = @($names | Where-Object { $_ -notin $namesBefore -and $_ -cne $expectNew })
            $removed = @($namesBefore | Where-Object { $_ -notin $names -and -not ($gonePattern -and ($_ -ceq $gonePattern -or [Management.Automation.WildcardPattern]::new($gonePattern).IsMatch($_))) })
            if ($added.Count) { $problems.Add("accepted input made jails appear that nobody named: $($added | ForEach-Object { Format-RobustValue $_ })") }
            if ($removed.Count) { $problems.Add("accepted input made jails disappear: $($removed -join ', ')") }
            if ($expectNew -and $expectNew -cnotin $names) { $problems.Add("New-Jail accepted the name but no jail $(Format-RobustValue $expectNew) lists") }
            # values read back as given
            $target = if ($cmd -eq 'New-Jail') { $expectNew } elseif ($cmd -eq 'Set-JailConfig') { [string]@($params.Name)[0] } else { $null }
            if ($target -and $slot.Kind -eq 'value' -or ($cmd -eq 'New-Jail' -and $slot.Param -eq 'HostName')) {
                $key = if ($slot.Param -eq 'HostName') { 'host.hostname' } else { $dictValueKey[$slot.Param] }
                $cfg = Invoke-Read 'Get-JailConfig' @{ Name = $target }
                $got = @($cfg.Output | ForEach-Object { $_.Parameters[$key] })
                $ok = if ($slot.Param -eq 'Append') { @($got | ForEach-Object { @($_) } | Where-Object { $_ -ceq $v }).Count -gt 0 } else { $got.Count -eq 1 -and [string]$got[0] -ceq $v }
                if (-not $ok) { $problems.Add("accepted value does not read back: $key of $(Format-RobustValue $target) is $(Format-RobustValue ($got -join ','))$(if ($cfg.Errors.Count) { " ($($cfg.Errors[0]))" })") }
            }
            if ($cmd -eq 'Set-JailModuleSetting') {
                $s = Invoke-Read 'Get-JailModuleSetting'
                if ($s.Errors.Count -or -not $s.Output) { $problems.Add("accepted setting makes the settings unreadable: $($s.Errors | Select-Object -First 1)") }
                elseif ([string]$s.Output[0].($slot.Param) -cne $v) { $problems.Add("accepted setting does not read back: $(Format-RobustValue $s.Output[0].($slot.Param))") }
                else {
                    $t = Invoke-Read 'Get-JailTemplate'
                    if ($t.Errors.Count) { $problems.Add("accepted setting breaks the provisioning cmdlets: Get-JailTemplate: $($t.Errors[0])") }
                }
            }
        }
        Add-RobustResult $case ($problems.Count -eq 0) (($problems | Select-Object -First 3) -join ' || ') ''
        # back to a fresh host when anything changed (or might have)
        if ($diff.Count -or $locks.Count -or $r.TimedOut) {
            Remove-RobustHost $hostDir
            $hostDir = Copy-RobustHost $base "work$n"
        }
    }
}
$rs.Dispose()
Remove-RobustHost $hostDir
Save-RobustResult $ResultPath
