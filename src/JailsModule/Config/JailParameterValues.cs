namespace JailsModule.Config;

/// <summary>How jail(8) reads typed values out of an evaluated parameter (config.c bool_param/int_param/string_param).</summary>
public static class JailParameterValues
{
    /// <summary>bool_param(): the last component starting with "no" XOR (no value, or the last value is "true"
    /// in any case, or a non-zero number as strtol reads it).</summary>
    public static bool IsTrue(ConfParameter p)
    {
        var name = p.Name;
        int dot = name.LastIndexOf('.');
        bool negated = string.CompareOrdinal(name, dot + 1, "no", 0, 2) == 0;
        bool value;
        if (p.Values is null || p.Values.Count == 0) value = true;
        else
        {
            var last = p.Values[^1];
            value = string.Equals(last, "true", StringComparison.OrdinalIgnoreCase) || StrToL(last, out _) != 0;
        }
        return negated ^ value;
    }

    /// <summary>string_param(): the last value, or null.</summary>
    public static string? LastValue(ConfParameter? p) => p?.Values is { Count: > 0 } v ? v[^1] : null;

    /// <summary>strtol(s, &amp;end, 10) as C does it: leading blanks, a sign, digits; <paramref name="end"/> is where it stopped.
    /// Saturates at long's range.</summary>
    public static long StrToL(string s, out int end)
    {
        int i = 0;
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\r' or '\f' or '\v') i++;
        bool neg = false;
        if (i < s.Length && s[i] is '+' or '-') { neg = s[i] == '-'; i++; }
        int digits = i;
        long v = 0;
        bool overflow = false;
        while (i < s.Length && s[i] is >= '0' and <= '9')
        {
            int d = s[i] - '0';
            if (!overflow && v > (long.MaxValue - d) / 10) overflow = true;
            else if (!overflow) v = v * 10 + d;
            i++;
        }
        if (i == digits) { end = 0; return 0; }
        end = i;
        if (overflow) return neg ? long.MinValue : long.MaxValue;
        return neg ? -v : v;
    }
}
