using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

public class JailConfDocumentTests
{
    private static string Eval(JailConfDocument d, string sep = "|") => JailConfEvalTests.E(d.ToString(), sep);

    [Fact]
    public void NewFile_HouseStyle()
    {
        var d = JailConfDocument.Empty("/etc/jail.conf.d/web.conf");
        d.AddJail("web");
        d.SetParameter("web", "host.hostname", new[] { "web.example.org" });
        d.SetParameter("web", "path", new[] { "/usr/local/jails/containers/web" });
        d.SetParameter("web", "persist", null);
        Assert.Equal("web {\n\thost.hostname = web.example.org;\n\tpath = /usr/local/jails/containers/web;\n\tpersist;\n}\n", d.ToString());
        Assert.Equal("name=web|host.hostname=web.example.org|path=/usr/local/jails/containers/web|persist\n", Eval(d));
    }

    [Fact]
    public void Set_RewritesOnlyTheStatement_KeepsComments()
    {
        var text = "# head\n\nweb {\n    // keep me\n    host.hostname = 'old';   # trailing\n    persist;\n}\n";
        var d = JailConfDocument.Parse(text, "/etc/jail.conf");
        d.SetParameter("web", "host.hostname", new[] { "new host" });
        Assert.Equal("# head\n\nweb {\n    // keep me\n    host.hostname = \"new host\";   # trailing\n    persist;\n}\n", d.ToString());
        d.SetParameter("web", "allow.raw_sockets", null);
        Assert.Equal("# head\n\nweb {\n    // keep me\n    host.hostname = \"new host\";   # trailing\n    persist;\n    allow.raw_sockets;\n}\n", d.ToString());
        Assert.True(d.RemoveParameter("web", "persist"));
        Assert.Equal("# head\n\nweb {\n    // keep me\n    host.hostname = \"new host\";   # trailing\n    allow.raw_sockets;\n}\n", d.ToString());
    }

    [Fact]
    public void Append_WritesPlusEquals()
    {
        var d = JailConfDocument.Parse("web {\n\tip4.addr = 10.0.0.1;\n\tpersist;\n}\n", "/x.conf");
        d.AppendParameter("web", "ip4.addr", new[] { "10.0.0.2" });
        Assert.Equal("web {\n\tip4.addr = 10.0.0.1;\n\tip4.addr += 10.0.0.2;\n\tpersist;\n}\n", d.ToString());
        Assert.Equal("name=web|ip4.addr=10.0.0.1,10.0.0.2|persist\n", Eval(d));
    }

    [Fact]
    public void RemoveJail_RemovesItsLinesOnly()
    {
        var d = JailConfDocument.Parse("a {\n\tpersist;\n}\n\nb {\n\tpersist;\n}\n\n# tail\n", "/x.conf");
        Assert.True(d.RemoveJail("b"));
        Assert.Equal("a {\n\tpersist;\n}\n\n# tail\n", d.ToString());
        Assert.False(d.RemoveJail("zz"));
    }

    [Fact]
    public void OneLineBlock_StaysOnOneLine()
    {
        var d = JailConfDocument.Parse("bar { exec.start = ''; persist; }\n", "/x.conf");
        d.SetParameter("bar", "path", new[] { "/j/$name" });
        Assert.Equal("bar { exec.start = ''; persist; path = '/j/$name'; }\n", d.ToString());
    }

    [Fact]
    public void Parse_Invalid_Throws_WithDiagnostics()
    {
        var ex = Assert.Throws<JailConfSyntaxException>(() => JailConfDocument.Parse("x = \"a\" 'b';\n", "/etc/jail.conf"));
        Assert.Equal("/etc/jail.conf line 1: 'b': syntax error", ex.Diagnostics[0].Message);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("/usr/local/jails/web")]
    [InlineData("/a//b")]
    [InlineData("/a/*b")]
    [InlineData("http://x")]
    [InlineData("a#b")]
    [InlineData("it's")]
    [InlineData("say \"hi\"")]
    [InlineData("$name and ${x}")]
    [InlineData("back\\slash")]
    [InlineData("")]
    [InlineData("tab\there\nnewline")]
    [InlineData("a,b")]
    [InlineData("a;b")]
    [InlineData("a=b")]
    [InlineData("{}")]
    [InlineData("a+=b")]
    [InlineData("ünïcode")]
    public void Quote_RoundTrips(string value)
    {
        var r = JailConf.LoadText("j { v = " + JailConfWriter.Quote(value) + "; }", "/t", new MemorySource());
        Assert.True(r.Success);
        Assert.Equal(new[] { value }, r.Jails[0].Find("v")!.Values);
    }
}
