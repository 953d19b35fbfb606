using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// fetch(1) (usr.bin/fetch/fetch.c): fetch [-146AadFlMmnPpqRrsUv] [-o file] [-S bytes] [-T secs] URL ...
/// Serves the simulated release mirror (<see cref="SimReleaseMirror"/>). stderr is never a tty here, so
/// instead of the progress bar fetch prints one line per file: stat_start's "%-46s" (the local path)
/// and stat_end's "        %s %s\n" (stat_bytes of the size, stat_bps).
/// Errors: "fetch: URL: Not Found" (libfetch's HTTP reason), "fetch: URL: No address record", exit 1.
/// </summary>
[SimulatedTool("/usr/bin/fetch")]
public sealed class SimFetchTool : ISimulatedTool
{
    private const string UsageText =
        "usage: fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [-N file] [-o file] [-S bytes]\n" +
        "       [-T seconds] [-w seconds] [-i file] URL ...\n" +
        "       fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [-N file] [-o file] [-S bytes]\n" +
        "       [-T seconds] [-w seconds] [-i file] -h host -f file [-c dir]\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> argv)
    {
        // long options (--no-verify-peer, --user-agent=...) are accepted and have no effect here
        var args = argv.Where(a => !a.StartsWith("--", StringComparison.Ordinal) || a == "--").ToList();
        var g = new SimGetopt(args, "146AaB:bc:dFf:Hh:i:lMmN:nPpo:qRrS:sT:tUvw:");
        bool quiet = false, sizeOnly = false;
        string? output = null;
        long? requireSize = null;
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'q': quiet = true; break;
                case 'o': output = a; break;
                case 's': sizeOnly = true; break;
                case 'S': requireSize = long.TryParse(a, out var sz) ? sz : null; break;
                case '?': return new SimResult(1, "", $"fetch: illegal option -- {a}\n" + UsageText);
            }
        }
        var urls = args.Skip(g.OptInd).ToList();
        if (urls.Count == 0) return new SimResult(1, "", UsageText);
        if (output != null && output != "-" && urls.Count > 1 && !ctx.Fs.Exists(SimPaths.Resolve(ctx, output)))
            return new SimResult(1, "", $"fetch: {output} is not a directory\n");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        int rc = 0;
        foreach (var url in urls)
        {
            var bytes = SimReleaseMirror.Get(ctx.State, url, out var error);
            if (bytes is null)
            {
                stderr.Append($"fetch: {url}: {(error == SimReleaseMirror.FetchError.NoAddress ? "No address record" : "Not Found")}\n");
                rc = 1;
                continue;
            }
            if (sizeOnly) { stdout.Append(bytes.Length.ToString(CultureInfo.InvariantCulture)).Append('\n'); continue; }
            if (requireSize is { } need && need != bytes.Length)
            {
                stderr.Append($"fetch: {url}: size mismatch: expected {need}, actual {bytes.Length}\n");
                rc = 1;
                continue;
            }
            var baseName = url[(url.LastIndexOf('/') + 1)..];
            if (output == "-")
            {
                stdout.Append(Encoding.UTF8.GetString(bytes));
                continue;
            }
            if (baseName.Length == 0) baseName = "fetch.out";
            var local = output ?? baseName;
            var abs = SimPaths.Resolve(ctx, local);
            if (output != null && ctx.Fs.DirectoryExists(abs)) { local = output + "/" + baseName; abs = SimPaths.Resolve(ctx, local); }
            var dir = abs[..Math.Max(1, abs.LastIndexOf('/'))];
            if (!ctx.Fs.DirectoryExists(dir))
            {
                stderr.Append($"fetch: {local}: open(): No such file or directory\n");
                rc = 1;
                continue;
            }
            File.WriteAllBytes(ctx.Fs.Map(abs), bytes);
            if (!quiet) stderr.Append($"{local,-46}        {StatBytes(bytes.Length)} {StatBytes(10L * 1024 * 1024)}ps\n");
        }
        return new SimResult(rc, stdout.ToString(), stderr.ToString());
    }

    /// <summary>fetch.c stat_bytes: "%4ju %cB" dividing by 1024 while above 9999.</summary>
    internal static string StatBytes(long bytes)
    {
        const string prefixes = " kMGTP";
        int i = 0;
        while (bytes > 9999 && i < prefixes.Length - 1) { bytes /= 1024; i++; }
        return $"{bytes,4} {prefixes[i]}B";
    }
}

/// <summary>sha256(1) (sbin/md5/md5.c): "SHA256 (FILE) = hex", -q hex only, -r "hex FILE"; stdin without operands.</summary>
[SimulatedTool("/sbin/sha256")]
public sealed class SimSha256Tool : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "bc:pqrs:tx");
        bool quiet = false, reverse = false;
        string? expect = null;
        var stdout = new StringBuilder();
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'q': quiet = true; break;
                case 'r': reverse = true; break;
                case 'c': expect = a!.ToLowerInvariant(); break;
                case 's':
                    var h = SimReleaseMirror.Sha256Hex(Encoding.UTF8.GetBytes(a!));
                    stdout.Append(quiet ? h : reverse ? $"{h} \"{a}\"" : $"SHA256 (\"{a}\") = {h}").Append('\n');
                    break;
                case '?': return new SimResult(1, "", $"sha256: illegal option -- {a}\nusage: sha256 [-pqrtx] [-c string] [-s string] [files ...]\n");
            }
        }
        var files = args.Skip(g.OptInd).ToList();
        int rc = 0;
        var stderr = new StringBuilder();
        if (files.Count == 0 && stdout.Length == 0)
        {
            stdout.Append(SimReleaseMirror.Sha256Hex(Encoding.UTF8.GetBytes(ctx.StandardInput ?? ""))).Append('\n');
            return new SimResult(0, stdout.ToString());
        }
        foreach (var f in files)
        {
            var abs = SimPaths.Resolve(ctx, f);
            if (!ctx.Fs.FileExists(abs))
            {
                stderr.Append(ctx.Fs.DirectoryExists(abs) ? $"sha256: {f}: Is a directory\n" : $"sha256: {f}: No such file or directory\n");
                rc = 1;
                continue;
            }
            using var stream = File.OpenRead(ctx.Fs.Map(abs));
            var hex = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
            stdout.Append(quiet ? hex : reverse ? $"{hex} {f}" : $"SHA256 ({f}) = {hex}");
            if (expect != null && hex != expect) // -c: " [ Failed ]" and a failing exit status (value unverified)
            {
                if (!quiet) stdout.Append(" [ Failed ]");
                rc = 2;
            }
            stdout.Append('\n');
        }
        return new SimResult(rc, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>
/// tar(1) as bsdtar (usr.bin/tar, libarchive): -x/-t with -f ARCHIVE, -C DIR, -v, --exclude PATTERN;
/// reads xz (see <see cref="SimXz"/>), gzip and plain tar. Old-style bundled first argument ("xvf") is accepted.
/// Errors: "tar: Error opening archive: Failed to open 'X'", "tar: could not chdir to 'DIR'".
/// </summary>
[SimulatedTool("/usr/bin/tar")]
public sealed class SimTarTool : ISimulatedTool
{
    private const string Usage = "Usage:\n  List:    tar -tf <archive-filename>\n  Extract: tar -xf <archive-filename>\n  Create:  tar -cf <archive-filename> [filenames...]\n  Help:    tar --help\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> argv)
    {
        var args = new List<string>(argv);
        if (args.Count > 0 && args[0].Length > 0 && args[0][0] != '-') args[0] = "-" + args[0]; // bundled old-style options
        var excludes = new List<string>();
        var plain = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--exclude" && i + 1 < args.Count) { excludes.Add(args[++i]); continue; }
            if (a.StartsWith("--exclude=", StringComparison.Ordinal)) { excludes.Add(a[10..]); continue; }
            if (a is "--unlink" or "--numeric-owner" or "--no-same-owner" or "--same-owner" or "--fast-read" or "--clear-nochange-fflags") continue;
            if (a.StartsWith("--", StringComparison.Ordinal) && a != "--") return new SimResult(1, "", $"tar: Option {a} is not supported\n" + Usage);
            plain.Add(a);
        }
        char mode = '\0';
        string? archive = null, dir = null;
        bool verbose = false;
        var g = new SimGetopt(plain, "b:C:cf:JjkmOpPrtT:uUvxX:yzZ");
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'x': case 't': case 'c': case 'r': case 'u':
                    if (mode != '\0' && mode != c) return new SimResult(1, "", $"tar: Can't specify both -{mode} and -{c}\n");
                    mode = c; break;
                case 'f': archive = a; break;
                case 'C': dir = a; break;
                case 'v': verbose = true; break;
                case '?': return new SimResult(1, "", $"tar: Option -{a} is not supported\n" + Usage);
            }
        }
        var patterns = plain.Skip(g.OptInd).ToList();
        if (mode == '\0') return new SimResult(1, "", "tar: Must specify one of -c, -r, -t, -u, -x\n");
        if (mode is not ('x' or 't')) return new SimResult(1, "", $"tar: -{mode} is not supported by the simulated host\n");
        if (archive is null || archive == "-") return new SimResult(1, "", "tar: Error opening archive: Failed to open '/dev/sa0'\n");

        string? target = null;
        if (dir != null)
        {
            target = SimPaths.Resolve(ctx, dir);
            // bsdtar do_chdir: lafe_errc(1, 0, "could not chdir to '%s'\n") and lafe_vwarnc adds its own newline
            if (!ctx.Fs.DirectoryExists(target)) return new SimResult(1, "", $"tar: could not chdir to '{dir}'\n\n");
        }
        var archivePath = SimPaths.Resolve(ctx, archive);
        if (!ctx.Fs.FileExists(archivePath)) return new SimResult(1, "", $"tar: Error opening archive: Failed to open '{archive}'\n");

        byte[] tarBytes;
        try
        {
            tarBytes = Decode(File.ReadAllBytes(ctx.Fs.Map(archivePath)));
        }
        catch (EndOfStreamException)
        {
            return new SimResult(1, "", "tar: Truncated input file (needed 512 bytes, only 0 available)\ntar: Error exit delayed from previous errors.\n");
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            return new SimResult(1, "", $"tar: Error opening archive: {e.Message}\n");
        }

        target ??= SimPaths.Resolve(ctx, ".");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var pendingFlags = new List<(string Real, ulong Flags)>();
        bool failed = false;
        try
        {
            using var reader = new TarReader(new MemoryStream(tarBytes));
            for (var e = reader.GetNextEntry(); e != null; e = reader.GetNextEntry())
            {
                var name = e.Name;
                if (excludes.Any(x => Matches(name, x))) continue;
                if (patterns.Count > 0 && !patterns.Any(p => Matches(name, p))) continue;
                if (mode == 't')
                {
                    stdout.Append(verbose ? Verbose(e) : name).Append('\n');
                    continue;
                }
                if (verbose) stderr.Append("x ").Append(name).Append('\n');
                var rel = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name.TrimStart('/');
                if (rel.Split('/').Contains("..")) { stderr.Append($"tar: {name}: Path contains '..'\n"); continue; }
                var dest = rel.Length == 0 ? target : SimFileSystem.Normalize(target + "/" + rel);
                string real;
                try { real = ctx.Fs.MapForWrite(dest); }
                catch (IOException)
                {
                    // bsdtar read.c: the entry's name, then libarchive's message (no "tar:" prefix); exit 1 at the end.
                    stderr.Append($"{name}: Can't create '{rel}': Read-only file system\n");
                    failed = true;
                    continue;
                }
                bool isFile = e.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile or TarEntryType.SymbolicLink;
                if (isFile && File.Exists(real) && !SimFileFlags.CanUnlink(ctx.State, ctx.Fs, real))
                {
                    stderr.Append($"{name}: Can't unlink already-existing object: Operation not permitted\n");
                    failed = true;
                    continue;
                }
                switch (e.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(real);
                        break;
                    case TarEntryType.RegularFile: case TarEntryType.V7RegularFile: case TarEntryType.ContiguousFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
                        if (File.Exists(real)) File.Delete(real);
                        using (var fs = File.Create(real)) e.DataStream?.CopyTo(fs);
                        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(real, (UnixFileMode)((int)e.Mode & 0x1FF) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
                        break;
                    case TarEntryType.SymbolicLink:
                        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
                        File.WriteAllText(real, "#!simulated symlink -> " + e.LinkName + "\n");
                        break;
                }
                // bsdtar restores file flags by default (--fflags); libarchive sets them last (folders in its fixup pass).
                ulong flags = 0;
                if (e is PaxTarEntry pax && pax.ExtendedAttributes.TryGetValue("SCHILY.fflags", out var ff))
                    SimFileFlags.TryParse(ff, out flags, out _, out _);
                if (flags != 0 && ctx.IsRoot) pendingFlags.Add((real, flags));
                else if (!Directory.Exists(real)) SimFileFlags.Forget(ctx.State, ctx.Fs, real);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            stderr.Append("tar: Damaged tar archive\ntar: Error exit delayed from previous errors.\n");
            return new SimResult(1, stdout.ToString(), stderr.ToString());
        }
        foreach (var (real, flags) in pendingFlags) SimFileFlags.Set(ctx.State, ctx.Fs, real, flags);
        if (mode == 'x') ctx.Dirty = true;
        if (failed)
        {
            stderr.Append("tar: Error exit delayed from previous errors.\n");
            return new SimResult(1, stdout.ToString(), stderr.ToString());
        }
        return new SimResult(0, stdout.ToString(), stderr.ToString());
    }

    private static byte[] Decode(byte[] data)
    {
        if (SimXz.LooksLikeXz(data)) return SimXz.Decompress(data);
        if (data.Length >= 2 && data[0] == 0x1F && data[1] == 0x8B)
        {
            using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            var m = new MemoryStream();
            gz.CopyTo(m);
            return m.ToArray();
        }
        if (data.Length >= 262 && Encoding.ASCII.GetString(data, 257, 5) == "ustar") return data;
        throw new InvalidDataException("Unrecognized archive format");
    }

    private static bool Matches(string name, string pattern)
    {
        var n = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        var p = pattern.StartsWith("./", StringComparison.Ordinal) ? pattern[2..] : pattern;
        n = n.TrimEnd('/');
        p = p.TrimEnd('/');
        return SimGlob.IsMatch(n, p) || n.StartsWith(p + "/", StringComparison.Ordinal);
    }

    /// <summary>bsdtar -tv: ls -l style (mode, links, owner, group, size, date, name).</summary>
    private static string Verbose(TarEntry e)
    {
        var m = (int)e.Mode;
        var sb = new StringBuilder();
        sb.Append(e.EntryType == TarEntryType.Directory ? 'd' : e.EntryType == TarEntryType.SymbolicLink ? 'l' : '-');
        const string rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) sb.Append((m & (1 << (8 - i))) != 0 ? rwx[i] : '-');
        var owner = e is PosixTarEntry p ? p.UserName : e.Uid.ToString(CultureInfo.InvariantCulture);
        var group = e is PosixTarEntry q ? q.GroupName : e.Gid.ToString(CultureInfo.InvariantCulture);
        var t = e.ModificationTime.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{sb}  0 {owner,-6} {group,-6} {e.Length,6} {t:MMM} {t.Day,2}  {t:yyyy} {e.Name}");
    }
}
