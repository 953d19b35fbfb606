namespace JailsModule.Simulation;

/// <summary>A network interface as the kernel holds it.</summary>
public sealed class SimInterface
{
    public string Name { get; set; } = "";

    /// <summary>Cloner/driver family (em, lo, bridge, epair, vlan): also its interface group.</summary>
    public string Driver { get; set; } = "";

    /// <summary>jid of the vnet it lives in; 0 is the host.</summary>
    public int Vnet { get; set; }

    public bool Up { get; set; }
    public int Mtu { get; set; } = 1500;
    public string Ether { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> Groups { get; set; } = new();

    /// <summary>IPv4 addresses as "addr/prefixlen".</summary>
    public List<string> Inet { get; set; } = new();

    /// <summary>IPv6 addresses as "addr/prefixlen".</summary>
    public List<string> Inet6 { get; set; } = new();

    /// <summary>Bridge members, in the order they were added.</summary>
    public List<string> Members { get; set; } = new();

    /// <summary>For an epair end, the other end's name.</summary>
    public string? Peer { get; set; }

    /// <summary>For a vlan, its parent and tag.</summary>
    public string? VlanParent { get; set; }
    public int? VlanTag { get; set; }

    /// <summary>if_index (scopeid of link-local addresses).</summary>
    public int Index { get; set; }

    /// <summary>Enabled capabilities (options=), by IFCAP name.</summary>
    public List<string> Options { get; set; } = new();

    /// <summary>Supported capabilities (capabilities= with -v).</summary>
    public List<string> Capabilities { get; set; } = new();

    /// <summary>IFF_PROMISC: set while the interface is a bridge member.</summary>
    public bool Promisc { get; set; }

    /// <summary>For a bridge: per-member port data (port, path cost, VLAN filtering).</summary>
    public Dictionary<string, SimBridgeMember> MemberInfo { get; set; } = new(StringComparer.Ordinal);
    public int NextPort { get; set; } = 1;

    /// <summary>For a bridge (15.0): VLAN filtering on, and the defaults for members added later.</summary>
    public bool VlanFilter { get; set; }
    public bool DefVlanFilter { get; set; }
    public int? DefUntagged { get; set; }
}

/// <summary>One line of the mount table.</summary>
public sealed class SimMount
{
    public string Special { get; set; } = "";
    public string Node { get; set; } = "";
    public string FsType { get; set; } = "";
    public string Options { get; set; } = "";
}
