using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>jail(8) on the simulated host: the scenarios of usr.sbin/jail/tests (reference §14) and the texts of §1.</summary>
public sealed class SimJailToolTests : SimHostTestBase
{
    private const string JlsHeader = "   JID  IP Address      Hostname                      Path\n";

    [Fact]
    public void Basic_CommandLineCreateListRemoveAndRemoveByJid()
    {
        var c = Jail("-c", "name=basejail", "persist", "ip4.addr=192.0.1.1");
        Assert.Equal(0, c.ExitCode);
        Assert.Equal("", c.StandardOutput); // command-line jails have no name for jail_note: nothing printed
        Assert.Equal(JlsHeader + "     1  192.0.1.1       bsd1.example.org              /\n", Jls().StandardOutput);
        Assert.Equal(0, Jls("-v").ExitCode);
        Assert.Contains(" persist ", Jls("-n").StandardOutput);

        var r = Jail("-r", "basejail");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(JlsHeader, Jls().StandardOutput);

        Assert.Equal(0, Jail("-c", "name=basejail", "persist", "ip4.addr=192.0.1.1").ExitCode);
        var jid = Jls("-j", "basejail", "jid").StandardOutput.Trim();
        Assert.Equal("2", jid);
        Assert.Equal(0, Jail("-r", jid).ExitCode);
        Assert.Empty(State.Jails);
    }

    [Fact]
    public void CreateOrModifyAndRestart()
    {
        Assert.Equal(0, Jail("-cm", "name=basejail", "persist", "host.hostname=one").ExitCode);
        Assert.Equal(0, Jail("-cm", "name=basejail", "persist", "host.hostname=two").ExitCode);
        Assert.Equal("two\n", Jls("-j", "basejail", "host.hostname").StandardOutput);
        Assert.Equal("1\n", Jls("-j", "basejail", "jid").StandardOutput);
        Assert.Equal(0, Jail("-rc", "name=basejail", "persist").ExitCode);
        Assert.Equal("2\n", Jls("-j", "basejail", "jid").StandardOutput);
    }

    [Fact]
    public void Nested_ChildrenMaxIsEnforcedAndJlsWorksInsideTheParent()
    {
        Root("/");
        Assert.Equal(0, Jail("-c", "name=basejail", "persist", "children.max=1").ExitCode);
        var first = Jexec("basejail", "jail", "-c", "name=firstchild", "persist");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal("", first.StandardOutput);
        AssertFails(Jexec("basejail", "jail", "-c", "name=secondchild", "persist"), "jail: prison limit exceeded\n");
        Assert.Contains("basejail.firstchild", State.Jails.Select(j => j.Name));
        Assert.Equal("firstchild\n", Jexec("basejail", "jls", "name").StandardOutput);
        Assert.Equal(0, Jexec("basejail", "jls", "-v").ExitCode);
        Assert.Equal(0, Jexec("basejail", "jls", "-n").ExitCode);

        Assert.Equal(0, Jail("-c", "name=other", "persist").ExitCode);
        AssertFails(Jexec("other", "jail", "-c", "name=x", "persist"), "jail: jail_set: Operation not permitted\n");

        // Removing the parent removes the child.
        Assert.Equal(0, Jail("-r", "basejail").ExitCode);
        Assert.DoesNotContain(State.Jails, j => j.Name.StartsWith("basejail", StringComparison.Ordinal));
    }

    [Fact]
    public void Commands_ConfigHooksRunInOrderWithTheJailEnvironment()
    {
        Root("/jails/basejail");
        Write("/tmp/commands.jail.conf",
            "exec.prestop = \"echo STOP\";\nexec.prestart = \"echo START\";\npersist;\n\nbasejail {\n}\n" +
            "exec.poststart = 'echo JID=$JID JNAME=$JNAME JPATH=$JPATH';\npath = \"/jails/basejail\";\n");
        var c = Jail("-f", "/tmp/commands.jail.conf", "-qc", "basejail");
        Assert.Equal("", c.StandardError);
        Assert.Equal(0, c.ExitCode);
        Assert.Equal("START\nJID=1 JNAME=basejail JPATH=/jails/basejail\n", c.StandardOutput);
        var r = Jail("-f", "/tmp/commands.jail.conf", "-qr", "basejail");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("STOP\n", r.StandardOutput);

        // The same by jid.
        Assert.Equal(0, Jail("-f", "/tmp/commands.jail.conf", "-qc", "basejail").ExitCode);
        var byJid = Jail("-f", "/tmp/commands.jail.conf", "-qr", "2");
        Assert.Equal("STOP\n", byJid.StandardOutput);
        Assert.Empty(State.Jails);
    }

    [Fact]
    public void JidNameSet_NumericBlockNamesAndExplicitJid()
    {
        Write("/tmp/j.conf", "7 { name = basejail; persist; }\n");
        var c = Jail("-f", "/tmp/j.conf", "-c", "7");
        Assert.Equal("", c.StandardError);
        Assert.Equal("7: created\n", c.StandardOutput);
        Assert.Equal("basejail\n", Jls("-j", "7", "name").StandardOutput);
        Assert.Equal("7: removed\n", Jail("-f", "/tmp/j.conf", "-r", "7").StandardOutput);

        Write("/tmp/k.conf", "basejail { jid = 9; persist; }\n");
        Assert.Equal("basejail: created\n", Jail("-f", "/tmp/k.conf", "-c", "basejail").StandardOutput);
        Assert.Equal("9\n", Jls("-j", "basejail", "jid").StandardOutput);
        Assert.Equal("basejail: removed\n", Jail("-f", "/tmp/k.conf", "-r", "basejail").StandardOutput);
    }

    [Fact]
    public void ParamConsistency_CommandJailWithoutPersistDiesAndPoststopSeesJid()
    {
        Root("/");
        var c = Jail("-c", "path=/", "exec.poststart=true", "command=/usr/bin/true");
        Assert.Equal(0, c.ExitCode);
        Assert.Empty(State.Jails); // no persist, the command ended: the jail is gone

        Write("/tmp/p.conf", "basejail { path = \"/\"; persist; exec.poststop = 'echo JID=$JID'; }\n");
        Assert.Equal(0, Jail("-f", "/tmp/p.conf", "-qc", "basejail").ExitCode);
        var jid = State.Jails.Single().Jid;
        Assert.Equal($"JID={jid}\n", Jail("-f", "/tmp/p.conf", "-qr", "basejail").StandardOutput);
    }

    [Fact]
    public void CommandTakesTheRestOfArgv()
    {
        Root("/");
        var c = Jail("-c", "name=x", "path=/", "command=/bin/echo", "hello", "world");
        Assert.Equal(0, c.ExitCode);
        Assert.Equal("hello world\n", c.StandardOutput);
    }

    [Theory]
    [InlineData(new[] { "-c", "name=x", "foo=bar" }, "jail: unknown parameter: foo\n")]
    [InlineData(new[] { "-c", "name=x", "persist=maybe" }, "jail: persist: unknown boolean value \"maybe\"\n")]
    [InlineData(new[] { "-c", "name=x", "children.max=lots" }, "jail: children.max: non-integer value \"lots\"\n")]
    [InlineData(new[] { "-c", "name=x", "path=/nonexistent", "persist" }, "jail: path /nonexistent: No such file or directory\n")]
    [InlineData(new[] { "-c", "name=x", "ip4.addr=10.0.0.300", "persist" }, "jail: ip4.addr: not an IPv4 address: 10.0.0.300\n")]
    [InlineData(new[] { "-r", "nope" }, "jail: \"nope\" not found\n")]
    [InlineData(new[] { "-c", "name=x", "jid=99999999999", "persist" }, "jail: jail_set: Invalid argument\n")]
    [InlineData(new[] { "-c", "name=x", "jid=-3", "persist" }, "jail: jail_set: Invalid argument\n")]
    [InlineData(new[] { "-m", "name=nope", "persist" }, "jail: \"nope\" not found\n")]
    public void BadInputIsRejectedWithTheRealTextAndNothingIsCreated(string[] args, string stderr)
    {
        var r = Jail(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(stderr, r.StandardError);
        Assert.Empty(State.Jails);
    }

    [Fact]
    public void AlreadyExists()
    {
        Assert.Equal(0, Jail("-c", "name=web", "persist").ExitCode);
        AssertFails(Jail("-c", "name=web", "persist"), "jail: \"web\" already exists\n");
    }

    [Fact]
    public void ConfigModeErrorsNameTheJail()
    {
        Write("/etc/jail.conf.d/web.conf", "web { path = /jails/web; persist; }\n");
        AssertFails(Jail("-f", "/etc/jail.conf.d/web.conf", "-c", "web"), "jail: web: path /jails/web: No such file or directory\n");
        var missing = Jail("-f", "/etc/jail.conf.d/web.conf", "-c", "db");
        Assert.Equal("jail: \"db\" not found\n", missing.StandardError);
        var nofile = Jail("-f", "/etc/nope.conf", "-c", "web");
        Assert.Equal("jail: /etc/nope.conf: No such file or directory\n", nofile.StandardError);
    }

    [Fact]
    public void MountsAndAliasesAreMadeAndUndoneAtRemoval()
    {
        Root("/jails/web");
        Write("/etc/jail.conf", "web { path = /jails/web; persist; mount.devfs; devfs_ruleset = 5; interface = em0; ip4.addr = 192.0.2.10; }\n");
        var c = Jail("-c", "web");
        Assert.Equal("web: created\n", c.StandardOutput);
        var st = State;
        Assert.Contains(st.Mounts, m => m.Node == "/jails/web/dev" && m.FsType == "devfs");
        Assert.Contains("192.0.2.10/32", st.Interfaces.Single(i => i.Name == "em0").Inet);
        Assert.Equal(new[] { "192.0.2.10" }, st.Jails.Single().Ip4);
        Assert.Equal("web: removed\n", Jail("-r", "web").StandardOutput);
        st = State;
        Assert.DoesNotContain(st.Mounts, m => m.Node == "/jails/web/dev");
        Assert.DoesNotContain("192.0.2.10/32", st.Interfaces.Single(i => i.Name == "em0").Inet);
    }

    [Fact]
    public void FailedCreateUndoesMountsAndAliasesAndLeavesNoJail()
    {
        Root("/jails/web");
        Write("/etc/jail.conf", "web { path = /jails/web; persist; mount.devfs; interface = em0; ip4.addr = 192.0.2.10; exec.created = \"false\"; }\n");
        var before = State;
        AssertFails(Jail("-c", "web"), "jail: web: false: failed\n");
        var st = State;
        Assert.Empty(st.Jails);
        Assert.Equal(before.Mounts.Count, st.Mounts.Count);
        Assert.DoesNotContain("192.0.2.10/32", st.Interfaces.Single(i => i.Name == "em0").Inet);
    }

    [Fact]
    public void MissingMountPointFailsBeforeTheJailExists()
    {
        MkDir("/jails/bare");
        Write("/etc/jail.conf", "bare { path = /jails/bare; persist; mount.devfs; }\n");
        AssertFails(Jail("-c", "bare"), "jail: bare: mount.devfs: /jails/bare/dev: No such file or directory\n");
        Assert.Empty(State.Jails);
    }

    [Fact]
    public void VnetInterfacesMoveInAndComeBack()
    {
        Host.UpdateState(s =>
        {
            s.Interfaces.Add(new SimInterface { Name = "epair0a", Driver = "epair", Peer = "epair0b" });
            s.Interfaces.Add(new SimInterface { Name = "epair0b", Driver = "epair", Peer = "epair0a" });
        });
        Assert.Equal(0, Jail("-c", "name=basejail", "vnet", "persist", "vnet.interface=epair0a,epair0b").ExitCode);
        var st = State;
        var jail = st.Jails.Single();
        Assert.True(jail.IsVnet);
        Assert.All(st.Interfaces.Where(i => i.Driver == "epair"), i => Assert.Equal(jail.Jid, i.Vnet));
        Assert.Equal(0, Jail("-r", "basejail").ExitCode);
        Assert.All(State.Interfaces, i => Assert.Equal(0, i.Vnet));

        AssertFails(Jail("-c", "name=v2", "vnet", "persist", "vnet.interface=epair9b"), "ifconfig: interface epair9b does not exist\njail: /sbin/ifconfig epair9b vnet v2: failed\n");
        Assert.Empty(State.Jails);
    }

    [Fact]
    public void RepeatedVnetInterfaceAppends()
    {
        Host.UpdateState(s =>
        {
            s.Interfaces.Add(new SimInterface { Name = "epair0b", Driver = "epair" });
            s.Interfaces.Add(new SimInterface { Name = "epair1b", Driver = "epair" });
        });
        Assert.Equal(0, Jail("-c", "name=v", "vnet", "persist", "vnet.interface=epair0b", "vnet.interface=epair1b").ExitCode);
        Assert.Equal(new[] { "epair0b", "epair1b" }, State.Jails.Single().VnetInterfaces);
    }

    [Fact]
    public void NonRootCannotCreate()
    {
        Host.UpdateState(s => s.Uid = 1001);
        AssertFails(Jail("-c", "name=x", "persist"), "jail: jail_set: Operation not permitted\n");
    }

    [Fact]
    public void DashIPrintsTheJidOnly()
    {
        Write("/etc/jail.conf.d/web.conf", "web { persist; }\n");
        var r = Jail("-i", "-f", "/etc/jail.conf.d/web.conf", "-c", "web");
        Assert.Equal("1\n", r.StandardOutput);
    }

    [Fact]
    public void DashEPrintsTheEvaluatedConfig()
    {
        Write("/etc/jail.conf", "$d = /jails;\nweb { path = \"$d/$name\"; persist; }\n");
        var r = Jail("-e", "|");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("name=web|path=/jails/web|persist\n", r.StandardOutput);
        Assert.Equal(1, Jail("-e", "|", "-c").ExitCode);
    }

    [Fact]
    public void CreateOnlyParametersNeedARestart()
    {
        MkDir("/jails/a");
        MkDir("/jails/b");
        Assert.Equal(0, Jail("-c", "name=w", "path=/jails/a", "persist").ExitCode);
        var m = Jail("-m", "name=w", "path=/jails/b", "persist");
        Assert.Equal((1, "jail: path cannot be changed after creation\n"), (m.ExitCode, m.StandardError));
        Assert.Equal(0, Jail("-mr", "name=w", "path=/jails/b", "persist").ExitCode);
        var w = State.Jails.Single();
        Assert.Equal(("/jails/b", 2), (w.Path, w.Jid));
        Assert.Equal(0, Jail("-mr", "name=w", "path=/jails/b", "persist", "host.hostname=h").ExitCode);
        Assert.Equal(2, State.Jails.Single().Jid); // no create-only change: modified in place
    }

    [Fact]
    public void ExecJailUserAndConsoleLog()
    {
        Root("/jails/web");
        Write("/etc/jail.conf", "web { path = /jails/web; persist; exec.jail_user = www; exec.start = \"id -un\"; exec.consolelog = /var/log/jail_web.log; }\n");
        var c = Jail("-c", "web");
        Assert.Equal(0, c.ExitCode);
        Assert.Equal("web: created\n", c.StandardOutput);
        Assert.Equal("www\n", Read("/var/log/jail_web.log"));
        Write("/etc/jail.conf", "ghost { path = /jails/web; persist; exec.jail_user = ghost; exec.start = \"true\"; }\n");
        var g = Jail("-c", "ghost");
        Assert.Equal(1, g.ExitCode);
        Assert.EndsWith("jail: ghost: ghost: no such user\n", g.StandardError);
        Assert.DoesNotContain(State.Jails, j => j.Name == "ghost");
    }

    [Fact]
    public void DependenciesStartFirst()
    {
        Write("/etc/jail.conf", "persist;\nweb { depend = db; }\ndb { }\nlone { depend = ghost; }\n");
        var c = Jail("-c", "web");
        Assert.Equal("db: created\nweb: created\n", c.StandardOutput);
        Assert.Equal(new[] { "db", "web" }, State.Jails.OrderBy(j => j.Jid).Select(j => j.Name));
        AssertFails(Jail("-c", "lone"), "jail: lone: depends on undefined jail \"ghost\"\n");
        Assert.Equal(0, Jail("-r", "web", "db").ExitCode);
        var all = Jail("-c");
        Assert.Equal("db: created\nweb: created\n", all.StandardOutput); // file order, db pulled ahead of web once
        Assert.Equal(1, all.ExitCode); // lone still fails
        // A running jail the file does not define does not satisfy depend (state.c find_jail looks in the file only).
        Assert.Equal(0, Jail("-c", "name=ghost", "path=/", "persist").ExitCode);
        AssertFails(Jail("-c", "lone"), "jail: lone: depends on undefined jail \"ghost\"\n");
    }

    [Fact]
    public void RemovingAJailRemovesItsRunningDependentsOfTheSameFileFirst()
    {
        Write("/etc/jail.conf", "persist;\ndb { }\napp { depend = db; }\nweb { depend = app; }\nlone { }\n");
        Assert.Equal(0, Jail("-c", "web").ExitCode);
        Assert.Equal(0, Jail("-c", "lone").ExitCode);
        var r = Jail("-r", "db");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("web: removed\napp: removed\ndb: removed\n", r.StandardOutput);
        Assert.Equal(new[] { "lone" }, State.Jails.Select(j => j.Name));
        // A file that does not define the dependent leaves it running (rc.d's per-jail files).
        Write("/etc/jail.conf.d/db.conf", "db { persist; }\n");
        var again = Jail("-c", "web");
        Assert.Equal((0, ""), (again.ExitCode, again.StandardError));
        Assert.Equal(0, Jail("-f", "/etc/jail.conf.d/db.conf", "-r", "db").ExitCode);
        Assert.Equal(new[] { "app", "lone", "web" }, State.Jails.Select(j => j.Name).OrderBy(n => n));
    }

    [Fact]
    public void CommandLineDependLooksAtRunningJails()
    {
        AssertFails(Jail("-c", "name=a", "path=/", "persist", "depend=b"), "jail: depends on nonexistent jail \"b\"\n");
        Assert.DoesNotContain(State.Jails, j => j.Name == "a");
        Assert.Equal(0, Jail("-c", "name=b", "path=/", "persist").ExitCode);
        Assert.Equal(0, Jail("-c", "name=a", "path=/", "persist", "depend=b").ExitCode);
        Assert.Contains(State.Jails, j => j.Name == "a");
    }

    [Theory]
    [InlineData("echo START", new[] { "echo", "START" })]
    [InlineData("/bin/sh /etc/rc", new[] { "/bin/sh", "/etc/rc" })]
    [InlineData("echo $JID", new[] { "/bin/sh", "-c", "echo $JID" })]
    [InlineData("a; b", new[] { "/bin/sh", "-c", "a; b" })]
    [InlineData("daemon &", new[] { "daemon" })]
    public void ExecStringsRunDirectlyUnlessTheyNeedAShell(string command, string[] argv)
        => Assert.Equal(argv, JailsModule.Simulation.Tools.SimJailTool.CommandArgv(command));

    [Fact]
    public void MissingProgramInTheJailIsReportedLikeCommandC()
    {
        MkDir("/jails/empty");
        Write("/etc/jail.conf", "e { path = /jails/empty; persist; exec.start = \"/bin/sh /etc/rc\"; }\n");
        var r = Jail("-c", "e");
        AssertFails(r, "jail: e: exec /bin/sh: No such file or directory\njail: e: /bin/sh /etc/rc: failed\n");
        Assert.Equal("e: created\ne: removed\n", r.StandardOutput);
        Assert.Empty(State.Jails);
    }

    [Fact]
    public void DashRRemovesWithoutTheConfig()
    {
        Root("/jails/web");
        Write("/etc/jail.conf", "web { path = /jails/web; persist; mount.devfs; exec.prestop = \"echo STOP\"; }\n");
        Assert.Equal(0, Jail("-c", "web").ExitCode);
        var r = Jail("-R", "web");
        Assert.Equal((0, ""), (r.ExitCode, r.StandardOutput)); // no exec.prestop, and a single jail is not noted
        Assert.Empty(State.Jails);
        Assert.Contains(State.Mounts, m => m.Node == "/jails/web/dev"); // -R does not unmount
        Assert.Equal(1, Jail("-R").ExitCode);
        Assert.Equal(1, Jail("-Rc", "web").ExitCode);
        Assert.Equal(1, Jail("-l", "-c", "web").ExitCode); // -l means command-line mode: a lone name is usage
    }

    [Fact]
    public void VerboseNotesEachCommand()
    {
        Root("/jails/web");
        Write("/etc/jail.conf", "web { path = /jails/web; persist; exec.prestart = \"echo pre\"; exec.start = \"/bin/sh /etc/rc\"; }\n");
        var r = Jail("-v", "-c", "web");
        // /etc/rc ends with echo '' and date (libexec/rc/rc): its output follows the in-jail command's note.
        Assert.StartsWith("web: run command: echo pre\npre\nweb: created\nweb: run command in jail: /bin/sh /etc/rc\n\n", r.StandardOutput);
        Assert.Matches(@"\n\n[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d UTC \d{4}\n$", r.StandardOutput);
    }

    [Fact]
    public void ZfsDatasetProblemsAreReportedButDoNotFailTheCreate()
    {
        MkDir("/jails/web");
        Write("/etc/jail.conf", "web { path = /jails/web; persist; zfs.dataset = zroot/nosuch; }\n");
        var r = Jail("-c", "web");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("web: created\nerror, you need to set jailed=on for dataset zroot/nosuch\n", r.StandardOutput);
        Assert.Single(State.Jails);
    }

    [Fact]
    public void UsageIsExitOne()
    {
        var r = Jail("-Z");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("usage: jail [-dhilqv]", r.StandardError);
    }

    [Fact]
    public void DeprecatedDashDWarnsWithTheTypo()
    {
        var r = Jail("-d", "-c", "name=x", "persist");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("jail: the 'allow.dying' parameter and '-d' flagare deprecated and have no effect.\n", r.StandardError);
    }

    [Fact]
    public void SharedAddressesClashUnlessBothJailsHaveOnlyOne()
    {
        // kern_jail.c permits a duplicate address when each jail has exactly one address of that family.
        Assert.Equal(0, Jail("-c", "name=a", "persist", "ip4.addr=192.0.2.10").ExitCode);
        Assert.Equal(0, Jail("-c", "name=b", "persist", "ip4.addr=192.0.2.10").ExitCode);
        AssertFails(Jail("-c", "name=c", "persist", "ip4.addr=192.0.2.10,192.0.2.11"), "jail: IPv4 addresses clash\n");
        Assert.DoesNotContain(State.Jails, j => j.Name == "c");
        // A vnet jail has its own stack, so the host may not restrict its addresses at all.
        AssertFails(Jail("-c", "name=v", "persist", "vnet", "ip4.addr=192.0.2.20"), "jail: vnet jails cannot have IP address restrictions\n");
        Assert.DoesNotContain(State.Jails, j => j.Name == "v");
        Write("/etc/jail.conf", "d { persist; ip6.addr = 2001:db8::1, 2001:db8::2; }\ne { persist; ip6.addr = 2001:db8::2; }\n");
        Assert.Equal(0, Jail("-f", "/etc/jail.conf", "-c", "d").ExitCode);
        var r = Jail("-f", "/etc/jail.conf", "-c", "e");
        Assert.Equal((1, "jail: e: IPv6 addresses clash\n"), (r.ExitCode, r.StandardError));
    }
}
