# Shared by the robustness categories (dot-sourced). A category script records each case it tried with
# Add-RobustResult (held or not, and if not: the input/step and the invariant that broke) and writes its
# figures with Save-RobustResult; Invoke-Robustness.ps1 prints them.
#
# Hosts: every case runs against a fresh simulated FreeBSD host in a folder of its own, a copy of a
# prepared base host (Copy-RobustHost), on /dev/shm where there is one.



$script:RobustWork = $null
$script:RobustResult = [ordered]@{ Category = ''; Tried = 0; Held = 0; Failed = 0; Skipped = 0; Failures = [Collections.Generic.List[object]]::new(); Notes = [Collections.Generic.List[string]]::new(); Seconds = 0 }
$script:RobustClock = [Diagnostics.Stopwatch]::StartNew()
$script:RobustHostCount = 0

function Initialize-Robust([string] $Category, [string] $ModulePath, [string] $WorkRoot) {
    $script:RobustResult.Category = $Category
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:RobustOwnRoot = -not $WorkRoot
    if (-not $WorkRoot) {
        $tmp = if (Test-Path /dev/shm) { '/dev/shm' } else { [IO.Path]::GetTempPath() }
        $WorkRoot = Join-Path $tmp ('jm-robust-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    }
    $script:RobustWork = Join-Path $WorkRoot $Category
    New-Item -ItemType Directory -Force -Path $script:RobustWork | Out-Null
}

# One case: Held, or Case (what input or step) + Invariant (what broke) + Detail.
function Add-RobustResult([string] $Case, [bool] $Held, [string] $Invariant = '', [string] $Detail = '') {
    $script:RobustResult.Tried++
    if ($Held) { $script:RobustResult.Held++; return }
    $script:RobustResult.Failed++
    if ($Detail.Length -gt 600) { $Detail = $Detail.Substring(0, 600) + '...' }
    $script:RobustResult.Failures.Add([ordered]@{ Case = $Case; Invariant = $Invariant; Detail = $Detail })
}
function Add-RobustSkip([string] $Why) { $script:RobustResult.Skipped++; $script:RobustResult.Notes.Add($Why) }
function Add-RobustNote([string] $Note) { $script:RobustResult.Notes.Add($Note) }

function Save-RobustResult([string] $ResultPath) {
    $script:RobustResult.Seconds = [math]::Round($script:RobustClock.Elapsed.TotalSeconds, 1)
    $json = $script:RobustResult | ConvertTo-Json -Depth 6
    # the hosts of this category are not needed any more
    if ($script:RobustWork -and -not $env:JAILSMODULE_ROBUST_KEEP) {
        Remove-Item -LiteralPath $script:RobustWork -Recurse -Force -ErrorAction SilentlyContinue
        if ($script:RobustOwnRoot) { Remove-Item -LiteralPath (Split-Path $script:RobustWork) -Recurse -Force -ErrorAction SilentlyContinue }
    }
    if ($ResultPath) { Set-Content -LiteralPath $ResultPath -Value $json -Encoding utf8NoBOM } else { $json }
}

# A printable form of a string that may hold control characters, NUL or megabytes.
function Format-RobustValue($Value) {
    if ($null -eq $Value) { return '$null' }
    if ($Value -is [Collections.IDictionary]) { return '@{' + (@($Value.Keys | ForEach-Object { (Format-RobustValue $_) + '=' + (Format-RobustValue $Value[$_]) }) -join '; ') + '}' }
    if ($Value -is [Array]) { return '@(' + (@($Value | ForEach-Object { Format-RobustValue $_ }) -join ', ') + ')' }
    $s = [string]$Value
    $long = $s.Length -gt 60
    if ($long) { $s = $s.Substring(0, 40) }
    $sb = [Text.StringBuilder]::new()
    foreach ($c in $s.ToCharArray()) {
        $n = [int]$c
        if ($c -eq "'") { [void]$sb.Append("''") }
        elseif ($n -lt 32 -or $n -eq 127 -or ($n -ge 0x200B -and $n -le 0x202E)) { [void]$sb.AppendFormat('\u{0:x4}', $n) }
        else { [void]$sb.Append($c) }
    }
    $t = "'" + $sb.ToString() + "'"
    if ($long) { $t += "...($($Value.Length) chars)" }
    $t
}

# ---------------------------------------------------------------------------------------------------
# Hosts

function Get-RobustSim([string] $Dir) { [JailsModule.Services.JailHostManager]::GetSimulator($Dir) }

# A fresh simulated host (seeded by the simulator on first connection).
function New-RobustHost([string] $Name) {
    $dir = Join-Path $script:RobustWork $Name
    if (Test-Path $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
    Connect-JailHost -Simulator -Path $dir
    $dir
}

# Turns the connected host into a host without ZFS (UFS root, zfs.ko not loaded, no pool), as
# tests/Pester/ProvisioningUfs.Tests.ps1 makes one.
function Set-RobustUfsHost([string] $Dir) {
    (Get-RobustSim $Dir).UpdateState([Action[JailsModule.Simulation.SimState]] {
            param($s)
            $s.Datasets.Clear()
            $s.Mounts.Clear()
            $s.Mounts.Add([JailsModule.Simulation.SimMount]@{ Special = '/dev/ada0p2'; Node = '/'; FsType = 'ufs'; Options = 'local, soft-updates' })
            $s.Mounts.Add([JailsModule.Simulation.SimMount]@{ Special = 'devfs'; Node = '/dev'; FsType = 'devfs'; Options = 'local, multilabel' })
            $zfs = $s.Klds | Where-Object File -EQ 'zfs.ko'
            [void]$s.Klds.Remove($zfs)
            $s.AvailableKlds.Add($zfs)
        })
    $rc = Join-Path $Dir 'fs/etc/rc.conf'
    (Get-Content -LiteralPath $rc) | Where-Object { $_ -notmatch '^zfs_enable=' } | Set-Content -LiteralPath $rc
}

# A copy of a prepared host, without its command log and lock owner files, connected.
function Copy-RobustHost([string] $Base, [string] $Name, [switch] $NoConnect) {
    $script:RobustHostCount++
    if (-not $Name) { $Name = 'h' + $script:RobustHostCount }
    $dir = Join-Path $script:RobustWork $Name
    if (Test-Path $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
    # cp -a keeps modes, links and FIFOs as they are (Copy-Item would follow links and read FIFOs).
    $p = Start-Process -FilePath /bin/cp -ArgumentList @('-a', '--', $Base, $dir) -Wait -PassThru -NoNewWindow
    if ($p.ExitCode -ne 0) { throw "cp -a $Base $dir failed" }
    Remove-Item -LiteralPath (Join-Path $dir 'commands.log') -Force -ErrorAction SilentlyContinue
    Get-ChildItem -LiteralPath (Join-Path $dir 'fs/var/db/jailsmodule/locks') -Filter 'owner-*' -ErrorAction SilentlyContinue | Remove-Item -Force
    if (-not $NoConnect) { Connect-JailHost -Simulator -Path $dir }
    $dir
}

function Remove-RobustHost([string] $Dir) {
    if ($Dir -and (Test-Path -LiteralPath $Dir)) { Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction SilentlyContinue }
}

# The simulator's command log (commands.log: one JSON entry a line). A mark is the log's length in bytes;
# Get-RobustLog returns the entries written after it.
function Get-RobustLogCount([string] $Dir) {
    $path = Join-Path $Dir 'commands.log'
    if (-not (Test-Path -LiteralPath $path)) { return 0 }
    [IO.FileInfo]::new($path).Length
}
function Get-RobustLog([string] $Dir, [long] $Skip = 0) {
    $path = Join-Path $Dir 'commands.log'
    if (-not (Test-Path -LiteralPath $path)) { return @() }
    $fs = [IO.File]::Open($path, 'Open', 'Read', 'ReadWrite')
    try {
        [void]$fs.Seek($Skip, 'Begin')
        $text = [IO.StreamReader]::new($fs).ReadToEnd()
    }
    finally { $fs.Dispose() }
    @($text.Split("`n") | Where-Object { $_ } | ConvertFrom-Json)
}
function Format-RobustCommand($Entry) { (@($Entry.FileName) + @($Entry.Arguments | ForEach-Object { Format-RobustValue $_ })) -join ' ' }

# ---------------------------------------------------------------------------------------------------
# Host state: what a failed or rejected command must leave as it was.

$script:UuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# The host's state as sorted "key = value" lines: state.json without counters that any run moves (jids,
# cpuset ids, fault bookkeeping, dataset guids and txgs) and every file of fs/, zfs-data/ and
# zfs-snapshots/ (type, mode, content hash or link target; never followed, FIFOs never opened). Lock
# owner files, saved journals (checked on their own) and freebsd-update's work folder (a cache) are left out. -NormalizeUuid makes
# two runs of the same plan comparable (each run draws new uuids). C#, because it runs after every case.
if (-not ('RobustSnapshot' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

public static class RobustSnapshot
{
    static readonly Regex Uuid = new Regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.Compiled);
    static readonly HashSet<string> DropState = new HashSet<string> { "Faults", "LastJid", "LastCpusetId" };
    static readonly HashSet<string> DropDataset = new HashSet<string> { "Guid", "CreateTxg", "CreationUnix", "Used", "Referenced" };
    static readonly HashSet<string> DropJail = new HashSet<string> { "Jid", "CpusetId", "Parent" };

    public static string[] Take(string dir, bool normalizeUuid)
    {
        var lines = new List<string>();
        var st = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json"))).AsObject();
        var guid = new Dictionary<string, string>();
        foreach (var kv in st)
        {
            if (DropState.Contains(kv.Key)) continue;
            if (kv.Key == "Datasets" && kv.Value is JsonArray ds)
            {
                foreach (var d in ds)
                {
                    var o = d.AsObject();
                    var name = (string)o["Name"] ?? "?";
                    guid[o["Guid"]?.ToJsonString() ?? ""] = name;
                    var c = new JsonObject();
                    foreach (var p in o) if (!DropDataset.Contains(p.Key)) c[p.Key] = p.Value?.DeepClone();
                    lines.Add("dataset " + name + " = " + c.ToJsonString());
                }
            }
            else if (kv.Key == "Jails" && kv.Value is JsonArray js)
            {
                foreach (var j in js)
                {
                    var o = j.AsObject();
                    var c = new JsonObject();
                    foreach (var p in o) if (!DropJail.Contains(p.Key)) c[p.Key] = p.Value?.DeepClone();
                    if (c["Params"] is JsonObject ps) { ps.Remove("jid"); ps.Remove("cpuset.id"); ps.Remove("parent"); }
                    lines.Add("jail " + (string)o["Name"] + " = " + c.ToJsonString());
                }
            }
            else if (kv.Value is JsonArray arr)
            {
                // one line per element (mounts, interfaces...), so a difference names the element
                if (arr.Count == 0) lines.Add("state " + kv.Key + " = []");
                foreach (var x in arr) lines.Add("state " + kv.Key + "[] = " + (x?.ToJsonString() ?? "null"));
            }
            else lines.Add("state " + kv.Key + " = " + (kv.Value?.ToJsonString() ?? "null"));
        }
        foreach (var top in new[] { "fs", "zfs-data", "zfs-snapshots" })
        {
            var root = Path.Combine(dir, top);
            if (!Directory.Exists(root)) continue;
            foreach (var f in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                var rel = f.FullName.Substring(root.Length);
                if (top != "fs")
                {
                    var parts = rel.TrimStart('/').Split('/', 2);
                    var name = guid.TryGetValue(parts[0], out var n) ? n : "guid?";
                    rel = "/" + name + "/" + (parts.Length > 1 ? parts[1] : "");
                }
                // lock owner files (per process), saved journals (checked on their own), freebsd-update's work folder (a cache on the host)
                else if (rel.StartsWith("/var/db/jailsmodule/locks/owner-") || rel.StartsWith("/var/db/jailsmodule/journal") || rel.StartsWith("/var/db/freebsd-update")) continue;
                int mode;
                try { mode = (int)File.GetUnixFileMode(f.FullName); } catch { mode = -1; }
                string value;
                if (f.LinkTarget != null) value = "link " + f.LinkTarget;
                else if (f is DirectoryInfo) value = "dir " + mode;
                else
                {
                    var fi = (FileInfo)f;
                    // FIFOs and devices have length 0 and are never opened (a read could block or never end)
                    if (fi.Length == 0) value = "empty-or-special " + mode;
                    else if (fi.Length > 8 * 1024 * 1024) value = "file " + mode + " size=" + fi.Length + " mtime=" + fi.LastWriteTimeUtc.Ticks;
                    else
                    {
                        try
                        {
                            var bytes = File.ReadAllBytes(fi.FullName);
                            // two runs of one plan differ in their uuids only: compare the text without them
                            if (normalizeUuid) bytes = System.Text.Encoding.UTF8.GetBytes(Uuid.Replace(System.Text.Encoding.UTF8.GetString(bytes), "UUID"));
                            value = "file " + mode + " " + Convert.ToHexString(SHA256.HashData(bytes));
                        }
                        catch (Exception e) { value = "file " + mode + " unreadable: " + e.GetType().Name; }
                    }
                }
                lines.Add(top + rel + " = " + value);
            }
        }
        var all = lines.Select(l => normalizeUuid ? Uuid.Replace(l, "UUID") : l).ToList();
        all.Sort(StringComparer.Ordinal);
        return all.ToArray();
    }

    public static string[] Diff(string[] before, string[] after)
    {
        var b = new HashSet<string>(before);
        var a = new HashSet<string>(after);
        return before.Where(l => !a.Contains(l)).Select(l => "- " + l).Concat(after.Where(l => !b.Contains(l)).Select(l => "+ " + l)).ToArray();
    }
}
'@
}
function Get-RobustState([string] $Dir, [switch] $NormalizeUuid) { [RobustSnapshot]::Take($Dir, [bool]$NormalizeUuid) }

# The differences between two Get-RobustState results, as "+ line" / "- line" (at most $Max).
function Compare-RobustState([string[]] $Before, [string[]] $After, [int] $Max = 6) {
    $d = @([RobustSnapshot]::Diff([string[]]@($Before), [string[]]@($After)) | ForEach-Object { if ($_.Length -gt 180) { $_.Substring(0, 177) + '...' } else { $_ } })
    if ($d.Count -gt $Max) { $d = @($d | Select-Object -First $Max) + "... ($($d.Count) differences)" }
    $d
}

# The lines of the host lock table (plans still holding resources).
function Get-RobustHeldLocks([string] $Dir) {
    @([JailsModule.Plans.HostLock]::Held((Get-RobustSim $Dir)) | ForEach-Object { "$($_.Id) $($_.Resources -join ',')" })
}

# Journals saved under /var/db/jailsmodule/journal.
function Get-RobustJournals([string] $Dir) {
    $j = Join-Path $Dir 'fs/var/db/jailsmodule/journal'
    if (-not (Test-Path -LiteralPath $j)) { return @() }
    @(Get-ChildItem -LiteralPath $j -File | ForEach-Object { [pscustomobject]@{ Path = '/var/db/jailsmodule/journal/' + $_.Name; Text = [IO.File]::ReadAllText($_.FullName) } })
}

# ---------------------------------------------------------------------------------------------------
# Child processes

# The command line of a child pwsh like this one (dotnet pwsh.dll or a pwsh executable).
function Get-RobustPwsh {
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { return @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    @($exe)
}

# Starts a child pwsh running a script file with arguments; returns the Process.
function Start-RobustChild([string] $Script, [string[]] $Arguments, [string] $Stdout, [string] $Stderr, [hashtable] $Environment) {
    $cmd = @(Get-RobustPwsh)
    $psi = [Diagnostics.ProcessStartInfo]::new($cmd[0])
    foreach ($a in @($cmd | Select-Object -Skip 1)) { $psi.ArgumentList.Add($a) }
    foreach ($a in @('-NoProfile', '-NonInteractive', '-File', $Script) + @($Arguments)) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.Environment['NO_COLOR'] = '1'
    if ($Environment) { foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] } }
    $p = [Diagnostics.Process]::new()
    $p.StartInfo = $psi
    [void]$p.Start()
    # Drain the pipes in the background so a chatty child never blocks.
    $p | Add-Member -NotePropertyName OutTask -NotePropertyValue $p.StandardOutput.ReadToEndAsync()
    $p | Add-Member -NotePropertyName ErrTask -NotePropertyValue $p.StandardError.ReadToEndAsync()
    $p | Add-Member -NotePropertyName OutFile -NotePropertyValue $Stdout
    $p | Add-Member -NotePropertyName ErrFile -NotePropertyValue $Stderr
    $p
}

# Waits for a child; kills it (SIGKILL) after $TimeoutSeconds. Returns ExitCode, TimedOut, Stdout, Stderr.
function Wait-RobustChild($Process, [int] $TimeoutSeconds) {
    $timedOut = -not $Process.WaitForExit($TimeoutSeconds * 1000)
    if ($timedOut) { try { $Process.Kill($true) } catch { Write-Verbose "kill: $_" }; [void]$Process.WaitForExit(10000) }
    $out = if ($Process.OutTask.Wait(5000)) { $Process.OutTask.Result } else { '' }
    $err = if ($Process.ErrTask.Wait(5000)) { $Process.ErrTask.Result } else { '' }
    [pscustomobject]@{ ExitCode = $(if ($timedOut) { $null } else { $Process.ExitCode }); TimedOut = $timedOut; Stdout = $out; Stderr = $err }
}
