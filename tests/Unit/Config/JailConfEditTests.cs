using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JailsModule.Config;
using JailsModule.Services;
using Xunit;

namespace JailsModule.Tests.Config;

public class JailConfEditTests
{
    [Fact]
    public void SetRewritesFirstAndDropsLaterAssignments()
    {
        var d = JailConfDocument.Parse("j {\n\tip4.addr = 10.0.0.1;\n\t# keep\n\tip4.addr += 10.0.0.2;\n\tpersist;\n}\n", "/x");
        d.SetParameter("j", "ip4.addr", new[] { "10.0.0.9" });
        Assert.Equal("j {\n\tip4.addr = 10.0.0.9;\n\t# keep\n\tpersist;\n}\n", d.ToString());
    }

    [Fact]
    public void SetReplacesTheNoForm()
    {
        var d = JailConfDocument.Parse("j {\n\tallow.nomount;\n}\n", "/x");
        d.SetParameter("j", "allow.mount", null);
        Assert.Equal("j {\n\tallow.mount;\n}\n", d.ToString());
        d.SetParameter("j", "allow.mount", new[] { "false" });
        Assert.Equal("j {\n\tallow.mount = false;\n}\n", d.ToString());
    }

    [Fact]
    public void TopLevelInsertGoesBeforeTheFirstJail()
    {
        var d = JailConfDocument.Parse("# header\n\nweb {\n\tpersist;\n}\n", "/x");
        d.SetParameter(null, "mount.devfs", null);
        Assert.Equal("# header\n\nmount.devfs;\n\nweb {\n\tpersist;\n}\n", d.ToString());
        d.SetParameter(null, "exec.clean", null);
        Assert.Equal("# header\n\nmount.devfs;\nexec.clean;\n\nweb {\n\tpersist;\n}\n", d.ToString());
        Assert.Equal("name=web|mount.devfs|exec.clean|persist\n", JailConfEvalTests.E(d.ToString()));
    }

    [Fact]
    public void KeepsCrLf()
    {
        var d = JailConfDocument.Parse("web {\r\n\tpersist;\r\n}\r\n", "/x");
        d.SetParameter("web", "vnet", new[] { "new" });
        Assert.Equal("web {\r\n\tpersist;\r\n\tvnet = new;\r\n}\r\n", d.ToString());
    }

    [Fact]
    public void AddJailToTextWithoutFinalNewline()
    {
        var d = JailConfDocument.Parse("a { }", "/x");
        d.AddJail("b");
        Assert.Equal("a { }\n\nb {\n}\n", d.ToString());
        d.AddJail("c.d");
        Assert.Equal(new[] { "a", "b", "c.d" }, d.JailNames);
        Assert.Throws<InvalidOperationException>(() => d.AddJail("b"));
    }

    [Fact]
    public void NestedBlocksAreAddressedByFullName()
    {
        var d = JailConfDocument.Parse("a {\n\tb {\n\t\tx = 1;\n\t}\n}\n", "/x");
        Assert.Equal(new[] { "a", "a.b" }, d.JailNames);
        d.SetParameter("a.b", "y", new[] { "2" });
        Assert.Equal("a {\n\tb {\n\t\tx = 1;\n\t\ty = 2;\n\t}\n}\n", d.ToString());
    }

    [Fact]
    public void WildcardNamesAreQuoted()
    {
        var d = JailConfDocument.Empty("/x");
        d.AddJail("web.*");
        d.SetParameter("web.*", "allow.raw_sockets", null);
        Assert.Equal("\"web.*\" {\n\tallow.raw_sockets;\n}\n", d.ToString());
    }

    [Fact]
    public void UnknownJailAndMissingParameter()
    {
        var d = JailConfDocument.Parse("a { }\n", "/x");
        Assert.Throws<InvalidOperationException>(() => d.SetParameter("zz", "x", null));
        Assert.False(d.RemoveParameter("a", "x"));
        Assert.Equal("a { }\n", d.ToString());
    }

    [Fact]
    public void RemoveStatementSharingALine()
    {
        var d = JailConfDocument.Parse("a { x = 1; y = 2; }\n", "/x");
        Assert.True(d.RemoveParameter("a", "x"));
        Assert.Equal("a { y = 2; }\n", d.ToString());
    }

    [Theory]
    [InlineData("web", "web")]
    [InlineData("web.*", "\"web.*\"")]
    [InlineData("*", "*")]
    [InlineData("my jail", "\"my jail\"")]
    [InlineData("a/b", "\"a/b\"")]
    [InlineData("$x", "'$x'")]
    public void QuoteName(string name, string expected) => Assert.Equal(expected, JailConfWriter.QuoteName(name));

    [Fact]
    public void QuoteRefusesNul() => Assert.Throws<ArgumentException>(() => JailConfWriter.Quote("a\0b"));

    [Fact]
    public void ServiceValuesAndDiff()
    {
        Assert.Null(JailConfigService.ToValues(true));
        Assert.Equal(new[] { "false" }, JailConfigService.ToValues(false));
        Assert.Equal(new[] { "3" }, JailConfigService.ToValues(3));
        Assert.Equal(new[] { "1.5" }, JailConfigService.ToValues(1.5));
        Assert.Equal(new[] { "a", "b" }, JailConfigService.ToValues(new object[] { "a", "b" }));
        Assert.Throws<ArgumentException>(() => JailConfigService.ToValues(null));
        Assert.Equal("--- /f\n+++ /f\n@@ line 2 @@\n-b\n+B\n+c", JailConfigService.Diff("/f", "a\nb\nz\n", "a\nB\nc\nz\n"));
    }

    // Property: a random file (jails, comments, blank lines) keeps every original line, in order, after setting a
    // new parameter in one of its jails; exactly one line is added and the value evaluates as written.
    private static Arbitrary<(string Text, string Jail, string Value)> Files()
    {
        var comment = Gen.Elements("# note", "// c", "/* block */", "", "   ", "\t# tab comment");
        var stmt = Gen.Elements("persist;", "path = \"/j/$name\";", "ip4.addr = 10.0.0.1;", "allow.nomount;", "exec.start = '/bin/sh /etc/rc';");
        var line = Gen.OneOf(comment, stmt.Select(s => "\t" + s));
        var block = Gen.Elements("web", "db", "mail", "j1").Zip(line.ListOf(), (n, ls) => (n, ls));
        var blocks = block.NonEmptyListOf().Select(bs => bs.GroupBy(b => b.n).Select(g => g.First()).ToList());
        var value = Gen.Elements("v", "a b", "it's", "$x", "/p//q", "#", "\"q\"", "x;y", "");
        return blocks.Zip(comment.ListOf(), (bs, head) => (bs, head)).Zip(value, (t, v) =>
        {
            var text = string.Join("\n", t.head) + (t.head.Count > 0 ? "\n" : "") +
                       string.Concat(t.bs.Select(b => b.n + " {\n" + string.Concat(b.ls.Select(l => l + "\n")) + "}\n"));
            return (text, t.bs[^1].n, v);
        }).ToArbitrary();
    }

    [Property(MaxTest = 300)]
    public Property SettingANewParameterAddsOneLineAndKeepsTheRest()
        => Prop.ForAll(Files(), f =>
        {
            var d = JailConfDocument.Parse(f.Text, "/x");
            d.SetParameter(f.Jail, "fuzz.new", new[] { f.Value });
            var before = f.Text.Split('\n');
            var after = d.ToString().Split('\n');
            if (after.Length != before.Length + 1) return false;
            int extra = 0;
            for (int i = 0, k = 0; i < after.Length; i++)
            {
                if (k < before.Length && after[i] == before[k]) { k++; continue; }
                extra++;
            }
            var r = JailConf.LoadText(d.ToString(), "/x", new MemorySource());
            var j = r.Jails.First(x => x.Name == f.Jail);
            return extra == 1 && j.Find("fuzz.new")?.Value == f.Value;
        });
}
