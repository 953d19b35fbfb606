namespace JailsModule.Model;

/// <summary>A vnet interface of a jail (Get-JailVnet): an epair whose host end hangs on a bridge.</summary>
public sealed class JailVnet
{
    public string JailName { get; set; } = "";

    /// <summary>The host end (epairNa), a bridge member while the jail runs.</summary>
    public string HostInterface { get; set; } = "";

    /// <summary>The jail end as created (epairNb), handed to the jail by vnet.interface.</summary>
    public string JailInterface { get; set; } = "";

    /// <summary>Its name inside the jail (eth0).</summary>
    public string InterfaceName { get; set; } = "eth0";
    public string Bridge { get; set; } = "";
    public string? MacAddress { get; set; }
    public string[] IPv4Address { get; set; } = Array.Empty<string>();
    public bool Dhcp { get; set; }
    public string? DefaultRoute { get; set; }

    /// <summary>True when the epair exists now (the jail runs, or it leaked).</summary>
    public bool Present { get; set; }

    /// <summary>An epair of the module whose jail is gone (no config, not running).</summary>
    public bool Orphaned { get; set; }
    public string? ConfigPath { get; set; }
    public string ComputerName { get; set; } = "";

    public override string ToString() => $"{JailName}:{InterfaceName}";
}
