using System.Text;

namespace JailsModule.Simulation.Tools; // kept from when it lived beside mount(8)'s front end

/// <summary>
/// The kernel's mount table (Kernel: the rules live here once): shared by mount(8), umount(8) and
/// jail(8) (mount.devfs, mount +=, and unmounting at removal). Entries live in <see cref="SimState.Mounts"/>;
/// a nullfs mount is a view that SimFileSystem walks through.
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

    /// <summary>
    /// A mount jail(8) makes for a jail (mount.devfs, mount.fdescfs, mount.procfs, fstab and mount +=
    /// lines) once its check_path passed: the entry, with the options mount -p shows (fstab lines keep
    /// theirs, so "ro" is a read-only mount). Returns the undo (the entry removed again).
    /// </summary>
    public static Action AddForJail(SimState state, string fstype, string special, string node, string options, bool fromFstabLine)
    {
        var m = new SimMount
        {
            Special = special, Node = node, FsType = fstype,
            Options = fstype == "devfs" ? "local, multilabel" : fromFstabLine ? DisplayOptions(fstype, options.Split(',')) : "local",
        };
        state.Mounts.Add(m);
        return () => state.Mounts.Remove(m);
    }

    /// <summary>Removes the newest mount at <paramref name="node"/> (a jail's mounts at jail_remove, in reverse order of creation).</summary>
    public static void RemoveNewestAt(SimState state, string node)
    {
        var m = state.Mounts.FindLast(x => x.Node == node);
        if (m != null) state.Mounts.Remove(m);
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
