using System.Globalization;

namespace JailsModule.Simulation;

/// <summary>A native ZFS property as the simulator knows it (zfsprops(7)).</summary>
public sealed record SimZfsProp(string Name, string Default, bool Inherit, bool ReadOnly, bool Numeric, string[]? Values = null, string? Column = null, bool OnSnapshot = false)
{
    public string Header => Column ?? Name.ToUpperInvariant();
}

/// <summary>
/// The simulated ZFS pool(s): dataset tree, property inheritance, snapshot storage, clones, mounts.
/// Sources followed: reference §8, OpenZFS zfsprops(7), zfs-list.8, zfs-destroy.8,
/// cmd/zfs/zfs_main.c (destroy_check_dependent, usage exit 2), lib/libzfs/libzfs_dataset.c and
/// libzfs_mount.c (action strings "cannot create '%s'", "cannot unmount '%s'", remove_mountpoint).
/// A mounted filesystem's content is the folder at its mountpoint under fs/ (minus nested mounts);
/// an unmounted one's content waits in DIR/zfs-data/GUID; a snapshot's frozen copy is DIR/zfs-snapshots/GUID.
/// The tool class (Tools/SimZfsTool.cs) only parses argv and formats output.
/// </summary>
public sealed class SimZfsPool
{
    public const long PoolSize = 100L * 1024 * 1024 * 1024;
    public const long Overhead = 96 * 1024;
    private const string ZfsMountOptions = "local, noatime, nfsv4acls";

    public static readonly SimZfsProp[] Props =
    {
        new("type", "filesystem", false, true, false, OnSnapshot: true),
        new("creation", "", false, true, false, OnSnapshot: true),
        new("used", "", false, true, true, OnSnapshot: true),
        new("available", "", false, true, true, Column: "AVAIL"),
        new("referenced", "", false, true, true, Column: "REFER", OnSnapshot: true),
        new("compressratio", "1.00x", false, true, false, Column: "RATIO", OnSnapshot: true),
        new("mounted", "", false, true, false),
        new("origin", "", false, true, false),
        new("quota", "none", false, false, true),
        new("reservation", "none", false, false, true, Column: "RESERV"),
        new("recordsize", "131072", true, false, true, Column: "RECSIZE"),
        new("mountpoint", "", true, false, false),
        new("sharenfs", "off", true, false, false),
        new("checksum", "on", true, false, false, new[] { "on", "off", "fletcher2", "fletcher4", "sha256", "sha512", "skein", "edonr", "blake3" }),
        new("compression", "on", true, false, false, new[] { "on", "off", "lzjb", "gzip", "gzip-1", "gzip-9", "zle", "lz4", "zstd", "zstd-fast" }, Column: "COMPRESS"),
        new("atime", "on", true, false, false, new[] { "on", "off" }),
        new("devices", "on", true, false, false, new[] { "on", "off" }),
        new("exec", "on", true, false, false, new[] { "on", "off" }),
        new("setuid", "on", true, false, false, new[] { "on", "off" }),
        new("readonly", "off", true, false, false, new[] { "on", "off" }, Column: "RDONLY"),
        new("jailed", "off", true, false, false, new[] { "on", "off" }),
        new("snapdir", "hidden", true, false, false, new[] { "hidden", "visible" }),
        new("aclmode", "discard", true, false, false, new[] { "discard", "groupmask", "passthrough", "restricted" }),
        new("aclinherit", "restricted", true, false, false, new[] { "discard", "noallow", "restricted", "passthrough", "passthrough-x" }),
        new("createtxg", "", false, true, true, OnSnapshot: true),
        new("canmount", "on", false, false, false, new[] { "on", "off", "noauto" }, Column: "CANMOUNT"),
        new("xattr", "on", true, false, false, new[] { "on", "off", "sa", "dir" }),
        new("copies", "1", true, false, false, new[] { "1", "2", "3" }),
        new("refquota", "none", false, false, true),
        new("refreservation", "none", false, false, true, Column: "REFRESERV"),
        new("guid", "", false, true, true, OnSnapshot: true),
        new("primarycache", "all", true, false, false, new[] { "all", "none", "metadata" }),
        new("secondarycache", "all", true, false, false, new[] { "all", "none", "metadata" }),
        new("usedbysnapshots", "", false, true, true, Column: "USEDSNAP"),
        new("usedbydataset", "", false, true, true, Column: "USEDDS"),
        new("usedbychildren", "", false, true, true, Column: "USEDCHILD"),
        new("usedbyrefreservation", "", false, true, true, Column: "USEDREFRESERV"),
        new("logbias", "latency", true, false, false, new[] { "latency", "throughput" }),
        new("dedup", "off", true, false, false, new[] { "on", "off", "verify", "sha256" }),
        new("sync", "standard", true, false, false, new[] { "standard", "always", "disabled" }),
        new("volsize", "", false, false, true),
        new("written", "", false, true, true, OnSnapshot: true),
        new("logicalused", "", false, true, true, Column: "LUSED"),
        new("logicalreferenced", "", false, true, true, Column: "LREFER", OnSnapshot: true),
        new("clones", "", false, true, false, OnSnapshot: true),
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["avail"] = "available", ["refer"] = "referenced", ["ratio"] = "compressratio", ["compress"] = "compression",
        ["recsize"] = "recordsize", ["reserv"] = "reservation", ["rdonly"] = "readonly", ["refreserv"] = "refreservation",
        ["lused"] = "logicalused", ["lrefer"] = "logicalreferenced", ["usedsnap"] = "usedbysnapshots",
        ["usedds"] = "usedbydataset", ["usedchild"] = "usedbychildren", ["usedrefreserv"] = "usedbyrefreservation",
    };

    private readonly SimContext _ctx;
    private readonly Dictionary<string, long> _referCache = new(StringComparer.Ordinal);

    public SimZfsPool(SimContext ctx)
    {
        _ctx = ctx;
        var dir = System.IO.Path.GetDirectoryName(ctx.Fs.Root)!;
        DataDir = System.IO.Path.Combine(dir, "zfs-data");
        SnapshotDir = System.IO.Path.Combine(dir, "zfs-snapshots");
        foreach (var d in State.Datasets)
        {
            if (d.Guid == 0) { d.Guid = NewGuid(); ctx.Dirty = true; }
            if (d.CreateTxg == 0) { d.CreateTxg = 1; ctx.Dirty = true; }
        }
    }

    public SimState State => _ctx.State;
    public SimFileSystem Fs => _ctx.Fs;
    public string DataDir { get; }
    public string SnapshotDir { get; }

    // ---------------------------------------------------------------- tree

    // Name index for Find (zfs list asks for each row's parent chain: without it a listing is
    // quadratic in the pool's size). Rebuilt when the count changes; a hit is checked against the
    // name (a rename), and a miss falls back to the list, so it can never answer wrongly.
    private Dictionary<string, SimDataset>? _index;
    private int _indexCount;

    public SimDataset? Find(string name)
    {
        if (_index is null || _indexCount != State.Datasets.Count)
        {
            _index = new Dictionary<string, SimDataset>(State.Datasets.Count, StringComparer.Ordinal);
            foreach (var d in State.Datasets) _index.TryAdd(d.Name, d);
            _indexCount = State.Datasets.Count;
        }
        if (_index.TryGetValue(name, out var hit) && hit.Name == name) return hit;
        var found = State.Datasets.FirstOrDefault(d => d.Name == name);
        if (found != null) _index[name] = found;
        return found;
    }
    public static bool IsSnapshotName(string name) => name.Contains('@');
    public static string Pool(string name) => name.Split('/', '@')[0];
    public static string DatasetPart(string name) => name.Split('@')[0];

    public static string? ParentName(string name)
    {
        if (IsSnapshotName(name)) return DatasetPart(name);
        int i = name.LastIndexOf('/');
        return i < 0 ? null : name[..i];
    }

    public IEnumerable<SimDataset> Children(string name)
        => State.Datasets.Where(d => !IsSnapshotName(d.Name) && ParentName(d.Name) == name).OrderBy(d => d.Name, StringComparer.Ordinal);

    public IEnumerable<SimDataset> SnapshotsOf(string name)
        => State.Datasets.Where(d => IsSnapshotName(d.Name) && DatasetPart(d.Name) == name).OrderBy(d => d.CreateTxg);

    public IEnumerable<SimDataset> ClonesOf(string snapshot) => State.Datasets.Where(d => d.Origin == snapshot).OrderBy(d => d.Name, StringComparer.Ordinal);

    public static bool IsUnder(string name, string ancestor)
        => name.StartsWith(ancestor + "/", StringComparison.Ordinal) || name.StartsWith(ancestor + "@", StringComparison.Ordinal);

    /// <summary>Depth below <paramref name="top"/>: a child or a snapshot of top is 1.</summary>
    public static int Depth(string name, string top)
    {
        if (name == top) return 0;
        var rest = name[(top.Length + 1)..];
        return rest.Count(c => c == '/' || c == '@') + 1;
    }

    /// <summary>Post-order: for each filesystem its children, then its snapshots, then itself (the order zfs destroys in).</summary>
    public List<SimDataset> PostOrder(SimDataset top)
    {
        var list = new List<SimDataset>();
        void Walk(SimDataset d)
        {
            foreach (var c in Children(d.Name).ToList()) Walk(c);
            list.AddRange(SnapshotsOf(d.Name));
            list.Add(d);
        }
        if (IsSnapshotName(top.Name)) list.Add(top); else Walk(top);
        return list;
    }

    /// <summary>libzfs's default order (zfs_sort without -s): dataset part by strcmp, a dataset before its snapshots, snapshots by createtxg.</summary>
    public static int CompareDefault(SimDataset a, SimDataset b)
    {
        int c = string.CompareOrdinal(DatasetPart(a.Name), DatasetPart(b.Name));
        if (c != 0) return c;
        bool sa = IsSnapshotName(a.Name), sb = IsSnapshotName(b.Name);
        if (sa != sb) return sa ? 1 : -1;
        return a.CreateTxg.CompareTo(b.CreateTxg);
    }

    private long NewGuid()
    {
        var bytes = new byte[8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToInt64(bytes) & long.MaxValue;
    }

    private long NextTxg() => State.Datasets.Count == 0 ? 1 : State.Datasets.Max(d => d.CreateTxg) + 1;

    /// <summary>libzfs zfs_validate_name texts (empty when valid).</summary>
    public static string? ValidateName(string name, bool snapshot)
    {
        if (name.Length == 0) return "empty component or misplaced '@' or '#' delimiter in name";
        if (name.Length >= 256) return "name is too long";
        if (name[0] == '/') return "leading slash in name";
        if (name.EndsWith('/')) return "trailing slash in name";
        int at = name.Count(c => c == '@');
        if (at > 1) return "multiple '@' and/or '#' delimiters in name";
        if (!snapshot && at == 1) return "snapshot delimiter '@' is not expected here";
        if (snapshot && at == 0) return "missing '@' delimiter in snapshot name";
        foreach (var part in name.Split('/', '@'))
            if (part.Length == 0) return "empty component or misplaced '@' or '#' delimiter in name";
        foreach (var ch in name)
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' or ':' or ' ' or '/' or '@'))
                return $"invalid character '{ch}' in name";
        if (!char.IsAsciiLetter(name[0])) return "pool must begin with a letter";
        return null;
    }

    // ---------------------------------------------------------------- properties

    public static string Canonical(string prop) => Aliases.TryGetValue(prop, out var p) ? p : prop;
    private static readonly Dictionary<string, SimZfsProp> PropsByName = Props.GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    public static SimZfsProp? NativeProp(string prop) => PropsByName.GetValueOrDefault(Canonical(prop));
    public static bool IsUserProp(string prop) => prop.Contains(':');

    /// <summary>zfsprops(7): lowercase letters, digits, ':', '-', '.', '_'; at most 256 characters; not starting with '-'.</summary>
    public static bool ValidUserPropName(string prop)
        => prop.Length <= 256 && prop.Contains(':') && !prop.StartsWith('-')
           && prop.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is ':' or '-' or '.' or '_');

    public static bool IsKnownProp(string prop) => prop == "name" || prop == "space" || NativeProp(prop) != null || (IsUserProp(prop) && ValidUserPropName(prop));

    /// <summary>Value and source of a property as zfs get prints them ("-" for absent values).</summary>
    public (string Value, string Source) Get(SimDataset ds, string prop, bool parsable)
    {
        if (prop == "name") return (ds.Name, "-");
        bool snap = IsSnapshotName(ds.Name);
        if (IsUserProp(prop))
        {
            for (SimDataset? d = ds; d != null; d = ParentName(d.Name) is { } p ? Find(p) : null)
                if (d.Properties.TryGetValue(prop, out var v))
                    return (v, d == ds ? "local" : "inherited from " + d.Name);
            return ("-", "-");
        }
        var def = NativeProp(prop);
        if (def is null) return ("-", "-");
        if (snap && !def.OnSnapshot && def.Name != "mountpoint") return ("-", "-");
        switch (def.Name)
        {
            case "type": return (ds.Type, "-");
            case "creation": return (parsable ? ds.CreationUnix.ToString(CultureInfo.InvariantCulture) : FormatTime(ds.CreationUnix), "-");
            case "used": return (Num(Used(ds), parsable), "-");
            case "available": return (Num(Available(ds), parsable), "-");
            case "referenced": case "logicalreferenced": return (Num(Refer(ds), parsable), "-");
            case "logicalused": return (Num(Used(ds), parsable), "-");
            case "usedbydataset": return (Num(Refer(ds), parsable), "-");
            case "usedbysnapshots": case "usedbyrefreservation": return (Num(0, parsable), "-");
            case "usedbychildren": return (Num(Used(ds) - Refer(ds), parsable), "-");
            case "written": return (Num(snap ? Refer(ds) : 0, parsable), "-");
            case "compressratio": return (parsable ? "1.00" : "1.00x", "-");
            case "mounted": return (ds.Type == "filesystem" ? (ds.Mounted ? "yes" : "no") : "-", "-");
            case "origin": return (ds.Origin ?? "-", "-");
            case "createtxg": return (ds.CreateTxg.ToString(CultureInfo.InvariantCulture), "-");
            case "guid": return (ds.Guid.ToString(CultureInfo.InvariantCulture), "-");
            case "clones": return (string.Join(',', ClonesOf(ds.Name).Select(c => c.Name)), "-");
            case "mountpoint":
                if (ds.Type != "filesystem") return ("-", "-");
                return Mountpoint(ds);
            case "volsize":
                if (ds.Type != "volume") return ("-", "-");
                return (Num(long.Parse(ds.Properties.GetValueOrDefault("volsize", "0"), CultureInfo.InvariantCulture), parsable), "local");
        }
        if (ds.Type == "volume" && def.Name is "mountpoint" or "sharenfs" or "atime" or "devices" or "exec" or "setuid" or "readonly" or "jailed" or "snapdir" or "aclmode" or "aclinherit" or "canmount" or "xattr" or "recordsize" or "quota" or "refquota")
            return ("-", "-");
        for (SimDataset? d = ds; d != null; d = def.Inherit && ParentName(d.Name) is { } p ? Find(p) : null)
            if (d.Properties.TryGetValue(def.Name, out var v))
                return (FormatSettable(def, v, parsable), d == ds ? "local" : "inherited from " + d.Name);
        return (FormatSettable(def, def.Default, parsable), "default");
    }

    private static string FormatSettable(SimZfsProp def, string raw, bool parsable)
    {
        if (!def.Numeric) return raw;
        if (raw == "none" || raw == "0") return parsable ? "0" : "none";
        var n = long.Parse(raw, CultureInfo.InvariantCulture);
        return Num(n, parsable);
    }

    /// <summary>The effective mountpoint: local, default (/POOL) or inherited with the relative path appended.</summary>
    public (string Value, string Source) Mountpoint(SimDataset ds)
    {
        if (ds.Type != "filesystem") return ("-", "-");
        if (ds.Properties.TryGetValue("mountpoint", out var local)) return (local, "local");
        var parentName = ParentName(ds.Name);
        if (parentName is null) return ("/" + ds.Name, "default");
        var parent = Find(parentName)!;
        var (pv, ps) = Mountpoint(parent);
        string value = pv is "none" or "legacy" ? pv : (pv == "/" ? "" : pv) + "/" + ds.Name[(parentName.Length + 1)..];
        string source = ps == "local" ? "inherited from " + parent.Name : ps;
        return (value, source);
    }

    public string? MountPath(SimDataset ds)
    {
        var mp = Mountpoint(ds).Value;
        return mp.StartsWith('/') ? mp : null;
    }

    public static string FormatTime(long unix)
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime;
        // strftime "%a %b %e %k:%M %Y" (zfs_prop_get ZFS_PROP_CREATION)
        return string.Create(CultureInfo.InvariantCulture, $"{t:ddd} {t:MMM} {t.Day,2} {t.Hour,2}:{t:mm} {t.Year}");
    }

    public static string Num(long n, bool parsable) => parsable ? n.ToString(CultureInfo.InvariantCulture) : Nice(n);

    /// <summary>zfs_nicenum: 1024-based with one letter; exact multiples print whole; otherwise at most 5 characters.</summary>
    public static string Nice(long n)
    {
        const string units = "BKMGTPE";
        int i = 0;
        long x = n;
        while (x >= 1024 && i < 6) { x /= 1024; i++; }
        if (i == 0) return n.ToString(CultureInfo.InvariantCulture) + "B";
        long div = 1L << (10 * i);
        if (n % div == 0) return (n / div).ToString(CultureInfo.InvariantCulture) + units[i];
        for (int prec = 2; prec >= 0; prec--)
        {
            var s = ((double)n / div).ToString("F" + prec, CultureInfo.InvariantCulture) + units[i];
            if (s.Length <= 5) return s;
        }
        return x.ToString(CultureInfo.InvariantCulture) + units[i];
    }

    /// <summary>Parses a size as zfs does (zfs_nicestrtonum): 10G, 512M, 1.5K, plain bytes; "none" is 0.</summary>
    public static bool TryParseSize(string text, out long value)
    {
        value = 0;
        if (text == "none") return true;
        var t = text.Trim();
        int end = 0;
        while (end < t.Length && (char.IsAsciiDigit(t[end]) || t[end] == '.')) end++;
        if (end == 0 || !double.TryParse(t[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)) return false;
        var suffix = t[end..].ToUpperInvariant();
        if (suffix.EndsWith("IB")) suffix = suffix[..^2]; else if (suffix.Length == 2 && suffix[1] == 'B') suffix = suffix[..1];
        int shift = suffix switch { "" or "B" => 0, "K" => 10, "M" => 20, "G" => 30, "T" => 40, "P" => 50, "E" => 60, _ => -1 };
        if (shift < 0) return false;
        value = (long)(num * Math.Pow(2, shift));
        return true;
    }

    // ---------------------------------------------------------------- space

    public long Refer(SimDataset ds)
    {
        if (_referCache.TryGetValue(ds.Name, out var cached)) return cached;
        long size = ds.Type switch
        {
            "snapshot" => DirSize(SnapshotStore(ds), Array.Empty<string>()),
            "volume" => 0,
            _ => DirSize(DataPath(ds), NestedMountPaths(ds)),
        };
        return _referCache[ds.Name] = size + Overhead;
    }

    public long Used(SimDataset ds)
    {
        if (IsSnapshotName(ds.Name)) return 0;
        if (ds.Type == "volume") return long.Parse(ds.Properties.GetValueOrDefault("volsize", "0"), CultureInfo.InvariantCulture) + Overhead;
        return Refer(ds) + Children(ds.Name).Sum(Used);
    }

    public long Available(SimDataset ds)
    {
        if (IsSnapshotName(ds.Name)) return 0;
        var root = Find(Pool(ds.Name));
        long avail = PoolSize - (root is null ? 0 : Used(root));
        for (SimDataset? d = ds; d != null; d = ParentName(d.Name) is { } p ? Find(p) : null)
            if (d.Properties.TryGetValue("quota", out var q) && long.TryParse(q, out var quota) && quota > 0)
                avail = Math.Min(avail, Math.Max(0, quota - Used(d)));
        return avail;
    }

    private static long DirSize(string real, IReadOnlyCollection<string> exclude)
    {
        if (!Directory.Exists(real)) return 0;
        long total = 0;
        foreach (var e in new DirectoryInfo(real).EnumerateFileSystemInfos())
        {
            if (exclude.Contains(e.FullName)) continue;
            if (e is FileInfo f) total += (f.Length + 511) / 512 * 512;
            else if (e is DirectoryInfo d && (d.Attributes & FileAttributes.ReparsePoint) == 0) total += 512 + DirSize(d.FullName, exclude);
        }
        return total;
    }

    // ---------------------------------------------------------------- content and mounts

    public string SnapshotStore(SimDataset snap) => System.IO.Path.Combine(SnapshotDir, snap.Guid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Where the dataset's files are now: its mountpoint folder when mounted, else its parked copy.</summary>
    public string DataPath(SimDataset ds)
        => ds.Mounted && MountPath(ds) is { } mp ? Fs.Map(mp) : System.IO.Path.Combine(DataDir, ds.Guid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Real paths of other mounts (zfs or not) strictly below this dataset's mountpoint.</summary>
    public IReadOnlyCollection<string> NestedMountPaths(SimDataset ds)
    {
        if (!ds.Mounted || MountPath(ds) is not { } mp) return Array.Empty<string>();
        return State.Mounts.Where(m => IsPathBelow(m.Node, mp)).Select(m => Fs.Map(m.Node)).ToHashSet(StringComparer.Ordinal);
    }

    public static bool IsPathBelow(string path, string dir)
        => path != dir && (dir == "/" ? path.StartsWith('/') : path.StartsWith(dir + "/", StringComparison.Ordinal));

    public static bool IsPathAtOrBelow(string path, string dir) => path == dir || IsPathBelow(path, dir);

    private static void CopyTree(string src, string dst, IReadOnlyCollection<string> exclude)
    {
        Directory.CreateDirectory(dst);
        if (!Directory.Exists(src)) return;
        foreach (var e in new DirectoryInfo(src).EnumerateFileSystemInfos())
        {
            if (exclude.Contains(e.FullName)) continue;
            var target = System.IO.Path.Combine(dst, e.Name);
            if (e is DirectoryInfo) CopyTree(e.FullName, target, exclude);
            else File.Copy(e.FullName, target, overwrite: true);
        }
    }

    private static void MoveContents(string src, string dst, IReadOnlyCollection<string> exclude)
    {
        if (!Directory.Exists(src)) return;
        Directory.CreateDirectory(dst);
        foreach (var e in new DirectoryInfo(src).EnumerateFileSystemInfos())
        {
            if (exclude.Contains(e.FullName)) continue;
            var target = System.IO.Path.Combine(dst, e.Name);
            if (e is DirectoryInfo d)
            {
                if (Directory.Exists(target)) { MoveContents(d.FullName, target, exclude); TryRemoveEmpty(d.FullName); }
                else d.MoveTo(target);
            }
            else File.Move(e.FullName, target, overwrite: true);
        }
    }

    private static void TryRemoveEmpty(string real)
    {
        try { if (Directory.Exists(real) && !Directory.EnumerateFileSystemEntries(real).Any()) Directory.Delete(real); }
        catch (IOException) { }
    }

    public bool ShouldAutoMount(SimDataset ds)
        => ds.Type == "filesystem" && MountPath(ds) != null && Get(ds, "canmount", false).Value == "on" && AttachedJail(ds) == 0
           && Get(ds, "jailed", false).Value != "on";

    /// <summary>The jid a dataset is attached to (zfs jail); an attachment ends with the jail.</summary>
    public int AttachedJail(SimDataset ds)
        => ds.AttachedJail != 0 && State.Jails.Any(j => j.Jid == ds.AttachedJail && !j.Dying) ? ds.AttachedJail : 0;

    /// <summary>Mounts a filesystem: creates the mountpoint folder, brings its parked files in, adds the mount table line.</summary>
    public string? Mount(SimDataset ds)
    {
        if (ds.Mounted) return $"cannot mount '{ds.Name}': filesystem already mounted";
        var mp = MountPath(ds);
        if (mp is null) return $"cannot mount '{ds.Name}': no mountpoint set";
        var real = Fs.Map(mp);
        Directory.CreateDirectory(real);
        var parked = System.IO.Path.Combine(DataDir, ds.Guid.ToString(CultureInfo.InvariantCulture));
        MoveContents(parked, real, Array.Empty<string>());
        if (Directory.Exists(parked)) Directory.Delete(parked, recursive: true);
        ds.Mounted = true;
        State.Mounts.Add(new SimMount { Special = ds.Name, Node = mp, FsType = "zfs", Options = ZfsMountOptions });
        _ctx.Dirty = true;
        _referCache.Clear();
        return null;
    }

    /// <summary>Busy when something else is mounted below, or (without force) a running jail lives there.</summary>
    public string? BusyReason(SimDataset ds, bool force, ISet<string>? alsoGoing = null)
    {
        if (!ds.Mounted || MountPath(ds) is not { } mp) return null;
        if (mp == "/") return $"cannot unmount '{mp}': pool or dataset is busy";
        foreach (var m in State.Mounts)
            if (IsPathBelow(m.Node, mp) && !(alsoGoing?.Contains(m.Special) ?? false))
                return $"cannot unmount '{mp}': pool or dataset is busy";
        if (!force && State.Jails.Any(j => !j.Dying && IsPathAtOrBelow(j.Path, mp)))
            return $"cannot unmount '{mp}': pool or dataset is busy";
        return null;
    }

    /// <summary>Unmounts: parks the files in DIR/zfs-data and removes the emptied mountpoint (libzfs remove_mountpoint).</summary>
    public string? Unmount(SimDataset ds, bool force)
    {
        if (!ds.Mounted) return $"cannot unmount '{ds.Name}': not currently mounted";
        var busy = BusyReason(ds, force);
        if (busy != null) return busy;
        var mp = MountPath(ds) ?? State.Mounts.First(m => m.Special == ds.Name && m.FsType == "zfs").Node;
        var real = Fs.Map(mp);
        var parked = System.IO.Path.Combine(DataDir, ds.Guid.ToString(CultureInfo.InvariantCulture));
        MoveContents(real, parked, Array.Empty<string>());
        TryRemoveEmpty(real);
        ds.Mounted = false;
        State.Mounts.RemoveAll(m => m.Special == ds.Name && m.FsType == "zfs");
        _ctx.Dirty = true;
        _referCache.Clear();
        return null;
    }

    // ---------------------------------------------------------------- operations (each returns stderr text or null)

    public string? Create(string name, IReadOnlyDictionary<string, string> props, bool parents, bool noMount, long? volsize)
    {
        var action = $"cannot create '{name}'";
        if (ValidateName(name, false) is { } bad) return $"{action}: {bad}";
        if (Find(Pool(name)) is null) return $"{action}: no such pool '{Pool(name)}'";
        // zfs_do_create: with -p an existing dataset is not an error
        if (Find(name) != null) return parents && volsize is null ? null : $"{action}: dataset already exists";
        var parent = ParentName(name);
        if (parent is null) return $"{action}: missing dataset name";
        var missing = new List<string>();
        for (var p = parent; p != null && Find(p) is null; p = ParentName(p)) missing.Insert(0, p);
        if (missing.Count > 0 && !parents) return $"{action}: parent does not exist";
        var parentDs = Find(missing.Count > 0 ? ParentName(missing[0])! : parent);
        if (parentDs?.Type == "volume") return $"{action}: parent is not a filesystem";
        foreach (var (k, v) in props)
            if (CheckSet(k, v, volume: volsize != null) is { } err) return $"{action}: {err}";
        foreach (var m in missing)
        {
            var created = NewDataset(m, "filesystem");
            if (ShouldAutoMount(created)) Mount(created);
        }
        var ds = NewDataset(name, volsize != null ? "volume" : "filesystem");
        foreach (var (k, v) in props) ds.Properties[Canonical(k)] = Normalize(k, v);
        if (volsize is { } vs) ds.Properties["volsize"] = vs.ToString(CultureInfo.InvariantCulture);
        if (!noMount && ShouldAutoMount(ds)) Mount(ds);
        return null;
    }

    private SimDataset NewDataset(string name, string type)
    {
        var ds = new SimDataset
        {
            Name = name, Type = type, Guid = NewGuid(), CreateTxg = NextTxg(),
            CreationUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        State.Datasets.Add(ds);
        _ctx.Dirty = true;
        return ds;
    }

    /// <summary>Checks a property assignment; returns the libzfs description of what is wrong, or null.</summary>
    public static string? CheckSet(string prop, string value, bool volume = false, bool snapshot = false)
    {
        if (IsUserProp(prop))
        {
            if (!ValidUserPropName(prop)) return $"invalid property '{prop}'";
            if (value.Length > 8192) return $"property value too long";
            return null;
        }
        var def = NativeProp(prop);
        if (def is null || prop == "name") return $"invalid property '{prop}'";
        if (def.ReadOnly) return $"'{def.Name}' is readonly";
        if (def.Name == "volsize" && !volume) return $"'{def.Name}' does not apply to datasets of this type";
        if (snapshot) return "this property can not be modified for snapshots";
        if (def.Name == "mountpoint")
            return value is "none" or "legacy" || value.StartsWith('/') ? null : "'mountpoint' must be an absolute path, 'none', or 'legacy'";
        if (def.Values != null && !def.Values.Contains(value))
            return $"'{def.Name}' must be one of '{string.Join(" | ", def.Values)}'";
        if (def.Numeric && !TryParseSize(value, out _)) return $"bad numeric value '{value}'";
        return null;
    }

    private static string Normalize(string prop, string value)
    {
        var def = NativeProp(prop);
        if (def is { Numeric: true } && TryParseSize(value, out var n)) return n == 0 ? "none" : n.ToString(CultureInfo.InvariantCulture);
        if (def?.Name == "mountpoint" && value.StartsWith('/')) return SimFileSystem.Normalize(value);
        return value;
    }

    public string? Snapshot(IReadOnlyList<string> names, bool recursive, IReadOnlyDictionary<string, string> props)
    {
        var todo = new List<(SimDataset Fs, string Snap)>();
        foreach (var name in names)
        {
            var action = $"cannot create snapshot '{name}'";
            if (ValidateName(name, true) is { } bad) return $"{action}: {bad}";
            var ds = Find(DatasetPart(name));
            if (ds is null || IsSnapshotName(ds.Name)) return $"{action}: dataset does not exist";
            var snapName = name[(name.IndexOf('@') + 1)..];
            var targets = recursive ? State.Datasets.Where(d => !IsSnapshotName(d.Name) && (d == ds || IsUnder(d.Name, ds.Name))).ToList() : new List<SimDataset> { ds };
            foreach (var t in targets)
            {
                if (Find(t.Name + "@" + snapName) != null) return $"cannot create snapshot '{t.Name}@{snapName}': dataset already exists";
                todo.Add((t, snapName));
            }
        }
        foreach (var (k, v) in props)
            if (!IsUserProp(k) || CheckSet(k, v) is not null) return $"cannot create snapshot '{names[0]}': invalid property '{k}'";
        var txg = NextTxg();
        foreach (var (fs, snapName) in todo)
        {
            var snap = new SimDataset
            {
                Name = fs.Name + "@" + snapName, Type = "snapshot", Guid = NewGuid(), CreateTxg = txg,
                CreationUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            };
            foreach (var (k, v) in props) snap.Properties[k] = v;
            if (fs.Type == "filesystem") CopyTree(DataPath(fs), SnapshotStore(snap), NestedMountPaths(fs));
            else Directory.CreateDirectory(SnapshotStore(snap));
            State.Datasets.Add(snap);
        }
        _ctx.Dirty = true;
        return null;
    }

    public string? Clone(string snapshot, string target, bool parents, IReadOnlyDictionary<string, string> props)
    {
        var snap = Find(snapshot);
        if (snap is null) return $"cannot open '{snapshot}': dataset does not exist";
        if (snap.Type != "snapshot") return $"cannot open '{snapshot}': operation not applicable to datasets of this type";
        var action = $"cannot create '{target}'";
        if (ValidateName(target, false) is { } bad) return $"{action}: {bad}";
        if (Pool(target) != Pool(snapshot)) return $"{action}: source and target pools differ";
        if (Find(target) != null) return $"{action}: dataset already exists";
        var origin = Find(DatasetPart(snapshot))!;
        var create = Create(target, props, parents, noMount: true, origin.Type == "volume" ? 0 : null);
        if (create != null) return create;
        var clone = Find(target)!;
        clone.Origin = snapshot;
        if (origin.Type == "volume") clone.Properties["volsize"] = origin.Properties.GetValueOrDefault("volsize", "0");
        var parked = System.IO.Path.Combine(DataDir, clone.Guid.ToString(CultureInfo.InvariantCulture));
        CopyTree(SnapshotStore(snap), parked, Array.Empty<string>());
        if (ShouldAutoMount(clone)) Mount(clone);
        _ctx.Dirty = true;
        return null;
    }

    public sealed record DestroyResult(int ExitCode, string StandardOutput, string StandardError);

    public DestroyResult Destroy(string name, bool recursive, bool recursiveClones, bool force, bool dryRun, bool verbose, bool parsable)
    {
        if (recursiveClones) recursive = true;
        var targets = new List<SimDataset>();
        if (IsSnapshotName(name))
        {
            var fsName = DatasetPart(name);
            var fs = Find(fsName);
            if (fs is null) return new(1, "", $"cannot open '{fsName}': dataset does not exist\n");
            var snapName = name[(name.IndexOf('@') + 1)..];
            var scope = recursive ? State.Datasets.Where(d => !IsSnapshotName(d.Name) && (d == fs || IsUnder(d.Name, fs.Name))).ToList() : new() { fs };
            targets.AddRange(scope.Select(d => Find(d.Name + "@" + snapName)).Where(s => s != null)!);
            if (targets.Count == 0) return new(1, "", "could not find any snapshots to destroy; check snapshot names.\n");
            var clones = targets.SelectMany(t => ClonesOf(t.Name)).ToList();
            if (clones.Count > 0 && !recursiveClones)
                return new(1, "", $"cannot destroy '{name}': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\n"
                    + SimText.Lines(clones.SelectMany(PostOrder).Select(d => d.Name)));
        }
        else
        {
            var ds = Find(name);
            if (ds is null) return new(1, "", $"cannot open '{name}': dataset does not exist\n");
            var descendants = PostOrder(ds).Where(d => d != ds).ToList();
            if (ParentName(name) is null && !recursive)
                return new(1, "", $"cannot destroy '{name}': operation does not apply to pools\nuse 'zfs destroy -r {name}' to destroy all datasets in the pool\nuse 'zpool destroy {name}' to destroy the pool itself\n");
            if (!recursive && descendants.Count > 0)
                return new(1, "", $"cannot destroy '{name}': {ds.Type} has children\nuse '-r' to destroy the following datasets:\n" + SimText.Lines(descendants.Select(d => d.Name)));
            var outside = descendants.Append(ds).Where(d => d.Type == "snapshot").SelectMany(s => ClonesOf(s.Name))
                .Where(c => c.Name != name && !IsUnder(c.Name, name)).ToList();
            if (outside.Count > 0 && !recursiveClones)
                return new(1, "", $"cannot destroy '{name}': {ds.Type} has dependent clones\nuse '-R' to destroy the following datasets:\n" + SimText.Lines(outside.Select(d => d.Name)));
            // zfs destroy -r POOL destroys everything below the pool, never the pool itself.
            targets.AddRange(ParentName(name) is null ? descendants : PostOrder(ds));
        }
        // -R: dependent clones (and theirs) go first.
        var ordered = new List<SimDataset>();
        var seen = new HashSet<SimDataset>();
        void Add(SimDataset d)
        {
            if (!seen.Add(d)) return;
            if (d.Type == "snapshot")
                foreach (var c in ClonesOf(d.Name).ToList())
                    foreach (var x in PostOrder(c)) Add(x);
            ordered.Add(d);
        }
        foreach (var t in targets) Add(t);
        var going = ordered.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var d in ordered)
            if (BusyReason(d, force, going) is { } busy) return new(1, "", busy + "\n");
        var stdout = new System.Text.StringBuilder();
        if (verbose)
            foreach (var d in ordered)
                stdout.Append(parsable ? $"destroy\t{d.Name}\n" : $"{(dryRun ? "would destroy" : "will destroy")} {d.Name}\n");
        // zfs_do_destroy for snapshots: -v ends with the space it frees ("reclaim\t%llu" with -p).
        if (verbose && IsSnapshotName(name))
        {
            long reclaim = ordered.Where(d => d.Type == "snapshot").Sum(Used);
            stdout.Append(parsable ? $"reclaim\t{reclaim}\n" : $"{(dryRun ? "would reclaim" : "will reclaim")} {Nice(reclaim)}\n");
        }
        if (dryRun) return new(0, stdout.ToString(), "");
        foreach (var d in ordered)
        {
            if (d.Type == "snapshot")
            {
                var store = SnapshotStore(d);
                if (Directory.Exists(store)) Directory.Delete(store, recursive: true);
            }
            else
            {
                // zfs destroy frees the dataset whole: file flags (schg...) do not stand in its way, and go with it.
                if (d.Mounted && MountPath(d) is { } mountPath) SimFileFlags.Forget(State, Fs, Fs.Map(mountPath));
                if (d.Mounted) Unmount(d, force: true);
                var parked = System.IO.Path.Combine(DataDir, d.Guid.ToString(CultureInfo.InvariantCulture));
                if (Directory.Exists(parked)) Directory.Delete(parked, recursive: true);
            }
            State.Datasets.Remove(d);
        }
        _ctx.Dirty = true;
        return new(0, stdout.ToString(), "");
    }

    public string? Rename(string from, string to, bool parents, bool recursive)
    {
        var ds = Find(from);
        if (ds is null) return $"cannot open '{from}': dataset does not exist";
        bool snap = IsSnapshotName(from);
        if (snap && !to.Contains('@')) to = DatasetPart(from) + "@" + to;
        if (!snap && recursive) return "-r can only be used on snapshots";
        var action = $"cannot rename to '{to}'";
        if (ValidateName(to, snap) is { } bad) return $"{action}: {bad}";
        if (snap && DatasetPart(to) != DatasetPart(from)) return $"cannot rename '{from}': snapshots must be part of same dataset";
        if (Pool(to) != Pool(from)) return $"cannot rename '{from}': datasets must be within same pool";
        if (Find(to) != null) return $"{action}: dataset already exists";
        if (!snap && IsUnder(to, from)) return $"cannot rename '{from}': New dataset name cannot be a descendant of current dataset name";
        if (snap)
        {
            var newSnap = to[(to.IndexOf('@') + 1)..];
            var oldSnap = from[(from.IndexOf('@') + 1)..];
            var scope = recursive ? State.Datasets.Where(d => !IsSnapshotName(d.Name) && (d.Name == DatasetPart(from) || IsUnder(d.Name, DatasetPart(from)))).ToList() : new() { Find(DatasetPart(from))! };
            foreach (var f in scope)
                if (Find(f.Name + "@" + oldSnap) is { } s)
                {
                    var n = f.Name + "@" + newSnap;
                    foreach (var c in ClonesOf(s.Name)) c.Origin = n;
                    s.Name = n;
                }
            _ctx.Dirty = true;
            return null;
        }
        var parent = ParentName(to);
        if (parent != null && Find(parent) is null)
        {
            if (!parents) return $"{action}: parent does not exist";
            var err = Create(parent, new Dictionary<string, string>(), true, false, null);
            if (err != null) return err;
        }
        var subtree = PostOrder(ds);
        var mounted = subtree.Where(d => d.Mounted).ToList();
        foreach (var d in mounted)
            if (BusyReason(d, false, subtree.Select(x => x.Name).ToHashSet()) is { } busy) return busy;
        foreach (var d in mounted) Unmount(d, true);
        foreach (var d in subtree)
        {
            var n = to + d.Name[from.Length..];
            if (d.Type == "snapshot")
                foreach (var c in ClonesOf(d.Name)) c.Origin = n;
            d.Name = n;
        }
        foreach (var d in mounted.AsEnumerable().Reverse()) if (ShouldAutoMount(d)) Mount(d);
        _ctx.Dirty = true;
        return null;
    }

    /// <summary>
    /// zfs rollback: the filesystem's files become the snapshot's again. Later snapshots need -r,
    /// their clones -R (zfs_main.c rollback_check texts); a busy mount is refused.
    /// </summary>
    public DestroyResult Rollback(string snapshot, bool recursive, bool recursiveClones, bool force)
    {
        if (recursiveClones) recursive = true;
        if (!IsSnapshotName(snapshot)) return new(1, "", $"cannot open '{snapshot}': operation not applicable to datasets of this type\n");
        var snap = Find(snapshot);
        if (snap is null) return new(1, "", $"cannot open '{snapshot}': dataset does not exist\n");
        var fs = Find(DatasetPart(snapshot))!;
        var later = SnapshotsOf(fs.Name).Where(s => s.CreateTxg > snap.CreateTxg).ToList();
        if (later.Count > 0 && !recursive)
            return new(1, "", $"cannot rollback to '{snapshot}': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\n" + SimText.Lines(later.Select(s => s.Name)));
        var clones = later.SelectMany(s => ClonesOf(s.Name)).ToList();
        if (clones.Count > 0 && !recursiveClones)
            return new(1, "", $"cannot rollback to '{snapshot}': clones of previous snapshots exist\nuse '-R' to force deletion of the following clones and dependents:\n" + SimText.Lines(clones.SelectMany(PostOrder).Select(c => c.Name)));
        foreach (var s in later.AsEnumerable().Reverse())
        {
            var r = Destroy(s.Name, false, recursiveClones, force, false, false, false);
            if (r.ExitCode != 0) return r;
        }
        if (fs.Type == "filesystem")
        {
            // rollback remounts the filesystem: a running jail inside makes it busy unless -f
            if (fs.Mounted && !force && MountPath(fs) is { } mp && State.Jails.Any(j => !j.Dying && IsPathAtOrBelow(j.Path, mp)))
                return new(1, "", $"cannot unmount '{mp}': pool or dataset is busy\n");
            var data = DataPath(fs);
            var keep = NestedMountPaths(fs);
            if (Directory.Exists(data))
                foreach (var e in new DirectoryInfo(data).EnumerateFileSystemInfos())
                {
                    if (keep.Contains(e.FullName)) continue;
                    if (e is DirectoryInfo d) d.Delete(recursive: true); else e.Delete();
                }
            CopyTree(SnapshotStore(snap), data, Array.Empty<string>());
        }
        _referCache.Clear();
        _ctx.Dirty = true;
        return new(0, "", "");
    }

    /// <summary>zfs promote: the clone takes over the origin's snapshots up to and including its origin.</summary>
    public string? Promote(string name)
    {
        var clone = Find(name);
        if (clone is null) return $"cannot open '{name}': dataset does not exist";
        if (clone.Origin is null) return $"cannot promote '{name}': not a cloned filesystem";
        var originSnap = Find(clone.Origin)!;
        var originFs = Find(DatasetPart(originSnap.Name))!;
        var oldOrigin = originFs.Origin;
        var moving = SnapshotsOf(originFs.Name).Where(s => s.CreateTxg <= originSnap.CreateTxg).ToList();
        foreach (var s in moving)
        {
            var snapName = s.Name[(s.Name.IndexOf('@') + 1)..];
            if (Find(clone.Name + "@" + snapName) != null) return $"cannot promote '{name}': conflicting snapshot '{snapName}' from parent '{originFs.Name}'";
        }
        foreach (var s in moving)
        {
            var n = clone.Name + s.Name[s.Name.IndexOf('@')..];
            foreach (var c in ClonesOf(s.Name).ToList()) c.Origin = c == clone ? null : n;
            s.Name = n;
        }
        originFs.Origin = originSnap.Name;
        clone.Origin = oldOrigin;
        _ctx.Dirty = true;
        return null;
    }

    /// <summary>Sets properties (all checked first); mountpoint/canmount changes remount the subtree.</summary>
    public string? Set(SimDataset ds, IReadOnlyList<KeyValuePair<string, string>> assignments)
    {
        bool snap = IsSnapshotName(ds.Name);
        foreach (var (k, v) in assignments)
            if (CheckSet(k, v, ds.Type == "volume", snap && !IsUserProp(k)) is { } err) return $"cannot set property for '{ds.Name}': {err}";
        bool remount = assignments.Any(a => Canonical(a.Key) is "mountpoint" or "canmount" or "jailed");
        var mounted = remount ? PostOrder(ds).Where(d => d.Mounted).ToList() : new();
        foreach (var d in mounted)
            if (BusyReason(d, false, mounted.Select(x => x.Name).ToHashSet()) is { } busy) return busy;
        foreach (var d in mounted) Unmount(d, true);
        foreach (var (k, v) in assignments) ds.Properties[Canonical(k)] = Normalize(k, v);
        if (remount)
        {
            foreach (var d in mounted.AsEnumerable().Reverse()) if (ShouldAutoMount(d)) Mount(d);
            if (!ds.Mounted && ShouldAutoMount(ds) && mounted.Count == 0 && assignments.Any(a => Canonical(a.Key) == "mountpoint")) Mount(ds);
        }
        _ctx.Dirty = true;
        return null;
    }

    public string? Inherit(SimDataset ds, string prop, bool recursive)
    {
        var def = NativeProp(prop);
        if (!IsUserProp(prop))
        {
            if (def is null) return $"invalid property '{prop}'";
            if (def.ReadOnly) return $"'{def.Name}' property is read-only";
            if (!def.Inherit) return $"'{def.Name}' property cannot be inherited";
        }
        var key = def?.Name ?? prop;
        var scope = recursive ? PostOrder(ds) : new List<SimDataset> { ds };
        if (key == "mountpoint")
        {
            var mounted = PostOrder(ds).Where(d => d.Mounted).ToList();
            foreach (var d in mounted) if (BusyReason(d, false, mounted.Select(x => x.Name).ToHashSet()) is { } busy) return busy;
            foreach (var d in mounted) Unmount(d, true);
            foreach (var d in scope) d.Properties.Remove(key);
            foreach (var d in mounted.AsEnumerable().Reverse()) if (ShouldAutoMount(d)) Mount(d);
        }
        else foreach (var d in scope) d.Properties.Remove(key);
        _ctx.Dirty = true;
        return null;
    }
}
