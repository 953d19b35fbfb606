using JailsModule.Host;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>One row of <see cref="ZfsTool.ListAll"/>: a filesystem or snapshot with the module's metadata (possibly inherited).</summary>
public sealed record ZfsEntry(string Name, string Type, string? Origin, string? Mountpoint, long CreateTxg,
    string? Managed, string? Uuid, string? Template, string? Kind, string? Release, string? Sets = null, string? Jail = null)
{
    public bool IsSnapshot => Type == "snapshot";
    public string Dataset => IsSnapshot ? Name[..Name.IndexOf('@')] : Name;
    public string? SnapshotName => IsSnapshot ? Name[(Name.IndexOf('@') + 1)..] : null;
}

/// <summary>The pool's filesystems and snapshots from one zfs list run (<see cref="ZfsTool.ParseList"/>), joined in memory.</summary>
public sealed class ZfsListing
{
    private readonly Dictionary<string, ZfsEntry> _byName;

    public ZfsListing(IReadOnlyList<ZfsEntry> entries)
    {
        Entries = entries;
        _byName = new Dictionary<string, ZfsEntry>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries) _byName.TryAdd(e.Name, e); // the first row of a name wins
    }

    public IReadOnlyList<ZfsEntry> Entries { get; }

    public ZfsEntry? Find(string name) => _byName.TryGetValue(name, out var e) ? e : null;
    public bool Exists(string name) => _byName.ContainsKey(name);

    // Built on first use, in one pass each: a listing of a few thousand datasets is asked about a
    // template's snapshots and clones without a scan of every row per question.
    private ILookup<string, ZfsEntry>? _children, _snapshots, _clones;

    /// <summary>The filesystems directly below <paramref name="dataset"/>, in listing order.</summary>
    public IEnumerable<ZfsEntry> Children(string dataset)
        => (_children ??= Entries.Where(e => !e.IsSnapshot && e.Name.IndexOf('/') > 0).ToLookup(e => e.Name[..e.Name.LastIndexOf('/')], StringComparer.Ordinal))[dataset];

    /// <summary>The snapshots of <paramref name="dataset"/>, oldest (lowest createtxg) first.</summary>
    public IEnumerable<ZfsEntry> SnapshotsOf(string dataset)
        => (_snapshots ??= Entries.Where(e => e.IsSnapshot).ToLookup(e => e.Dataset, StringComparer.Ordinal))[dataset].OrderBy(e => e.CreateTxg);

    /// <summary>The filesystems cloned from <paramref name="snapshot"/> (origin = it).</summary>
    public IEnumerable<ZfsEntry> ClonesOf(string snapshot)
        => (_clones ??= Entries.Where(e => !e.IsSnapshot && e.Origin != null).ToLookup(e => e.Origin!, StringComparer.Ordinal))[snapshot];

    /// <summary>Datasets from the pool down to <paramref name="dataset"/> that do not exist yet, topmost first.</summary>
    public List<string> MissingAncestry(string dataset)
    {
        var missing = new List<string>();
        var p = dataset;
        while (!Exists(p))
        {
            missing.Insert(0, p);
            int slash = p.LastIndexOf('/');
            if (slash < 0) break;
            p = p[..slash];
        }
        return missing;
    }
}
