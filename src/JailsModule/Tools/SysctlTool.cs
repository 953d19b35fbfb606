using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>sysctl(8) for single values (the host probe reads many at once through <see cref="HostProbeTool"/>).</summary>
public static class SysctlTool
{
    /// <summary>sysctl -n OID: the value alone; an unknown OID exits 1 ("sysctl: unknown oid").</summary>
    public static ProcessRequest Value(string oid) => new(ToolPaths.Sysctl, new[] { "-n", oid });

    /// <summary>The output of <see cref="Value"/>.</summary>
    public static string ParseValue(string stdout) => stdout.Trim();
}
