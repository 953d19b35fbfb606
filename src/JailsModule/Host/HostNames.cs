namespace JailsModule.Host;

/// <summary>Host names as FreeBSD accepts them for hostname(1) (what Connect-JailHost -Simulator -ComputerName checks).</summary>
public static class HostNames
{
    /// <summary>Null when <paramref name="name"/> is an RFC 1123 host name (dot-separated labels of letters, digits and inner hyphens, under MAXHOSTNAMELEN), else the reason.</summary>
    public static string? Check(string name)
        => name.Length is > 0 and <= 255 && name.Split('.').All(l => l.Length is > 0 and <= 63
               && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && l[0] != '-' && l[^1] != '-')
            ? null
            : $"'{name}' is not a valid host name: use letters, digits and '-' in dot-separated labels of at most 63 characters, 255 in all.";
}
