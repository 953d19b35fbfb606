using System.Text.RegularExpressions;

namespace JailsModule.Simulation;

/// <summary>
/// rc.conf(5) as rc.subr and sysrc(8) read it: /etc/defaults/rc.conf first, then each file of
/// rc_conf_files (/etc/rc.conf /etc/rc.conf.local); the last assignment wins. Only plain
/// assignments (name=value, "value", 'value', trailing # comments) are understood.
/// </summary>
public static partial class SimRcConf
{
    public const string Defaults = "/etc/defaults/rc.conf";

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex NameRx();

    public static bool IsValidName(string name) => NameRx().IsMatch(name);

    /// <summary>One assignment line: the value without quotes, the quote used, and any trailing comment.</summary>
    public sealed record Line(int Index, string Name, string Value, char Quote, string Comment);

    public static List<Line> Parse(string text)
    {
        var list = new List<Line>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = Assignment().Match(lines[i]);
            if (!m.Success) continue;
            var (value, quote, comment) = ParseValue(m.Groups[2].Value);
            list.Add(new Line(i, m.Groups[1].Value, value, quote, comment));
        }
        return list;
    }

    private static (string Value, char Quote, string Comment) ParseValue(string raw)
    {
        if (raw.Length > 0 && (raw[0] == '"' || raw[0] == '\''))
        {
            var q = raw[0];
            int end = raw.IndexOf(q, 1);
            if (end < 0) return (raw[1..], q, "");
            return (raw[1..end], q, raw[(end + 1)..]);
        }
        int hash = raw.IndexOf('#');
        var v = hash >= 0 ? raw[..hash] : raw;
        return (v.TrimEnd(), '\0', hash >= 0 ? " " + raw[hash..] : "");
    }

    /// <summary>rc_conf_files of a root (from its defaults, possibly overridden), as absolute in-root paths.</summary>
    public static List<string> ConfFiles(SimFileSystem fs, SimJail? root)
    {
        var v = Read(fs, root, new[] { Defaults }).GetValueOrDefault("rc_conf_files", "/etc/rc.conf /etc/rc.conf.local");
        return v.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>Sources the files in order (in-root paths); later assignments win.</summary>
    public static Dictionary<string, string> Read(SimFileSystem fs, SimJail? root, IEnumerable<string> files)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            var real = SimExec.HostPath(root, f);
            if (!fs.FileExists(real)) continue;
            // Values as sh(1) sources them (rc.subr and sysrc(8) both let sh evaluate the files): quotes
            // joined, escapes and $variables expanded, commands skipped. Parse keeps the lines for editing.
            Conf.SimShVars.Source(fs.ReadAllText(real), d);
        }
        return d;
    }

    /// <summary>
    /// The effective value of a variable as load_rc_config SERVICE leaves it (defaults, then rc_conf_files,
    /// then for a service DIR/rc.conf.d/SERVICE, a file or every file of that folder, for DIR in /etc and
    /// the $local_startup folders), or null when unset.
    /// </summary>
    public static string? Get(SimFileSystem fs, SimJail? root, string name, string? service = null)
    {
        var files = new List<string>();
        if (fs.FileExists(SimExec.HostPath(root, Defaults)))
        {
            files.Add(Defaults);
            files.AddRange(ConfFiles(fs, root));
        }
        else files.Add("/etc/rc.conf");
        var vars = Read(fs, root, files);
        if (service != null)
            foreach (var d in Conf.SimShVars.ServiceConfDirs(vars).ToList())
            {
                var real = SimExec.HostPath(root, d + "/rc.conf.d/" + service); // a path on the host
                var sources = fs.FileExists(real) ? new[] { real }
                    : fs.DirectoryExists(real) ? fs.Glob(real + "/*").Where(fs.FileExists).ToArray()
                    : Array.Empty<string>();
                foreach (var f in sources) Conf.SimShVars.Source(fs.ReadAllText(f), vars);
            }
        return vars.TryGetValue(name, out var value) ? value : null;
    }

    public static bool IsYes(string? v) => v != null && v.Trim().ToUpperInvariant() is "YES" or "TRUE" or "ON" or "1";
}
