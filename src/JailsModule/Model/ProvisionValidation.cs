using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace JailsModule.Model;

/// <summary>
/// Checks of everything New-Jail, Save-JailRelease and the template cmdlets pass to native tools,
/// done before any step runs. Each returns null when valid, else a message naming the bad value.
/// </summary>
public static partial class ProvisionValidation
{
    // Every pattern is anchored with \A and \z: .NET's '$' also matches before a final "\n", so "x\n" would pass.
    // [0-9], never \d: \d matches every Unicode digit.
    // 14.3-RELEASE, 15.0-BETA2, 14.2-RC1, 15.0-CURRENT, 14-STABLE style names; an optional -pN patch suffix.
    [GeneratedRegex(@"\A[0-9]{1,3}\.[0-9]{1,2}-(RELEASE|BETA[0-9]{1,2}|RC[0-9]{1,2}|ALPHA[0-9]{1,2}|STABLE|CURRENT|PRERELEASE)(-p[0-9]{1,3})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseRx();

    // ZFS dataset name components (zfs_namecheck.c: alphanumerics, '_', '-', ':', '.'; we also refuse ' ' and '%').
    [GeneratedRegex(@"\A[A-Za-z0-9_.:-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DatasetComponentRx();

    [GeneratedRegex(@"\A[A-Za-z0-9_.:-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotRx();

    // Interface names: letters then a unit number (em0, vtnet1, bridge0, epair3a, lagg0.100 for vlans), IFNAMSIZ 16 incl. NUL.
    [GeneratedRegex(@"\A[a-z][a-z0-9_]*[0-9]+[ab]?(\.[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex InterfaceRx();

    [GeneratedRegex(@"\A(amd64|i386|arm64|aarch64|armv7|powerpc64|powerpc64le|riscv64)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ArchRx();

    [GeneratedRegex(@"\A[a-z][a-z0-9-]{0,31}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SetRx();

    [GeneratedRegex(@"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateNameRx();

    public const int MaxDatasetName = 255; // ZFS_MAX_DATASET_NAME_LEN - 1
    public const int InterfaceNameMax = 15; // IFNAMSIZ - 1

    public static string? Release(string? release)
    {
        if (string.IsNullOrEmpty(release)) return "A release name cannot be empty.";
        return ReleaseRx().IsMatch(release) ? null
            : $"'{release}' is not a FreeBSD release name; expected a name such as 14.3-RELEASE, 15.0-RC1 or 15.0-CURRENT.";
    }

    public static string? TemplateName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "A template name cannot be empty.";
        return TemplateNameRx().IsMatch(name) && name != "." && name != ".." ? null
            : $"The template name '{name}' may contain only letters, digits, '_', '-' and '.', and at most 64 characters.";
    }

    public static string? Arch(string? arch)
        => arch != null && ArchRx().IsMatch(arch) ? null : $"'{arch}' is not a FreeBSD architecture (amd64, i386, arm64, armv7, powerpc64, powerpc64le, riscv64).";

    public static string? DistributionSet(string? set)
        => set != null && SetRx().IsMatch(set) ? null : $"'{set}' is not a distribution set name (base, lib32, kernel, src, ports...).";

    /// <summary>A dataset (filesystem) name per the ZFS rules: pool/child/..., no snapshot part.</summary>
    public static string? Dataset(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "A dataset name cannot be empty.";
        if (name.Length > MaxDatasetName) return $"The dataset name '{name}' is longer than {MaxDatasetName} characters.";
        if (name.Contains('@') || name.Contains('#')) return $"'{name}' names a snapshot or bookmark, not a dataset.";
        var parts = name.Split('/');
        foreach (var p in parts)
        {
            if (p.Length == 0) return $"The dataset name '{name}' has an empty component (a leading, trailing or double '/').";
            if (p is "." or "..") return $"The dataset name '{name}' contains '{p}'.";
            if (!DatasetComponentRx().IsMatch(p)) return $"The dataset name '{name}' contains characters ZFS does not allow (use letters, digits, '_', '-', '.', ':').";
        }
        if (!char.IsAsciiLetter(parts[0][0])) return $"The pool name in '{name}' must begin with a letter.";
        return null;
    }

    /// <summary>What Update-Jail appends to a thin jail's dataset to keep its old root (DATASET.prev).</summary>
    public const string PreviousSuffix = ".prev";

    /// <summary>
    /// A jail's dataset must leave room for every name the module derives from it: DATASET.prev
    /// (Update-Jail), all within ZFS_MAX_DATASET_NAME_LEN (256 with the NUL). The module takes no
    /// snapshots of jail datasets (a clone's origin snapshot belongs to the template).
    /// </summary>
    public static string? JailDatasetName(string dataset)
    {
        if (dataset.Length + PreviousSuffix.Length <= MaxDatasetName) return null;
        return $"The jail's dataset name '{dataset[..Math.Min(60, dataset.Length)]}…' has {dataset.Length} characters; with '{PreviousSuffix}', which Update-Jail appends, " +
               $"it would pass ZFS's limit of {MaxDatasetName} (ZFS_MAX_DATASET_NAME_LEN). Use a jail name of at most {Math.Max(0, MaxDatasetName - PreviousSuffix.Length - (dataset.LastIndexOf('/') + 1))} characters here, or a shorter -JailRoot.";
    }

    public static string? SnapshotName(string? name)
        => !string.IsNullOrEmpty(name) && name.Length <= 200 && SnapshotRx().IsMatch(name) ? null
            : $"'{name}' is not a valid snapshot name (letters, digits, '_', '-', '.', ':').";

    /// <summary>True when <paramref name="dataset"/> is strictly below <paramref name="root"/>.</summary>
    public static bool IsUnder(string dataset, string root) => dataset.StartsWith(root + "/", StringComparison.Ordinal);

    /// <summary>An absolute FreeBSD path without '..', NUL, newlines or characters jail.conf would need escaping for.</summary>
    public static string? AbsolutePath(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "A path cannot be empty.";
        if (path[0] != '/') return $"The path '{path}' is not absolute.";
        if (path.Length > 1023) return $"The path '{path[..40]}…' is longer than PATH_MAX.";
        foreach (var c in path)
            if (c < 0x20 || c == 0x7f || c is '"' or '\\' or '$' or '\'' or '`')
                return $"The path '{path}' contains a control character, a quote, a backslash or '$'.";
        foreach (var seg in path.Split('/'))
            if (seg is "." or "..") return $"The path '{path}' contains '{seg}'.";
        return null;
    }

    public static string? Interface(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "An interface name cannot be empty.";
        if (name.Length > InterfaceNameMax) return $"The interface name '{name}' is longer than {InterfaceNameMax} characters (IFNAMSIZ).";
        return InterfaceRx().IsMatch(name) ? null : $"'{name}' is not an interface name such as em0, vtnet0 or bridge0.";
    }

    /// <summary>An IPv4 address with an optional /prefix (0-32), normalized; error when bad.</summary>
    public static string? IPv4(string? value, out string normalized) => Ip(value, AddressFamily.InterNetwork, 32, out normalized);

    /// <summary>An IPv6 address with an optional /prefix (0-128), normalized; error when bad.</summary>
    public static string? IPv6(string? value, out string normalized) => Ip(value, AddressFamily.InterNetworkV6, 128, out normalized);

    private static string? Ip(string? value, AddressFamily family, int maxPrefix, out string normalized)
    {
        normalized = "";
        var kind = family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
        if (string.IsNullOrWhiteSpace(value)) return $"An {kind} address cannot be empty.";
        var addr = value;
        string? prefix = null;
        int slash = value.IndexOf('/');
        if (slash >= 0) { addr = value[..slash]; prefix = value[(slash + 1)..]; }
        if (addr.Contains('%')) return $"'{value}' has a zone index; give the address without '%zone'.";
        // inet_pton(3) decides, as jail(8) does: IPAddress.TryParse also takes octal and hex parts
        // (192.0.2.010 is 192.0.2.8 to it), fewer parts, brackets and zone ids.
        bool ok = family == AddressFamily.InterNetwork ? InetPton4(addr) : InetPton6(addr);
        if (!ok || !IPAddress.TryParse(addr, out var ip) || ip.AddressFamily != family)
            return $"'{value}' is not an {kind} address{(family == AddressFamily.InterNetwork ? " (four decimal numbers 0-255 without leading zeros, as inet_pton(3) reads them)" : "")}.";
        if (prefix != null && (!int.TryParse(prefix, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p > maxPrefix))
            return $"'{value}' has an invalid prefix length (0-{maxPrefix}).";
        normalized = ip.ToString() + (prefix is null ? "" : "/" + int.Parse(prefix, System.Globalization.CultureInfo.InvariantCulture));
        return null;
    }

    /// <summary>inet_pton(AF_INET): exactly four dot-separated decimal numbers 0-255, no leading zero (FreeBSD lib/libc/inet/inet_pton.c).</summary>
    internal static bool InetPton4(string s)
    {
        var parts = s.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)) return false;
            if (p.Length > 1 && p[0] == '0') return false;
            if (int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) > 255) return false;
        }
        return true;
    }

    /// <summary>
    /// inet_pton(AF_INET6): groups of 1-4 hex digits separated by ':', at most one "::", eight groups
    /// (or fewer with "::"), optionally ending in a dotted IPv4 address that counts as two groups.
    /// No brackets, no zone index, nothing else.
    /// </summary>
    internal static bool InetPton6(string s)
    {
        if (s.Length == 0) return false;
        int dbl = s.IndexOf("::", StringComparison.Ordinal);
        if (dbl >= 0 && s.IndexOf("::", dbl + 1, StringComparison.Ordinal) >= 0) return false;
        if (s[0] == ':' && dbl != 0) return false;
        if (s[^1] == ':' && dbl != s.Length - 2) return false;
        var groups = new List<string>();
        foreach (var side in dbl >= 0 ? new[] { s[..dbl], s[(dbl + 2)..] } : new[] { s })
            if (side.Length > 0) groups.AddRange(side.Split(':'));
        int count = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            if (g.Contains('.'))
            {
                if (i != groups.Count - 1 || !InetPton4(g)) return false; // IPv4 only as the last part
                count += 2;
                continue;
            }
            if (g.Length is 0 or > 4 || !g.All(char.IsAsciiHexDigit)) return false;
            count++;
        }
        return dbl >= 0 ? count <= 7 : count == 8;
    }

    /// <summary>http(s) or ftp URL without spaces or shell-special characters.</summary>
    public static string? Mirror(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http" or "ftp" or "file"))
            return $"'{url}' is not an http, https, ftp or file URL.";
        if (url!.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return $"The URL '{url}' contains white space.";
        return null;
    }
}
