using System.Collections.Specialized;

namespace JailsModule.Model;

/// <summary>
/// A jail: running (from jls), configured (from jail.conf / jail.conf.d), or both.
/// Flat, serializable: every property keeps its meaning after PowerShell remoting.
/// </summary>
public sealed class Jail
{
    public string Name { get; set; } = "";

    /// <summary>The kernel's jail id while running; null when stopped.</summary>
    public int? Jid { get; set; }

    /// <summary>Running, Stopped or Dying. A string, so it compares the same after deserialization.</summary>
    public string State { get; set; } = JailState.Stopped;

    public string HostName { get; set; } = "";
    public string Path { get; set; } = "";
    public string[] IPv4Address { get; set; } = Array.Empty<string>();
    public string[] IPv6Address { get; set; } = Array.Empty<string>();

    /// <summary>True when the jail has its own network stack (vnet = new).</summary>
    public bool Vnet { get; set; }

    /// <summary>The file that defines the jail (what rc.d/jail would pass to jail -f), or null for a jail made on the command line.</summary>
    public string? ConfigPath { get; set; }

    /// <summary>All effective parameters: the running values from the kernel, else the configured ones.</summary>
    public OrderedDictionary Parameters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The FreeBSD host the jail lives on.</summary>
    public string ComputerName { get; set; } = "";

    public override string ToString() => Name;
}

public static class JailState
{
    public const string Running = "Running";
    public const string Stopped = "Stopped";
    public const string Dying = "Dying";
    public static readonly string[] All = { Running, Stopped, Dying };
}
