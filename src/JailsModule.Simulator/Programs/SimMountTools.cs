using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// The mount table logic shared by mount(8), umount(8) and whoever mounts for jails (jail(8) mount.devfs,
/// mount +=): entries live in <see cref="SimState.Mounts"/>; a nullfs target does not mirror content.
/// </summary>
public static class SimMountTable
{
    /// <summary>File systems the simulated kernel can mount with mount -t (zfs goes through zfs(8) or mount -t zfs for legacy).</summary>
    public static readonly string[] Types = { "nullfs", "devfs", "fdescfs", "procfs", "linprocfs", "linsysfs", "tmpfs", "zfs" };

    /// <summary>The flags mount(8) prints for a new mount, in the order of mount.c's optnames[] table.</summary>
    public static string DisplayOptions(string fstype, IEnumerable<string> options)
    {
        var opts = options.ToHashSet(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (fstype is not "fdescfs") flags.Add("local");
        if (fstype == "zfs") { flags.Add("noatime"); flags.Add("nfsv4acls"); }
        if (fstype == "devfs") flags.Add("multilabel");
        if (opts.Contains("noatime")) flags.Add("noatime");
        if (opts.Contains("noexec")) flags.Add("noexec");
        if (opts.Contains("nosuid")) flags.Add("nosuid");
        if (opts.Contains("ro") || opts.Contains("rdonly")) flags.Add("read-only");
        if (opts.Contains("nocover")) flags.Add("nocover");
        string[] order = { "local", "noatime", "noexec", "nosuid", "read-only", "multilabel", "nfsv4acls", "nocover" };
        return string.Join(", ", order.Where(flags.Contains));
    }

    /// <summary>Mounts; returns the error text mount(8) or mount_nullfs(8) would print, or null.</summary>
    public static string? Mount(SimContext ctx, string fstype, string special, string node, IReadOnlyList<string> options)
    {
        var prog = fstype == "nullfs" ? "mount_nullfs" : "mount";
        if (!Types.Contains(fstype)) return $"mount: {node}: Operation not supported by device";
        var target = SimFileSystem.Normalize(node.StartsWith('/') ? node : "/" + node);
        if (!ctx.Fs.DirectoryExists(target))
            return fstype == "nullfs" ? $"mount_nullfs: {node}: No such file or directory" : $"mount: realpath {node}: No such file or directory";
        if (fstype == "nullfs" && (!special.StartsWith('/') || !ctx.Fs.Exists(special)))
            return $"{prog}: {special}: No such file or directory";
        if (fstype == "zfs")
        {
            var pool = new SimZfsPool(ctx);
            var ds = pool.Find(special);
            if (ds is null) return $"mount: {special}: No such file or directory";
            if (ds.Mounted) return $"mount: {special}: Device busy";
            ds.Mounted = true;
        }
        ctx.State.Mounts.Add(new SimMount { Special = special, Node = target, FsType = fstype, Options = DisplayOptions(fstype, options) });
        ctx.Dirty = true;
        return null;
    }

    /// <summary>Unmounts the newest mount at NODE (or of SPECIAL); umount.c texts.</summary>
    public static string? Unmount(SimContext ctx, string name, bool force)
    {
        var norm = name.StartsWith('/') ? SimFileSystem.Normalize(name) : name;
        var entry = ctx.State.Mounts.LastOrDefault(m => m.Node == norm)
                    ?? (ctx.State.Mounts.Count(m => m.Special == name) == 1 ? ctx.State.Mounts.First(m => m.Special == name) : null);
        if (entry is null)
        {
            if (norm.StartsWith('/') && ctx.Fs.DirectoryExists(norm)) return $"umount: {name}: not a file system root directory";
            if (norm.StartsWith('/') && ctx.Fs.FileExists(norm)) return $"umount: {name}: unknown file system";
            // umount.c: the failed statfs is warned, then the name is still an unknown file system
            return $"umount: {name}: statfs: No such file or directory\numount: {name}: unknown file system";
        }
        bool nested = ctx.State.Mounts.Any(m => m != entry && SimZfsPool.IsPathBelow(m.Node, entry.Node));
        bool inUse = ctx.State.Jails.Any(j => !j.Dying && SimZfsPool.IsPathAtOrBelow(j.Path, entry.Node) && entry.FsType is "zfs" or "nullfs" or "tmpfs");
        if (entry.Node == "/" || nested || (inUse && !force)) return $"umount: unmount of {entry.Node} failed: Device busy";
        if (entry.FsType == "zfs" && new SimZfsPool(ctx) is var pool && pool.Find(entry.Special) is { } ds)
            return pool.Unmount(ds, true) is { } err ? $"umount: unmount of {entry.Node} failed: {err}" : null;
        ctx.State.Mounts.Remove(entry);
        ctx.Dirty = true;
        return null;
    }

    /// <summary>mount(8) without arguments: "SPECIAL on NODE (FSTYPE, OPTIONS)" (sbin/mount/mount.c prmount).</summary>
    public static string Format(IEnumerable<SimMount> mounts)
    {
        var sb = new StringBuilder();
        foreach (var m in mounts)
            sb.Append($"{m.Special} on {m.Node} ({m.FsType}{(m.Options.Length > 0 ? ", " + m.Options : "")})\n");
        return sb.ToString();
    }

    /// <summary>
    /// mount -p (mount.c putfsent): special and node each followed by TABs up to 24 columns (a space
    /// when longer), the type and a TAB, "rw" (unless read-only) and flags2opts' options, then "\t0 0".
    /// </summary>
    public static string FormatFstab(IEnumerable<SimMount> mounts)
    {
        static string Pad24(string v) => v + (v.Length < 8 ? "\t" : "") + (v.Length < 16 ? "\t" : "") + (v.Length < 24 ? "\t" : " ");
        string[] order = { "ro", "noexec", "nosuid", "noatime", "multilabel", "nfsv4acls" };
        var sb = new StringBuilder();
        foreach (var m in mounts)
        {
            var flags = m.Options.Split(", ", StringSplitOptions.RemoveEmptyEntries).Select(f => f == "read-only" ? "ro" : f).ToHashSet(StringComparer.Ordinal);
            var opts = new List<string>();
            if (!flags.Contains("ro")) opts.Add("rw");
            opts.AddRange(order.Where(flags.Contains));
            var o = string.Join(',', opts);
            sb.Append(Pad24(m.Special)).Append(Pad24(m.Node)).Append(m.FsType).Append('\t')
              .Append(o).Append(o.Length < 8 ? "\t" : " ").Append("\t0 0\n");
        }
        return sb.ToString();
    }
}

/// <summary>mount(8): no arguments lists the table; -p as fstab; -t TYPE [-o OPTS] SPECIAL NODE; -a [-F fstab].</summary>
[SimulatedTool("/sbin/mount")]
public sealed class SimMountTool : ISimulatedTool
{
    private const string Usage = "usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]\n       mount [-dfpruvw] special | node\n       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "adF:fLlno:prt:uvw");
        bool all = false, fstabFormat = false, readOnly = false;
        string? type = null, fstab = null;
        var options = new List<string>();
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'a': all = true; break;
                case 'F': fstab = a; break;
                case 'p': fstabFormat = true; break;
                case 'r': readOnly = true; break;
                case 't': type = a; break;
                case 'o': options.AddRange(a!.Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case '?': return new SimResult(1, "", Usage);
            }
        }
        if (readOnly) options.Add("ro");
        var rest = args.Skip(g.OptInd).ToList();
        var visible = ctx.Jail is null ? ctx.State.Mounts : ctx.State.Mounts.Where(m => SimZfsPool.IsPathAtOrBelow(m.Node, ctx.Jail.Path)).ToList();
        if (rest.Count == 0 && !all)
            return SimResult.Ok(fstabFormat ? SimMountTable.FormatFstab(visible) : SimMountTable.Format(visible));
        if (!ctx.IsRoot) return SimResult.Fail("mount: only root can do that");
        if (all)
        {
            var file = fstab ?? "/etc/fstab";
            if (!ctx.Fs.FileExists(file)) return SimResult.Fail($"mount: {file}: No such file or directory");
            var err = new StringBuilder();
            int rc = 0;
            foreach (var raw in ctx.Fs.ReadAllText(file).Split('\n'))
            {
                var line = raw.Split('#')[0].Trim();
                if (line.Length == 0) continue;
                var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 4) continue;
                var opts = f[3].Split(',').ToList();
                if (opts.Contains("noauto") || (type != null && f[2] != type)) continue;
                if (ctx.State.Mounts.Any(m => m.Node == SimFileSystem.Normalize(f[1]) && m.FsType == f[2])) continue;
                if (SimMountTable.Mount(ctx, f[2], f[0], f[1], opts) is { } e) { err.Append(e).Append('\n'); rc = 1; }
            }
            return new SimResult(rc, "", err.ToString());
        }
        if (rest.Count != 2) return new SimResult(1, "", Usage);
        var error = SimMountTable.Mount(ctx, type ?? "ufs", rest[0], rest[1], options);
        return error is null ? SimResult.Ok() : SimResult.Fail(error);
    }
}

/// <summary>umount(8) (sbin/umount/umount.c): umount [-fNnv] special | node ...; umount -a [-F fstab] [-t type].</summary>
[SimulatedTool("/sbin/umount")]
public sealed class SimUmountTool : ISimulatedTool
{
    private const string Usage = "usage: umount [-fNnv] special ... | node ... | fsid ...\n       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "AaF:fh:Nnt:v");
        bool force = false, all = false;
        string? type = null;
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'f': force = true; break;
                case 'a': case 'A': all = true; break;
                case 't': type = a; break;
                case '?': return new SimResult(1, "", Usage);
            }
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (!ctx.IsRoot) return SimResult.Fail("umount: only root can do that");
        if (all)
        {
            var err = new StringBuilder();
            foreach (var m in ctx.State.Mounts.AsEnumerable().Reverse().Where(m => m.Node != "/" && (type is null || m.FsType == type)).ToList())
                if (SimMountTable.Unmount(ctx, m.Node, force) is { } e) err.Append(e).Append('\n');
            return new SimResult(err.Length > 0 ? 1 : 0, "", err.ToString());
        }
        if (rest.Count == 0) return new SimResult(1, "", Usage);
        var errors = new StringBuilder();
        int rc = 0;
        foreach (var name in rest)
            if (SimMountTable.Unmount(ctx, name, force) is { } e) { errors.Append(e).Append('\n'); rc = 1; }
        return new SimResult(rc, "", errors.ToString());
    }
}
