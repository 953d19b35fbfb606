using JailsModule.Host;
using JailsModule.Services;

namespace JailsModule.Tools;

/// <summary>zfs(8): the command lines provisioning uses (reference §8, in the forms the Handbook uses) and the parsers of their output.</summary>
public static class ZfsTool
{
    public const string Managed = "org.jailsmodule:managed";
    public const string Uuid = "org.jailsmodule:uuid";
    public const string Template = "org.jailsmodule:template";
    public const string Kind = "org.jailsmodule:kind";
    public const string Release = "org.jailsmodule:release";

    /// <summary>The name of the jail a jail root was made for: with the uuid, what proves whose root a dataset is.</summary>
    public const string JailName = "org.jailsmodule:jail";

    /// <summary>A template's distribution sets, comma-separated (base,lib32): what a thick jail from it extracts.</summary>
    public const string Sets = "org.jailsmodule:sets";

    /// <summary>The columns <see cref="ListAll"/> asks for, in order.</summary>
    public static readonly string[] ListColumns = { "name", "type", "origin", "mountpoint", "createtxg", Managed, Uuid, Template, Kind, Release, Sets, JailName };

    /// <summary>zfs list -H -p -t filesystem,snapshot -o COLUMNS: the whole pool in one run.</summary>
    public static ProcessRequest ListAll()
        => new(ToolPaths.Zfs, new[] { "list", "-H", "-p", "-t", "filesystem,snapshot", "-o", string.Join(",", ListColumns) });

    /// <summary>zfs get -H -p -o property,value,source PROPS DS: the source column tells local from inherited.</summary>
    public static ProcessRequest GetWithSource(string dataset, params string[] properties)
        => new(ToolPaths.Zfs, new[] { "get", "-H", "-p", "-o", "property,value,source", string.Join(",", properties), dataset });

    /// <summary>zfs create [-p] [-o P=V]... DS.</summary>
    public static ProcessRequest Create(string dataset, bool parents = false, IEnumerable<KeyValuePair<string, string>>? properties = null)
    {
        var a = new List<string> { "create" };
        if (parents) a.Add("-p");
        if (properties != null)
            foreach (var kv in properties) { a.Add("-o"); a.Add(kv.Key + "=" + kv.Value); }
        a.Add(dataset);
        return new(ToolPaths.Zfs, a);
    }

    /// <summary>zfs clone [-o P=V]... SNAPSHOT DS, as the Handbook's thin jails: the properties are set as the clone is made (zfs(8): no moment without them).</summary>
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

    /// <summary>
    /// The output of <see cref="ListAll"/>: one TAB-separated row per filesystem or snapshot, in
    /// <see cref="ListColumns"/> order; "-" (or nothing) for a property that is not set. Rows with
    /// fewer columns are skipped.
    /// </summary>
    public static ZfsListing ParseList(string text)
    {
        var list = new List<ZfsEntry>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            var f = line.Split('\t');
            if (f.Length < ListColumns.Length - 1) continue; // the jail column came last: a row without it still parses
            static string? V(string s) => s is "-" or "" ? null : s;
            long.TryParse(f[4], out var txg);
            list.Add(new ZfsEntry(f[0], f[1], V(f[2]), V(f[3]), txg, V(f[5]), V(f[6]), V(f[7]), V(f[8]), V(f[9]), V(f[10]), f.Length > 11 ? V(f[11]) : null));
        }
        return new ZfsListing(list);
    }

    /// <summary>
    /// The output of <see cref="GetWithSource"/> (property, value, source per TAB-separated line):
    /// the properties whose source is "local", i.e. set on the dataset itself; inherited ones are left out.
    /// </summary>
    public static Dictionary<string, string> ParseLocalProperties(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split('\t');
            if (f.Length >= 3 && f[2] == "local") map[f[0]] = f[1];
        }
        return map;
    }
}
