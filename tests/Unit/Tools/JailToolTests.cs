using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Tools;

/// <summary>
/// The jid of a started jail. jail -i prints it right after creation, before exec.start's output
/// (usr.sbin/jail/command.c, reference §17.3), so its last stdout line is not the jid: rc.d/jail and the
/// module read it back with "jls -j NAME jid", whose output is parsed here.
/// </summary>
public sealed class JailToolTests
{
    [Theory]
    [InlineData("3\n", 3)]
    [InlineData("  7  \n\n", 7)]
    [InlineData("12\nStarting jail web: \n", null)] // jail -i's output is no jid source
    [InlineData("", null)]
    [InlineData("jls: jail \"web\" not found\n", null)]
    [InlineData("+5\n", null)]
    public void JidIsWhatJlsJidPrints(string stdout, int? jid) => Assert.Equal(jid, JlsTool.ParseJid(stdout));

    [Fact]
    public void JidArgv() => Assert.Equal("/usr/sbin/jls -j web jid", JlsTool.Jid("web").DisplayText);
}
