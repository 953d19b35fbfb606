using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>zfs(8) command lines used by provisioning (reference §8), in the forms the Handbook uses.</summary>
public static class ZfsCommand
{
    public const string Managed = "org.jailsmodule:managed";
    public const string Uuid = "org.jailsmodule:uuid";
    public const string Template = "org.jailsmodule:template";
    public const string Kind = "org.jailsmodule:kind";
    public const string Release = "org.jailsmodule:release";

    /// <summary>A template's distribution sets, comma-separated (base,lib32): what a thick jail from it extracts.</summary>
    public const string Sets = "org.jailsmodule:sets";

    /// <summary>The columns <see cref="ListAll"/> asks for, in order.</summary>
    public static readonly string[] ListColumns = { "name", "type", "origin", "mountpoint", "createtxg", Managed, Uuid, Template, Kind, Release, Sets };

    /// <summary>zfs list -H -p -t filesystem,snapshot -o COLUMNS: the whole pool in one run.</summary>
    public static ProcessRequest ListAll()
        => new(ToolPaths.Zfs, new[] { "list", "-H", "-p", "-t", "filesystem,snapshot", "-o", string.Join(",", ListColumns) });

    /// <summary>zfs get -H -p -o property,value,source PROPS DS: the source column tells local from inherited.</summary>
    public static ProcessRequest GetWithSource(string dataset, params string[] properties)
        => new(ToolPaths.Zfs, new[] { "get", "-H", "-p", "-o", "property,value,source", string.Join(",", properties), dataset });

    public static ProcessRequest Create(string dataset, bool parents = false, IEnumerable<KeyValuePair<string, string>>? properties = null)
    {
        var a = new List<string> { "create" };
        if (parents) a.Add("-p");
        if (properties != null)
            foreach (var kv in properties) { a.Add("-o"); a.Add(kv.Key + "=" + kv.Value); }
        a.Add(dataset);
        return new(ToolPaths.Zfs, a);
    }

    /// <summary>zfs clone SNAPSHOT DATASET, exactly as the Handbook's thin jails.</summary>
    /// <summary>zfs clone [-o P=V]... SNAPSHOT DS: the properties are set as the clone is made (zfs(8): no moment without them).</summary>
    public static ProcessRequest Clone(string snapshot, string dataset, IEnumerable<KeyValuePair<string, string>>? properties = null)
    {
        var a = new List<string> { "clone" };
        if (properties != null)
            foreach (var kv in properties) { a.Add("-o"); a.Add(kv.Key + "=" + kv.Value); }
        a.Add(snapshot);
        a.Add(dataset);
        return new(ToolPaths.Zfs, a);
    }

    public static ProcessRequest Snapshot(string snapshot) => new(ToolPaths.Zfs, new[] { "snapshot", snapshot });

    /// <summary>zfs set P=V [P=V]... DS (several properties in one run, OpenZFS 2.x).</summary>
    public static ProcessRequest Set(string dataset, IEnumerable<KeyValuePair<string, string>> properties)
        => new(ToolPaths.Zfs, new[] { "set" }.Concat(properties.Select(kv => kv.Key + "=" + kv.Value)).Append(dataset));

    public static ProcessRequest Inherit(string dataset, string property) => new(ToolPaths.Zfs, new[] { "inherit", property, dataset });

    /// <summary>zfs destroy DS (never -r or -R: children and snapshots make it fail, which is the point).</summary>
    public static ProcessRequest Destroy(string datasetOrSnapshot) => new(ToolPaths.Zfs, new[] { "destroy", datasetOrSnapshot });

    public static ProcessRequest Rename(string from, string to) => new(ToolPaths.Zfs, new[] { "rename", from, to });
}

/// <summary>fetch(1), sha256(1), tar(1), freebsd-update(8), mount(8) command lines (reference §13).</summary>
public static class MediaCommand
{
    /// <summary>fetch -o FILE URL.</summary>
    public static ProcessRequest Fetch(string url, string output) => new(ToolPaths.Fetch, new[] { "-o", output, url });

    /// <summary>sha256 -q FILE: only the digest.</summary>
    public static ProcessRequest Sha256(string file) => new(ToolPaths.Sha256, new[] { "-q", file });

    /// <summary>tar -xf ARCHIVE -C DIR --unlink, as the Handbook extracts base.txz.</summary>
    public static ProcessRequest Extract(string archive, string directory) => new(ToolPaths.Tar, new[] { "-xf", archive, "-C", directory, "--unlink" });

    /// <summary>
    /// PAGER=cat freebsd-update -b DIR --currently-running REL --not-running-from-cron fetch install:
    /// -b for a tree that is not the host, --currently-running because uname -r is the host's kernel,
    /// --not-running-from-cron because stdin is not a tty (reference §13).
    /// </summary>
    public static ProcessRequest FreebsdUpdate(string baseDir, string currentRelease)
        => new(ToolPaths.FreebsdUpdate, new[] { "-b", baseDir, "--currently-running", currentRelease, "--not-running-from-cron", "fetch", "install" })
        {
            Environment = new Dictionary<string, string> { ["PAGER"] = "cat" },
        };

    /// <summary>mount -p: the mount table in fstab format (special, node, type, options, 0, 0).</summary>
    public static ProcessRequest MountTable() => new(ToolPaths.Mount, new[] { "-p" });

    /// <summary>Parses mount -p output into (special, node, fstype) triples.</summary>
    public static List<(string Special, string Node, string FsType)> ParseMountTable(string text)
    {
        var list = new List<(string, string, string)>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3) list.Add((f[0], f[1], f[2]));
        }
        return list;
    }

    /// <summary>The release a tree's /bin/freebsd-version reports with -u (its USERLAND_VERSION line).</summary>
    public static string? ParseUserlandVersion(string script)
    {
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("USERLAND_VERSION=", StringComparison.Ordinal)) continue;
            var v = line["USERLAND_VERSION=".Length..].Trim().Trim('"');
            return v.Length == 0 ? null : v;
        }
        return null;
    }

    /// <summary>One MANIFEST line: file, sha256, entries, set, "description", on|off (TAB-separated).</summary>
    public static Dictionary<string, string> ParseManifest(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var f = line.TrimEnd('\r').Split('\t');
            if (f.Length >= 2 && f[0].EndsWith(".txz", StringComparison.Ordinal) && f[1].Length == 64)
                map[f[0]] = f[1].ToLowerInvariant();
        }
        return map;
    }
}
