using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>sha256(1) (reference §13).</summary>
public static class Sha256Tool
{
    /// <summary>sha256 -q FILE: only the digest.</summary>
    public static ProcessRequest Digest(string file) => new(ToolPaths.Sha256, new[] { "-q", file });

    /// <summary>The output of <see cref="Digest"/>: the hex digest, lower case.</summary>
    public static string ParseDigest(string stdout) => stdout.Trim().ToLowerInvariant();
}
