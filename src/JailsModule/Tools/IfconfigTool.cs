using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>A bridge port as ifconfig prints it: name, and with a 15.0 VLAN-filtering bridge its untagged/tagged VLANs.</summary>
public sealed record IfconfigBridgeMember(string Name, int? Untagged, string? Tagged);

/// <summary>One interface block of ifconfig's status output.</summary>
public sealed class IfconfigInterface
{
    public string Name { get; init; } = "";
    public int Flags { get; init; }
    public IReadOnlyList<string> FlagNames { get; init; } = Array.Empty<string>();
    public bool Up => FlagNames.Contains("UP");
    public int Mtu { get; init; }
    public IReadOnlyList<string> Options { get; init; } = Array.Empty<string>();
    public string? Ether { get; init; }
    public string? Description { get; init; }

    /// <summary>IPv4 addresses as "addr/prefixlen".</summary>
    public IReadOnlyList<string> Inet { get; init; } = Array.Empty<string>();

    /// <summary>IPv6 addresses as "addr/prefixlen" (scope suffix kept).</summary>
    public IReadOnlyList<string> Inet6 { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Groups { get; init; } = Array.Empty<string>();
    public IReadOnlyList<IfconfigBridgeMember> Members { get; init; } = Array.Empty<IfconfigBridgeMember>();
    public int? VlanTag { get; init; }
    public string? VlanParent { get; init; }

    public bool IsBridge => Groups.Contains("bridge") || Members.Count > 0;
    public bool HasOffload => Options.Any(o => o is "LRO" or "TSO4" or "TSO6");
}

/// <summary>
/// ifconfig(8): argv builders for every change the Network feature makes, and the pure parsers of its
/// output (-l, -g, status blocks; reference §7: members from "^\tmember: (\S+) flags=", no reliance on the
/// position of groups:/nd6).
/// </summary>
public static class IfconfigTool
{
    /// <summary>IFNAMSIZ is 16 with the NUL: a name has at most 15 bytes.</summary>
    public const int MaxNameLength = 15;

    public static ProcessRequest Run(params string[] args) => new(ToolPaths.Ifconfig, args);

    /// <summary>ifconfig -l: every interface name on one line.</summary>
    public static ProcessRequest List() => Run("-l");

    /// <summary>ifconfig -g GROUP: members one per line (empty for a missing group).</summary>
    public static ProcessRequest Group(string group) => Run("-g", group);

    /// <summary>ifconfig IF: the status block.</summary>
    public static ProcessRequest Status(string name) => Run(name);

    /// <summary>ifconfig -a: every status block.</summary>
    public static ProcessRequest All() => Run("-a");

    public static ProcessRequest Create(string name, params string[] extra) => Run(new[] { name, "create" }.Concat(extra).ToArray());
    public static ProcessRequest Destroy(string name) => Run(name, "destroy");
    public static ProcessRequest Set(string name, params string[] args) => Run(new[] { name }.Concat(args).ToArray());

    /// <summary>The output of <see cref="List"/> or <see cref="Group"/>: names split on white space.</summary>
    public static List<string> ParseNames(string stdout)
        => stdout.Split(new[] { ' ', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries).ToList();

    private static readonly Regex Header = new(@"^(?<name>[^\s:]+): flags=(?<hex>[0-9a-fA-F]+)<(?<names>[^>]*)>.*?(?:mtu (?<mtu>\d+))?$", RegexOptions.CultureInvariant);
    private static readonly Regex Member = new(@"^\tmember: (?<name>\S+) flags=", RegexOptions.CultureInvariant);

    /// <summary>Status blocks (one or many, as ifconfig IF or ifconfig -a prints them).</summary>
    public static List<IfconfigInterface> ParseStatus(string stdout)
    {
        var result = new List<IfconfigInterface>();
        var lines = stdout.Replace("\r", "").Split('\n');
        int i = 0;
        while (i < lines.Length)
        {
            var m = Header.Match(lines[i]);
            if (!m.Success) { i++; continue; }
            var block = new List<string>();
            for (i++; i < lines.Length && (lines[i].StartsWith('\t') || lines[i].StartsWith("        ", StringComparison.Ordinal)); i++)
                block.Add(lines[i].StartsWith('\t') ? lines[i]
                    // published with spaces for tabs: 8 spaces are the tab, 16 the member continuation
                    : (lines[i].Length - lines[i].TrimStart().Length >= 16 ? "\t        " : "\t") + lines[i].TrimStart());
            result.Add(ParseBlock(m, block));
        }
        return result;
    }

    private static IfconfigInterface ParseBlock(Match header, List<string> block)
    {
        var options = new List<string>();
        var inet = new List<string>();
        var inet6 = new List<string>();
        var groups = new List<string>();
        var members = new List<IfconfigBridgeMember>();
        string? ether = null, description = null, vlanParent = null;
        int? vlanTag = null;
        for (int k = 0; k < block.Count; k++)
        {
            var l = block[k].TrimStart('\t');
            var mm = Member.Match(block[k]);
            if (mm.Success)
            {
                // the port's VLANs are on its last continuation line
                int? untagged = null;
                string? tagged = null;
                for (int c = k + 1; c < block.Count && block[c].StartsWith("\t ", StringComparison.Ordinal); c++)
                {
                    var f = block[c].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    for (int x = 0; x + 1 < f.Length; x++)
                    {
                        if (f[x] == "untagged" && int.TryParse(f[x + 1], out var u)) untagged = u;
                        if (f[x] == "tagged") tagged = f[x + 1];
                    }
                }
                members.Add(new IfconfigBridgeMember(mm.Groups["name"].Value, untagged, tagged));
            }
            else if (l.StartsWith("options=", StringComparison.Ordinal))
            {
                var lt = l.IndexOf('<'); var gt = l.LastIndexOf('>');
                if (lt > 0 && gt > lt) options.AddRange(l[(lt + 1)..gt].Split(',', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (l.StartsWith("ether ", StringComparison.Ordinal)) ether = l[6..].Trim();
            else if (l.StartsWith("description: ", StringComparison.Ordinal)) description = l[13..];
            else if (l.StartsWith("inet ", StringComparison.Ordinal))
            {
                var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int len = 32;
                var nm = Array.IndexOf(f, "netmask");
                if (nm > 0 && nm + 1 < f.Length) len = MaskLength(f[nm + 1]) ?? 32;
                inet.Add($"{f[1]}/{len}");
            }
            else if (l.StartsWith("inet6 ", StringComparison.Ordinal))
            {
                var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var pl = Array.IndexOf(f, "prefixlen");
                inet6.Add($"{f[1]}/{(pl > 0 && pl + 1 < f.Length ? f[pl + 1] : "128")}");
            }
            else if (l.StartsWith("groups:", StringComparison.Ordinal))
                groups.AddRange(l[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            else if (l.StartsWith("vlan: ", StringComparison.Ordinal))
            {
                var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (int.TryParse(f[1], out var t)) vlanTag = t;
                var pi = Array.IndexOf(f, "interface:");
                if (pi > 0 && pi + 1 < f.Length) vlanParent = f[pi + 1];
            }
        }
        return new IfconfigInterface
        {
            Name = header.Groups["name"].Value,
            Flags = int.Parse(header.Groups["hex"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            FlagNames = header.Groups["names"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries),
            Mtu = header.Groups["mtu"].Success ? int.Parse(header.Groups["mtu"].Value, CultureInfo.InvariantCulture) : 0,
            Options = options, Ether = ether, Description = description, Inet = inet, Inet6 = inet6,
            Groups = groups, Members = members, VlanTag = vlanTag, VlanParent = vlanParent,
        };
    }

    /// <summary>A netmask as ifconfig prints it (0xffffff00) or dotted: its prefix length, or null.</summary>
    public static int? MaskLength(string mask)
    {
        uint m;
        if (mask.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (!uint.TryParse(mask[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out m)) return null;
        }
        else if (IPAddress.TryParse(mask, out var a) && a.AddressFamily == AddressFamily.InterNetwork)
            m = BitConverter.ToUInt32(a.GetAddressBytes().AsEnumerable().Reverse().ToArray());
        else return null;
        int len = 0;
        while (len < 32 && (m & (0x80000000u >> len)) != 0) len++;
        return len == 32 || (m << len) == 0 ? len : null;
    }

    // ---- validation (bad input is refused before anything runs) ----

    /// <summary>Null when <paramref name="name"/> is a usable interface name, else why not.</summary>
    public static string? CheckName(string name)
    {
        if (string.IsNullOrEmpty(name)) return "An interface name cannot be empty.";
        if (Encoding.UTF8.GetByteCount(name) > MaxNameLength)
            return $"Interface name '{name}' is {Encoding.UTF8.GetByteCount(name)} bytes long; FreeBSD allows at most {MaxNameLength} (IFNAMSIZ 16 with the NUL).";
        if (!Regex.IsMatch(name, @"^[A-Za-z][A-Za-z0-9_.\-]*$"))
            return $"Interface name '{name}' may only hold letters, digits, '.', '_' and '-', and must start with a letter.";
        return null;
    }

    public static string? CheckVlanId(int vid)
        => vid is >= 1 and <= 4094 ? null : $"VLAN id {vid} is out of range: 802.1Q VLAN ids are 1 to 4094.";

    /// <summary>Parses "A.B.C.D/LEN": null with the error, or the normalized address.</summary>
    public static string? CheckIPv4Cidr(string text, out string normalized)
    {
        normalized = "";
        var slash = text.IndexOf('/');
        if (slash < 0) return $"'{text}' is not an IPv4 address with a prefix length (like 10.0.0.9/24).";
        var ip = text[..slash];
        if (!IsIPv4(ip)) return $"'{ip}' is not an IPv4 address.";
        if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var len) || len < 1 || len > 32)
            return $"'{text}' has an invalid prefix length (1-32).";
        normalized = $"{IPAddress.Parse(ip)}/{len}";
        return null;
    }

    public static string? CheckIPv6Cidr(string text, out string normalized)
    {
        normalized = "";
        var slash = text.IndexOf('/');
        var ip = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(ip, out var a) || a.AddressFamily != AddressFamily.InterNetworkV6) return $"'{ip}' is not an IPv6 address.";
        int len = 64;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out len) || len < 1 || len > 128))
            return $"'{text}' has an invalid prefix length (1-128).";
        normalized = $"{a}/{len}";
        return null;
    }

    public static bool IsIPv4(string s)
        => IPAddress.TryParse(s, out var a) && a.AddressFamily == AddressFamily.InterNetwork && s.Count(c => c == '.') == 3;

    /// <summary>True when <paramref name="ip"/> lies in the subnet of <paramref name="cidr"/> (IPv4).</summary>
    public static bool InSubnet(string cidr, string ip)
    {
        var slash = cidr.IndexOf('/');
        var len = int.Parse(cidr[(slash + 1)..], CultureInfo.InvariantCulture);
        var mask = len == 0 ? 0u : uint.MaxValue << (32 - len);
        return (ToUInt(cidr[..slash]) & mask) == (ToUInt(ip) & mask);
    }

    private static uint ToUInt(string ip) => BitConverter.ToUInt32(IPAddress.Parse(ip).GetAddressBytes().AsEnumerable().Reverse().ToArray());

    /// <summary>Normalizes a MAC ("02-AB-..", "02:ab:.."): null with the error when it is malformed, multicast or all zero.</summary>
    public static string? CheckMac(string text, out string normalized)
    {
        normalized = "";
        var parts = text.Split(':', '-');
        var bytes = new byte[6];
        if (parts.Length != 6 || parts.Any(p => p.Length is < 1 or > 2)
            || !parts.Select((p, i) => byte.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i])).All(x => x))
            return $"'{text}' is not a MAC address (six hex octets like 02:00:5e:10:00:01).";
        if (bytes.All(b => b == 0)) return $"MAC address '{text}' is all zero.";
        if ((bytes[0] & 1) != 0) return $"MAC address '{text}' is a multicast address (lowest bit of the first octet set); an interface needs a unicast address.";
        normalized = string.Join(":", bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        return null;
    }
}
