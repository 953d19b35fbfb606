namespace JailsModule.Host;

/// <summary>What kind of machine a connection talks to.</summary>
public enum JailHostKind
{
    Local,
    Simulator,
}

/// <summary>
/// One native command: an absolute tool path and an argv array. Never a shell string.
/// The host adds LC_ALL=C to the environment of every process.
/// </summary>
public sealed class ProcessRequest
{
    public ProcessRequest(string fileName, IEnumerable<string> arguments)
    {
        if (string.IsNullOrEmpty(fileName) || fileName[0] != '/')
            throw new ArgumentException($"Tool path '{fileName}' is not absolute.", nameof(fileName));
        FileName = fileName;
        Arguments = arguments.ToArray();
        if (fileName.Contains('\0')) throw new ArgumentException("The tool path contains a NUL character.", nameof(fileName));
        foreach (var a in Arguments)
        {
            if (a is null) throw new ArgumentException("An argument is null.", nameof(arguments));
            // execve(2) takes C strings: a NUL would silently cut the argument short on a real host.
            if (a.Contains('\0')) throw new ArgumentException($"An argument of {fileName} contains a NUL character, which a process argument cannot carry.", nameof(arguments));
        }
    }

    public string FileName { get; }
    public IReadOnlyList<string> Arguments { get; }
    /// <summary>Standard input as text (UTF-8). Null and no <see cref="StandardInputStream"/>: empty input.</summary>
    public string? StandardInput
    {
        get => _stdin;
        init
        {
            if (value != null && _stdinStream != null) throw new ArgumentException("A request has either StandardInput or StandardInputStream, not both.");
            _stdin = value;
        }
    }

    /// <summary>
    /// Standard input as bytes: the host reads the stream to its end while the process runs and
    /// passes each block on as it is read, so no size limit applies and nothing is held in memory
    /// (zfs receive from a file, xz -d of a download). The caller owns the stream (the host does not
    /// dispose it). Excludes <see cref="StandardInput"/>.
    /// </summary>
    public Stream? StandardInputStream
    {
        get => _stdinStream;
        init
        {
            if (value != null && _stdin != null) throw new ArgumentException("A request has either StandardInput or StandardInputStream, not both.");
            _stdinStream = value;
        }
    }

    /// <summary>
    /// Standard output as bytes: written to this stream as the process writes it, never buffered
    /// whole (zfs send into a file, tar into xz). <see cref="ProcessResult.StandardOutput"/> is then
    /// empty and <see cref="OnStandardOutputLine"/> is not called. The caller owns the stream.
    /// Standard error stays text.
    /// </summary>
    public Stream? StandardOutputStream { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Streams each stdout line as it arrives (progress of long commands). Optional; not with <see cref="StandardOutputStream"/>.</summary>
    public Action<string>? OnStandardOutputLine { get; init; }

    private readonly string? _stdin;
    private readonly Stream? _stdinStream;

    /// <summary>The command as a person would type it, each argument quoted for sh(1) when needed. For display only.</summary>
    public string DisplayText => CommandLine.Format(FileName, Arguments);

    public override string ToString() => DisplayText;
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Success => ExitCode == 0;

    /// <summary>The last non-empty line of stderr, which is where FreeBSD tools put the reason.</summary>
    public string ErrorText => StandardError.TrimEnd('\n', '\r');
}

/// <summary>Metadata of a file the host keeps when it replaces it.</summary>
public sealed record HostFileInfo(string Path, bool IsDirectory, long Length, DateTime LastWriteTimeUtc, int Mode);

/// <summary>
/// The one boundary to the machine. Every process and every file access of the module passes
/// through it. Paths are absolute paths on the FreeBSD host ("/etc/jail.conf").
/// </summary>
public interface IJailHost
{
    /// <summary>Name of the host as the user knows it (hostname of the FreeBSD machine).</summary>
    string ComputerName { get; }

    JailHostKind Kind { get; }

    /// <summary>
    /// Runs a process. A missing tool gives ToolNotFoundException; cancellation kills the process.
    /// Standard input and output are text, or byte streams (<see cref="ProcessRequest.StandardInputStream"/>,
    /// <see cref="ProcessRequest.StandardOutputStream"/>) passed through without being held in memory.
    /// </summary>
    Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs an interactive command (a login shell in a jail: jexec -l NAME) for a person at
    /// <paramref name="terminal"/> and returns its exit status. A real host attaches the process to
    /// the terminal of this process; a host without a terminal to attach (the simulator) reads lines
    /// through <paramref name="terminal"/> and answers each. Cancellation ends the session.
    /// </summary>
    Task<int> RunInteractiveAsync(ProcessRequest request, IJailHostTerminal terminal, CancellationToken cancellationToken)
        => throw new NotSupportedException($"{GetType().Name} cannot run interactive commands.");

    bool FileExists(string path);
    bool DirectoryExists(string path);
    string ReadAllText(string path);
    byte[] ReadAllBytes(string path);

    /// <summary>
    /// The text of a file whose content the module does not control (jail.conf and its includes, rc.conf,
    /// the module's settings), read only when it is a regular file (symbolic links followed) of at most
    /// <paramref name="maxBytes"/> bytes. A FIFO, device, socket or folder is refused without blocking
    /// and a larger file after reading <paramref name="maxBytes"/>+1 bytes, with
    /// <see cref="HostFileRefusedException"/> (an IOException naming the path); a missing file is
    /// FileNotFoundException. LocalHost and the simulator implement it with <see cref="BoundedFile"/>;
    /// this default (for test doubles) checks the size that <see cref="GetFileInfo"/> reports.
    /// </summary>
    string ReadRegularFile(string path, long maxBytes)
    {
        var info = GetFileInfo(path) ?? throw new FileNotFoundException($"Could not find file '{path}'.", path);
        if (info.IsDirectory) throw new HostFileRefusedException(path, "not a regular file (a folder); the module reads only regular files");
        if (info.Length > maxBytes) throw new HostFileRefusedException(path, $"larger than {maxBytes} bytes, the most the module reads from such a file; refused");
        return ReadAllText(path);
    }

    /// <summary>
    /// Reads <paramref name="path"/>, a file inside the folder <paramref name="root"/> that someone else
    /// controls (a jail's root: its bin/freebsd-version, etc/ files), as <see cref="ReadRegularFile"/>
    /// does, after resolving every symbolic link on the way as the jail itself would see it
    /// (<see cref="BoundedFile.ResolveInsideRoot"/>): a link or ".." leading above the root is refused,
    /// and the file finally opened is not a link (O_NOFOLLOW). Never reads the host's own files through
    /// a link a jail planted.
    /// </summary>
    string ReadFileInsideRoot(string root, string path, long maxBytes)
        => ReadRegularFile(BoundedFile.ResolveInsideRoot(root, path, _ => null), maxBytes);

    /// <summary>Writes through a temporary file in the same folder and renames it over the target, keeping mode and owner.</summary>
    void WriteAllTextAtomic(string path, string content, int? newFileMode = null);

    void WriteAllBytes(string path, byte[] content);

    /// <summary>Full paths of the entries of a folder matching a glob (* and ?), sorted ordinally.</summary>
    IReadOnlyList<string> ListDirectory(string path, string pattern = "*");

    HostFileInfo? GetFileInfo(string path);

    /// <summary>
    /// The files of a folder whose names match the glob, as <see cref="ListDirectory"/> names them,
    /// each described as <see cref="GetFileInfo"/> would (symbolic links followed), folders left out;
    /// sorted ordinally, empty when the folder does not exist. One pass over the folder: what
    /// scanning /etc/jail.conf.d costs on every Get-Jail and name check.
    /// </summary>
    IReadOnlyList<HostFileInfo> ListFiles(string path, string pattern = "*")
    {
        var list = new List<HostFileInfo>();
        foreach (var f in ListDirectory(path, pattern))
            if (GetFileInfo(f) is { IsDirectory: false } i) list.Add(i);
        return list;
    }
    void CreateDirectory(string path);
    void Rename(string from, string to);
    void DeleteFile(string path);

    /// <summary>Deletes an empty folder. Never recursive: the module never removes trees by hand.</summary>
    void DeleteDirectory(string path);

    /// <summary>
    /// Creates a file only when nothing of that name exists (open with O_CREAT|O_EXCL): the atomic
    /// primitive behind the module's host-wide locks. Returns false when the file already exists.
    /// The folder must exist. <paramref name="newFileMode"/> is the mode given to open(2) (the umask
    /// still applies, so it can only get stricter); default 0666 less the umask.
    /// </summary>
    bool TryCreateFileExclusive(string path, string content, int? newFileMode = null)
        => throw new NotSupportedException($"{GetType().Name} cannot create files exclusively.");

    /// <summary>
    /// Opens the file (creating it, mode 0600, when missing) and locks it exclusively without
    /// waiting: flock(2) LOCK_EX|LOCK_NB on FreeBSD, Linux and macOS, an exclusive share mode on
    /// Windows. Returns null when another open file holds the lock (another process, or another
    /// handle of this one). The kernel drops the lock when the handle is closed or its process dies,
    /// so a lock can never outlive its owner. The folder must exist (DirectoryNotFoundException).
    /// The primitive behind the module's host-wide lock (Plans/HostLock).
    /// </summary>
    IHostFileLock? TryLockFile(string path)
        => throw new NotSupportedException($"{GetType().Name} cannot lock files, so it cannot take the module's host lock.");
}

/// <summary>An open, exclusively locked file (<see cref="IJailHost.TryLockFile"/>). Dispose closes it and drops the lock.</summary>
public interface IHostFileLock : IDisposable
{
    /// <summary>The host path of the file.</summary>
    string Path { get; }

    /// <summary>The whole content, read through the locked handle.</summary>
    string ReadAll();

    /// <summary>Replaces the whole content through the locked handle (write, then truncate to the new length).</summary>
    void WriteAll(string content);

    /// <summary>
    /// Removes the file and drops the lock. On Unix the name is unlinked while the lock is still
    /// held, so whoever was waiting for it ends up with a lock on a file that no longer has a name
    /// (the caller of <see cref="IJailHost.TryLockFile"/> checks the name still exists afterwards).
    /// </summary>
    void Delete();
}

public sealed class ToolNotFoundException : Exception
{
    public ToolNotFoundException(string tool, Exception? inner = null)
        : base($"The tool '{tool}' was not found on the host.", inner) => Tool = tool;

    public string Tool { get; }
}
