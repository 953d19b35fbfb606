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
        foreach (var a in Arguments)
            if (a is null) throw new ArgumentException("An argument is null.", nameof(arguments));
    }

    public string FileName { get; }
    public IReadOnlyList<string> Arguments { get; }
    public string? StandardInput { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Streams each stdout line as it arrives (progress of long commands). Optional.</summary>
    public Action<string>? OnStandardOutputLine { get; init; }

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

    /// <summary>Runs a process. A missing tool gives ToolNotFoundException; cancellation kills the process.</summary>
    Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken);

    bool FileExists(string path);
    bool DirectoryExists(string path);
    string ReadAllText(string path);
    byte[] ReadAllBytes(string path);

    /// <summary>Writes through a temporary file in the same folder and renames it over the target, keeping mode and owner.</summary>
    void WriteAllTextAtomic(string path, string content, int? newFileMode = null);

    void WriteAllBytes(string path, byte[] content);

    /// <summary>Full paths of the entries of a folder matching a glob (* and ?), sorted ordinally.</summary>
    IReadOnlyList<string> ListDirectory(string path, string pattern = "*");

    HostFileInfo? GetFileInfo(string path);
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
        => throw new NotSupportedException($"{GetType().Name} cannot create files exclusively, so it cannot take the module's host lock.");
}

public sealed class ToolNotFoundException : Exception
{
    public ToolNotFoundException(string tool, Exception? inner = null)
        : base($"The tool '{tool}' was not found on the host.", inner) => Tool = tool;

    public string Tool { get; }
}
