using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Tools;

/// <summary>JlsTool.ParseJson on the real libxo captures of reference §4.3 (copied verbatim) and the shapes derived there.</summary>
public sealed class JlsToolTests
{
    [Fact]
    public void VerboseCaptureFromABastilleHost()
    {
        // §4.3: jls -v --libxo=json, first jail of a published capture (numbers for jid and cpusetid, plain string arrays).
        const string json = "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":2,\"hostname\":\"git7\",\"path\":\"/usr/local/bastille/jails/git7/root\",\"name\":\"git7\",\"state\":\"ACTIVE\",\"cpusetid\":5, \"ipv4_addrs\": [\"172.16.20.98\"], \"ipv6_addrs\": []}]}}";
        var j = Assert.Single(JlsTool.ParseJson(json));
        Assert.Equal(2, j.Jid);
        Assert.Equal("git7", j.Name);
        Assert.Equal("git7", j.HostName);
        Assert.Equal("/usr/local/bastille/jails/git7/root", j.Path);
        Assert.False(j.Dying);
        Assert.Equal(new[] { "172.16.20.98" }, j.IPv4);
        Assert.Empty(j.IPv6);
        Assert.Equal("5", j.Parameters["cpusetid"]);
    }

    [Fact]
    public void ParameterModeCaptureWithMeta()
    {
        // §4.3: jls -j jail1 --libxo json name meta (FreeBSD 15 atf test), exact bytes plus the newline.
        const string json = "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"name\":\"jail1\",\"meta\":\"a b c\"}]}}\n";
        var j = Assert.Single(JlsTool.ParseJson(json));
        Assert.Equal("jail1", j.Name);
        Assert.Equal("a b c", j.Parameters["meta"]);
        Assert.Equal(0, j.Jid);
    }

    [Fact]
    public void ParameterModeFixtureWithStringJidAndEmptyAddressList()
    {
        // §4.3: a public fixture taken from jls --libxo json: jid is a string here, ip4.addr an empty array.
        const string json = "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":\"1\",\"name\":\"goodiesdb\",\"host.hostname\":\"goodiesdb\", \"ip4.addr\": [],\"path\":\"/usr/local/jails/containers/goodiesdb\"}]}}";
        var j = Assert.Single(JlsTool.ParseJson(json));
        Assert.Equal(1, j.Jid);
        Assert.Equal("goodiesdb", j.HostName);
        Assert.Empty(j.IPv4);
        Assert.Equal("", j.Parameters["ip4.addr"]);
        Assert.Equal("/usr/local/jails/containers/goodiesdb", j.Path);
    }

    [Fact]
    public void NoJails()
    {
        Assert.Empty(JlsTool.ParseJson("{\"__version\": \"2\", \"jail-information\": {\"jail\": []}}"));
    }

    [Fact]
    public void DefaultModeShapeUsesTheJidAsNameAndTheFirstIpv4()
    {
        // §4.3 "expected output, default mode" (derived from jls.c, not captured).
        const string json = "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":1,\"ipv4\":\"\",\"hostname\":\"vnet1\",\"path\":\"/jails/vnet1\"}, {\"jid\":2,\"ipv4\":\"192.0.2.10\",\"hostname\":\"web\",\"path\":\"/jails/web\"}]}}";
        var list = JlsTool.ParseJson(json);
        Assert.Equal(2, list.Count);
        Assert.Equal("1", list[0].Name);
        Assert.Empty(list[0].IPv4);
        Assert.Equal(new[] { "192.0.2.10" }, list[1].IPv4);
        Assert.Equal("web", list[1].HostName);
    }

    [Fact]
    public void NameValModeBooleansAndDyingState()
    {
        const string json = "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":\"3\",\"name\":\"old\",\"dying\":true,\"persist\":false,\"vnet\":\"new\", \"ip4.addr\": [\"192.0.2.1\", \"192.0.2.2\"], \"ip6.addr\": [\"2001:db8::1\"]}]}}";
        var j = Assert.Single(JlsTool.ParseJson(json));
        Assert.True(j.Dying);
        Assert.Equal("false", j.Parameters["persist"]);
        Assert.Equal("new", j.Parameters["vnet"]);
        Assert.Equal(new[] { "192.0.2.1", "192.0.2.2" }, j.IPv4);
        Assert.Equal("192.0.2.1,192.0.2.2", j.Parameters["ip4.addr"]);
        Assert.Equal(new[] { "2001:db8::1" }, j.IPv6);
    }

    [Fact]
    public void WhitespaceDoesNotMatter()
    {
        const string json = "{ \"__version\" : \"2\" ,\n \"jail-information\" : { \"jail\" : [ { \"jid\" : 4 , \"name\" : \"x\" } ] } }";
        Assert.Equal(4, Assert.Single(JlsTool.ParseJson(json)).Jid);
    }

    [Fact]
    public void MissingContainerIsAFormatError()
    {
        Assert.Throws<FormatException>(() => JlsTool.ParseJson("{\"__version\": \"2\"}"));
    }

    [Fact]
    public void ListAllArgv()
    {
        // Named parameters, never -n/all: jls.c prints an empty string value through a format without an argument (§17.4).
        var r = JlsTool.ListAll();
        Assert.Equal("/usr/sbin/jls", r.FileName);
        Assert.Equal(new[] { "--libxo", "json", "-d", "jid", "name", "dying", "path", "host.hostname", "vnet", "ip4.addr", "ip6.addr" }, r.Arguments);
        Assert.Equal(new[] { "--libxo", "json", "-d", "jid", "name", "dying", "path", "host.hostname", "ip4.addr", "ip6.addr" }, JlsTool.ListAll(new[] { "vnet" }).Arguments);
        Assert.Equal("vnet", JlsTool.UnknownOptional("jls: unknown parameter: vnet\n"));
        Assert.Null(JlsTool.UnknownOptional("jls: unknown parameter: path\n"));
    }
}
