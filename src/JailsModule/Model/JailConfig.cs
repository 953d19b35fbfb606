using System.Collections.Specialized;

namespace JailsModule.Model;

/// <summary>
/// A jail as the configuration files define it (what jail -e shows), with where each value comes from.
/// Parameters: name → $true for the valueless form (persist;), a string for one value, a string[] for a list.
/// </summary>
public sealed class JailConfig
{
    public string Name { get; set; } = "";

    /// <summary>The file holding the jail's block.</summary>
    public string Path { get; set; } = "";

    /// <summary>Line of the block in <see cref="Path"/>.</summary>
    public int Line { get; set; }

    /// <summary>The file that was read (jail -f FILE) when the block lives in a file it includes; else equal to Path.</summary>
    public string ConfigFile { get; set; } = "";

    /// <summary>Effective parameters in jail -e order (name first).</summary>
    public OrderedDictionary Parameters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Parameter → "file:line" of the text that last set it.</summary>
    public OrderedDictionary Sources { get; set; } = new(StringComparer.Ordinal);

    /// <summary>What jail(8) would report for this jail only (variable not found...): it would fail to start.</summary>
    public string[] Errors { get; set; } = Array.Empty<string>();

    public string ComputerName { get; set; } = "";

    public override string ToString() => Name;
}
