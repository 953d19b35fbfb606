namespace JailsModule.Model;

/// <summary>Distribution sets of one release saved on the host (Save-JailRelease).</summary>
public sealed class JailRelease
{
    public string Release { get; set; } = "";
    public string Arch { get; set; } = "";

    /// <summary>The folder holding the files (MediaPath).</summary>
    public string Path { get; set; } = "";

    /// <summary>Set names saved (base, lib32...).</summary>
    public string[] Sets { get; set; } = Array.Empty<string>();

    /// <summary>The .txz files, in the order of <see cref="Sets"/>.</summary>
    public string[] Files { get; set; } = Array.Empty<string>();

    /// <summary>The MANIFEST the digests were checked against.</summary>
    public string Manifest { get; set; } = "";

    /// <summary>True when every file's SHA-256 matched the MANIFEST.</summary>
    public bool Verified { get; set; }

    public string Mirror { get; set; } = "";
    public string ComputerName { get; set; } = "";

    public override string ToString() => Release;
}

/// <summary>A template: a tree extracted from a release, snapshotted so jails can be cloned from it.</summary>
public sealed class JailTemplate
{
    /// <summary>The template's name (the last component of its dataset, by default the release).</summary>
    public string Name { get; set; } = "";
    public string Release { get; set; } = "";

    /// <summary>The dataset (ZFS storage), or null for a folder template.</summary>
    public string? Dataset { get; set; }
    public string Path { get; set; } = "";

    /// <summary>The newest snapshot (DATASET@NAME) new jails are cloned from.</summary>
    public string? Snapshot { get; set; }

    /// <summary>Every snapshot, oldest first.</summary>
    public string[] Snapshots { get; set; } = Array.Empty<string>();

    /// <summary>What freebsd-version -u reports for the tree (14.3-RELEASE-p2), when known.</summary>
    public string? PatchLevel { get; set; }

    /// <summary>The distribution sets extracted into it (base, lib32...): a thick jail from it gets the same. Templates made before this was recorded say base.</summary>
    public string[] DistributionSet { get; set; } = { "base" };

    /// <summary>Datasets cloned from any of its snapshots.</summary>
    public string[] Clones { get; set; } = Array.Empty<string>();

    /// <summary>UFS (nullfs) templates: the folder of the writable parts each thin jail copies; null for ZFS.</summary>
    public string? Skeleton { get; set; }

    /// <summary>zfs, or ufs for a folder template (NullFS thin jails).</summary>
    public string Storage { get; set; } = "zfs";
    public string? Uuid { get; set; }
    public string ComputerName { get; set; } = "";

    public override string ToString() => Name;
}
