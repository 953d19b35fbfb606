using System.Globalization;
using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>id(1).</summary>
public static class IdTool
{
    /// <summary>id -u: the effective uid.</summary>
    public static ProcessRequest EffectiveUid() => new(ToolPaths.Id, new[] { "-u" });

    /// <summary>The output of <see cref="EffectiveUid"/>: a decimal number on one line; null when it is not one.</summary>
    public static int? ParseUid(string stdout)
        => int.TryParse(stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
