using System.ComponentModel;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace JailsModule.Host;

/// <summary>The machine the module runs on. Every process goes through CliWrap with an argv array.</summary>
public sealed class LocalHost : IJailHost
{
    public LocalHost()
    {
        ComputerName = System.Net.Dns.GetHostName();
    }

    public string ComputerName { get; }
    public JailHostKind Kind => JailHostKind.Local;

    public Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken)
        => ExecuteAsync(request.FileName, request.Arguments, request.Environment, request, cancellationToken);

    /// <summary>
    /// Runs a program of this machine with an argv array (no shell), LC_ALL=C plus
    /// <paramref name="environment"/>; standard input and output as <paramref name="io"/> asks (text,
    /// or byte streams copied block by block: PipeSource.FromStream / PipeTarget.ToStream), empty
    /// input when it gives none. Also runs jailsim for the out-of-process simulator, whose dotnet path
    /// is this machine's, not FreeBSD's (then <paramref name="io"/>'s own argv and environment are jailsim's business).
    /// </summary>
    internal static async Task<ProcessResult> ExecuteAsync(string fileName, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment, ProcessRequest io, CancellationToken cancellationToken)
    {
        var env = new Dictionary<string, string?> { ["LC_ALL"] = "C" };
        if (environment != null)
            foreach (var kv in environment) env[kv.Key] = kv.Value;

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        PipeTarget outTarget = io.StandardOutputStream is { } os
            ? PipeTarget.ToStream(os)
            : io.OnStandardOutputLine is { } onLine
                ? PipeTarget.Merge(PipeTarget.ToStringBuilder(stdout), PipeTarget.ToDelegate(onLine))
                : PipeTarget.ToStringBuilder(stdout);
        PipeSource inSource = io.StandardInputStream is { } ins
            ? PipeSource.FromStream(ins)
            : io.StandardInput is { } text ? PipeSource.FromString(text) : PipeSource.Null;
        var cmd = Cli.Wrap(fileName)
            .WithArguments(arguments)
            .WithEnvironmentVariables(env)
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(inSource)
            .WithStandardOutputPipe(outTarget)
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr));

        try
        {
            // Forceful cancellation kills the process (Ctrl+C in PowerShell -> StopProcessing).
            var result = await cmd.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return new ProcessResult(result.ExitCode, stdout.ToString(), stderr.ToString());
        }
        catch (Win32Exception ex)
        {
            throw new ToolNotFoundException(fileName, ex);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is Win32Exception)
        {
            throw new ToolNotFoundException(fileName, ex);
        }
    }

    /// <summary>
    /// The process gets this process's terminal as its stdin, stdout and stderr (nothing redirected),
    /// so a shell in a jail is as interactive as it is from sh. <paramref name="terminal"/> is not
    /// needed. Cancellation kills the process.
    /// </summary>
    public async Task<int> RunInteractiveAsync(ProcessRequest request, IJailHostTerminal terminal, CancellationToken cancellationToken)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(request.FileName) { UseShellExecute = false };
        foreach (var a in request.Arguments) psi.ArgumentList.Add(a);
        if (request.Environment != null)
            foreach (var kv in request.Environment) psi.Environment[kv.Key] = kv.Value;
        System.Diagnostics.Process p;
        try
        {
            p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {request.FileName}.");
        }
        catch (Win32Exception ex)
        {
            throw new ToolNotFoundException(request.FileName, ex);
        }
        using (p)
        {
            try
            {
                await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
                throw;
            }
            return p.ExitCode;
        }
    }

    public bool FileExists(string path) => File.Exists(path);
    public bool DirectoryExists(string path) => Directory.Exists(path);
    public string ReadAllText(string path) => File.ReadAllText(path);
    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);
    public string ReadRegularFile(string path, long maxBytes) => BoundedFile.ReadText(path, path, maxBytes);

    public string ReadFileInsideRoot(string root, string path, long maxBytes)
        => BoundedFile.ReadText(BoundedFile.ResolveInsideRoot(root, path, BoundedFile.ReadLink), path, maxBytes, followFinalLink: false);

    public void WriteAllTextAtomic(string path, string content, int? newFileMode = null)
        => AtomicFile.WriteAllText(path, content, newFileMode, CopyOwner);

    public void WriteAllBytes(string path, byte[] content) => File.WriteAllBytes(path, content);

    public IReadOnlyList<string> ListDirectory(string path, string pattern = "*")
    {
        if (!Directory.Exists(path)) return Array.Empty<string>();
        var list = Directory.EnumerateFileSystemEntries(path, pattern, new EnumerationOptions { MatchType = MatchType.Simple, AttributesToSkip = 0 })
            .ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public HostFileInfo? GetFileInfo(string path) => AtomicFile.GetInfo(path);

    public IReadOnlyList<HostFileInfo> ListFiles(string path, string pattern = "*")
        => AtomicFile.ListFiles(path, path, name => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false), AtomicFile.GetInfo);
    public void CreateDirectory(string path) => Directory.CreateDirectory(path);
    public void Rename(string from, string to) => File.Move(from, to, overwrite: true);
    public void DeleteFile(string path) => File.Delete(path);
    public void DeleteDirectory(string path) => Directory.Delete(path, recursive: false);
    public bool TryCreateFileExclusive(string path, string content, int? newFileMode = null) => AtomicFile.TryCreateExclusive(path, content, newFileMode);
    public IHostFileLock? TryLockFile(string path) => FileLock.TryOpen(path, path);

    /// <summary>Keeps the owner of a replaced file: chown(8) with the numeric ids that stat(1) reports (FreeBSD syntax).</summary>
    private void CopyOwner(string original, string replacement)
    {
        if (!OperatingSystem.IsFreeBSD()) return;
        var stat = RunAsync(new ProcessRequest("/usr/bin/stat", new[] { "-f", "%u:%g", original }), CancellationToken.None).GetAwaiter().GetResult();
        var owner = stat.StandardOutput.Trim();
        if (!stat.Success || owner == "0:0" || owner.Length == 0) return;
        RunAsync(new ProcessRequest("/usr/sbin/chown", new[] { owner, replacement }), CancellationToken.None).GetAwaiter().GetResult();
    }
}

/// <summary>Temp-file-and-rename writes shared by the local and simulated hosts.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content, int? newFileMode, Action<string, string>? copyOwner = null)
    {
        var dir = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no folder.");
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, "." + Path.GetFileName(path) + ".tmp." + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            File.WriteAllText(tmp, content, new UTF8Encoding(false));
            if (!OperatingSystem.IsWindows())
            {
                if (File.Exists(path))
                {
                    File.SetUnixFileMode(tmp, File.GetUnixFileMode(path));
                    copyOwner?.Invoke(path, tmp);
                }
                else if (newFileMode is int m)
                {
                    File.SetUnixFileMode(tmp, (UnixFileMode)m);
                }
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch { /* best effort */ }
            throw;
        }
    }

    private static HostFileInfo FileResult(string path, FileInfo f)
        => new(path, false, f.Length, f.LastWriteTimeUtc, OperatingSystem.IsWindows() ? 0x1A4 : (int)f.UnixFileMode);

    /// <summary>open(2) with O_CREAT|O_EXCL (FileMode.CreateNew): false when the name is taken.</summary>
    public static bool TryCreateExclusive(string path, string content, int? newFileMode = null)
    {
        // Unbuffered (the content is written in one call); the mode goes to open(2) itself.
        // Exclusivity comes from O_EXCL alone. FileShare.None would also make .NET take
        // flock(LOCK_EX|LOCK_NB) right after the create, which fails while a waiter already reads
        // the new file (File.ReadAllText holds LOCK_SH): .NET then throws with the file created
        // but empty, and that orphan lock never looks stale. Hence ReadWrite|Delete (no LOCK_EX).
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 0 };
        if (newFileMode is int m && !OperatingSystem.IsWindows()) options.UnixCreateMode = (UnixFileMode)m;
        FileStream fs;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                fs = new FileStream(path, options);
                break;
            }
            catch (IOException e) when (e is not DirectoryNotFoundException)
            {
                // EEXIST; the holder may have removed it between open(2) and now: then simply try again.
                if (File.Exists(path) || Directory.Exists(path) || attempt >= 100) return false;
            }
        }
        using (fs)
        {
            var bytes = new UTF8Encoding(false).GetBytes(content);
            try
            {
                fs.Write(bytes, 0, bytes.Length); // no fsync: a lock only has to outlive its process, not a reboot
            }
            catch
            {
                try { File.Delete(path); } catch { /* best effort: the file is ours, never leave it empty */ }
                throw;
            }
        }
        return true;
    }

    /// <summary>
    /// One enumeration of <paramref name="realDir"/>: each matching plain file described from the
    /// directory walk's own stat, a symbolic link through <paramref name="follow"/> (stat(2)'s view),
    /// folders skipped. Paths are given under <paramref name="hostDir"/>. Sorted ordinally.
    /// </summary>
    public static IReadOnlyList<HostFileInfo> ListFiles(string realDir, string hostDir, Func<string, bool> match, Func<string, HostFileInfo?> follow)
    {
        if (!Directory.Exists(realDir)) return Array.Empty<HostFileInfo>();
        var prefix = hostDir.EndsWith('/') ? hostDir : hostDir + "/";
        var links = new List<string>();
        var walk = new System.IO.Enumeration.FileSystemEnumerable<HostFileInfo?>(realDir,
            (ref System.IO.Enumeration.FileSystemEntry e) =>
            {
                if ((e.Attributes & FileAttributes.ReparsePoint) != 0) { links.Add(e.FileName.ToString()); return null; }
                var f = (FileInfo)e.ToFileSystemInfo(); // keeps the walk's stat: no second syscall
                return FileResult(prefix + f.Name, f);
            },
            new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false })
        {
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry e) =>
                ((e.Attributes & FileAttributes.ReparsePoint) != 0 || !e.IsDirectory) && match(e.FileName.ToString()),
        };
        var list = new List<HostFileInfo>();
        foreach (var i in walk) if (i != null) list.Add(i);
        foreach (var l in links)
            if (follow(prefix + l) is { IsDirectory: false } i) list.Add(i);
        list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return list;
    }

    public static HostFileInfo? GetInfo(string path)
    {
        // One lstat for a plain file (FileInfo keeps what it read; Exists is false for a folder).
        // FileInfo describes a symbolic link itself (lstat), so a link is followed as stat(2)
        // does: its size and mtime must change when what it points to changes (ConfFileCache).
        var f = new FileInfo(path);
        bool link = f.Exists && (f.Attributes & FileAttributes.ReparsePoint) != 0;
        if (f.Exists && !link) return FileResult(path, f);
        if (Directory.Exists(path))
        {
            var d = new DirectoryInfo(path);
            return new HostFileInfo(path, true, 0, d.LastWriteTimeUtc, OperatingSystem.IsWindows() ? 0x1ED : (int)d.UnixFileMode);
        }
        if (link && f.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true } target) return FileResult(path, target);
        return f.Exists ? FileResult(path, f) : null; // a dangling link
    }
}
