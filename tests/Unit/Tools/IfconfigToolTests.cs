using JailsModule.Features.Network;
using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Tools;

/// <summary>ifconfig(8) and sysrc(8) argv, the ifconfig status parser on real samples (reference §7), and input validation.</summary>
public sealed class IfconfigToolTests
{
    // Real sample of reference §7 (FreeBSD 12/13-era host), tabs kept.
    private const string RealBridge =
        "bridge0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n" +
        "\tether 02:bd:8f:27:42:00\n" +
        "\tinet 192.168.30.1 netmask 0xffffff00 broadcast 192.168.30.255\n" +
        "\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15\n" +
        "\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200\n" +
        "\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0\n" +
        "\tmember: tap0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n" +
        "\t        ifmaxaddr 0 port 4 priority 128 path cost 2000000\n" +
        "\tmember: igb0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n" +
        "\t        ifmaxaddr 0 port 1 priority 128 path cost 20000\n" +
        "\tgroups: bridge\n" +
        "\tnd6 options=41<PERFORMNUD,NO_RADR>\n";

    [Fact]
    public void ParsesARealBridgeBlock()
    {
        var b = Assert.Single(IfconfigTool.ParseStatus(RealBridge));
        Assert.Equal("bridge0", b.Name);
        Assert.True(b.Up);
        Assert.True(b.IsBridge);
        Assert.Equal(1500, b.Mtu);
        Assert.Equal("02:bd:8f:27:42:00", b.Ether);
        Assert.Equal(new[] { "192.168.30.1/24" }, b.Inet);
        Assert.Equal(new[] { "tap0", "igb0" }, b.Members.Select(m => m.Name));
        Assert.Equal(new[] { "bridge" }, b.Groups);
    }

    [Fact]
    public void ParsesSpacesForTabsAndVlanFilteringPorts()
    {
        var text =
            "bridge1: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500\n" +
            "        member: epair2b flags=1c7<LEARNING,DISCOVER,STP,AUTOEDGE,PTP,AUTOPTP>\n" +
            "                ifmaxaddr 0 port 11 priority 128 path cost 2000 proto rstp\n" +
            "                role alternate state discarding untagged 7 tagged 10,20-30\n" +
            "epair0b: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n" +
            "\tdescription: associated with jail: vnetcage as nic: epair0b\n" +
            "\toptions=8<VLAN_MTU>\n" +
            "\tinet6 fe80::1%epair0b prefixlen 64 scopeid 0x4\n" +
            "re0.7: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n" +
            "\toptions=600703<RXCSUM,TXCSUM,TSO4,TSO6,LRO,RXCSUM_IPV6,TXCSUM_IPV6>\n" +
            "\tvlan: 7 vlanproto: 802.1q vlanpcp: 0 parent interface: re0\n";
        var all = IfconfigTool.ParseStatus(text);
        Assert.Equal(new[] { "bridge1", "epair0b", "re0.7" }, all.Select(i => i.Name));
        var m = Assert.Single(all[0].Members);
        Assert.Equal(("epair2b", 7, "10,20-30"), (m.Name, m.Untagged, m.Tagged));
        Assert.False(all[0].Up);
        Assert.Equal("associated with jail: vnetcage as nic: epair0b", all[1].Description);
        Assert.Contains("LOWER_UP", all[1].FlagNames);
        Assert.Equal(0x1008843, all[1].Flags);
        Assert.Equal(new[] { "fe80::1%epair0b/64" }, all[1].Inet6);
        Assert.False(all[1].HasOffload);
        Assert.True(all[2].HasOffload);
        Assert.Equal((7, "re0"), (all[2].VlanTag!.Value, all[2].VlanParent!));
    }

    [Theory]
    [InlineData("0xffffff00", 24)]
    [InlineData("0xffffffff", 32)]
    [InlineData("255.255.0.0", 16)]
    [InlineData("0x00000000", 0)]
    public void MaskLengths(string mask, int len) => Assert.Equal(len, IfconfigTool.MaskLength(mask));

    [Theory]
    [InlineData("0xff00ff00")]
    [InlineData("nonsense")]
    public void BadMasks(string mask) => Assert.Null(IfconfigTool.MaskLength(mask));

    [Fact]
    public void ListsSplitOnWhiteSpace()
    {
        Assert.Equal(new[] { "em0", "lo0", "bridge0" }, IfconfigTool.ParseNames("em0 lo0 bridge0\n"));
        Assert.Equal(new[] { "epair0a", "vnet0.29" }, IfconfigTool.ParseNames("epair0a\nvnet0.29\n"));
        Assert.Empty(IfconfigTool.ParseNames(""));
    }

    [Fact]
    public void ArgvAreSingleWords()
    {
        Assert.Equal("/sbin/ifconfig bridge0 create", IfconfigTool.Create("bridge0").DisplayText);
        Assert.Equal(new[] { "bridge0", "addm", "em0" }, IfconfigTool.Set("bridge0", "addm", "em0").Arguments);
        Assert.Equal(new[] { "-g", "jailvnet" }, IfconfigTool.Group("jailvnet").Arguments);
        Assert.Equal("/usr/sbin/sysrc 'ifconfig_bridge0=addm em0 up'", SysrcTool.Set("ifconfig_bridge0", "addm em0 up").DisplayText);
        Assert.Equal(new[] { "cloned_interfaces+=bridge0" }, SysrcTool.Append("cloned_interfaces", "bridge0").Arguments);
        Assert.Equal(new[] { "-f", "/jails/web/etc/rc.conf", "-x", "ifconfig_eth0" }, SysrcTool.Delete("ifconfig_eth0", "/jails/web/etc/rc.conf").Arguments);
        Assert.Equal("ifconfig_re0_7", SysrcTool.IfconfigVariable("re0.7"));
    }

    [Theory]
    [InlineData("bridge0", true)]
    [InlineData("re0.7", true)]
    [InlineData("epair32767a", true)]
    [InlineData("abcdefghijklmno", true)]     // 15 bytes: the most IFNAMSIZ allows
    [InlineData("abcdefghijklmnop", false)]   // 16
    [InlineData("", false)]
    [InlineData("0bridge", false)]
    [InlineData("br idge", false)]
    [InlineData("br;idge", false)]
    public void InterfaceNames(string name, bool ok) => Assert.Equal(ok, IfconfigTool.CheckName(name) is null);

    [Theory]
    [InlineData(1, true)]
    [InlineData(4094, true)]
    [InlineData(0, false)]
    [InlineData(4095, false)]
    public void VlanIds(int vid, bool ok) => Assert.Equal(ok, IfconfigTool.CheckVlanId(vid) is null);

    [Theory]
    [InlineData("10.0.0.9/24", "10.0.0.9/24")]
    [InlineData("192.168.1.240/32", "192.168.1.240/32")]
    [InlineData("10.0.0.9", null)]
    [InlineData("10.0.0.9/33", null)]
    [InlineData("10.0.9/24", null)]
    [InlineData("fe80::1/64", null)]
    public void Ipv4Cidr(string text, string? normalized)
    {
        var err = IfconfigTool.CheckIPv4Cidr(text, out var n);
        Assert.Equal(normalized is null, err != null);
        if (normalized != null) Assert.Equal(normalized, n);
    }

    [Theory]
    [InlineData("02:00:5E:10:00:01", "02:00:5e:10:00:01")]
    [InlineData("02-ab-cd-ef-01-02", "02:ab:cd:ef:01:02")]
    [InlineData("01:00:5e:00:00:01", null)] // multicast
    [InlineData("00:00:00:00:00:00", null)] // zero
    [InlineData("02:00:5e:10:00", null)]
    [InlineData("zz:00:5e:10:00:01", null)]
    public void Macs(string text, string? normalized)
    {
        var err = IfconfigTool.CheckMac(text, out var n);
        Assert.Equal(normalized is null, err != null);
        if (normalized != null) Assert.Equal(normalized, n);
    }

    [Fact]
    public void Subnets()
    {
        Assert.True(IfconfigTool.InSubnet("192.168.1.240/24", "192.168.1.250"));
        Assert.False(IfconfigTool.InSubnet("192.168.1.240/24", "192.168.2.1"));
    }

    [Fact]
    public void DerivedMacsAreStableUnicastAndDistinct()
    {
        var macs = Enumerable.Range(0, 1000).Select(i => VnetPlanner.DeriveMac($"uuid-{i}", 0)).ToList();
        Assert.Equal(macs.Count, macs.Distinct().Count());
        Assert.All(macs, m => Assert.Null(IfconfigTool.CheckMac(m, out _)));
        Assert.All(macs, m => Assert.StartsWith("02:", m));
        Assert.Equal(VnetPlanner.DeriveMac("uuid-1", 0), macs[1]);
    }
}
