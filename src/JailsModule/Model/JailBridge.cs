namespace JailsModule.Model;

/// <summary>A bridge on the jail host (Get-JailBridge): made by the module or by hand.</summary>
public sealed class JailBridge
{
    public string Name { get; set; } = "";
    public bool Up { get; set; }
    public string? MacAddress { get; set; }

    /// <summary>Every member, in the bridge's order.</summary>
    public string[] Member { get; set; } = Array.Empty<string>();

    /// <summary>The physical (or VLAN) members: everything but the jails' epairs.</summary>
    public string[] Uplink { get; set; } = Array.Empty<string>();

    /// <summary>IPv4 addresses on the bridge ("addr/len").</summary>
    public string[] IPv4Address { get; set; } = Array.Empty<string>();
    public string[] IPv6Address { get; set; } = Array.Empty<string>();

    /// <summary>VLAN ids of VLAN members (re0.7 gives 7) and of untagged ports of a 15.0 VLAN-filtering bridge.</summary>
    public int[] VlanId { get; set; } = Array.Empty<int>();

    /// <summary>Jails hanging on the bridge: running ones by their epair's description, stopped ones by their config.</summary>
    public string[] Jail { get; set; } = Array.Empty<string>();

    /// <summary>Members that still have LRO or TSO on (seed 004's performance trap).</summary>
    public string[] OffloadMember { get; set; } = Array.Empty<string>();

    /// <summary>True when rc.conf's cloned_interfaces creates it at boot.</summary>
    public bool Persistent { get; set; }
    public string ComputerName { get; set; } = "";

    public override string ToString() => Name;
}
