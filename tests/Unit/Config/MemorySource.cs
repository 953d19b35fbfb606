using JailsModule.Config;
using JailsModule.Simulation;

namespace JailsModule.Tests.Config;

/// <summary>An in-memory file tree for the config engine.</summary>
public sealed class MemorySource : IConfFileSource
{
    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public MemorySource Add(string path, string text) { Files[path] = text; return this; }

    public bool FileExists(string path) => Files.ContainsKey(path);

    public string ReadAllText(string path)
        => Files.TryGetValue(path, out var t) ? t : throw new FileNotFoundException(path);

    public IReadOnlyList<string> Glob(string pattern)
    {
        var parts = pattern.Split('/');
        return Files.Keys
            .Where(f =>
            {
                var fp = f.Split('/');
                if (fp.Length != parts.Length) return false;
                for (int i = 0; i < fp.Length; i++)
                {
                    if (fp[i].StartsWith('.') && !parts[i].StartsWith('.')) return false;
                    if (!SimGlob.IsMatch(fp[i], parts[i])) return false;
                }
                return true;
            })
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
    }
}
