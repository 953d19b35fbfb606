using System.Text;
using JailsModule.Config;
using JailsModule.Simulation;

namespace JailsModule.Bench;

/// <summary>Realistic jail.conf text and file trees for the benchmarks (deterministic).</summary>
public static class Corpus
{
    /// <summary>One big file of about <paramref name="bytes"/> characters: globals, a wildcard, many jail blocks
    /// with comments, quoting, variables, lists and += (the mix of the samples under shared/reference).</summary>
    public static string BigFile(int bytes)
    {
        var sb = new StringBuilder(bytes + 4096);
        sb.Append("# jail.conf generated for the benchmark\n");
        sb.Append("exec.start = \"/bin/sh /etc/rc\";\nexec.stop = \"/bin/sh /etc/rc.shutdown\";\n");
        sb.Append("exec.clean;\nmount.devfs;\npath = \"/usr/local/jails/containers/$name\";\nhost.hostname = \"${name}.example.org\";\n\n");
        sb.Append("\"web.*\" {\n\tallow.raw_sockets;\n}\n\n");
        int i = 0;
        while (sb.Length < bytes)
        {
            Block(sb, i++);
        }
        return sb.ToString();
    }

    public static void Block(StringBuilder sb, int i)
    {
        sb.Append("/* jail number ").Append(i).Append(" */\n");
        sb.Append("jail").Append(i).Append(" {\n");
        sb.Append("\t# addresses\n");
        sb.Append("\tip4.addr = \"em0|10.").Append(i / 65536 % 256).Append('.').Append(i / 256 % 256).Append('.').Append(i % 256).Append("/24\";\n");
        sb.Append("\tip4.addr += 192.0.2.").Append(i % 250).Append(";\n");
        sb.Append("\t$ver = 14.3;\n");
        sb.Append("\texec.prestart = \"logger starting $name on release ${ver}\";\n");
        sb.Append("\texec.poststop += 'echo \"stopped\" > /var/log/jail-$name.log';\n");
        sb.Append("\tdevfs_ruleset = 4;\n\tenforce_statfs = 2;\n\tallow.nomount;\n\tpersist;\n");
        sb.Append("\tmount.fstab = /etc/fstab.jail").Append(i).Append(";  // per jail\n");
        sb.Append("}\n\n");
    }

    /// <summary>An in-memory tree: /etc/jail.conf includes /etc/jail.conf.d/*.conf, which holds <paramref name="count"/> files.</summary>
    public static MemoryConfSource ManyFiles(int count)
    {
        var src = new MemoryConfSource();
        src.Add("/etc/jail.conf", "exec.start = \"/bin/sh /etc/rc\";\nexec.stop = \"/bin/sh /etc/rc.shutdown\";\nmount.devfs;\npath = \"/jails/$name\";\n.include \"/etc/jail.conf.d/*.conf\";\n");
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            Block(sb, i);
            src.Add($"/etc/jail.conf.d/jail{i}.conf", sb.ToString());
        }
        return src;
    }
}

/// <summary>Files in memory; Glob matches per path component like glob(3).</summary>
public sealed class MemoryConfSource : IConfFileSource
{
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _dirs = new(StringComparer.Ordinal);

    public void Add(string path, string text)
    {
        _files[path] = text;
        int slash = path.LastIndexOf('/');
        var dir = slash == 0 ? "/" : path[..slash];
        if (!_dirs.TryGetValue(dir, out var l)) _dirs[dir] = l = new List<string>();
        l.Add(path);
    }

    public bool FileExists(string path) => _files.ContainsKey(path);
    public string ReadAllText(string path) => _files[path];

    public IReadOnlyList<string> Glob(string pattern)
    {
        int slash = pattern.LastIndexOf('/');
        var dir = slash == 0 ? "/" : pattern[..slash];
        var name = pattern[(slash + 1)..];
        if (!_dirs.TryGetValue(dir, out var l)) return Array.Empty<string>();
        var r = l.Where(p => SimGlob.IsMatch(p[(slash + 1)..], name)).ToList();
        r.Sort(StringComparer.Ordinal);
        return r;
    }
}

/// <summary>Files on the local disk under a root folder (as the module reads /etc/jail.conf.d through the simulator).</summary>
public sealed class DiskConfSource : IConfFileSource
{
    private readonly string _root;
    public DiskConfSource(string root) => _root = root;
    private string Map(string p) => Path.Combine(_root, p.TrimStart('/'));
    public bool FileExists(string path) => File.Exists(Map(path));
    public string ReadAllText(string path) => File.ReadAllText(Map(path));

    public IReadOnlyList<string> Glob(string pattern)
    {
        int slash = pattern.LastIndexOf('/');
        var dir = pattern[..slash];
        var name = pattern[(slash + 1)..];
        var local = Map(dir);
        if (!Directory.Exists(local)) return Array.Empty<string>();
        var r = new List<string>();
        foreach (var f in Directory.EnumerateFiles(local))
        {
            var n = Path.GetFileName(f);
            if (SimGlob.IsMatch(n, name)) r.Add(dir + "/" + n);
        }
        r.Sort(StringComparer.Ordinal);
        return r;
    }
}
