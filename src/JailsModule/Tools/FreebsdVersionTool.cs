namespace JailsModule.Tools;

/// <summary>freebsd-version(1), read as the script it is: a tree's version without running anything in it.</summary>
public static class FreebsdVersionTool
{
    /// <summary>Where a tree keeps it.</summary>
    public static string ScriptPath(string root) => (root == "/" ? "" : root) + "/bin/freebsd-version";

    /// <summary>The release the script reports with -u (its USERLAND_VERSION line); null when it has none.</summary>
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
}
