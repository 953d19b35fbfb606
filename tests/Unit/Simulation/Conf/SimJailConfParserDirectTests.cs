using JailsModule.Simulation.Conf;
using JailsModule.Tests.Config;
using Xunit;

namespace JailsModule.Tests.Simulation.Conf;

/// <summary>The simulator's jail.conf reader on its own, against what usr.sbin/jail's sources do.</summary>
public class SimJailConfParserDirectTests
{
    private static SimConfLoadResult Load(string text, MemorySource? src = null, string file = "/tmp/t.conf")
        => SimJailConfParser.LoadText(text, file, new MemoryFiles(src ?? new MemorySource()));

    private static string E(string text, MemorySource? src = null, string file = "/tmp/t.conf")
    {
        var r = Load(text, src, file);
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return SimJailConfParser.RenderJailE(r.Jails, "|");
    }

    [Fact]
    public void NestedBlocksNameChildrenAfterTheirParent()
    {
        Assert.Equal("name=a|x=1\nname=a.b|y=2\nname=a.b.c\n", E("a { x = 1; b { y = 2; c { } } }"));
        // A wildcard block inside a jail applies to that jail's children only.
        Assert.Equal("name=a\nname=a.b|w\n", E("a { * { w; } b { } }"));
    }

    [Fact]
    public void PlusEqualsOnTheWildcardAppendsToEachJail()
    {
        Assert.Equal("name=a|ip4.addr=10.0.0.1,10.0.0.9\nname=b|ip4.addr=10.0.0.9\n",
            E("a { ip4.addr = 10.0.0.1; } * { ip4.addr += 10.0.0.9; } b { }"));
        // Before the jail, the jail's own '=' replaces what the wildcard gave.
        Assert.Equal("name=a|ip4.addr=10.0.0.1\n", E("* { ip4.addr += 10.0.0.9; } a { ip4.addr = 10.0.0.1; }"));
    }

    [Fact]
    public void VariablesExpandPerJailAndArraysSplice()
    {
        Assert.Equal("name=a|path=/j/a|host.hostname=a.lan\nname=b|path=/j/b|host.hostname=b.lan\n",
            E("$root = /j; path = \"$root/$name\"; host.hostname = \"${name}.lan\"; a { } b { }"));
        Assert.Equal("name=j|ip4.addr=10.0.0.1,10.0.0.2\n", E("$ips = 10.0.0.1, 10.0.0.2; j { ip4.addr = $ips; }"));
        var r = Load("$ips = a, b; j { x = \"p$ips\"; }");
        Assert.Equal(new[] { "j: x: array cannot be substituted inline" }, r.Jails.Single().Errors);
    }

    [Fact]
    public void VariableErrorsFailOnlyTheirJail()
    {
        var r = Load("a { x = $nope; } b { $l = \"$m\"; $m = \"$l\"; y = $l; } c { }");
        Assert.True(r.Success);
        Assert.Equal(new[] { "a: x: variable \"nope\" not found" }, r.Jails[0].Errors);
        Assert.Equal(new[] { "b: l: variable loop" }, r.Jails[1].Errors);
        Assert.Empty(r.Jails[2].Errors);
        Assert.Equal(r.Jails[0].Errors.Concat(r.Jails[1].Errors), r.Warnings);
    }

    [Fact]
    public void NameIsImmutableAndVariablesMayNotShadowParameters()
    {
        Assert.Equal(new[] { "web: cannot redefine parameter \"name\"." }, Load("web { name = x; }").Jails.Single().Errors);
        Assert.Equal(new[] { "j: variable \"$path\" cannot have the same name as a parameter." }, Load("$path = x; j { }").Jails.Single().Errors);
        Assert.Equal("persist|name=5\n", E("5 { persist; }"));
    }

    [Fact]
    public void IncludesGlobRelativeAndNested()
    {
        var src = new MemorySource()
            .Add("/etc/jail.conf.d/b.conf", "b { }\n")
            .Add("/etc/jail.conf.d/a.conf", "a { persist; }\n")
            .Add("/etc/x.conf", "q = 1; inc { }\n");
        Assert.Equal("name=a|persist\nname=b\n", E(".include \"jail.conf.d/*.conf\";", src, "/etc/jail.conf"));
        Assert.Equal("name=outer|q=1\nname=outer.inc\n", E("outer { .include \"x.conf\"; }", src, "/etc/jail.conf"));
        Assert.Equal(new[] { "/etc/nope.conf: No such file or directory" }, Load(".include \"nope.conf\";", src, "/etc/jail.conf").Errors);
        Assert.Equal(new[] { "/etc/jail.conf line 2: variables not permitted in '.include' filename" },
            Load("\n.include \"$x.conf\";", src, "/etc/jail.conf").Errors);
        src.Add("/etc/loop.conf", ".include \"loop.conf\";\n");
        Assert.Equal(new[] { "maximum include depth exceeded" }, Load(".include \"loop.conf\";", src, "/etc/jail.conf").Errors);
    }

    [Fact]
    public void SyntaxErrorsUseJailsFormat()
    {
        Assert.Equal(new[] { "/tmp/t.conf line 2: }: syntax error" }, Load("j { x = 1\n}\n").Errors);
        Assert.Equal(new[] { "/tmp/t.conf: unexpected EOF" }, Load("j { x = 1;").Errors);
        Assert.Equal(new[] { "/tmp/t.conf line 1: unterminated string", "/tmp/t.conf line 2: {: syntax error" }, Load("x = \"abc\ny {\n}\n").Errors);
        Assert.Equal(new[] { "/tmp/t.conf line 3: unterminated comment" }, Load("a { }\n/* open\n").Errors);
        Assert.Equal(new[] { "STDIN line 1: \"bar\": syntax error" }, SimJailConfParser.LoadText("foo\"bar\" { }", "STDIN", new MemoryFiles(new MemorySource())).Errors);
        // bison's recovery: after an error, the next one is reported only after three tokens were shifted.
        Assert.Equal(new[] { "/tmp/t.conf line 1: ;: syntax error", "/tmp/t.conf line 3: d: syntax error" },
            Load("a = ;\nx;\ny c d;\n").Errors);
        Assert.Equal(new[] { "/tmp/t.conf line 1: ;: syntax error" }, Load("a = ;\n= ;\n").Errors);
    }

    [Fact]
    public void AnEscapedNulEndsTheValueAsACStringDoes()
        => Assert.Equal("name=j|x=A\n", E("j { x = \"\\101\\0z\"; }"));

    [Fact]
    public void EqualOptsFollowsJailC()
    {
        Assert.True(SimJailConfParser.EqualOpts("allow.mount", "allow.nomount"));
        Assert.True(SimJailConfParser.EqualOpts("a.b.noc", "a.b.c"));
        Assert.False(SimJailConfParser.EqualOpts("allow.mount", "allow.mount.zfs"));
        Assert.True(SimJailConfParser.WildMatch("foo.bar.baz", "foo.*"));
        Assert.False(SimJailConfParser.WildMatch("foo", "foo.*"));
        Assert.False(SimJailConfParser.IsWildName("web*"));
    }
}
