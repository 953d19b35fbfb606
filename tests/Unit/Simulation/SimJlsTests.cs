using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>jls(8) output formats on the simulator (reference §4, usr.sbin/jls/jls.c xo_emit formats).</summary>
public sealed class SimJlsTests : SimHostTestBase
{
    public SimJlsTests()
    {
        MkDir("/jails/web");
        Assert.Equal(0, Run("/usr/sbin/jail", "-c", "name=web", "path=/jails/web", "host.hostname=web.example.org", "persist",
            "ip4.addr=192.0.2.10,192.0.2.11", "ip6.addr=2001:db8::10").ExitCode);
        Assert.Equal(0, Run("/usr/sbin/jail", "-c", "name=vnet1", "path=/jails/web", "host.hostname=vnet1", "persist", "vnet").ExitCode);
    }

    [Fact]
    public void DefaultShowsTheFirstIpv4Only()
        => Assert.Equal(
            "   JID  IP Address      Hostname                      Path\n" +
            "     1  192.0.2.10      web.example.org               /jails/web\n" +
            "     2                  vnet1                         /jails/web\n", Jls().StandardOutput);

    [Fact]
    public void DashNShowsNames()
        => Assert.Equal(
            " JID             IP Address      Hostname                      Path\n" +
            " web             192.0.2.10      web.example.org               /jails/web\n" +
            " vnet1                           vnet1                         /jails/web\n", Jls("-N").StandardOutput);

    [Fact]
    public void VerboseListsEveryAddress()
        => Assert.Equal(
            "   JID  Hostname                      Path\n" +
            "        Name                          State\n" +
            "        CPUSetID\n" +
            "        IP Address(es)\n" +
            "     1  web.example.org               /jails/web\n" +
            "        web                           ACTIVE\n" +
            "        2\n" +
            "        192.0.2.10\n" +
            "        192.0.2.11\n" +
            "        2001:db8::10\n", Jls("-v", "-j", "web").StandardOutput);

    [Fact]
    public void ParameterModeAndNameValues()
    {
        Assert.Equal("1 web /jails/web\n", Jls("-j", "web", "jid", "name", "path").StandardOutput);
        Assert.Equal("- true\n", Jls("-j", "vnet1", "host.domainname", "persist").StandardOutput);
        Assert.Equal("\"\" true\n", Jls("-q", "-j", "vnet1", "host.domainname", "persist").StandardOutput);
        var n = Jls("-n", "-j", "vnet1").StandardOutput;
        Assert.Contains(" persist ", n);
        Assert.Contains(" vnet=new ", n);
        Assert.Contains(" allow.nomount ", n);
        Assert.Contains(" host.domainname= ", n);
        Assert.StartsWith("devfs_ruleset=0 nodying enforce_statfs=2 host=new ip4=inherit ip6=inherit jid=2 ", n);
    }

    [Fact]
    public void JsonModes()
    {
        Assert.Equal("{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":1,\"ipv4\":\"192.0.2.10\",\"hostname\":\"web.example.org\",\"path\":\"/jails/web\"}]}}\n",
            Jls("--libxo", "json", "-j", "web").StandardOutput);
        Assert.Equal("{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":1,\"hostname\":\"web.example.org\",\"path\":\"/jails/web\",\"name\":\"web\",\"state\":\"ACTIVE\",\"cpusetid\":2, \"ipv4_addrs\": [\"192.0.2.10\", \"192.0.2.11\"], \"ipv6_addrs\": [\"2001:db8::10\"]}]}}\n",
            Jls("--libxo=json", "-v", "-j", "web").StandardOutput);
        Assert.Equal("{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":\"2\",\"name\":\"vnet1\",\"persist\":true, \"ip4.addr\": []}]}}\n",
            Jls("--libxo", "json", "-j", "vnet1", "jid", "name", "persist", "ip4.addr").StandardOutput);
    }

    [Fact]
    public void Errors()
    {
        AssertFails(Jls("-j", "nope"), "jls: jail \"nope\" not found\n");
        AssertFails(Jls("-j", "9"), "jls: jail 9 not found\n");
        AssertFails(Jls("nosuchparam"), "jls: unknown parameter: nosuchparam\n");
        AssertFails(Jls("-x"), "jls: usage: jls [-dhNnqv] [-j jail] [param ...]\n");
    }
}
