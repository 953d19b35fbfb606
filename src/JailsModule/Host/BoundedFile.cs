using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace JailsModule.Host;

/// <summary>
/// A file the module refused to read: not a regular file (a FIFO, device, socket or folder), larger than
/// the limit for its kind, or reached through a symbolic link that leads out of the folder it must stay in.
/// An IOException, so every reader that already reports unreadable files reports it the same way.
/// </summary>
public sealed class HostFileRefusedException : IOException
{
    public HostFileRefusedException(string path, string reason) : base(reason) => Path = path;

    /// <summary>The host path the caller asked for.</summary>
    public string Path { get; }
}

/// <summary>
/// Bounded reads of files whose content someone other than the module controls (jail.conf files that any
/// admin tool or package may drop into /etc/jail.conf.d, rc.conf, files inside a jail's root). The file is
/// opened without blocking (O_NONBLOCK: a FIFO without a writer cannot hang the caller), checked with
/// fstat(2) to be a regular file, and read up to a limit: /dev/zero, a FIFO or a 10 GB file cost nothing.
/// </summary>
public static class BoundedFile
{
    /// <summary>Most bytes read from one configuration file (jail.conf and its includes, rc.conf, the module's settings): 16 MiB.</summary>
    public const long MaxConfigFileBytes = 16L << 20;

    /// <summary>Most bytes read from a small file inside a jail's root (bin/freebsd-version and the like): 1 MiB.</summary>
    public const long MaxJailFileBytes = 1L << 20;

    /// <summary>Symbolic links followed while resolving a path inside a root, as namei's MAXSYMLINKS.</summary>
    public const int MaxSymlinks = 32;

    /// <summary>
    /// The text of the regular file at <paramref name="realPath"/> (UTF-8, a byte-order mark dropped).
    /// Throws <see cref="HostFileRefusedException"/> naming <paramref name="hostPath"/> when it is not a
    /// regular file or has more than <paramref name="maxBytes"/> bytes; FileNotFoundException when it is missing.
    /// With <paramref name="followFinalLink"/> false a symbolic link as the last component is refused (O_NOFOLLOW).
    /// </summary>
    public static string ReadText(string realPath, string hostPath, long maxBytes, bool followFinalLink = true)
    {
        var bytes = Read(realPath, hostPath, maxBytes, followFinalLink);
        int skip = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        return new UTF8Encoding(false).GetString(bytes, skip, bytes.Length - skip);
    }

    /// <summary>The bytes of a regular file, as <see cref="ReadText"/> reads them.</summary>
    public static byte[] Read(string realPath, string hostPath, long maxBytes, bool followFinalLink = true)
    {
        if (OperatingSystem.IsWindows()) return ReadWindows(realPath, hostPath, maxBytes);
        using var handle = OpenUnix(realPath, hostPath, followFinalLink);
        var (mode, size) = FStat(handle, hostPath);
        if ((mode & S_IFMT) != S_IFREG)
            throw new HostFileRefusedException(hostPath, $"not a regular file ({TypeName(mode)}); the module reads only regular files");
        if (size > maxBytes) throw TooLarge(hostPath, maxBytes);
        using var fs = new FileStream(handle, FileAccess.Read, 0);
        return ReadAtMost(fs, hostPath, maxBytes);
    }

    /// <summary>
    /// The host path that <paramref name="path"/> (at or below <paramref name="root"/>) names when every
    /// symbolic link on the way is resolved as a process chroot'ed to <paramref name="root"/> would see
    /// it (a jail's own view: an absolute target starts again at the root). A link, or "..", that
    /// would lead above the root is refused, as is a chain of more than <see cref="MaxSymlinks"/> links.
    /// <paramref name="readLink"/> gives a host path's link target (lstat + readlink), null when it is not a link.
    /// The result has no symbolic link left in it (when nothing changes meanwhile).
    /// </summary>
    public static string ResolveInsideRoot(string root, string path, Func<string, string?> readLink)
    {
        root = Normalize(root);
        var full = Normalize(path);
        var prefix = root == "/" ? "/" : root + "/";
        if (full != root && !full.StartsWith(prefix, StringComparison.Ordinal))
            throw new ArgumentException($"'{path}' is not inside '{root}'.", nameof(path));
        var pending = new LinkedList<string>(full[root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        int links = 0;
        while (pending.First is { } node)
        {
            var c = node.Value;
            pending.RemoveFirst();
            if (c is "" or ".") continue;
            if (c == "..")
            {
                if (resolved.Count == 0)
                    throw new HostFileRefusedException(path, $"leads out of {root} (through '..' or a symbolic link); refused");
                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = prefix + string.Join('/', resolved.Append(c));
            var target = readLink(candidate);
            if (target is null)
            {
                resolved.Add(c);
                continue;
            }
            if (++links > MaxSymlinks)
                throw new HostFileRefusedException(path, "Too many levels of symbolic links");
            if (target.StartsWith('/')) resolved.Clear();
            var parts = target.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (int i = parts.Length - 1; i >= 0; i--) pending.AddFirst(parts[i]);
        }
        return resolved.Count == 0 ? root : prefix + string.Join('/', resolved);
    }

    /// <summary>An absolute path without ".", ".." or empty components (".." stops at "/").</summary>
    private static string Normalize(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/') throw new ArgumentException($"'{path}' is not an absolute path.");
        var parts = new List<string>();
        foreach (var seg in path.Split('/'))
        {
            if (seg is "" or ".") continue;
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(seg);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>A host path's symbolic link target on this machine (lstat + readlink), null when it is not a link or does not exist.</summary>
    public static string? ReadLink(string realPath)
    {
        try { return new FileInfo(realPath).LinkTarget; }
        catch (IOException) { return null; }
    }

    private static HostFileRefusedException TooLarge(string hostPath, long maxBytes)
        => new(hostPath, $"larger than {maxBytes} bytes, the most the module reads from such a file; refused");

    private static byte[] ReadAtMost(Stream s, string hostPath, long maxBytes)
    {
        var ms = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int want = (int)Math.Min(buffer.Length, maxBytes + 1 - ms.Length);
            int got;
            try { got = s.Read(buffer, 0, want); }
            catch (IOException e) when (e is not HostFileRefusedException)
            {
                throw new HostFileRefusedException(hostPath, $"cannot be read: {e.Message}");
            }
            if (got == 0) break;
            ms.Write(buffer, 0, got);
            if (ms.Length > maxBytes) throw TooLarge(hostPath, maxBytes);
        }
        return ms.ToArray();
    }

    private static byte[] ReadWindows(string realPath, string hostPath, long maxBytes)
    {
        var info = new FileInfo(realPath);
        if (Directory.Exists(realPath)) throw new HostFileRefusedException(hostPath, "not a regular file (a folder)");
        if (!info.Exists) throw new FileNotFoundException($"Could not find file '{hostPath}'.", hostPath);
        using var fs = new FileStream(realPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        if (fs.Length > maxBytes) throw TooLarge(hostPath, maxBytes);
        return ReadAtMost(fs, hostPath, maxBytes);
    }

    // ---- Unix: open(2) through libc (O_NONBLOCK is not among .NET's own open flags), fstat through .NET's System.Native

    private const int S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;

    private static string TypeName(int mode) => (mode & S_IFMT) switch
    {
        S_IFIFO => "a FIFO",
        S_IFCHR => "a character device",
        S_IFBLK => "a block device",
        S_IFDIR => "a folder",
        S_IFLNK => "a symbolic link",
        S_IFSOCK => "a socket",
        _ => "not a plain file",
    };

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int OpenFn([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    private static readonly Lazy<OpenFn?> LibcOpen = new(() =>
    {
        foreach (var name in new[] { "libc.so.7", "libc.so.6", "libc.dylib", "libc" })
            if (NativeLibrary.TryLoad(name, out var lib) && NativeLibrary.TryGetExport(lib, "open", out var fn))
                return Marshal.GetDelegateForFunctionPointer<OpenFn>(fn);
        return null;
    });

    // .NET's platform-neutral FileStatus (System.Native pal_io.h): Flags, Mode, Uid, Gid, Size, ... (more fields follow).
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
    private static extern int SystemNativeFStat(SafeFileHandle fd, [Out] byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int SystemNativeStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);

    private static (int Mode, long Size) FStat(SafeFileHandle h, string hostPath)
    {
        var buf = new byte[512];
        if (SystemNativeFStat(h, buf) != 0) throw new IOException($"{hostPath}: fstat failed (errno {Marshal.GetLastPInvokeError()})");
        return (BitConverter.ToInt32(buf, 4), BitConverter.ToInt64(buf, 16));
    }

    private static (int O_NONBLOCK, int O_NOFOLLOW, int O_CLOEXEC) Flags()
    {
        if (OperatingSystem.IsLinux())
            return (0x800, RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000, 0x80000);
        if (OperatingSystem.IsMacOS()) return (0x4, 0x100, 0x1000000);
        return (0x4, 0x100, 0x100000); // FreeBSD
    }

    private static SafeFileHandle OpenUnix(string realPath, string hostPath, bool followFinalLink)
    {
        var open = LibcOpen.Value;
        if (open is null)
        {
            // No libc to call: stat first so at least a FIFO or device met by name is never opened.
            var buf = new byte[512];
            if (SystemNativeStat(realPath, buf) == 0 && (BitConverter.ToInt32(buf, 4) & S_IFMT) != S_IFREG)
                throw new HostFileRefusedException(hostPath, $"not a regular file ({TypeName(BitConverter.ToInt32(buf, 4))}); the module reads only regular files");
            if (!followFinalLink && ReadLink(realPath) != null)
                throw new HostFileRefusedException(hostPath, "a symbolic link; refused");
            return File.OpenHandle(realPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        var (nonblock, nofollow, cloexec) = Flags();
        int fd = open(realPath, nonblock | cloexec | (followFinalLink ? 0 : nofollow), 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            bool linux = OperatingSystem.IsLinux();
            if (errno == 2) throw new FileNotFoundException($"Could not find file '{hostPath}'.", hostPath);
            if (errno == 13 || errno == 1) throw new UnauthorizedAccessException($"{hostPath}: Permission denied");
            if (errno == (linux ? 40 : 62) || (!linux && errno == 31)) // ELOOP; FreeBSD says EMLINK for O_NOFOLLOW on a link
                throw new HostFileRefusedException(hostPath, followFinalLink ? "Too many levels of symbolic links" : "a symbolic link; refused");
            if (errno == 20) throw new DirectoryNotFoundException($"{hostPath}: Not a directory");
            if (errno == 6 || errno == (linux ? 95 : 45)) throw new HostFileRefusedException(hostPath, "not a regular file (a device without a driver or a socket); refused");
            throw new IOException($"{hostPath}: open failed (errno {errno})");
        }
        return new SafeFileHandle((IntPtr)fd, ownsHandle: true);
    }
}
