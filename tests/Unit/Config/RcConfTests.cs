using JailsModule.Config;
using JailsModule.Services;
using JailsModule.Simulation;
using JailsModule.Simulation.Tools;
using JailsModule.Tests.Simulation;
using Xunit;

namespace JailsModule.Tests.Config;

/// <summary>rc.conf as sh sources it: the assignments rc.d/jail reads (jail_conf, jail_NAME_conf).</summary>
public sealed class RcConfTests
{
    private static Dictionary<string, string> P(string text) => RcConf.Parse(text);

    [Fact]
    public void QuotesCommentsAndTheLastAssignmentWin()
    {
        var v = P("# comment\njail_enable=\"YES\"  # trailing\njail_conf='/usr/local/etc/jail.conf'\nhostname=bsd1\njail_enable=NO\n\n");
        Assert.Equal("NO", v["jail_enable"]);
        Assert.Equal("/usr/local/etc/jail.conf", v["jail_conf"]);
        Assert.Equal("bsd1", v["hostname"]);
        Assert.Equal(3, v.Count);
    }

    [Fact]
    public void PartsJoinAndEscapesAndExpansionsWorkAsInSh()
    {
        var v = P("base=/usr/local\nj=\"${base}/jails\"'/$x'z\nd=${none:-/etc/jail.conf} e=${base-x}\nq=\"a \\\"b\\\" \\$c\"\nu=a\\ b\nh=a#b\nw=\"two\nlines\"\n");
        Assert.Equal("/usr/local/jails/$xz", v["j"]);
        Assert.Equal("/etc/jail.conf", v["d"]);
        Assert.Equal("/usr/local", v["e"]);
        Assert.Equal("a \"b\" $c", v["q"]);
        Assert.Equal("a b", v["u"]);
        Assert.Equal("a#b", v["h"]); // '#' starts a comment only at the start of a word
        Assert.Equal("two\nlines", v["w"]);
    }

    [Fact]
    public void CommandsAndBrokenLinesSetNothing()
    {
        var v = P("if [ -f /x ]; then\n  a=1\nfi\nPAGER=cat freebsd-update fetch\nc=3; d=4\n. /etc/rc.conf.local\n");
        Assert.Equal("1", v["a"]); // inside an if: sh would decide; an assignment line stays an assignment
        Assert.False(v.ContainsKey("PAGER"));
        Assert.Equal("3", v["c"]);
        Assert.Equal("4", v["d"]);
    }

    [Fact]
    public void ExportAndReadonlyAssignTheirArguments()
    {
        // Special builtins: "export name=value" sets name in the shell that sources the file (sh(1)).
        var v = P("export jail_enable=YES\nreadonly jail_list=\"a b\"\nexport PATH\n");
        Assert.Equal("YES", v["jail_enable"]);
        Assert.Equal("a b", v["jail_list"]);
        Assert.False(v.ContainsKey("PATH"));
    }

    [Fact]
    public void AnUnclosedQuoteEndsTheFileAsShDoes()
    {
        // The quote runs to the end of the text, so "c=3; d=4" is inside it: sh stops the sourced file with
        // "Syntax error: Unterminated quoted string" (bin/sh/parser.c readtoken1), and assigns nothing more.
        var v = P("a=1\nb='unclosed\nc=3; d=4\n");
        Assert.Equal("1", v["a"]);
        Assert.False(v.ContainsKey("b"));
        Assert.False(v.ContainsKey("c"));
        Assert.False(v.ContainsKey("d"));
    }

    [Theory]
    [InlineData("web", "web", "web")]
    [InlineData("web-1", "web-1", "web_1")]
    [InlineData("a.b", "a_b", "a_b")]
    [InlineData("x/y.z", "x_y_z", "x_y_z")]
    public void JailNamesMapAsRcDJailMapsThem(string name, string j, string jv)
    {
        Assert.Equal(j, RcJailConf.J(name));
        Assert.Equal(jv, RcJailConf.Jv(name));
    }

    [Fact]
    public void JailConfAndPerJailFilesComeFromTheVariables()
    {
        var rc = RcJailConf.From(P("jail_conf=/usr/local/etc/jail.conf\njail_web_1_conf=/srv/web.conf\njail_db_conf=relative.conf\njail_flags=-v\n"));
        Assert.Equal("/usr/local/etc/jail.conf", rc.MainConfig);
        Assert.Equal("/srv/web.conf", rc.PerJailFile("web-1"));
        Assert.Null(rc.PerJailFile("db")); // rc.d would test a relative name against its working directory: not ours to guess
        Assert.Single(rc.PerJail);
        Assert.Equal(RcJailConf.DefaultMainConfig, RcJailConf.From(new Dictionary<string, string>()).MainConfig);
    }
}

/// <summary>The module reads rc.conf files as rc.subr's load_rc_config does, on a simulated host.</summary>
public sealed class RcConfHostTests : SimHostTestBase
{
    [Fact]
    public void DefaultsThenRcConfThenRcConfLocal()
    {
        Write("/etc/rc.conf", "jail_conf=\"/a.conf\"\njail_web_conf=/w1.conf\n");
        Write("/etc/rc.conf.local", "jail_web_conf=/w2.conf\n");
        var v = RcConf.Read(Host);
        Assert.Equal("/a.conf", v["jail_conf"]);
        Assert.Equal("/w2.conf", v["jail_web_conf"]);
        Assert.Equal("NO", v["jail_enable"]); // from /etc/defaults/rc.conf
    }

    [Fact]
    public void RcConfFilesOfTheDefaultsDecideWhatIsRead()
    {
        var defaults = Read(RcConf.Defaults).Replace("rc_conf_files=\"/etc/rc.conf /etc/rc.conf.local\"", "rc_conf_files=\"/etc/rc.conf /etc/rc.conf.site\"");
        Write(RcConf.Defaults, defaults);
        Write("/etc/rc.conf.local", "jail_conf=/ignored.conf\n");
        Write("/etc/rc.conf.site", "jail_conf=/site.conf\n");
        Assert.Equal("/site.conf", RcConf.Read(Host)["jail_conf"]);
    }

    [Fact]
    public void AServiceAlsoReadsItsRcConfDFilesAfterRcConf()
    {
        Write("/etc/rc.conf", "jail_conf=/a.conf\njail_list=web\n");
        Write("/etc/rc.conf.d/jail", "jail_conf=/b.conf\n");
        Host.CreateDirectory("/usr/local/etc/rc.conf.d/jail");
        Write("/usr/local/etc/rc.conf.d/jail/1", "jail_list=\"$jail_list db\"\n");
        Write("/usr/local/etc/rc.conf.d/jail/2", "jail_conf=/c.conf\n");
        var jail = RcConf.Read(Host, "jail");
        Assert.Equal("/c.conf", jail["jail_conf"]);
        Assert.Equal("web db", jail["jail_list"]);
        Assert.Equal("/a.conf", RcConf.Read(Host)["jail_conf"]); // without a service: rc.conf only
        Assert.Equal("/a.conf", RcConf.Read(Host, "sshd")["jail_conf"]);
    }

    [Fact]
    public void WithoutDefaultsOnlyRcConfIsRead()
    {
        Host.DeleteFile(RcConf.Defaults);
        Write("/etc/rc.conf", "jail_conf=/a.conf\n");
        Write("/etc/rc.conf.local", "jail_conf=/ignored.conf\n");
        Assert.Equal("/a.conf", RcConf.Read(Host)["jail_conf"]);
        Assert.False(RcConf.Read(Host).ContainsKey("jail_enable"));
    }

    [Fact]
    public void ExpandedValuesReachTheModuleAndTheSimulatedServiceAlike()
    {
        Write("/etc/rc.conf", "jails=/usr/local/etc/jails\njail_web_conf=\"${jails}/web.conf\"\n");
        Host.CreateDirectory("/usr/local/etc/jails");
        Write("/usr/local/etc/jails/web.conf", "web { path = /jails/web; persist; }\n");
        var ctx = new SimContext(Host.ReadState(), Host.Fs, "/usr/sbin/service", null, new Dictionary<string, string>(), CancellationToken.None);
        Assert.Equal("/usr/local/etc/jails/web.conf", SimService.ConfigFor(ctx, "web"));
        Assert.Equal("/usr/local/etc/jails/web.conf", JailInventory.Read(Host, CancellationToken.None).Find("web")?.ConfigPath);
        Assert.Equal("/usr/local/etc/jails/web.conf\n", Run("/usr/sbin/sysrc", "-n", "jail_web_conf").StandardOutput);
    }

    /// <summary>
    /// For every combination of which candidate files exist and whether rc.conf (or rc.conf.d/jail)
    /// names a file for the jail or moves $jail_conf, Get-Jail's ConfigPath is the file the simulated rc.d/jail picks for
    /// "service jail start web" (SimService.ConfigFor), each candidate file defining the jail.
    /// </summary>
    [Fact]
    public void GetJailPicksTheFileServiceJailStartPicks()
    {
        string[] candidates = { "/etc/jail.web.conf", "/etc/jail.conf.d/web.conf", "/etc/jail.conf", "/usr/local/etc/jail.conf", "/srv/jails/web.conf", "/srv/jails/web-d.conf" };
        const string perService = "/usr/local/etc/rc.conf.d/jail/web"; // load_rc_config jail reads the files of this folder last
        int cases = 0;
        for (int mask = 0; mask < 1 << candidates.Length; mask++)
            for (int rcMode = 0; rcMode < 8; rcMode++)
            {
                foreach (var c in candidates)
                    if (Host.FileExists(c)) Host.DeleteFile(c);
                var rc = "";
                if ((rcMode & 1) != 0) rc += "jail_web_conf=\"/srv/jails/web.conf\"\n";
                if ((rcMode & 2) != 0) rc += "jail_conf=\"/usr/local/etc/jail.conf\"\n";
                Write("/etc/rc.conf", rc);
                if ((rcMode & 4) != 0) { Host.CreateDirectory("/usr/local/etc/rc.conf.d/jail"); Write(perService, "jail_web_conf=/srv/jails/web-d.conf\n"); }
                else if (Host.FileExists(perService)) Host.DeleteFile(perService);
                for (int k = 0; k < candidates.Length; k++)
                    if ((mask & (1 << k)) != 0)
                    {
                        Host.CreateDirectory(candidates[k][..candidates[k].LastIndexOf('/')]);
                        Write(candidates[k], "web { path = /jails/web; persist; }\n");
                    }
                var state = Host.ReadState();
                var ctx = new SimContext(state, Host.Fs, "/usr/sbin/service", null, new Dictionary<string, string>(), CancellationToken.None);
                var expected = SimService.ConfigFor(ctx, "web");
                var got = JailInventory.Read(Host, CancellationToken.None).Find("web")?.ConfigPath;
                if (expected is null)
                {
                    // rc.d would ignore web; the module still lists it from a file it read (or not at all).
                    Assert.True(got is null || candidates.Contains(got), $"mask {mask} rc {rcMode}: {got}");
                }
                else Assert.True(expected == got, $"mask {mask} rc {rcMode}: service picks {expected}, Get-Jail {got}");
                cases++;
            }
        Assert.Equal(512, cases);
    }
}
