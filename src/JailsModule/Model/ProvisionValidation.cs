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
    // 14.3-RELEASE, 15.0-BETA2, 14.2-RC1, 15.0-CURRENT, 14-STABLE style names; an optional -pN patch suffix.
    [GeneratedRegex(@"^\d{1,3}\.\d{1,2}-(RELEASE|BETA\d{1,2}|RC\d{1,2}|ALPHA\d{1,2}|STABLE|CURRENT|PRERELEASE)(-p\d{1,3})?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseRx();

    // ZFS dataset name components (zfs_namecheck.c: alphanumerics, '_', '-', ':', '.'; we also refuse ' ' and '%').
    [GeneratedRegex(@"^[A-Za-z0-9_.:-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DatasetComponentRx();

    [GeneratedRegex(@"^[A-Za-z0-9_.:-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotRx();

    // Interface names: letters then a unit number (em0, vtnet1, bridge0, epair3a, lagg0.100 for vlans), IFNAMSIZ 16 incl. NUL.
    [GeneratedRegex(@"^[a-z][a-z0-9_]*[0-9]+[ab]?(\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex InterfaceRx();

    [GeneratedRegex(@"^(amd64|i386|arm64|aarch64|armv7|powerpc64|powerpc64le|riscv64)$", RegexOptions.CultureInvariant)]
    private static partial Regex ArchRx();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex SetRx();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
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
        if (!IPAddress.TryParse(addr, out var ip) || ip.AddressFamily != family
            || (family == AddressFamily.InterNetwork && addr.Count(c => c == '.') != 3))
            return $"'{value}' is not an {kind} address.";
        if (prefix != null && (!int.TryParse(prefix, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p > maxPrefix))
            return $"'{value}' has an invalid prefix length (0-{maxPrefix}).";
        normalized = ip.ToString() + (prefix is null ? "" : "/" + int.Parse(prefix, System.Globalization.CultureInfo.InvariantCulture));
        return null;
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
