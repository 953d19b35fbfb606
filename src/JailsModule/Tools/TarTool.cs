using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>tar(1) (bsdtar, reference §13).</summary>
public static class TarTool
{
    /// <summary>tar -xf ARCHIVE -C DIR --unlink, as the Handbook extracts base.txz.</summary>
    public static ProcessRequest Extract(string archive, string directory) => new(ToolPaths.Tar, new[] { "-xf", archive, "-C", directory, "--unlink" });
}
