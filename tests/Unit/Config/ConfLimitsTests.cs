using System.Text;
using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

/// <summary>Issue 10 item 7: hostile jail.conf files end in an error naming the file, never a crash or unbounded memory.</summary>
public class ConfLimitsTests
{
    private static string Nested(int depth)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < depth; i++) sb.Append("j").Append(i).Append(" {\n");
        sb.Append("x = 1;\n");
        for (int i = 0; i < depth; i++) sb.Append("}\n");
        return sb.ToString();
    }

    [Fact]
    public void HundredThousandNestedBlocks_AreAnErrorNamingTheFile_NotAStackOverflow()
    {
        // Run on a small thread stack so a recursive walk would overflow at once (a stack overflow kills the test host).
        ConfLoadResult? r = null;
        var t = new Thread(() => r = JailConf.LoadText(Nested(100_000), "/etc/jail.conf.d/deep.conf", new MemorySource()), 256 * 1024);
        t.Start();
        t.Join();
        Assert.NotNull(r);
        Assert.False(r!.Success);
        var e = Assert.Single(r.Errors);
        Assert.Equal("/etc/jail.conf.d/deep.conf", e.File);
        Assert.Contains("/etc/jail.conf.d/deep.conf", e.Message);
        Assert.Contains($"{ConfParser.MaxBlockDepth}", e.Message);
    }

    [Fact]
    public void NestingUpToTheLimit_StillWorks()
    {
        var r = JailConf.LoadText(Nested(ConfParser.MaxBlockDepth), "/tmp/t.conf", new MemorySource());
        Assert.True(r.Success, string.Join("\n", r.Errors.Select(e => e.Message)));
        Assert.Equal(ConfParser.MaxBlockDepth, r.Jails.Count);
        Assert.Equal(ConfParser.MaxBlockDepth, r.Jails[^1].Name.Split('.').Length);
        Assert.False(JailConf.LoadText(Nested(ConfParser.MaxBlockDepth + 1), "/tmp/t.conf", new MemorySource()).Success);
    }

    [Fact]
    public void NestingLimit_CountsAcrossIncludes()
    {
        // .include inside a block continues its nesting (parent/prefix): the limit holds over the whole chain.
        var src = new MemorySource().Add("/tmp/inner.conf", Nested(ConfParser.MaxBlockDepth));
        var r = JailConf.LoadText("outer {\n.include \"/tmp/inner.conf\";\n}\n", "/tmp/t.conf", src);
        Assert.False(r.Success);
        Assert.Contains(r.Errors, e => e.File == "/tmp/inner.conf" && e.Message.Contains("nested"));
    }

    [Fact]
    public void DoublingVariables_StopAtTheExpansionLimit_WithAnErrorForThatJail()
    {
        // 934 bytes: $v0 = x; $v1 = "$v0$v0"; ... each doubles: 2^60 characters unbounded.
        var sb = new StringBuilder("bomb {\n$v0 = x;\n");
        for (int i = 1; i <= 60; i++) sb.Append($"$v{i} = \"$v{i - 1}$v{i - 1}\";\n");
        sb.Append("host.hostname = \"$v60\";\n}\ngood { host.hostname = ok; }\n");
        var before = GC.GetTotalAllocatedBytes(true);
        var r = JailConf.LoadText(sb.ToString(), "/etc/jail.conf.d/bomb.conf", new MemorySource());
        Assert.True(GC.GetTotalAllocatedBytes(true) - before < 512L * 1024 * 1024, "evaluation allocated unbounded memory");
        var bomb = r.Jails.Single(j => j.Name == "bomb");
        Assert.Contains(bomb.Errors, e => e.Contains("longer than"));
        var good = r.Jails.Single(j => j.Name == "good");
        Assert.Empty(good.Errors);
        Assert.Equal("ok", good.Find("host.hostname")!.Value);
    }

    [Fact]
    public void DoublingArrays_StopAtTheExpansionLimit()
    {
        // Whole-value array references copy every element: $a1 = $a0, $a0 doubles the element count.
        var sb = new StringBuilder("bomb {\n$a0 = xxxxxxxxxxxxxxxx;\n");
        for (int i = 1; i <= 40; i++) sb.Append($"$a{i} = $a{i - 1}, $a{i - 1};\n");
        sb.Append("exec.start = $a40;\n}\n");
        var before = GC.GetTotalAllocatedBytes(true);
        var r = JailConf.LoadText(sb.ToString(), "/tmp/t.conf", new MemorySource());
        Assert.True(GC.GetTotalAllocatedBytes(true) - before < 1024L * 1024 * 1024, "evaluation allocated unbounded memory");
        Assert.Contains(r.Jails.Single().Errors, e => e.Contains("longer than"));
    }

    [Fact]
    public void OrdinaryExpansion_IsUnchanged()
    {
        var r = JailConf.LoadText("$d = /jails; web { path = \"$d/$name\"; $big = \"" + new string('a', 100_000) + "\"; exec.start = \"$big$big\"; }", "/tmp/t.conf", new MemorySource());
        Assert.True(r.Success);
        var web = r.Jails.Single();
        Assert.Empty(web.Errors);
        Assert.Equal("/jails/web", web.Find("path")!.Value);
        Assert.Equal(200_000, web.Find("exec.start")!.Value!.Length);
    }
}
