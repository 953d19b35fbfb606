using System.Text.RegularExpressions;
using Xunit;

namespace JailsModule.Tests.Tools;

/// <summary>
/// Tools own argv and parsing; one place runs a command. Read from the sources: a command line is built
/// only in Tools/ (and Host/, which runs them), a process is started only through Host/, and only
/// Host/CommandRunner turns a failed command into a NativeCommandException. The simulator
/// (Simulation/) is a host of its own and is left out.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Files still waiting to be switched to CommandRunner (another change reworks them): empty this list as they are.</summary>
    private static readonly string[] Pending = Array.Empty<string>();

    private static string SourceRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var src = Path.Combine(d.FullName, "src", "JailsModule");
            if (Directory.Exists(src)) return src;
        }
        throw new DirectoryNotFoundException("src/JailsModule not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<(string Rel, string Line)> Lines(Func<string, bool> skipFile)
    {
        var root = SourceRoot();
        foreach (var f in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, f).Replace('\\', '/');
            if (rel.StartsWith("Simulation/", StringComparison.Ordinal) || rel.StartsWith("obj/", StringComparison.Ordinal) || rel.StartsWith("bin/", StringComparison.Ordinal) || skipFile(rel)) continue;
            foreach (var line in File.ReadLines(f))
                if (!line.TrimStart().StartsWith("//", StringComparison.Ordinal)) yield return (rel, line);
        }
    }

    [Fact]
    public void OnlyToolsBuildCommandLines()
    {
        var build = new Regex(@"new\s+ProcessRequest\s*\(|new\s*\(\s*ToolPaths\.");
        var outside = Lines(rel => rel.StartsWith("Tools/", StringComparison.Ordinal) || rel.StartsWith("Host/", StringComparison.Ordinal))
            .Where(l => build.IsMatch(l.Line)).Select(l => $"{l.Rel}: {l.Line.Trim()}").ToList();
        Assert.Empty(outside);
    }

    [Fact]
    public void OnlyTheHostRunsProcessesAndOnlyCommandRunnerThrowsForAFailure()
    {
        var run = new Regex(@"\.RunAsync\s*\(");
        var runs = Lines(rel => rel.StartsWith("Host/", StringComparison.Ordinal) || Pending.Contains(rel))
            .Where(l => run.IsMatch(l.Line)).Select(l => $"{l.Rel}: {l.Line.Trim()}").ToList();
        Assert.Empty(runs);
        var @throw = new Regex(@"new\s+NativeCommandException\s*\(");
        var throws = Lines(rel => rel == "Host/CommandRunner.cs" || Pending.Contains(rel))
            .Where(l => @throw.IsMatch(l.Line)).Select(l => $"{l.Rel}: {l.Line.Trim()}").ToList();
        Assert.Empty(throws);
    }

    [Fact]
    public void TheRulesSeeTheSources()
    {
        // Guards the two tests above against passing on an empty tree.
        Assert.Contains(Lines(_ => false), l => l.Rel == "Host/CommandRunner.cs" && l.Line.Contains("new NativeCommandException(", StringComparison.Ordinal));
        Assert.Contains(Lines(_ => false), l => l.Rel == "Tools/ZfsTool.cs" && l.Line.Contains("new(ToolPaths.Zfs", StringComparison.Ordinal));
    }
}
