using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

/// <summary>Details of jaillex.l and load_config() beyond the reference tables.</summary>
public class JailConfLexerEvalDetailTests
{
    private static string E(string text, MemorySource? src = null, string file = "/tmp/t.conf") => JailConfEvalTests.E(text, "|", src, file);
    private static IReadOnlyList<string> Errors(string text, MemorySource? src = null, string file = "/tmp/t.conf") => JailConfEvalTests.Errors(text, src, file);

    private static ConfJail Jail(string text, string name)
    {
        var r = JailConf.LoadText(text, "/tmp/t.conf", new MemorySource());
        Assert.True(r.Success, string.Join("\n", r.Errors.Select(e => e.Message)));
        return r.Jails.Single(j => j.Name == name);
    }

    [Theory]
    [InlineData("\"\\101\\x42\\x4a\"", "ABJ")]          // octal, hex, two hex digits
    [InlineData("\"a\\tb\"", "a\tb")]
    [InlineData("\"a\\qb\"", "aqb")]                      // any other \c is c
    [InlineData("\"a\\x\"", "a")]                         // \x without digits is NUL: the C string ends there
    [InlineData("\"a\\0b\"'c'", "ac")]                    // NUL cuts its own piece only
    [InlineData("a+b", "a+b")]                            // + alone is a token character
    [InlineData("\"cost $\"", "cost $")]                  // a lone $ is literal
    [InlineData("\"\\$name\"", "$name")]                  // escaped $ does not expand
    [InlineData("'\\\\'", "\\")]
    [InlineData("\"a\"b'c'\"d\"", "abcd")]
    public void Values(string written, string expected)
    {
        var j = Jail("j { v = " + written + "; }", "j");
        Assert.Equal(expected, j.Find("v")!.Value);
    }

    [Fact]
    public void PlusEqualsIsLongestMatch()
        => Assert.Equal("name=j|a=b,c\n", E("j { a = b; a+=c; }"));

    [Fact]
    public void VariableInsideDoubleQuotesSplitsTheString()
    {
        Assert.Equal("name=j|v=\"x j y\"\n", E("j { v = \"x $name y\"; }"));
        Assert.Equal("name=j|v=j.example|w=j-j\n", E("j { v = \"${name}.example\"; w = $name-$name; }"));
    }

    [Fact]
    public void DottedVariableNeedsBraces()
        => Assert.Equal("name=j|host.hostname=h|v=h/x\n", E("j { host.hostname = h; v = \"${host.hostname}/x\"; }"));

    [Fact]
    public void CarriageReturnIsWhitespace()
        => Assert.Equal("name=j|persist\n", E("j {\r\n\tpersist;\r\n}\r\n"));

    [Fact]
    public void ControlCharacterIsASyntaxError()
        => Assert.Equal(new[] { "/tmp/t.conf line 1: \u0001: syntax error" }, Errors("j { \u0001 }"));

    [Fact]
    public void NulByteReadsAsEndOfInput()
        => Assert.Equal(new[] { "/tmp/t.conf: unexpected EOF" }, Errors("j { \0 }"));

    [Fact]
    public void UnterminatedVariable()
        => Assert.Equal(new[] { "/tmp/t.conf line 1: unterminated variable", "/tmp/t.conf line 2: }: syntax error" }, Errors("j { v = ${abc\n}\n"));

    [Fact]
    public void UnterminatedSingleQuote()
        => Assert.Equal("/tmp/t.conf line 2: unterminated string", Errors("x = 1;\ny = 'abc\n")[0]);

    [Fact]
    public void DiagnosticCarriesColumnAndText()
    {
        var r = JailConf.LoadText("web {\n  path = /a//b;\n  persist;\n}\n", "/etc/jail.conf", new MemorySource());
        var d = Assert.Single(r.Errors);
        Assert.Equal("/etc/jail.conf line 3: persist: syntax error", d.Message);
        Assert.Equal(3, d.Line);
        Assert.Equal(3, d.Column);
        Assert.Equal("persist", d.Text);
        Assert.Equal("/etc/jail.conf", d.File);
    }

    [Fact]
    public void MultiLineTokenReportsItsLastLine()
        => Assert.Equal(new[] { "/tmp/t.conf line 3: \"a\nb\": syntax error" }, Errors("x = 1\n\"a\nb\";\n"));

    [Fact]
    public void StrayAndEmptyStatements()
        => Assert.Equal("name=j|persist\n", E(";; j { ; persist;; } ;"));

    [Fact]
    public void QuotedNames()
        => Assert.Equal("name=\"my jail\"|exec.start=x\n", E("\"my jail\" { \"exec.start\" = x; }"));

    [Fact]
    public void VariableNameAsBlockIsSyntaxError()
        => Assert.Equal(new[] { "/tmp/t.conf line 1: {: syntax error" }, Errors("$x { }"));

    // ------------------------------------------------------------- variables

    [Fact]
    public void VariableLoop()
    {
        var j = Jail("j { $a = \"$b\"; $b = \"$a\"; v = $a; }", "j");
        Assert.Contains("j: a: variable loop", j.Errors);
    }

    [Fact]
    public void ArrayVariableSplicesAsList()
    {
        Assert.Equal("name=j|depend=a,b,c\n", E("j { $l = a, b; depend = $l, c; }"));
        var j = Jail("j { $l = a, b; v = \"x$l\"; }", "j");
        Assert.Equal(new[] { "j: v: array cannot be substituted inline" }, j.Errors);
    }

    [Fact]
    public void ReferencedParameterWithVariablesMovesAhead()
        => Assert.Equal("name=j|host.hostname=j.example|path=/j/j.example\n",
            E("j { path = \"/j/${host.hostname}\"; host.hostname = \"$name.example\"; }"));

    [Fact]
    public void VariableCannotShadowParameter()
    {
        Assert.Equal(new[] { "j: variable \"$path\" cannot have the same name as a parameter." }, Jail("j { $path = x; }", "j").Errors);
        Assert.Equal(new[] { "j: variable \"$foo\" cannot have the same name as a parameter." }, Jail("j { foo = 1; $foo = 2; }", "j").Errors);
    }

    [Fact]
    public void ValuelessReferenceIsNotFound()
        => Assert.Equal(new[] { "j: v: variable \"persist\" not found" }, Jail("j { persist; v = $persist; }", "j").Errors);

    [Fact]
    public void FailedJailIsStillPrinted()
        => Assert.Equal("name=j|v=/x\n", E("j { v = \"/x$nope\"; }"));

    // ------------------------------------------------------------- merge

    [Fact]
    public void NoPrefixOnInnerComponent()
        => Assert.Equal("name=j|allow.mount.nodevfs\n", E("j { allow.mount.devfs; allow.mount.nodevfs; }"));

    [Fact]
    public void NamedBlockRedefiningNameFromWildcard()
        => Assert.Equal(new[] { "j: cannot redefine parameter \"name\"." }, Jail("\"*\" { name = x; } j { }", "j").Errors);

    [Fact]
    public void JidIsImmutableOnceSet()
        => Assert.Equal(new[] { "j: cannot redefine parameter \"jid\"." }, Jail("j { jid = 3; jid = 4; }", "j").Errors);

    [Fact]
    public void WildcardInsideBlock()
        => Assert.Equal("name=a\nname=a.b|x\n", E("a { * { x; } b { } }"));

    [Fact]
    public void DuplicateBlocksAreSeparateJails()
        => Assert.Equal("name=a|x=1\nname=a|y=2\n", E("a { x = 1; } a { y = 2; }"));

    [Fact]
    public void SourcesPointAtTheLastAssignment()
    {
        var j = Jail("path = /g;\nj {\n  path = /own;\n  ip4.addr = 10.0.0.1;\n  ip4.addr += 10.0.0.2;\n}\n", "j");
        Assert.Equal(("/tmp/t.conf", 3), (j.Find("path")!.File, j.Find("path")!.Line));
        Assert.Equal(5, j.Find("ip4.addr")!.Line);
        Assert.Equal(("/tmp/t.conf", 2), (j.File, j.Line));
    }

    // ------------------------------------------------------------- includes

    [Fact]
    public void GlobMatchesAreReadSorted()
    {
        var src = new MemorySource().Add("/etc/d/b.conf", "b { }").Add("/etc/d/a.conf", "a { }").Add("/etc/d/c.txt", "c { }");
        Assert.Equal("name=a\nname=b\n", E(".include \"/etc/d/*.conf\";", src, "/etc/jail.conf"));
    }

    [Fact]
    public void ErrorInIncludedFileStopsEverything()
    {
        var src = new MemorySource().Add("/etc/bad.conf", "x = ;\n").Add("/etc/ok.conf", "ok { }");
        var r = JailConf.LoadText("a { }\n.include \"bad.conf\";\nb = ;\n.include \"ok.conf\";\n", "/etc/jail.conf", src);
        Assert.Equal(new[] { "/etc/bad.conf line 1: ;: syntax error" }, r.Errors.Select(e => e.Message));
        Assert.DoesNotContain("/etc/ok.conf", r.Files);
    }

    [Fact]
    public void ErrorsBeforeAnIncludeComeFirst()
    {
        var src = new MemorySource().Add("/etc/bad.conf", "y = ;\n");
        var r = JailConf.LoadText("x = ;\n.include \"bad.conf\";\n", "/etc/jail.conf", src);
        Assert.Equal(new[] { "/etc/jail.conf line 1: ;: syntax error", "/etc/bad.conf line 1: ;: syntax error" }, r.Errors.Select(e => e.Message));
    }

    [Fact]
    public void IncludeInsideIncludedBlockNests()
    {
        var src = new MemorySource().Add("/etc/a.conf", "inner { .include \"b.conf\"; }").Add("/etc/b.conf", "leaf { x; }");
        Assert.Equal("name=outer\nname=outer.inner\nname=outer.inner.leaf|x\n", E("outer { .include \"a.conf\"; }", src, "/etc/jail.conf"));
    }

    [Fact]
    public void MissingTopFile()
    {
        var r = JailConf.Load("/etc/jail.conf", new MemorySource());
        Assert.Equal("/etc/jail.conf: No such file or directory", Assert.Single(r.Errors).Message);
    }

    [Fact]
    public void LoadReadsThroughTheSource()
    {
        var src = new MemorySource().Add("/etc/jail.conf", "path = \"/j/$name\";\n.include \"jail.conf.d/*.conf\";\n")
            .Add("/etc/jail.conf.d/web.conf", "web { persist; }\n");
        var r = JailConf.Load("/etc/jail.conf", src);
        Assert.Equal(new[] { "/etc/jail.conf", "/etc/jail.conf.d/web.conf" }, r.Files);
        var web = Assert.Single(r.Jails);
        Assert.Equal(("/etc/jail.conf.d/web.conf", 1), (web.File, web.Line));
        Assert.Equal("/j/web", web.Find("path")!.Value);
        Assert.Equal("/etc/jail.conf", web.Find("path")!.File);
    }
}
