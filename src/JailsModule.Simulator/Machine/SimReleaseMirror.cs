using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace JailsModule.Simulation;

/// <summary>What the simulated network serves besides download.freebsd.org (kept in state.json).</summary>
public sealed class SimMirror
{
    /// <summary>Extra mirror base URLs laid out like https://download.freebsd.org/releases (ARCH/ARCH/REL/FILE below them).</summary>
    public List<string> Prefixes { get; set; } = new();

    /// <summary>Distribution files served damaged, as "REL/FILE" (e.g. "14.3-RELEASE/base.txz") or "*": their bytes no longer match MANIFEST.</summary>
    public List<string> Corrupt { get; set; } = new();
}

/// <summary>What freebsd-update keeps in its work directory (the BDHASH-install and BDHASH-rollback links), by base directory.</summary>
public sealed class SimFreebsdUpdateState
{
    /// <summary>Base directory → release the fetched (or upgrade) files bring it to.</summary>
    public SortedDictionary<string, string> Pending { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Base directories whose pending files come from "upgrade" (a plain fetch then needs -F).</summary>
    public List<string> Upgrading { get; set; } = new();

    /// <summary>Base directory → release before the last install (for rollback).</summary>
    public SortedDictionary<string, string> Rollback { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The FreeBSD release mirror of the simulated network: for each known release, real xz-compressed
/// tar sets (base, kernel, lib32) generated deterministically, and a MANIFEST in the format of
/// release/scripts/make-manifest.sh (reference §13): TAB-separated file, SHA256, entry count, set
/// name, "description", on/off. Layout (reference §13, unverified there):
/// https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/{MANIFEST,base.txz,...}.
/// </summary>
public static class SimReleaseMirror
{
    public static readonly string[] OfficialPrefixes =
    {
        "https://download.freebsd.org/releases", "http://download.freebsd.org/releases",
        "https://download.freebsd.org/ftp/releases", "http://ftp.freebsd.org/pub/FreeBSD/releases",
        "ftp://ftp.freebsd.org/pub/FreeBSD/releases",
    };

    public static readonly string[] Releases = { "14.1-RELEASE", "14.2-RELEASE", "14.3-RELEASE", "15.0-RELEASE" };
    public static readonly string[] Sets = { "base", "kernel", "lib32" };

    /// <summary>The newest patch level freebsd-update knows for each release.</summary>
    public static readonly IReadOnlyDictionary<string, string> PatchLevels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["14.1-RELEASE"] = "14.1-RELEASE-p8",
        ["14.2-RELEASE"] = "14.2-RELEASE-p4",
        ["14.3-RELEASE"] = "14.3-RELEASE-p5",
        ["15.0-RELEASE"] = "15.0-RELEASE-p1",
    };

    private static readonly Dictionary<string, DateTimeOffset> ReleaseDates = new(StringComparer.Ordinal)
    {
        ["14.1-RELEASE"] = new(2024, 5, 31, 0, 0, 0, TimeSpan.Zero),
        ["14.2-RELEASE"] = new(2024, 11, 29, 0, 0, 0, TimeSpan.Zero),
        ["14.3-RELEASE"] = new(2025, 6, 6, 0, 0, 0, TimeSpan.Zero),
        ["15.0-RELEASE"] = new(2025, 12, 2, 0, 0, 0, TimeSpan.Zero),
    };

    private static readonly ConcurrentDictionary<string, (byte[] Bytes, int Entries)> Cache = new(StringComparer.Ordinal);

    /// <summary>Base release of a patched name: 14.3-RELEASE-p5 → 14.3-RELEASE.</summary>
    public static string BaseRelease(string release)
    {
        int i = release.IndexOf("-p", StringComparison.Ordinal);
        return i > 0 && release[(i + 2)..].All(char.IsAsciiDigit) && release[(i + 2)..].Length > 0 ? release[..i] : release;
    }

    public static int PatchNumber(string release)
    {
        int i = release.IndexOf("-p", StringComparison.Ordinal);
        return i > 0 && int.TryParse(release[(i + 2)..], out var n) ? n : 0;
    }

    public enum FetchError { None, NotFound, NoAddress }

    /// <summary>What a GET of the URL returns on the simulated network.</summary>
    public static byte[]? Get(SimState state, string url, out FetchError error)
    {
        error = FetchError.None;
        var prefixes = OfficialPrefixes.Concat(state.Mirror.Prefixes.Select(p => p.TrimEnd('/')));
        string? rest = null;
        foreach (var p in prefixes)
            if (url.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase)) { rest = url[(p.Length + 1)..]; break; }
        if (rest is null)
        {
            error = KnownHost(state, url) ? FetchError.NotFound : FetchError.NoAddress;
            return null;
        }
        var parts = rest.Split('/');
        if (parts.Length != 4 || parts[0] != state.Machine || parts[1] != state.MachineArch || !Releases.Contains(parts[2]))
        {
            error = FetchError.NotFound;
            return null;
        }
        var release = parts[2];
        var file = parts[3];
        byte[] bytes;
        if (file == "MANIFEST") bytes = Encoding.UTF8.GetBytes(Manifest(release));
        else if (file.EndsWith(".txz", StringComparison.Ordinal) && Sets.Contains(file[..^4])) bytes = Archive(release, file[..^4]).Bytes;
        else { error = FetchError.NotFound; return null; }
        if (state.Mirror.Corrupt.Contains("*") || state.Mirror.Corrupt.Contains(release + "/" + file))
            bytes = bytes.AsSpan(0, Math.Max(0, bytes.Length - 100)).ToArray(); // a truncated download
        return bytes;
    }

    private static bool KnownHost(SimState state, string url)
    {
        var uri = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u : null;
        if (uri is null) return false;
        return OfficialPrefixes.Concat(state.Mirror.Prefixes).Any(p => Uri.TryCreate(p, UriKind.Absolute, out var pu) && string.Equals(pu.Host, uri.Host, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>MANIFEST as make-manifest.sh writes it: one line per set, TAB-separated.</summary>
    public static string Manifest(string release)
    {
        var sb = new StringBuilder();
        foreach (var set in Sets)
        {
            var (bytes, entries) = Archive(release, set);
            var (desc, on) = set switch
            {
                "base" => ("Base system (MANDATORY)", "on"),
                "kernel" => ("Kernel (MANDATORY)", "on"),
                "lib32" => ("32-bit compatibility libraries", "on"),
                _ => (set, "on"),
            };
            sb.Append($"{set}.txz\t{Sha256Hex(bytes)}\t{entries}\t{set}\t\"{desc}\"\t{on}\n");
        }
        return sb.ToString();
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>The xz-compressed tar of a set, and its number of entries (tar tvf | wc -l).</summary>
    public static (byte[] Bytes, int Entries) Archive(string release, string set)
        => Cache.GetOrAdd(release + "/" + set, _ =>
        {
            var entries = SetContent(release, set);
            var mtime = ReleaseDates.TryGetValue(release, out var d) ? d : new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var tar = new MemoryStream();
            using (var w = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
            {
                foreach (var (path, content, mode) in entries)
                {
                    bool dir = content is null;
                    // bsdtar archives file flags as the pax header SCHILY.fflags (restricted pax: only where needed).
                    PosixTarEntry e = EntryFlags.TryGetValue(path, out var fflags) && set == "base"
                        ? new PaxTarEntry(dir ? TarEntryType.Directory : TarEntryType.RegularFile, path, new Dictionary<string, string>
                        {
                            // .NET fills atime/ctime with the current time when absent: pin them so the set's bytes (and MANIFEST's sha256) never vary.
                            ["SCHILY.fflags"] = fflags,
                            ["atime"] = mtime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ["ctime"] = mtime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ["mtime"] = mtime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        })
                        : new UstarTarEntry(dir ? TarEntryType.Directory : TarEntryType.RegularFile, path);
                    e.ModificationTime = mtime; e.Uid = 0; e.Gid = 0; e.UserName = "root"; e.GroupName = "wheel"; e.Mode = (UnixFileMode)mode;
                    if (!dir) e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content!));
                    w.WriteEntry(e);
                }
            }
            return (SimXz.Compress(PinPaxHeaderNames(tar.ToArray())), entries.Count);
        });

    /// <summary>
    /// .NET names a pax extended header "DIR/PaxHeaders.PID/NAME" (the process id): rename it as libarchive does
    /// ("DIR/PaxHeader/NAME") and fix the header checksum, so a set's bytes are the same in every process.
    /// </summary>
    private static byte[] PinPaxHeaderNames(byte[] tar)
    {
        for (int off = 0; off + 512 <= tar.Length;)
        {
            if (tar.AsSpan(off, 512).IndexOfAnyExcept((byte)0) < 0) break;
            var sizeText = Encoding.ASCII.GetString(tar, off + 124, 12).Trim('\0', ' ');
            long size = sizeText.Length == 0 ? 0 : Convert.ToInt64(sizeText, 8);
            if (tar[off + 156] == (byte)'x')
            {
                var name = Encoding.ASCII.GetString(tar, off, 100).TrimEnd('\0');
                var fixedName = System.Text.RegularExpressions.Regex.Replace(name, @"PaxHeaders\.\d+", "PaxHeader");
                Array.Clear(tar, off, 100);
                Encoding.ASCII.GetBytes(fixedName).CopyTo(tar, off);
                for (int i = 148; i < 156; i++) tar[off + i] = (byte)' ';
                int sum = 0;
                for (int i = 0; i < 512; i++) sum += tar[off + i];
                var chk = Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0'));
                chk.CopyTo(tar, off + 148);
                tar[off + 154] = 0;
                tar[off + 155] = (byte)' ';
            }
            off += 512 + (int)((size + 511) / 512 * 512);
        }
        return tar;
    }

    /// <summary>File flags of base.txz entries (etc/mtree/BSD.var.dist: "empty mode=0555 flags=schg").</summary>
    public static readonly IReadOnlyDictionary<string, string> EntryFlags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["./var/empty/"] = "schg",
    };

    /// <summary>Entries of a set: "./path" (directories end with '/', content null), content, mode.</summary>
    public static List<(string Path, string? Content, int Mode)> SetContent(string release, string set)
    {
        const string program = "#!simulated FreeBSD program\n";
        var files = new SortedDictionary<string, (string Content, int Mode)>(StringComparer.Ordinal);
        switch (set)
        {
            case "base":
                foreach (var tool in SimSeed.BaseUserland) files[tool] = (program, 0x16D); // 0555
                files[SimUserlandVersion.ToolPath] = (SimUserlandVersion.Script(release), 0x16D);
                files["/COPYRIGHT"] = ("Copyright (c) 1992-2025 The FreeBSD Project.\n", 0x1A4);
                files["/etc/defaults/rc.conf"] = (SimSeed.DefaultsRcConf, 0x1A4);
                // A real base.txz has /etc/rc and /etc/rc.shutdown: exec.start = "/bin/sh /etc/rc" needs them (added by prov).
                files["/etc/rc"] = (SimSeed.EtcRc, 0x1A4);
                files["/etc/rc.shutdown"] = ("#!/bin/sh\n# /etc/rc.shutdown of the simulated base system.\n:\n", 0x1A4);
                files["/etc/defaults/devfs.rules"] = (SimSeed.DefaultDevfsRules, 0x1A4);
                files["/etc/passwd"] = ("root:*:0:0:Charlie &:/root:/bin/sh\ntoor:*:0:0:Bourne-again Superuser:/root:\ndaemon:*:1:1:Owner of many system processes:/root:/usr/sbin/nologin\nnobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin\n", 0x1A4);
                files["/etc/master.passwd"] = ("root::0:0::0:0:Charlie &:/root:/bin/sh\n", 0x180);
                files["/etc/group"] = ("wheel:*:0:root\ndaemon:*:1:\nnogroup:*:65533:\nnobody:*:65534:\n", 0x1A4);
                files["/etc/shells"] = ("/bin/sh\n/bin/csh\n/bin/tcsh\n", 0x1A4);
                files["/etc/freebsd-update.conf"] = ("KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\nServerName update.FreeBSD.org\nComponents src world kernel\nIgnorePaths\nIDSIgnorePaths /usr/share/man/cat\nUpdateIfUnmodified /etc/ /var/ /root/ /.cshrc /.profile\nMergeChanges /etc/ /boot/device.hints\n", 0x1A4);
                files["/etc/login.conf"] = (SimSeed.LoginConf, 0x1A4);
                files["/root/.profile"] = ("PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:~/bin\nexport PATH\n", 0x1A4);
                files["/lib/libc.so.7"] = (program, 0x1ED);
                files["/libexec/ld-elf.so.1"] = (program, 0x16D);
                files["/usr/share/zoneinfo/UTC"] = ("TZif2 simulated UTC\n", 0x1A4);
                foreach (var d in new[] { "/dev", "/tmp", "/var/run", "/var/log", "/var/db", "/var/tmp", "/var/empty", "/proc", "/mnt", "/media", "/boot", "/usr/local", "/etc/rc.d" })
                    files[d + "/"] = (null!, d is "/tmp" or "/var/tmp" ? 0x3FF : d == "/var/empty" ? 0x16D : 0x1ED);
                break;
            case "kernel":
                foreach (var k in new[] { "kernel", "zfs.ko", "if_bridge.ko", "bridgestp.ko", "if_epair.ko", "linux.ko", "linux64.ko", "linux_common.ko", "linprocfs.ko", "linsysfs.ko", "pty.ko" })
                    files["/boot/kernel/" + k] = ($"#!simulated FreeBSD kernel file {k} {release}\n", 0x16D);
                break;
            case "lib32":
                files["/usr/lib32/libc.so.7"] = (program, 0x1ED);
                files["/libexec/ld-elf32.so.1"] = (program, 0x16D);
                break;
        }
        // Directories first (with every parent), each once, in path order, then files: "./" prefixed like the release sets.
        var dirs = new SortedSet<string>(StringComparer.Ordinal) { "/" };
        foreach (var path in files.Keys)
        {
            var p = path.TrimEnd('/');
            for (int i = p.LastIndexOf('/'); i > 0; i = p.LastIndexOf('/', i - 1)) dirs.Add(p[..i] + "/");
            if (path.EndsWith('/')) dirs.Add(path);
        }
        var list = new List<(string, string?, int)>();
        foreach (var d in dirs)
        {
            int mode = files.TryGetValue(d, out var spec) ? spec.Mode : 0x1ED;
            list.Add(("." + d, null, mode));
        }
        foreach (var (path, (content, mode)) in files)
            if (!path.EndsWith('/')) list.Add(("." + path, content, mode));
        return list;
    }
}

/// <summary>
/// The userland version a FreeBSD tree records: like the real /bin/freebsd-version script, the file
/// carries USERLAND_VERSION="…". freebsd-update patches it; freebsd-version -u (and -j) read it.
/// The host's own /bin/freebsd-version may be a plain stub: then SimState.UserlandRelease counts.
/// </summary>
public static class SimUserlandVersion
{
    public const string ToolPath = "/bin/freebsd-version";

    public static string Script(string release)
        => "#!/bin/sh\n#!simulated FreeBSD program\n#\n# freebsd-version: print the installed kernel and userland versions\n#\nUSERLAND_VERSION=\"" + release + "\"\n";

    private static string Under(string root, string path) => root == "/" ? path : SimFileSystem.Normalize(root) + path;

    /// <summary>The release recorded in ROOT/bin/freebsd-version, or null when the file is missing or records none.</summary>
    public static string? Read(SimFileSystem fs, string root)
    {
        var path = Under(root, ToolPath);
        if (!fs.FileExists(path)) return null;
        foreach (var line in fs.ReadAllText(path).Split('\n'))
            if (line.StartsWith("USERLAND_VERSION=\"", StringComparison.Ordinal) && line.EndsWith('"'))
                return line[18..^1];
        return null;
    }

    public static void Write(SimFileSystem fs, string root, string release) => fs.WriteAllText(Under(root, ToolPath), Script(release));

    /// <summary>The userland release of a tree: its recorded version, or the host's state for "/".</summary>
    public static string? Effective(SimState state, SimFileSystem fs, string root)
        => Read(fs, root) ?? (SimFileSystem.Normalize(root) == "/" ? state.UserlandRelease : null);
}

/// <summary>Path resolution for tools that take file operands: relative to $PWD (default /), inside the jail's root when run by jexec.</summary>
public static class SimPaths
{
    public static string Resolve(SimContext ctx, string path)
    {
        var cwd = ctx.Environment.TryGetValue("PWD", out var pwd) && pwd.StartsWith('/') ? pwd : "/";
        var abs = SimFileSystem.Normalize(path.StartsWith('/') ? path : cwd.TrimEnd('/') + "/" + path);
        if (ctx.Jail is { } j && j.Path != "/") abs = SimFileSystem.Normalize(j.Path + abs);
        return abs;
    }
}
