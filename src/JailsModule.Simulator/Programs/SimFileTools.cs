using System.Text;

namespace JailsModule.Simulation.Tools;

// The file programs of the base system the UFS (nullfs) provisioning runs: mkdir(1), rmdir(1), cp(1),
// mv(1), ln(1), rm(1). Messages follow bin/*/*.c of FreeBSD 14: warn(3) prints "prog: PATH: strerror".
// Paths go through SimFileSystem, so nullfs mounts are seen and a read-only mount refuses writes (EROFS).

internal static class SimFileOps
{
    public static string P(SimContext ctx, string path) => SimExec.HostPath(ctx.Jail, path.StartsWith('/') ? path : "/" + path);

    /// <summary>What lstat(2) sees: null (ENOENT), "l" link, "d" folder, "f" file.</summary>
    public static string? Kind(SimContext ctx, string host)
    {
        string real;
        try { real = ctx.Fs.MapNoFollow(host, out _); } catch (IOException) { return null; }
        var fi = new FileInfo(real);
        if (fi.LinkTarget != null) return "l";
        if (Directory.Exists(real)) return "d";
        return File.Exists(real) ? "f" : null;
    }

    public static string? WritableReal(SimContext ctx, string host, out string? error)
    {
        error = null;
        var real = ctx.Fs.MapNoFollow(host, out var ro);
        if (ro) { error = "Read-only file system"; return null; }
        return real;
    }

    public static string Parent(string host) => host.LastIndexOf('/') <= 0 ? "/" : host[..host.LastIndexOf('/')];
    public static string Leaf(string host) => host[(host.LastIndexOf('/') + 1)..];
    public static string Join(string dir, string leaf) => dir == "/" ? "/" + leaf : dir + "/" + leaf;

    /// <summary>The flags of what lstat(2) sees at a host path (0 when it does not exist).</summary>
    public static ulong Flags(SimContext ctx, string host)
    {
        try { return SimFileFlags.Get(ctx.State, ctx.Fs, ctx.Fs.MapNoFollow(host, out _)); } catch (IOException) { return 0; }
    }

    /// <summary>Entries can be created in (or removed from) the folder at a host path: not immutable, not append-only.</summary>
    public static bool DirWritable(SimContext ctx, string hostDir)
    {
        try { return SimFileFlags.CanChangeEntries(ctx.State, ctx.Fs, ctx.Fs.Map(hostDir)); } catch (IOException) { return true; }
    }

    public const string EPERM = "Operation not permitted";

    public static SimResult Done(StringBuilder err) => err.Length == 0 ? SimResult.Ok() : new SimResult(1, "", err.ToString());
}

/// <summary>mkdir(1) (bin/mkdir/mkdir.c): mkdir [-pv] [-m mode] directory_name ...</summary>
[SimulatedTool("/bin/mkdir")]
public sealed class SimMkdir : ISimulatedTool
{
    public const string Usage = "usage: mkdir [-pv] [-m mode] directory_name ...\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "m:pv");
        bool parents = false;
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            if (c == 'p') parents = true;
            else if (c == '?') return new SimResult(64, "", Usage);
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count == 0) return new SimResult(64, "", Usage);
        var err = new StringBuilder();
        foreach (var a in rest)
        {
            var host = SimFileOps.P(ctx, a);
            var kind = SimFileOps.Kind(ctx, host);
            if (kind != null)
            {
                if (!parents || kind != "d") err.Append($"mkdir: {a}: File exists\n");
                continue;
            }
            if (!parents && SimFileOps.Kind(ctx, SimFileOps.Parent(host)) != "d") { err.Append($"mkdir: {a}: No such file or directory\n"); continue; }
            if (SimFileOps.Kind(ctx, SimFileOps.Parent(host)) == "d" && !ctx.Fs.IsReadOnly(SimFileOps.Parent(host)) && !SimFileOps.DirWritable(ctx, SimFileOps.Parent(host)))
            { err.Append($"mkdir: {a}: {SimFileOps.EPERM}\n"); continue; }
            ctx.Dirty = true;
            try { ctx.Fs.CreateDirectory(host); }
            catch (IOException e) { err.Append($"mkdir: {a}: {Strerror(e)}\n"); }
        }
        return SimFileOps.Done(err);
    }

    internal static string Strerror(IOException e) => e.Message.EndsWith("Read-only file system", StringComparison.Ordinal) ? "Read-only file system" : e.Message;
}

/// <summary>rmdir(1) (bin/rmdir/rmdir.c): removes empty folders; a mount point is busy (EBUSY).</summary>
[SimulatedTool("/bin/rmdir")]
public sealed class SimRmdir : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "pv");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
            if (c == '?') return new SimResult(64, "", "usage: rmdir [-pv] directory ...\n");
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count == 0) return new SimResult(64, "", "usage: rmdir [-pv] directory ...\n");
        var err = new StringBuilder();
        foreach (var a in rest)
        {
            var host = SimFileOps.P(ctx, a);
            var kind = SimFileOps.Kind(ctx, host);
            if (kind is null) { err.Append($"rmdir: {a}: No such file or directory\n"); continue; }
            if (kind != "d") { err.Append($"rmdir: {a}: Not a directory\n"); continue; }
            if (ctx.Fs.IsMountNode(host)) { err.Append($"rmdir: {a}: Device busy\n"); continue; }
            var real = SimFileOps.WritableReal(ctx, host, out var why);
            if (real is null) { err.Append($"rmdir: {a}: {why}\n"); continue; }
            if (Directory.EnumerateFileSystemEntries(real).Any()) { err.Append($"rmdir: {a}: Directory not empty\n"); continue; }
            if (!SimFileFlags.CanUnlink(ctx.State, ctx.Fs, real)) { err.Append($"rmdir: {a}: {SimFileOps.EPERM}\n"); continue; }
            Directory.Delete(real);
            SimFileFlags.Forget(ctx.State, ctx.Fs, real);
            ctx.Dirty = true;
        }
        return SimFileOps.Done(err);
    }
}

/// <summary>
/// rm(1) (bin/rm/rm.c): rm [-f | -i] [-dIPRrvWx] file ... -r walks the tree like fts(3) and, as on
/// FreeBSD, crosses into mounted file systems unless -x is given (then what lies on another mount is
/// left alone and its parent stays: "Directory not empty"). A mount point itself is busy.
/// </summary>
[SimulatedTool("/bin/rm")]
public sealed class SimRm : ISimulatedTool
{
    public const string Usage = "usage: rm [-f | -i] [-dIPRrvWx] file ...\n       unlink [-h] file\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "dfiIPRrvWx");
        bool force = false, recursive = false, dirs = false, xdev = false;
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            switch (c)
            {
                case 'f': force = true; break;
                case 'r': case 'R': recursive = true; break;
                case 'd': dirs = true; break;
                case 'x': xdev = true; break;
                case '?': return new SimResult(64, "", Usage);
            }
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count == 0) return force ? SimResult.Ok() : new SimResult(64, "", Usage);
        var err = new StringBuilder();
        foreach (var a in rest)
        {
            var host = SimFileOps.P(ctx, a);
            var kind = SimFileOps.Kind(ctx, host);
            if (kind is null) { if (!force) err.Append($"rm: {a}: No such file or directory\n"); continue; }
            if (kind == "d" && !recursive && !dirs) { err.Append($"rm: {a}: is a directory\n"); continue; }
            Remove(ctx, host, a, kind, recursive, xdev, err);
        }
        return SimFileOps.Done(err);
    }

    /// <summary>rm.c: as root, user immutable/append flags are cleared first (lchflags) unless a system one is set too.</summary>
    private static void ClearUserFlags(SimContext ctx, string host)
    {
        if (!ctx.IsRoot) return;
        string real;
        try { real = ctx.Fs.MapNoFollow(host, out var ro); if (ro) return; } catch (IOException) { return; }
        var f = SimFileFlags.Get(ctx.State, ctx.Fs, real);
        if ((f & (SimFileFlags.UF_APPEND | SimFileFlags.UF_IMMUTABLE)) != 0 && (f & (SimFileFlags.SF_APPEND | SimFileFlags.SF_IMMUTABLE)) == 0)
        {
            SimFileFlags.Set(ctx.State, ctx.Fs, real, f & ~(SimFileFlags.UF_APPEND | SimFileFlags.UF_IMMUTABLE));
            ctx.Dirty = true;
        }
    }

    private static void Remove(SimContext ctx, string host, string shown, string kind, bool recursive, bool xdev, StringBuilder err)
    {
        ClearUserFlags(ctx, host);
        if (kind == "d")
        {
            bool mountNode = ctx.Fs.IsMountNode(host);
            if (recursive && !(xdev && mountNode))
            {
                var real = ctx.Fs.Map(host);
                foreach (var e in Directory.EnumerateFileSystemEntries(real).Select(Path.GetFileName).OrderBy(x => x, StringComparer.Ordinal).ToList())
                {
                    var child = SimFileOps.Join(host, e!);
                    if (xdev && ctx.Fs.IsMountNode(child)) continue;
                    Remove(ctx, child, shown.TrimEnd('/') + "/" + e, SimFileOps.Kind(ctx, child) ?? "f", true, xdev, err);
                }
            }
            if (xdev && mountNode) return; // fts skips the other file system
            if (mountNode) { err.Append($"rm: {shown}: Device busy\n"); return; }
            var dir = SimFileOps.WritableReal(ctx, host, out var why);
            if (dir is null) { err.Append($"rm: {shown}: {why}\n"); return; }
            if (Directory.EnumerateFileSystemEntries(dir).Any()) { err.Append($"rm: {shown}: Directory not empty\n"); return; }
            if (!SimFileFlags.CanUnlink(ctx.State, ctx.Fs, dir)) { err.Append($"rm: {shown}: {SimFileOps.EPERM}\n"); return; }
            Directory.Delete(dir);
            SimFileFlags.Forget(ctx.State, ctx.Fs, dir);
            ctx.Dirty = true;
            return;
        }
        var file = SimFileOps.WritableReal(ctx, host, out var why2);
        if (file is null) { err.Append($"rm: {shown}: {why2}\n"); return; }
        if (!SimFileFlags.CanUnlink(ctx.State, ctx.Fs, file)) { err.Append($"rm: {shown}: {SimFileOps.EPERM}\n"); return; }
        File.Delete(file);
        SimFileFlags.Forget(ctx.State, ctx.Fs, file);
        ctx.Dirty = true;
    }
}

/// <summary>
/// cp(1) (bin/cp/cp.c, utils.c): cp [-R [-H | -L | -P]] [-f | -i | -n] [-alpsvx] source ... target.
/// -R copies folders (symbolic links as links, -P being the default with -R); -a is -RpP. A folder
/// without -R: "cp: X is a directory (not copied)."
/// </summary>
[SimulatedTool("/bin/cp")]
public sealed class SimCp : ISimulatedTool
{
    public const string Usage = "usage: cp [-R [-H | -L | -P]] [-f | -i | -n] [-alpsvx] source_file target_file\n       cp [-R [-H | -L | -P]] [-f | -i | -n] [-alpsvx] source_file ... target_directory\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "HLPRafilNnprsvx");
        bool recursive = false, preserve = false;
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            switch (c)
            {
                case 'a': recursive = true; preserve = true; break;
                case 'p': preserve = true; break;
                case 'R': case 'r': recursive = true; break;
                case '?': return new SimResult(64, "", Usage);
            }
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count < 2) return new SimResult(64, "", Usage);
        var target = rest[^1];
        var targetHost = SimFileOps.P(ctx, target);
        bool targetIsDir = ctx.Fs.DirectoryExists(targetHost);
        if (rest.Count > 2 && !targetIsDir) return SimResult.Fail($"cp: {target} is not a directory");
        var err = new StringBuilder();
        foreach (var s in rest.Take(rest.Count - 1))
        {
            var src = SimFileOps.P(ctx, s);
            var kind = SimFileOps.Kind(ctx, src);
            if (kind is null) { err.Append($"cp: {s}: No such file or directory\n"); continue; }
            if (kind == "d" && !recursive) { err.Append($"cp: {s} is a directory (not copied).\n"); continue; }
            var dst = targetIsDir ? SimFileOps.Join(targetHost, SimFileOps.Leaf(src)) : targetHost;
            var shown = targetIsDir ? target.TrimEnd('/') + "/" + SimFileOps.Leaf(src) : target;
            if (kind == "d" && !targetIsDir && SimFileOps.Kind(ctx, SimFileOps.Parent(dst)) != "d")
            { err.Append($"cp: {shown}: No such file or directory\n"); continue; }
            Copy(ctx, src, kind, dst, shown, recursive, preserve, err);
        }
        ctx.Dirty = true;
        return SimFileOps.Done(err);
    }

    private static void Copy(SimContext ctx, string src, string kind, string dst, string shown, bool recursive, bool preserve, StringBuilder err)
    {
        var real = SimFileOps.WritableReal(ctx, dst, out var why);
        if (real is null) { err.Append($"cp: {shown}: {why}\n"); return; }
        var srcReal = kind == "l" ? ctx.Fs.MapNoFollow(src, out _) : ctx.Fs.Map(src);
        bool exists = File.Exists(real) || Directory.Exists(real) || new FileInfo(real).LinkTarget != null;
        // A new entry needs a writable folder; an existing file is opened for writing (EPERM when immutable or append-only).
        if (!exists && Directory.Exists(Path.GetDirectoryName(real)) && !SimFileFlags.CanChangeEntries(ctx.State, ctx.Fs, Path.GetDirectoryName(real)!))
        { err.Append($"cp: {shown}: {SimFileOps.EPERM}\n"); return; }
        if (kind == "l" && recursive)
        {
            if (exists && !SimFileFlags.CanUnlink(ctx.State, ctx.Fs, real)) { err.Append($"cp: {shown}: {SimFileOps.EPERM}\n"); return; }
            if (exists) { File.Delete(real); SimFileFlags.Forget(ctx.State, ctx.Fs, real); }
            File.CreateSymbolicLink(real, new FileInfo(srcReal).LinkTarget!);
            if (preserve) SimFileFlags.Set(ctx.State, ctx.Fs, real, SimFileFlags.Get(ctx.State, ctx.Fs, srcReal));
            return;
        }
        if (kind == "d")
        {
            if (!Directory.Exists(real))
            {
                if (!Directory.Exists(Path.GetDirectoryName(real))) { err.Append($"cp: {shown}: No such file or directory\n"); return; }
                Directory.CreateDirectory(real);
                SimFileFlags.Forget(ctx.State, ctx.Fs, real);
            }
            foreach (var e in Directory.EnumerateFileSystemEntries(srcReal).Select(Path.GetFileName).OrderBy(x => x, StringComparer.Ordinal).ToList())
            {
                var child = SimFileOps.Join(src, e!);
                Copy(ctx, child, SimFileOps.Kind(ctx, child) ?? "f", SimFileOps.Join(dst, e!), shown + "/" + e, recursive, preserve, err);
            }
            // cp.c sets a folder's attributes (-p: its flags too) after its contents, in post-order.
            if (preserve) SimFileFlags.Set(ctx.State, ctx.Fs, real, SimFileFlags.Get(ctx.State, ctx.Fs, srcReal));
            return;
        }
        if (!Directory.Exists(Path.GetDirectoryName(real))) { err.Append($"cp: {shown}: No such file or directory\n"); return; }
        if (exists && !SimFileFlags.CanWrite(ctx.State, ctx.Fs, real)) { err.Append($"cp: {shown}: {SimFileOps.EPERM}\n"); return; }
        File.Copy(ctx.Fs.Map(src), real, overwrite: true);
        if (preserve) SimFileFlags.Set(ctx.State, ctx.Fs, real, SimFileFlags.Get(ctx.State, ctx.Fs, srcReal));
        else if (!exists) SimFileFlags.Forget(ctx.State, ctx.Fs, real);
    }
}

/// <summary>mv(1) (bin/mv/mv.c): mv source target | mv source ... directory; rename(2) within the simulated tree.</summary>
[SimulatedTool("/bin/mv")]
public sealed class SimMv : ISimulatedTool
{
    public const string Usage = "usage: mv [-f | -i | -n] [-hv] source target\n       mv [-f | -i | -n] [-v] source ... directory\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "fhinv");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
            if (c == '?') return new SimResult(64, "", Usage);
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count < 2) return new SimResult(64, "", Usage);
        var target = SimFileOps.P(ctx, rest[^1]);
        bool intoDir = SimFileOps.Kind(ctx, target) == "d";
        if (rest.Count > 2 && !intoDir) return SimResult.Fail($"mv: {rest[^1]} is not a directory");
        var err = new StringBuilder();
        foreach (var s in rest.Take(rest.Count - 1))
        {
            var src = SimFileOps.P(ctx, s);
            var dst = intoDir ? SimFileOps.Join(target, SimFileOps.Leaf(src)) : target;
            var shownDst = intoDir ? rest[^1].TrimEnd('/') + "/" + SimFileOps.Leaf(src) : rest[^1];
            var kind = SimFileOps.Kind(ctx, src);
            var to = SimFileOps.WritableReal(ctx, dst, out var why);
            var from = SimFileOps.WritableReal(ctx, src, out var why2);
            if (kind is null || SimFileOps.Kind(ctx, SimFileOps.Parent(dst)) != "d") { err.Append($"mv: rename {s} to {shownDst}: No such file or directory\n"); continue; }
            if (to is null || from is null) { err.Append($"mv: rename {s} to {shownDst}: {why ?? why2}\n"); continue; }
            if (ctx.Fs.IsMountNode(src)) { err.Append($"mv: rename {s} to {shownDst}: Device busy\n"); continue; }
            // ufs_rename: the source and an existing target must be deletable, both folders changeable.
            bool toExists = File.Exists(to) || Directory.Exists(to);
            if (!SimFileFlags.CanUnlink(ctx.State, ctx.Fs, from) || !SimFileFlags.CanChangeEntries(ctx.State, ctx.Fs, Path.GetDirectoryName(to)!)
                || (toExists && !SimFileFlags.CanUnlink(ctx.State, ctx.Fs, to)))
            { err.Append($"mv: rename {s} to {shownDst}: {SimFileOps.EPERM}\n"); continue; }
            if (kind == "d") Directory.Move(from, to); else File.Move(from, to, overwrite: true);
            SimFileFlags.Move(ctx.State, ctx.Fs, from, to);
            ctx.Dirty = true;
        }
        return SimFileOps.Done(err);
    }
}

/// <summary>ln(1) (bin/ln/ln.c): ln -s [-f] source target; the link text is stored as given (relative links resolve from the link's folder).</summary>
[SimulatedTool("/bin/ln")]
public sealed class SimLn : ISimulatedTool
{
    public const string Usage = "usage: ln [-s [-F] | -L | -P] [-f | -i] [-hnv] source_file [target_file]\n       ln [-s [-F] | -L | -P] [-f | -i] [-hnv] source_file ... target_dir\n       link source_file target_file\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "FLPfhinsvw");
        bool symbolic = false, force = false;
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            switch (c)
            {
                case 's': symbolic = true; break;
                case 'f': force = true; break;
                case '?': return new SimResult(64, "", Usage);
            }
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count != 2) return new SimResult(64, "", Usage);
        if (!symbolic) return SimResult.Fail("ln: hard links are not simulated; use ln -s");
        var host = SimFileOps.P(ctx, rest[1]);
        if (SimFileOps.Kind(ctx, host) == "d" && !ctx.Fs.IsMountNode(host) && new FileInfo(ctx.Fs.MapNoFollow(host, out _)).LinkTarget is null)
            host = SimFileOps.Join(host, SimFileOps.Leaf(SimFileSystem.Normalize("/" + rest[0])));
        var kind = SimFileOps.Kind(ctx, host);
        if (kind != null && !force) return SimResult.Fail($"ln: {rest[1]}: File exists");
        if (SimFileOps.Kind(ctx, SimFileOps.Parent(host)) != "d") return SimResult.Fail($"ln: {rest[1]}: No such file or directory");
        var real = SimFileOps.WritableReal(ctx, host, out var why);
        if (real is null) return SimResult.Fail($"ln: {rest[1]}: {why}");
        if (!SimFileFlags.CanChangeEntries(ctx.State, ctx.Fs, Path.GetDirectoryName(real)!) || (kind != null && !SimFileFlags.CanUnlink(ctx.State, ctx.Fs, real)))
            return SimResult.Fail($"ln: {rest[1]}: {SimFileOps.EPERM}");
        if (kind != null) { File.Delete(real); SimFileFlags.Forget(ctx.State, ctx.Fs, real); }
        File.CreateSymbolicLink(real, rest[0]);
        ctx.Dirty = true;
        return SimResult.Ok();
    }
}

/// <summary>
/// chflags(1) (bin/chflags/chflags.c): chflags [-fhvx] [-R [-H | -L | -P]] flags file ... (-x: not into other mounts). Flags are
/// strtofflags(3) names (schg, noschg, sappnd, sunlnk, uchg, uappnd, nodump, ...) added to or removed from
/// each file's flags, or an octal number that replaces them ("0" clears all). -R changes a folder after its
/// contents (fts post-order). A failure is warn(3)'d ("chflags: FILE: Operation not permitted") unless -f.
/// </summary>
[SimulatedTool("/bin/chflags")]
public sealed class SimChflags : ISimulatedTool
{
    public const string Usage = "usage: chflags [-fhvx] [-R [-H | -L | -P]] flags file ...\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "HLPRfhvx");
        bool recursive = false, quiet = false, xdev = false;
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            switch (c)
            {
                case 'R': recursive = true; break;
                case 'x': xdev = true; break;
                case 'f': quiet = true; break;
                case '?': return new SimResult(1, "", Usage);
            }
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (rest.Count < 2) return new SimResult(1, "", Usage);
        var spec = rest[0];
        ulong set, clear;
        bool oct = spec.Length > 0 && spec[0] >= '0' && spec[0] <= '7';
        if (oct)
        {
            try { set = Convert.ToUInt64(spec, 8); }
            catch (Exception e) when (e is FormatException or OverflowException) { return SimResult.Fail($"chflags: invalid flags: {spec}"); }
            clear = ~set;
        }
        else if (!SimFileFlags.TryParse(spec, out set, out var clr, out _)) return SimResult.Fail($"chflags: invalid flag: {spec}");
        else clear = ~clr;
        var err = new StringBuilder();
        bool failed = false;
        foreach (var a in rest.Skip(1))
        {
            var host = SimFileOps.P(ctx, a);
            var kind = SimFileOps.Kind(ctx, host);
            if (kind is null) { err.Append($"chflags: {a}: No such file or directory\n"); failed = true; continue; }
            Change(ctx, host, a, kind, recursive, xdev, oct, set, clear, quiet, err, ref failed);
        }
        return new SimResult(failed ? 1 : 0, "", err.ToString());
    }

    private static void Change(SimContext ctx, string host, string shown, string kind, bool recursive, bool xdev, bool oct, ulong set, ulong clear,
        bool quiet, StringBuilder err, ref bool failed)
    {
        if (kind == "d" && recursive)
        {
            var dirReal = ctx.Fs.Map(host);
            foreach (var e in Directory.EnumerateFileSystemEntries(dirReal).Select(Path.GetFileName).OrderBy(x => x, StringComparer.Ordinal).ToList())
            {
                var child = SimFileOps.Join(host, e!);
                if (xdev && ctx.Fs.IsMountNode(child)) continue; // -x: fts never enters another file system
                if (SimFileOps.Kind(ctx, child) == "l") continue; // -R is physical: a link is not followed (flags on links are not simulated)
                Change(ctx, child, shown.TrimEnd('/') + "/" + e, SimFileOps.Kind(ctx, child) ?? "f", true, xdev, oct, set, clear, quiet, err, ref failed);
            }
        }
        var real = ctx.Fs.MapNoFollow(host, out var ro);
        var old = SimFileFlags.Get(ctx.State, ctx.Fs, real);
        var flags = oct ? set : (old | set) & clear;
        if (flags == old) return; // chflags.c skips a file whose flags would not change
        string? why = ro ? "Read-only file system"
            : !SimFileFlags.CanChange(ctx.State, ctx.Fs, real, flags, ctx.IsRoot, ctx.Jail) ? SimFileOps.EPERM : null;
        if (why != null)
        {
            if (quiet) return; // chflags.c: with -f neither the warning nor the exit status
            err.Append($"chflags: {shown}: {why}\n");
            failed = true;
            return;
        }
        SimFileFlags.Set(ctx.State, ctx.Fs, real, flags);
        ctx.Dirty = true;
    }
}
