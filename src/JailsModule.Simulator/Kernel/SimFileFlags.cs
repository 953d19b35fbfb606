namespace JailsModule.Simulation;

/// <summary>
/// File flags (st_flags, chflags(2)) of the simulated file tree. They live in <see cref="SimState.FileFlags"/>,
/// keyed by the path of the underlying file in fs/ (what a nullfs view resolves to), so a flag set through a
/// nullfs mount is the source file's flag, as on FreeBSD. Bits and names follow sys/sys/stat.h and
/// lib/libc/gen/strtofflags.c; the permission rules follow ufs_vnops.c (ufs_setattr, ufs_remove, ufs_rmdir,
/// ufs_rename, ufs_access: IMMUTABLE/APPEND on an entry or its folder is EPERM).
/// </summary>
public static class SimFileFlags
{
    public const ulong UF_NODUMP = 0x1, UF_IMMUTABLE = 0x2, UF_APPEND = 0x4, UF_OPAQUE = 0x8, UF_NOUNLINK = 0x10;
    public const ulong SF_ARCHIVED = 0x10000, SF_IMMUTABLE = 0x20000, SF_APPEND = 0x40000, SF_NOUNLINK = 0x100000, SF_SNAPSHOT = 0x200000;
    public const ulong UF_SETTABLE = 0x0000ffff, SF_SETTABLE = 0xffff0000;
    public const ulong IMMUTABLE = UF_IMMUTABLE | SF_IMMUTABLE, APPEND = UF_APPEND | SF_APPEND, NOUNLINK = UF_NOUNLINK | SF_NOUNLINK;

    /// <summary>strtofflags.c's table, in its order ("no" names; fflagstostr prints each bit's first name, "no" cut except for nodump).</summary>
    private static readonly (string Name, bool Invert, ulong Flag)[] Mapping =
    {
        ("nosappnd", false, SF_APPEND), ("nosappend", false, SF_APPEND),
        ("noarch", false, SF_ARCHIVED), ("noarchived", false, SF_ARCHIVED),
        ("noschg", false, SF_IMMUTABLE), ("noschange", false, SF_IMMUTABLE), ("nosimmutable", false, SF_IMMUTABLE),
        ("nosunlnk", false, SF_NOUNLINK), ("nosunlink", false, SF_NOUNLINK),
        ("nosnapshot", false, SF_SNAPSHOT),
        ("nouappnd", false, UF_APPEND), ("nouappend", false, UF_APPEND),
        ("nouchg", false, UF_IMMUTABLE), ("nouchange", false, UF_IMMUTABLE), ("nouimmutable", false, UF_IMMUTABLE),
        ("nodump", true, UF_NODUMP),
        ("noopaque", false, UF_OPAQUE),
        ("nouunlnk", false, UF_NOUNLINK), ("nouunlink", false, UF_NOUNLINK),
    };

    /// <summary>fflagstostr(3): comma-separated names, "" for none.</summary>
    public static string ToText(ulong flags)
    {
        var parts = new List<string>();
        foreach (var (name, invert, flag) in Mapping)
            if ((flags & flag) != 0)
            {
                parts.Add(invert ? name : name[2..]);
                flags &= ~flag;
            }
        return string.Join(',', parts);
    }

    /// <summary>strtofflags(3): the bits to set and to clear; false with the offending token.</summary>
    public static bool TryParse(string text, out ulong set, out ulong clear, out string bad)
    {
        set = 0; clear = 0; bad = "";
        foreach (var p in text.Split(new[] { '\t', ' ', ',' }))
        {
            if (p.Length == 0) continue;
            bool found = false;
            foreach (var (name, invert, flag) in Mapping)
            {
                if (p == name[2..]) { if (invert) clear |= flag; else set |= flag; found = true; break; }
                if (p == name) { if (invert) set |= flag; else clear |= flag; found = true; break; }
            }
            if (!found) { bad = p; return false; }
        }
        return true;
    }

    private static string Key(SimFileSystem fs, string real) => fs.Unmap(real);

    /// <summary>The flags of a real path (lstat's view: the caller maps without following the last link).</summary>
    public static ulong Get(SimState state, SimFileSystem fs, string real)
    {
        if (state.FileFlags.Count == 0) return 0;
        if (!File.Exists(real) && !Directory.Exists(real) && new FileInfo(real).LinkTarget is null) return 0;
        return state.FileFlags.TryGetValue(Key(fs, real), out var f) ? f : 0;
    }

    public static void Set(SimState state, SimFileSystem fs, string real, ulong flags)
    {
        var key = Key(fs, real);
        if (flags == 0) state.FileFlags.Remove(key);
        else state.FileFlags[key] = flags;
    }

    /// <summary>Forgets the flags of a removed entry and of everything below it.</summary>
    public static void Forget(SimState state, SimFileSystem fs, string real)
    {
        if (state.FileFlags.Count == 0) return;
        var key = Key(fs, real);
        var prefix = key == "/" ? "/" : key + "/";
        foreach (var k in state.FileFlags.Keys.Where(k => k == key || k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            state.FileFlags.Remove(k);
    }

    /// <summary>A rename carries the flags of the entry and of everything below it along.</summary>
    public static void Move(SimState state, SimFileSystem fs, string fromReal, string toReal)
    {
        Forget(state, fs, toReal);
        if (state.FileFlags.Count == 0) return;
        var from = Key(fs, fromReal);
        var to = Key(fs, toReal);
        var prefix = from + "/";
        foreach (var k in state.FileFlags.Keys.Where(k => k == from || k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            var v = state.FileFlags[k];
            state.FileFlags.Remove(k);
            state.FileFlags[to + k[from.Length..]] = v;
        }
    }

    /// <summary>ufs_remove/ufs_rmdir/ufs_rename (source side): EPERM when the entry is immutable, append-only or undeletable, or its folder immutable or append-only.</summary>
    public static bool CanUnlink(SimState state, SimFileSystem fs, string real)
        => (Get(state, fs, real) & (IMMUTABLE | APPEND | NOUNLINK)) == 0 && CanChangeEntries(state, fs, Path.GetDirectoryName(real)!);

    /// <summary>ufs_access(VWRITE) on a folder: entries cannot be added to or removed from an immutable or append-only one.</summary>
    public static bool CanChangeEntries(SimState state, SimFileSystem fs, string dirReal)
        => (Get(state, fs, dirReal) & (IMMUTABLE | APPEND)) == 0;

    /// <summary>open(2) for writing (no O_APPEND): EPERM on an immutable or append-only file.</summary>
    public static bool CanWrite(SimState state, SimFileSystem fs, string real)
        => (Get(state, fs, real) & (IMMUTABLE | APPEND)) == 0;

    /// <summary>open(2) with O_APPEND: EPERM only on an immutable file.</summary>
    public static bool CanAppend(SimState state, SimFileSystem fs, string real)
        => (Get(state, fs, real) & IMMUTABLE) == 0;

    /// <summary>
    /// ufs_setattr's check for chflags(2): the super-user (in a jail only with allow.chflags, PRIV_VFS_SYSFLAGS)
    /// may change any flag; anyone else only the user flags, and nothing on a file with a system immutable/append flag.
    /// </summary>
    public static bool CanChange(SimState state, SimFileSystem fs, string real, ulong newFlags, bool root, SimJail? jail)
    {
        var old = Get(state, fs, real);
        bool sysflags = root && (jail is null || (jail.Params.TryGetValue("allow.chflags", out var a) && a == "true"));
        if (sysflags) return true;
        if ((old & (SF_IMMUTABLE | SF_APPEND)) != 0) return false;
        return (old & SF_SETTABLE) == (newFlags & SF_SETTABLE);
    }
}
