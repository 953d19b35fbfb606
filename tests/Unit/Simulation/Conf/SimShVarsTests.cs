using JailsModule.Config;
using JailsModule.Simulation.Conf;
using Xunit;

namespace JailsModule.Tests.Simulation.Conf;

/// <summary>
/// The simulator's rc.conf evaluator (Simulation/Conf/SimShVars, written from sh(1)) against the module's
/// (Config/RcConf): the same variables from the same text, and direct checks of what sh does.
/// </summary>
public class SimShVarsTests
{
    private static Dictionary<string, string> Sim(string text) => SimShVars.Source(text);

    public static IEnumerable<object[]> Texts() => new[]
    {
        "# comment\njail_enable=\"YES\"  # trailing\njail_conf='/usr/local/etc/jail.conf'\nhostname=bsd1\njail_enable=NO\n\n",
        "base=/usr/local\nj=\"${base}/jails\"'/$x'z\nd=${none:-/etc/jail.conf} e=${base-x}\nq=\"a \\\"b\\\" \\$c\"\nu=a\\ b\nh=a#b\nw=\"two\nlines\"\n",
        "if [ -f /x ]; then\n  a=1\nfi\nPAGER=cat freebsd-update fetch\nc=3; d=4\n. /etc/rc.conf.local\n",
        "jails=/usr/local/etc/jails\njail_web_conf=\"${jails}/web.conf\"\n",
        "a=1 b=$a c=\"$a$b\"\n", "x=\"\"\ny=''\nz=\n", "v=\"tab\there\"\n", "a=1;b=2 ; c=3\n",
        "e=${unset-dflt} f=${empty:-dflt}\nempty=\ng=${empty-dflt} h=${empty:-dflt}\n",
        "p='it'\\''s'\n", "q=\"back\\\\slash\" r=back\\\\slash\n", "cont=\"one\\\ntwo\"\n", "s=a\\\nb\n",
        "rc_conf_files=\"/etc/rc.conf /etc/rc.conf.local\"\nlocal_startup=\"/usr/local/etc/rc.d\"\t# startup script dirs.\n",
        "jail_list=\"web db\"\njail_web_flags=\"-l -U root\"\n", "  indented=yes\n\tt=tab\n",
        "1bad=x\ngood_1=y\n", "a=1\nb='unclosed\nc=3; d=4\n", "a=1\nb=\"open\nc=3\n", "export jail_enable=YES\nreadonly jail_list=\"a b\"\nexport PATH\nx=1\n", "name =x\nname2= x\nok=1\n", "a=$\nb=\"$\"\nc=${x}y\n",
    }.Select(t => new object[] { t });

    [Theory]
    [MemberData(nameof(Texts))]
    public void ModuleAndSimulatorReadTheSameVariables(string text)
    {
        var module = RcConf.Parse(text);
        var sim = Sim(text);
        Assert.Equal(module.OrderBy(k => k.Key, StringComparer.Ordinal), sim.OrderBy(k => k.Key, StringComparer.Ordinal));
        Assert.NotEmpty(sim);
    }

    [Fact]
    public void QuotesEscapesAndExpansionsAsShDoesThem()
    {
        var v = Sim("base=/usr/local\nj=\"${base}/jails\"'/$x'z\nq=\"a \\\"b\\\" \\$c \\n\"\nu=a\\ b\nh=a#b # comment\nw=\"two\nlines\"\n");
        Assert.Equal("/usr/local/jails/$xz", v["j"]);
        Assert.Equal("a \"b\" $c \\n", v["q"]); // in double quotes a backslash escapes only $ ` " \ and newline
        Assert.Equal("a b", v["u"]);
        Assert.Equal("a#b", v["h"]);
        Assert.Equal("two\nlines", v["w"]);
        Assert.Equal("a\tb'c", Sim("c=$'a\\tb\\'c'\n")["c"]); // FreeBSD sh's $'...'
    }

    [Fact]
    public void ParameterExpansionForms()
    {
        var v = Sim("p=/usr/local/etc/rc.d\nd=${p%/rc.d} n=${#p} s=${p##*/} f=${p#/usr}\nu=${unset:+x}${p:+set} a=${new:=assigned}\n");
        Assert.Equal("/usr/local/etc", v["d"]);
        Assert.Equal("19", v["n"]);
        Assert.Equal("rc.d", v["s"]);
        Assert.Equal("/local/etc/rc.d", v["f"]);
        Assert.Equal("set", v["u"]);
        Assert.Equal("assigned", v["a"]);
        Assert.Equal("assigned", v["new"]);
    }

    [Fact]
    public void CommandsSetNothingButSpecialBuiltinsKeepTheirAssignments()
    {
        var v = Sim("PAGER=cat freebsd-update fetch\nx=1 | y=2\nz=$(hostname)\nexport e=1\nk=2 :\nf() { inner=1; }\ng()\n{\n  inner2=1\n}\nafter=1\n");
        Assert.False(v.ContainsKey("PAGER"));
        Assert.False(v.ContainsKey("y"));
        Assert.False(v.ContainsKey("z")); // a command substitution is a command the simulator does not run
        Assert.Equal("1", v["e"]);
        Assert.Equal("2", v["k"]);
        Assert.False(v.ContainsKey("inner"));
        Assert.False(v.ContainsKey("inner2"));
        Assert.Equal("1", v["after"]);
    }

    [Fact]
    public void AnUnterminatedQuoteEndsTheFileAsShsSyntaxErrorDoes()
    {
        // The quote runs to the end of the file, so c and d are inside it; sh stops the sourced file there.
        var v = Sim("a=1\nb='unclosed\nc=3; d=4\n");
        Assert.Equal("1", v["a"]);
        Assert.False(v.ContainsKey("b"));
        Assert.False(v.ContainsKey("c"));
        Assert.False(v.ContainsKey("d"));
    }

    [Fact]
    public void ServiceConfDirsFollowLoadRcConfig()
    {
        var dirs = SimShVars.ServiceConfDirs(new Dictionary<string, string> { ["local_startup"] = "/usr/local/etc/rc.d /opt/rc.d /srv/x" });
        Assert.Equal(new[] { "/etc", "/usr/local/etc", "/opt", "/srv/x" }, dirs);
    }
}
