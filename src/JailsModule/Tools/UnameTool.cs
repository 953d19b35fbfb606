using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>uname(1).</summary>
public static class UnameTool
{
    /// <summary>uname -m: the machine (hardware platform: amd64, arm64...).</summary>
    public static ProcessRequest Machine() => new(ToolPaths.Uname, new[] { "-m" });

    /// <summary>The output of <see cref="Machine"/>: its one line.</summary>
    public static string ParseMachine(string stdout) => stdout.Trim();
}
