using System.Collections.Specialized;
using System.Globalization;
using System.Text;
using JailsModule.Config;
using JailsModule.Host;
using JailsModule.Model;

namespace JailsModule.Services;

/// <summary>Reads and edits jail.conf files through the host boundary.</summary>
public static class JailConfigService
{
    public const string MainConfig = JailInventory.MainConfig;
    public const string ConfigDirectory = JailInventory.ConfigDirectory;
    public const int NewFileMode = 0x1A4; // 0644

    /// <summary>
    /// The files Get-Jail reads (existing ones): $jail_conf (/etc/jail.conf by default), /etc/jail.*.conf,
    /// /etc/jail.conf.d/*.conf, and the files of rc.conf's jail_NAME_conf settings.
    /// </summary>
    public static List<string> DefaultFiles(IJailHost host)
    {
        var files = new List<string>();
        var rc = RcJailConf.Read(host);
        if (host.FileExists(rc.MainConfig)) files.Add(rc.MainConfig);
        foreach (var f in rc.PerJail.Values.Distinct(StringComparer.Ordinal).OrderBy(f => f, StringComparer.Ordinal))
            if (host.FileExists(f) && !files.Contains(f)) files.Add(f);
        if (host.DirectoryExists("/etc"))
            files.AddRange(host.ListDirectory("/etc", "jail.*.conf").Where(f => !host.DirectoryExists(f)));
        if (host.DirectoryExists(ConfigDirectory))
            files.AddRange(host.ListDirectory(ConfigDirectory, "*.conf").Where(f => !host.DirectoryExists(f)));
        return files;
    }

    /// <summary>Loads each file (with its includes), skipping files an earlier one already included.</summary>
    public static List<ConfLoadResult> LoadFiles(IJailHost host, IEnumerable<string> files)
    {
        var source = new HostConfSource(host);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<ConfLoadResult>();
        foreach (var f in files)
        {
            if (!seen.Add(f)) continue;
            var r = JailConf.Load(f, source);
            foreach (var g in r.Files) seen.Add(g);
            results.Add(r);
        }
        return results;
    }

    public static JailConfig ToModel(ConfJail j, string configFile, string computerName)
    {
        var parameters = new OrderedDictionary(StringComparer.Ordinal);
        var sources = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var p in j.Parameters)
        {
            parameters[p.Name] = p.Values is null ? true : p.Values.Count == 1 ? p.Values[0] : p.Values.ToArray();
            sources[p.Name] = p.File.Length > 0 ? $"{p.File}:{p.Line}" : "";
        }
        return new JailConfig
        {
            Name = j.Name,
            Path = j.File,
            Line = j.Line,
            ConfigFile = configFile,
            Parameters = parameters,
            Sources = sources,
            Errors = j.Errors.ToArray(),
            ComputerName = computerName,
        };
    }

    /// <summary>
    /// A value from PowerShell as jail.conf values: $true → valueless (<c>name;</c>), $false → "false"
    /// (jail(8) reads <c>name = false;</c> as false for booleans, pseudo or kernel), numbers in invariant
    /// culture, arrays → a list.
    /// </summary>
    public static IReadOnlyList<string>? ToValues(object? value)
    {
        value = Unwrap(value);
        switch (value)
        {
            case null: throw new ArgumentException("A parameter value cannot be null; use -Remove to delete a parameter.");
            case bool b: return b ? null : new[] { "false" };
            case string s: return new[] { NoNul(s) };
            case System.Collections.IDictionary:
                throw new ArgumentException("A parameter value cannot be a hashtable; give a string, a number, $true/$false or a list of strings.");
            case System.Collections.IEnumerable e:
                var list = new List<string>();
                foreach (var item in e)
                {
                    var x = Unwrap(item);
                    if (x is null) throw new ArgumentException("A list value cannot contain null.");
                    if (x is System.Collections.IEnumerable and not string)
                        throw new ArgumentException("A list value cannot contain a list (a nested array): jail.conf values are flat lists of strings.");
                    list.Add(NoNul(Scalar(x)));
                }
                if (list.Count == 0) throw new ArgumentException("A list value cannot be empty; use -Remove to delete a parameter.");
                return list;
            default: return new[] { NoNul(Scalar(value)) };
        }
    }

    private static string NoNul(string s)
        => s.Contains('\0') ? throw new ArgumentException("A value cannot contain a NUL character: jail(8) reads a value only up to it.") : s;

    private static object? Unwrap(object? v)
    {
        // PSObject without referencing System.Management.Automation here
        while (v != null && v.GetType().FullName == "System.Management.Automation.PSObject")
            v = v.GetType().GetProperty("BaseObject")!.GetValue(v);
        return v;
    }

    private static string Scalar(object v) => v switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>A unified-diff-like view of what changes (for -WhatIf): only the changed lines with one line of context.</summary>
    public static string Diff(string path, string before, string after)
    {
        var a = SplitLines(before);
        var b = SplitLines(after);
        int pre = 0;
        while (pre < a.Length && pre < b.Length && a[pre] == b[pre]) pre++;
        int suf = 0;
        while (suf < a.Length - pre && suf < b.Length - pre && a[a.Length - 1 - suf] == b[b.Length - 1 - suf]) suf++;
        var sb = new StringBuilder();
        sb.Append("--- ").Append(path).Append('\n').Append("+++ ").Append(path).Append('\n');
        sb.Append("@@ line ").Append(pre + 1).Append(" @@\n");
        for (int i = pre; i < a.Length - suf; i++) sb.Append('-').Append(a[i]).Append('\n');
        for (int i = pre; i < b.Length - suf; i++) sb.Append('+').Append(b[i]).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }

    private static string[] SplitLines(string s)
    {
        if (s.Length == 0) return Array.Empty<string>();
        var lines = s.Split('\n');
        return s.EndsWith('\n') ? lines[..^1] : lines;
    }
}
