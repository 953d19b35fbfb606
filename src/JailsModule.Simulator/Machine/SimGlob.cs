namespace JailsModule.Simulation;

/// <summary>A small glob matcher (*, ?, [set]) used by the simulator: no regex built from user text.</summary>
public static class SimGlob
{
    public static bool HasMagic(string s) => s.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    public static bool IsMatch(string text, string pattern) => Match(text, 0, pattern, 0);

    private static bool Match(string t, int ti, string p, int pi)
    {
        while (pi < p.Length)
        {
            char c = p[pi];
            if (c == '*')
            {
                while (pi < p.Length && p[pi] == '*') pi++;
                if (pi == p.Length) return true;
                for (int k = ti; k <= t.Length; k++)
                    if (Match(t, k, p, pi)) return true;
                return false;
            }
            if (ti >= t.Length) return false;
            if (c == '?') { ti++; pi++; continue; }
            if (c == '[')
            {
                int end = p.IndexOf(']', pi + 2);
                if (end > 0)
                {
                    var set = p.Substring(pi + 1, end - pi - 1);
                    bool neg = set.Length > 0 && (set[0] == '!' || set[0] == '^');
                    if (neg) set = set[1..];
                    bool hit = false;
                    for (int k = 0; k < set.Length; k++)
                    {
                        if (k + 2 < set.Length && set[k + 1] == '-')
                        {
                            if (t[ti] >= set[k] && t[ti] <= set[k + 2]) hit = true;
                            k += 2;
                        }
                        else if (set[k] == t[ti]) hit = true;
                    }
                    if (hit == neg) return false;
                    ti++; pi = end + 1; continue;
                }
            }
            if (c != t[ti]) return false;
            ti++; pi++;
        }
        return ti == t.Length;
    }
}
