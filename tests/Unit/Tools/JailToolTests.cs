using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Tools;

/// <summary>jail(8)'s output: the jid -i prints.</summary>
public sealed class JailToolTests
{
    [Theory]
    [InlineData("3\n", 3)]
    [InlineData("Starting jail web: \n12\n", 12)] // exec.start output comes first; the jid is the last line
    [InlineData("  7  \n\n", 7)]
    [InlineData("", null)]
    [InlineData("jail: web: already exists\n", null)]
    [InlineData("+5\n", null)]
    public void JidIsTheLastLineOfJailI(string stdout, int? jid) => Assert.Equal(jid, JailTool.ParseJid(stdout));
}
