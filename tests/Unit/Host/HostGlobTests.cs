using JailsModule.Host;
using Xunit;

namespace JailsModule.Tests.Host;

/// <summary>The module's own glob(3) for jail.conf's .include (Host/HostGlob), on real folders through LocalHost.</summary>
public sealed class HostGlobTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "jm-glob-" + Guid.NewGuid().ToString("N")[..8]);

    public HostGlobTests()
    {
        foreach (var d in new[] { "etc/jail.conf.d", "etc/jail.conf.d/sub.conf", "etc/other", "etc/jail.d" })
            Directory.CreateDirectory(Path.Combine(_root, d));
        foreach (var f in new[] { "etc/jail.conf.d/a.conf", "etc/jail.conf.d/b.conf", "etc/jail.conf.d/.hidden.conf", "etc/jail.conf.d/c.conf.bak",
                     "etc/jail.conf.d/[x].conf", "etc/jail.conf.d/*.conf", "etc/jail.d/web.conf", "etc/other/web.conf" })
            File.WriteAllText(Path.Combine(_root, f), "");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private IReadOnlyList<string> Expand(string pattern)
        => HostGlob.Expand(new LocalHost(), _root + pattern).Select(p => p[_root.Length..]).ToList();

    [Theory]
    [InlineData("a.conf", "*.conf", true)]
    [InlineData("a.conf.bak", "*.conf", false)]
    [InlineData(".hidden.conf", "*.conf", false)]      // a leading period is matched only explicitly
    [InlineData(".hidden.conf", ".*.conf", true)]
    [InlineData(".hidden.conf", "?hidden.conf", false)]
    [InlineData(".hidden.conf", "[.]hidden.conf", false)]
    [InlineData("a.conf", "?.conf", true)]
    [InlineData("ab.conf", "?.conf", false)]
    [InlineData("b.conf", "[a-c].conf", true)]
    [InlineData("d.conf", "[a-c].conf", false)]
    [InlineData("d.conf", "[!a-c].conf", true)]
    [InlineData("b.conf", "[!a-c].conf", false)]
    [InlineData("^.conf", "[^a].conf", true)]           // glob(3) negates with '!' only: '^' is a member
    [InlineData("]", "[]]", true)]                      // a ']' first in a set is a member
    [InlineData("x", "[!]]", true)]
    [InlineData("[x", "[x", true)]                      // an unclosed '[' is an ordinary character
    [InlineData("*.conf", "\\*.conf", true)]           // a backslash quotes
    [InlineData("a.conf", "\\*.conf", false)]
    [InlineData("-", "[a\\-z]", true)]
    [InlineData("", "*", true)]
    [InlineData("abc", "a*b*c", true)]
    [InlineData("abxc", "a*b?c", true)]
    [InlineData("abc", "a*b?c", false)]
    public void MatchesAsGlob3Does(string name, string pattern, bool expected)
        => Assert.Equal(expected, HostGlob.IsMatch(name, pattern));

    [Theory]
    [InlineData("*.conf", true)]
    [InlineData("a?", true)]
    [InlineData("[ab]", true)]
    [InlineData("\\*.conf", false)]
    [InlineData("plain.conf", false)]
    public void KnowsMagic(string component, bool magic) => Assert.Equal(magic, HostGlob.HasMagic(component));

    [Fact]
    public void ExpandsComponentsSortedAndSkipsDotFiles()
    {
        Assert.Equal(new[] { "/etc/jail.conf.d/*.conf", "/etc/jail.conf.d/[x].conf", "/etc/jail.conf.d/a.conf", "/etc/jail.conf.d/b.conf", "/etc/jail.conf.d/sub.conf" },
            Expand("/etc/jail.conf.d/*.conf"));
        Assert.Equal(new[] { "/etc/jail.d/web.conf", "/etc/other/web.conf" }, Expand("/etc/*/web.conf"));
        Assert.Equal(new[] { "/etc/jail.conf.d/*.conf" }, Expand("/etc/jail.conf.d/\\*.conf"));
        Assert.Equal(new[] { "/etc/jail.conf.d/[x].conf" }, Expand("/etc/jail.conf.d/\\[x].conf"));
        Assert.Equal(new[] { "/etc/jail.conf.d/.hidden.conf" }, Expand("/etc/jail.conf.d/.*.conf"));
        Assert.Equal(new[] { "/etc/jail.d/web.conf" }, Expand("//etc//jail.d/w*.conf"));
    }

    [Fact]
    public void NoMatchIsAnEmptyList()
    {
        Assert.Empty(Expand("/etc/jail.conf.d/*.none"));
        Assert.Empty(Expand("/missing/*.conf"));
        Assert.Empty(Expand("/etc/jail.conf.d/a.conf/*")); // a file is no folder to look into
    }
}
