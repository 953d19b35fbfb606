using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

/// <summary>Every row of reference §2.7, §15 (1–11) and §16 (1–7), checked against what jail -e / jail(8) print.</summary>
public class JailConfGoldenTests
{
    private static string E(string text, string sep = "|", MemorySource? src = null, string file = "/tmp/t.conf")
        => JailConfEvalTests.E(text, sep, src, file);

    private static IReadOnlyList<string> Errors(string text, MemorySource? src = null, string file = "/tmp/t.conf")
        => JailConfEvalTests.Errors(text, src, file);

    private static ConfJail One(string text, string file = "/tmp/t.conf")
    {
        var r = JailConf.LoadText(text, file, new MemorySource());
        Assert.True(r.Success, string.Join("\n", r.Errors.Select(e => e.Message)));
        return Assert.Single(r.Jails);
    }

    // ---------------------------------------------------------------- §2.7

    [Fact] public void T27_UnquotedVariableExpands() => Assert.Equal("name=web|path=/jails/web\n", E("web { path = /jails/$name; }"));
    [Fact] public void T27_SingleQuotesStayLiteral() => Assert.Equal("name=web|path=/jails/$name\n", E("web { path = '/jails/$name'; }"));

    [Fact]
    public void T27_SimpleVariableStopsAtDot()
    {
        Assert.Equal("name=web|host.hostname=web.example\n", E("web { $host = web; host.hostname = \"$host.example\"; }"));
        var j = One("web { host.hostname = \"$host.example\"; }");
        Assert.Equal(new[] { "web: host.hostname: variable \"host\" not found" }, j.Errors);
    }

    [Fact] public void T27_AdjacentPiecesConcatenate() => Assert.Equal("name=j|x=abc\n", E("j { x = \"a\"'b'c; }"));

    [Fact]
    public void T27_WhitespaceBetweenStringsIsSyntaxError()
        => Assert.Equal(new[] { "/tmp/t.conf line 1: 'b': syntax error" }, Errors("x = \"a\" 'b';"));

    [Fact]
    public void T27_MissingSemicolonBeforeComment()
        => Assert.Equal(new[] { "/tmp/t.conf line 3: }: syntax error" }, Errors("j {\nexec.start = \"/bin/sh /etc/rc\"  // comment\n}\n"));

    [Fact]
    public void T27_DoubleSlashStartsComment()
        => Assert.Equal(new[] { "/tmp/t.conf line 2: }: syntax error" }, Errors("j { path = /a//b;\n}\n"));

    [Fact] public void T27_EscapesInSingleQuotes() => Assert.Equal("name=j|x=\"it's\"\n", E("j { x = 'it\\'s'; }"));
    [Fact] public void T27_BackslashNewlineInQuotes() => Assert.Equal("name=j|x=line1line2\n", E("j { x = \"line1\\\nline2\"; }"));

    [Fact]
    public void T27_NoPrefixIsOneParameter()
    {
        Assert.Equal("name=j|allow.nomount\n", E("j { allow.mount; allow.nomount; }"));
        Assert.False(JailParameterValues.IsTrue(One("j { allow.mount; allow.nomount; }").Find("allow.mount")!));
    }

    [Fact] public void T27_PlusEqualsBuildsList() => Assert.Equal("name=j|ip4.addr=10.0.0.1,10.0.0.2\n", E("j { ip4.addr = 10.0.0.1; ip4.addr += 10.0.0.2; }"));

    [Fact]
    public void T27_VariableNotSentToKernel()
        => Assert.Equal("name=web|path=/jails/web\n", E("$d = /jails; path = \"$d/$name\"; web { }"));

    [Fact] public void T27_NestedBlocks() => Assert.Equal("name=a\nname=a.b|persist\n", E("a { b { persist; } }"));

    [Fact]
    public void T27_ZeroIsFalse()
    {
        var j = One("j { mount.devfs = 0; }");
        Assert.False(JailParameterValues.IsTrue(j.Find("mount.devfs")!));
    }

    [Fact]
    public void T27_RelativeIncludeGlobMayMatchNothing()
    {
        var src = new MemorySource();
        Assert.Equal("name=a\n", E("a { }\n.include \"jail.d/*.conf\";\n", src: src, file: "/etc/jail.conf"));
        src.Add("/etc/jail.d/b.conf", "b { persist; }\n");
        Assert.Equal("name=a\nname=b|persist\n", E("a { }\n.include \"jail.d/*.conf\";\n", src: src, file: "/etc/jail.conf"));
    }

    // ---------------------------------------------------------------- §15

    [Fact]
    public void S15_1_HashInWordIsComment()
    {
        Assert.Equal("name=j|x=a\n", E("j { x = a#b;\n; }"));
        Assert.Equal(new[] { "/tmp/t.conf: unexpected EOF" }, Errors("j { x = a#b; }\n"));
        Assert.Equal("name=j|x=http://x\n", E("j { x = \"http://x\"; }"));
    }

    [Fact]
    public void S15_2_BackslashNewlineEverywhere()
    {
        Assert.Equal("name=j|x=a\\\\b\n", E("j { x = 'a\\\\b'; }"));
        Assert.Equal("name=j|x=ab\n", E("j { x = a\\\nb; }"));
    }

    [Fact]
    public void S15_3_Concatenation()
    {
        Assert.Equal("name=j|x=abc\n", E("j { x = \"a\"'b'c; }"));
        Assert.Equal(new[] { "/tmp/t.conf line 1: \"b\": syntax error" }, Errors("j { x = \"a\" \"b\"; }"));
    }

    [Fact] public void S15_4_EqualsOptional() => Assert.Equal("name=j|host.hostname=x\n", E("j { host.hostname \"x\"; }"));

    [Fact]
    public void S15_5_VariablesReferToParameters()
    {
        Assert.Equal("name=j|host.hostname=h|path=/j/h\n", E("j { host.hostname = h; path = \"/j/${host.hostname}\"; }"));
        // per jail, after the merge: the global path expands differently in each jail
        Assert.Equal("name=a|path=/j/a\nname=b|path=/j/b\n", E("path = \"/j/$name\"; a { } b { }"));
    }

    [Fact]
    public void S15_6_Booleans()
    {
        Assert.True(JailParameterValues.IsTrue(One("j { persist; }").Find("persist")!));
        Assert.False(JailParameterValues.IsTrue(One("j { nopersist; }").Find("persist")!));
        Assert.True(JailParameterValues.IsTrue(One("j { nopersist = false; }").Find("persist")!));
        Assert.False(JailParameterValues.IsTrue(One("j { persist = 0; }").Find("persist")!));
        Assert.True(JailParameterValues.IsTrue(One("j { persist = TRUE; }").Find("persist")!));
    }

    [Fact]
    public void S15_7_JailNameIsOneToken()
    {
        Assert.Equal(new[] { "/tmp/t.conf line 1: \"bar\": syntax error" }, Errors("foo\"bar\" { }"));
        Assert.Equal(new[] { "/tmp/t.conf line 1: *: syntax error" }, Errors("foo.* { persist; }"));
        Assert.Equal("name=foo.a|persist\n", E("\"foo.*\" { persist; } foo.a { }"));
    }

    [Fact]
    public void S15_8_NameIsImmutable()
    {
        var j = One("web { name = other; }");
        Assert.Equal(new[] { "web: cannot redefine parameter \"name\"." }, j.Errors);
        Assert.Equal("name=x\n", E("5 { name = x; }"));
        Assert.Equal("name=web\n", E("web { jid = 7; }"));
        Assert.Equal("7", One("web { jid = 7; }").Find("jid")!.Value);
    }

    [Fact]
    public void S15_9_PositionalPrecedence()
    {
        Assert.Equal("name=a|x=1\n", E("* { x = 0; } a { x = 1; }"));
        Assert.Equal("name=a|x=2\n", E("a { x = 1; } * { x = 2; }"));
        Assert.Equal("name=a|x=2|z=3\nname=b|x=2|z=3|y=1\n", E("a { x = 1; } x = 2; b { y = 1; } z = 3;"));
    }

    [Fact]
    public void S15_10_IncludeRules()
    {
        var src = new MemorySource().Add("/etc/sub/x.conf", "x { persist; }\n");
        Assert.Equal("name=x|persist\n", E(".include \"sub/x.conf\";", src: src, file: "/etc/jail.conf"));
        Assert.Equal(new[] { "/etc/sub/missing.conf: No such file or directory" }, Errors(".include \"sub/missing.conf\";", src, "/etc/jail.conf"));
        var loop = new MemorySource().Add("/etc/loop.conf", ".include \"loop.conf\";\n");
        var r = JailConf.Load("/etc/loop.conf", loop);
        Assert.Equal("maximum include depth exceeded", Assert.Single(r.Errors).Message);
        Assert.Equal(33, r.Files.Count);
    }

    [Fact]
    public void S15_11_JailESkipsJidAndDoesNotEscapeSeparator()
    {
        Assert.Equal("persist|name=5\n", E("5 { persist; }"));
        Assert.Equal("name=j|x=a|b\n", E("j { x = \"a|b\"; }"));
        Assert.Equal("name=j|x=a,b\nname=k|x=a,b\n", E("j { x = \"a,b\"; } k { x = a, b; }"));
        Assert.Equal("name=j  x=\"a b\"\n", E("j { x = \"a b\"; }", "  "));
    }

    // ---------------------------------------------------------------- §16

    [Fact]
    public void S16_1_BackslashAlwaysEscaped()
    {
        Assert.Equal("name=j|v=back\\\\slash\n", E("j { v = \"back\\\\slash\"; }"));
        Assert.Equal("name=j|v='say \"x\"'\n", E("j { v = 'say \"x\"'; }"));
        Assert.Equal("name=j|v=\"it's \\\\\"\n", E("j { v = \"it's \\\\\"; }"));
        Assert.Equal("name=j|v=\"a\\\"'\"\n", E("j { v = \"a\\\"'\"; }"));
    }

    [Fact]
    public void S16_2_DigitNames()
    {
        Assert.Equal("path=/j/7|name=7\n", E("7 { path = \"/j/${name}\"; }"));
        Assert.Equal("x=1|name=web7\n", E("7 { x = 1; name = web7; }"));
    }

    [Fact]
    public void S16_3_OneGlobalRecord()
        => Assert.Equal("name=a|x=2|z=3\nname=b|x=2|z=3|y=1\n", E("a { x = 1; } x = 2; b { y = 1; } z = 3;"));

    [Fact]
    public void S16_4_IncludeForms()
    {
        var src = new MemorySource().Add("/etc/x.conf", "persist;\ninc { y = 1; }\n").Add("/etc/y.conf", "w { }\n");
        Assert.Equal("name=outer|persist\nname=outer.inc|y=1\n", E("outer { .include \"x.conf\"; }", src: src, file: "/etc/jail.conf"));
        Assert.Equal("name=inc|persist|y=1\nname=w|persist\n",
            E(".include \"x.conf\", \"y.conf\";", src: src, file: "/etc/jail.conf"));
        Assert.Equal("name=j|.include=f\n", E("j { .include = \"f\"; }"));
        Assert.Equal(new[] { "/etc/jail.conf line 1: variables not permitted in '.include' filename" },
            Errors(".include \"$x.conf\";", src, "/etc/jail.conf"));
    }

    [Fact]
    public void S16_5_WildcardsAreWholeComponents()
    {
        Assert.Equal("name=web*|a=1\nname=webx\n", E("\"web*\" { a = 1; } webx { }"));
        Assert.Equal("name=foo\nname=foo.bar|w\nname=foo.bar.baz|w\n", E("\"foo.*\" { w; } foo { } foo.bar { } foo.bar.baz { }"));
        Assert.Equal("name=a.bar|w\nname=a.b.bar\n", E("\"*.bar\" { w; } a.bar { } a.b.bar { }"));
        Assert.Equal("name=foo.x.baz|w\nname=foo.x.y.baz\n", E("\"foo.*.baz\" { w; } foo.x.baz { } foo.x.y.baz { }"));
    }

    [Fact]
    public void S16_6_BackslashNewlineOutsideQuotes()
    {
        Assert.Equal(new[] { "/tmp/t.conf line 2: b: syntax error" }, Errors("j { x = a,\\\n b; }"));
        Assert.Equal("name=j|host.hostname=lc.example\n", E("j { host.hostname = lc.\\\nexample; }"));
    }

    [Fact]
    public void S16_7_ErrorsContinue()
    {
        Assert.Equal(new[] { "/tmp/t.conf line 1: unterminated string", "/tmp/t.conf line 2: {: syntax error" },
            Errors("x = \"abc\ny {\n}\n"));
        Assert.Equal(new[] { "/tmp/t.conf line 3: unterminated comment" }, Errors("a { }\n/* open\n"));
    }
}
