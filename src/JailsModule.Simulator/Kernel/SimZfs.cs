namespace JailsModule.Simulation;

/// <summary>A ZFS dataset, snapshot or volume. Pools are the root datasets.</summary>
public sealed class SimDataset
{
    public string Name { get; set; } = "";

    /// <summary>filesystem, snapshot or volume.</summary>
    public string Type { get; set; } = "filesystem";

    /// <summary>Locally set properties (native and user properties); inherited values are computed.</summary>
    public SortedDictionary<string, string> Properties
    {
        get => _properties;
        // state.json gives a dictionary with the default (culture) comparer: keep the ordinal order and lookups.
        set => _properties = value.Comparer == StringComparer.Ordinal ? value : new SortedDictionary<string, string>(value, StringComparer.Ordinal);
    }

    private SortedDictionary<string, string> _properties = new(StringComparer.Ordinal);

    /// <summary>For a clone, the snapshot it was cloned from.</summary>
    public string? Origin { get; set; }

    public bool Mounted { get; set; }
    public long CreationUnix { get; set; }
    public long Used { get; set; }
    public long Referenced { get; set; }
    public long CreateTxg { get; set; }

    /// <summary>The dataset's unique id (zfs get guid); also names its stored data under DIR/zfs-data and DIR/zfs-snapshots.</summary>
    public long Guid { get; set; }

    /// <summary>jid of the jail the dataset is attached to with zfs jail (0 = none).</summary>
    public int AttachedJail { get; set; }
}
