using System.Text.RegularExpressions;

namespace JailsModule.Model;

/// <summary>Validation of jail names before anything runs (reference §2.2 and jail(8): a dot means a child jail).</summary>
public static partial class JailName
{
    /// <summary>The longest name the module accepts (MAXHOSTNAMELEN - 1 in the kernel).</summary>
    public const int MaxLength = 255;

    [GeneratedRegex(@"\A[A-Za-z0-9_][A-Za-z0-9_-]*\z", RegexOptions.CultureInvariant)] // \z: "$" also matches before a final "\n"
    private static partial Regex Component();

    /// <summary>Returns null when valid, else the reason. Child jails (parent.child) are allowed when <paramref name="allowChild"/>.</summary>
    public static string? Check(string? name, bool allowChild = true)
    {
        if (string.IsNullOrEmpty(name)) return "A jail name cannot be empty.";
        if (name.Length > MaxLength) return $"The jail name '{Shorten(name)}' is longer than {MaxLength} characters.";
        var parts = name.Split('.');
        if (parts.Length > 1 && !allowChild)
            return $"The jail name '{name}' contains a dot, which jail(8) reads as parent.child; use a name without dots.";
        foreach (var p in parts)
        {
            if (p.Length == 0) return $"The jail name '{name}' has an empty component (two dots, or a leading or trailing dot).";
            if (!Component().IsMatch(p))
                return $"The jail name '{name}' contains characters other than letters, digits, '_' and '-'.";
        }
        if (name.All(char.IsAsciiDigit) && name.Length > 0 && name[0] == '0')
            return $"The jail name '{name}' is numeric with a leading zero; jail(8) would read it as a jid.";
        return null;
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
