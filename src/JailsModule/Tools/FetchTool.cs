using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>fetch(1) (reference §13).</summary>
public static class FetchTool
{
    /// <summary>fetch -o FILE URL.</summary>
    public static ProcessRequest Fetch(string url, string output) => new(ToolPaths.Fetch, new[] { "-o", output, url });
}
