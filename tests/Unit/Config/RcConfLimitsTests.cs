using System.Text;
using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

public sealed class RcConfLimitsTests
{
    [Fact]
    public void DoublingAssignments_StopAtTheValueLimit_OtherVariablesStillRead()
    {
        // a=x; a="$a$a" sixty times: 2^60 characters if expanded without a limit.
        var sb = new StringBuilder("jail_enable=\"YES\"\na=x\n");
        for (int i = 0; i < 60; i++) sb.Append("a=\"$a$a\"\n");
        sb.Append("jail_list=\"web db\"\n");
        var before = GC.GetTotalAllocatedBytes(true);
        var vars = RcConf.Parse(sb.ToString());
        Assert.True(GC.GetTotalAllocatedBytes(true) - before < 256L * 1024 * 1024, "rc.conf evaluation allocated unbounded memory");
        Assert.True(vars["a"].Length <= RcConf.MaxValueLength);
        Assert.Equal("YES", vars["jail_enable"]);
        Assert.Equal("web db", vars["jail_list"]);
    }
}
