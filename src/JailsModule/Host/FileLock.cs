using System.Text;

namespace JailsModule.Host;

/// <summary>
/// <see cref="IHostFileLock"/> on a real file: a FileStream opened with FileShare.None, which .NET
/// turns into flock(2) LOCK_EX|LOCK_NB right after open(2) on Unix (FreeBSD, Linux, macOS) and into
/// an exclusive share mode on Windows. Used by LocalHost (the FreeBSD machine) and by the simulator
/// (files under DIR/fs). flock locks belong to the open file, so two handles in one process exclude
/// each other too (runspaces, ForEach-Object -Parallel), and the kernel drops the lock when the
/// process dies: a crashed plan never leaves a lock behind.
/// </summary>
public sealed class FileLock : IHostFileLock
{
    private static readonly UTF8Encoding Utf8 = new(false);
    private readonly FileStream _fs;

    private readonly string _realPath;

    private FileLock(FileStream fs, string realPath, string path)
    {
        _fs = fs;
        _realPath = realPath;
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// Opens or creates <paramref name="realPath"/> (mode 0600) and locks it; null when another open
    /// file holds the lock. <paramref name="hostPath"/> is the name given back in <see cref="Path"/>.
    /// </summary>
    public static IHostFileLock? TryOpen(string realPath, string hostPath)
    {
        if (LockingDisabled)
            throw new NotSupportedException(
                "File locking is turned off in this process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING or the System.IO.DisableFileLocking switch), " +
                "so .NET takes no flock(2) and the module's host lock cannot work. Unset it and start pwsh again.");
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            return new FileLock(new FileStream(realPath, options), realPath, hostPath);
        }
        catch (IOException e) when (e is not DirectoryNotFoundException && IsLockConflict(e))
        {
            return null;
        }
    }

    /// <summary>
    /// The error .NET raises when the lock is held: on Unix an IOException whose HResult is the raw
    /// errno EWOULDBLOCK (11 on Linux, 35 on FreeBSD and macOS); on Windows a sharing or lock
    /// violation (HRESULT 0x80070020 / 0x80070021).
    /// </summary>
    internal static bool IsLockConflict(IOException e)
    {
        if (OperatingSystem.IsWindows()) return e.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021);
        return e.HResult == (OperatingSystem.IsLinux() ? 11 : 35);
    }

    /// <summary>True when .NET was told not to take flock(2) for FileShare.None (then nothing would be locked).</summary>
    public static bool LockingDisabled
    {
        get
        {
            if (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var on) && on) return true;
            var env = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING");
            return env is not null && (env == "1" || env.Equals("true", StringComparison.OrdinalIgnoreCase));
        }
    }

    public string ReadAll()
    {
        _fs.Position = 0;
        var buffer = new byte[_fs.Length];
        int n = 0;
        while (n < buffer.Length)
        {
            int got = _fs.Read(buffer, n, buffer.Length - n);
            if (got == 0) break;
            n += got;
        }
        return Utf8.GetString(buffer, 0, n);
    }

    public void WriteAll(string content)
    {
        var bytes = Utf8.GetBytes(content);
        _fs.Position = 0;
        _fs.Write(bytes, 0, bytes.Length); // one write(2): a killed process cannot stop it half-way
        if (_fs.Length != bytes.Length) _fs.SetLength(bytes.Length);
    }

    public void Delete()
    {
        if (OperatingSystem.IsWindows())
        {
            _fs.Dispose(); // Windows cannot delete a file this handle keeps open without FileShare.Delete
            try { File.Delete(_realPath); } catch (IOException) { /* opened again meanwhile: it stays */ }
            return;
        }
        try { File.Delete(_realPath); }
        finally { _fs.Dispose(); }
    }

    public void Dispose() => _fs.Dispose();
}
