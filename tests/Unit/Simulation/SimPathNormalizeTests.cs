using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>SimFileSystem.Normalize returns an already normal path as is (fast path) and agrees with the segment walk everywhere.</summary>
public sealed class SimPathNormalizeTests
{
    private static readonly string[] Segments = { "a", "bc", ".", "..", "", "x.y", "...", ".hidden", "..b" };

    /// <summary>The reference: split on '/', drop empty and ".", ".." pops, join.</summary>
    private static string Reference(string path)
    {
        var parts = new List<string>();
        foreach (var seg in path.Split('/'))
        {
            if (seg.Length == 0 || seg == ".") continue;
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(seg);
        }
        return "/" + string.Join('/', parts);
    }

    [Property(MaxTest = 2000)]
    public Property AgreesWithTheSegmentWalk()
        => Prop.ForAll(Gen.ArrayOf(Gen.Elements(Segments)).ToArbitrary(), segs =>
        {
            var path = "/" + string.Join('/', segs);
            return SimFileSystem.Normalize(path) == Reference(path);
        });

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/etc/jail.conf.d/a.conf", "/etc/jail.conf.d/a.conf")]
    [InlineData("/etc//jail.conf", "/etc/jail.conf")]
    [InlineData("/etc/", "/etc")]
    [InlineData("/etc/./x", "/etc/x")]
    [InlineData("/etc/../x", "/x")]
    [InlineData("/etc/..", "/")]
    [InlineData("/etc/.", "/etc")]
    [InlineData("/etc/..x/.y", "/etc/..x/.y")]
    public void Examples(string input, string expected)
    {
        var got = SimFileSystem.Normalize(input);
        Assert.Equal(expected, got);
        if (input == expected) Assert.Same(input, got); // the fast path hands back the same string
    }
}
