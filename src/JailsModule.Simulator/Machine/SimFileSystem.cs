namespace JailsModule.Simulation;

/// <summary>Maps absolute FreeBSD paths onto the simulator's fs/ folder. Paths cannot escape it.</summary>
public sealed class SimFileSystem
{
    public SimFileSystem(string root)
    {
        Root = System.IO.Path.GetFullPath(root);
    }

    /// <summary>The real folder that stands for "/".</summary>
    public string Root { get; }

    /// <summary>Normalizes a FreeBSD path: absolute, no ".", "..", or repeated slashes.</summary>
    public static string Normalize(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
            throw new ArgumentException($"'{path}' is not an absolute path.");
        if (IsNormal(path)) return path; // every host file op maps a path: skip the split when nothing changes
        var parts = new List<string>();
        foreach (var seg in path.Split('/'))
        {
            if (seg.Length == 0 || seg == ".") continue;
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(seg);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>True when <see cref="Normalize"/> would return the path unchanged: no empty, "." or ".." segment, no trailing slash.</summary>
    private static bool IsNormal(string p)
    {
        if (p.Length == 1) return true;
        if (p[^1] == '/') return false;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] != '/') continue;
            int j = i + 1;
            if (p[j] == '/') return false;
            if (p[j] == '.' && (j + 1 == p.Length || p[j + 1] == '/' || (p[j + 1] == '.' && (j + 2 == p.Length || p[j + 2] == '/')))) return false;
        }
        return true;
    }

    /// <summary>
    /// The kernel's mount table (the live <see cref="SimState.Mounts"/> list, set by the store and by
    /// whoever mounts): nullfs entries make their source's files visible at their node, as
    /// mount_nullfs(8) does; null or no nullfs entry means paths map straight into fs/.
    /// </summary>
    public IReadOnlyList<SimMount>? Mounts { get; set; }

    /// <summary>The real path for a FreeBSD path (through nullfs mounts and the symbolic links met on the way).</summary>
    public string Map(string path) => Resolve(path, out _);

    /// <summary>The real path for a path about to be written: EROFS through a read-only nullfs mount.</summary>
    public string MapForWrite(string path)
    {
        var real = Resolve(path, out var readOnly);
        if (readOnly) throw new IOException($"{Normalize(path)}: Read-only file system");
        return real;
    }

    /// <summary>lstat(2)'s view: the folder resolved, the last component itself (a link is not followed, a mount node is).</summary>
    public string MapNoFollow(string path, out bool readOnly)
    {
        var n = Normalize(path);
        if (n == "/" || IsMountNode(n)) return Resolve(n, out readOnly);
        var slash = n.LastIndexOf('/');
        var dir = Resolve(slash == 0 ? "/" : n[..slash], out readOnly);
        return System.IO.Path.Combine(dir, n[(slash + 1)..]);
    }

    /// <summary>A node something is mounted on (any file system).</summary>
    public bool IsMountNode(string path)
    {
        var n = Normalize(path);
        return Mounts != null && Mounts.Any(m => m.Node == n);
    }

    /// <summary>True when the path lies below a read-only mount (writes fail with EROFS).</summary>
    public bool IsReadOnly(string path)
    {
        Resolve(path, out var ro);
        return ro;
    }

    private static bool HasNullfs(IReadOnlyList<SimMount>? mounts)
    {
        if (mounts is null) return false;
        for (int i = 0; i < mounts.Count; i++) if (mounts[i].FsType == "nullfs") return true;
        return false;
    }

    private string Resolve(string path, out bool readOnly)
    {
        var n = Normalize(path);
        readOnly = false;
        if (!HasNullfs(Mounts)) return n == "/" ? Root : System.IO.Path.Combine(Root, n[1..]);
        return Walk(n, 0, Mounts!.Count, out readOnly);
    }

    /// <summary>
    /// namei(9) in short: component by component, a nullfs node switches to its source (the newest mount
    /// on a node wins; a mount below another one shadows it), a symbolic link restarts the walk at its
    /// target (relative to the link's folder, as the kernel does). 32 links deep is ELOOP. A mount's
    /// source is looked up as it was when it was mounted: only through the mounts made before it
    /// (<paramref name="mountLimit"/>), so "mount_nullfs /a/b /a" does not loop.
    /// </summary>
    private string Walk(string n, int depth, int mountLimit, out bool readOnly)
    {
        readOnly = false;
        if (depth > 32) throw new IOException($"{n}: Too many levels of symbolic links");
        var parts = n.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var real = Root;
        var virt = "";
        for (int i = 0; i < parts.Length; i++)
        {
            var next = virt + "/" + parts[i];
            SimMount? m = null;
            int at = -1;
            for (int k = Math.Min(mountLimit, Mounts!.Count) - 1; k >= 0; k--)
                if (Mounts[k].FsType == "nullfs" && Mounts[k].Node == next) { m = Mounts[k]; at = k; break; }
            if (m != null && m.Special.StartsWith('/') && Normalize(m.Special) != next)
            {
                real = Walk(Normalize(m.Special), depth + 1, at, out var sourceRo);
                readOnly = sourceRo || m.Options.Split(", ").Contains("read-only");
                virt = next;
                continue;
            }
            var candidate = System.IO.Path.Combine(real, parts[i]);
            var link = new FileInfo(candidate).LinkTarget;
            if (link != null)
            {
                var rest = string.Join('/', parts.Skip(i + 1));
                var target = link.StartsWith('/') ? link : (virt.Length == 0 ? "/" : virt) + "/" + link;
                return Walk(Normalize(target + (rest.Length > 0 ? "/" + rest : "")), depth + 1, Mounts.Count, out readOnly);
            }
            real = candidate;
            virt = next;
        }
        return real;
    }

    /// <summary>The FreeBSD path for a real path under Root.</summary>
    public string Unmap(string realPath)
    {
        var full = System.IO.Path.GetFullPath(realPath);
        if (!full.StartsWith(Root, StringComparison.Ordinal))
            throw new ArgumentException($"'{realPath}' is outside the simulated file tree.");
        var rel = full[Root.Length..].Replace('\\', '/');
        return rel.Length == 0 ? "/" : (rel[0] == '/' ? rel : "/" + rel);
    }

    public bool FileExists(string path) => File.Exists(Map(path));
    public bool DirectoryExists(string path) => Directory.Exists(Map(path));
    public bool Exists(string path) => FileExists(path) || DirectoryExists(path);
    public string ReadAllText(string path) => File.ReadAllText(Map(path));

    public void WriteAllText(string path, string text)
    {
        var real = MapForWrite(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(real)!);
        File.WriteAllText(real, text);
    }

    public void AppendAllText(string path, string text)
    {
        var real = MapForWrite(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(real)!);
        File.AppendAllText(real, text);
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(MapForWrite(path));

    public void DeleteIfExists(string path)
    {
        var real = Map(path);
        if (File.Exists(real)) File.Delete(real);
    }

    /// <summary>Absolute FreeBSD paths matching a glob whose magic may sit in any component, sorted like glob(3).</summary>
    public IReadOnlyList<string> Glob(string pattern)
    {
        var n = Normalize(pattern);
        var parts = n.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { "/" };
        foreach (var part in parts)
        {
            var next = new List<string>();
            foreach (var dir in current)
            {
                if (!SimGlob.HasMagic(part))
                {
                    var p = dir == "/" ? "/" + part : dir + "/" + part;
                    if (Exists(p)) next.Add(p);
                    continue;
                }
                var real = Map(dir);
                if (!Directory.Exists(real)) continue;
                foreach (var e in Directory.EnumerateFileSystemEntries(real))
                {
                    var name = System.IO.Path.GetFileName(e);
                    if (name.StartsWith('.') && !part.StartsWith('.')) continue;
                    if (SimGlob.IsMatch(name, part))
                        next.Add(dir == "/" ? "/" + name : dir + "/" + name);
                }
            }
            current = next;
        }
        current.Sort(StringComparer.Ordinal);
        return current;
    }
}
