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

    /// <summary>The real path for a FreeBSD path.</summary>
    public string Map(string path)
    {
        var n = Normalize(path);
        return n == "/" ? Root : System.IO.Path.Combine(Root, n[1..]);
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
        var real = Map(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(real)!);
        File.WriteAllText(real, text);
    }

    public void AppendAllText(string path, string text)
    {
        var real = Map(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(real)!);
        File.AppendAllText(real, text);
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(Map(path));

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
