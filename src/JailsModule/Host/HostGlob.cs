using System.Text;

namespace JailsModule.Host;

/// <summary>
/// glob(3) as jail(8) uses it for jail.conf's <c>.include "PATTERN"</c> (FreeBSD lib/libc/gen/glob.c,
/// flags 0): the pattern is split at '/'; a component without magic is taken as it is (kept when it
/// exists), one with magic is matched against the folder's entries. Magic: <c>*</c> (any string),
/// <c>?</c> (one character), <c>[...]</c> (a set: ranges a-z, negation with a leading '!', a ']'
/// first is a member; an unclosed '[' is a literal). A backslash quotes the next character. A name
/// starting with '.' is only matched by a component that starts with a literal '.'. The matches
/// are sorted (LC_ALL=C: byte order). No match gives an empty list.
/// The module's own matcher: the simulated host has its own (JailsModule.Simulator's SimGlob).
/// </summary>
public static class HostGlob
{
    /// <summary>True when <paramref name="component"/> holds an unquoted *, ? or [.</summary>
    public static bool HasMagic(string component)
    {
        for (int i = 0; i < component.Length; i++)
        {
            char c = component[i];
            if (c == '\\') { i++; continue; }
            if (c is '*' or '?' or '[') return true;
        }
        return false;
    }

    /// <summary>The component without its quoting backslashes (what a component without magic names).</summary>
    public static string Unquote(string component)
    {
        if (component.IndexOf('\\') < 0) return component;
        var sb = new StringBuilder(component.Length);
        for (int i = 0; i < component.Length; i++)
        {
            if (component[i] == '\\' && i + 1 < component.Length) i++;
            sb.Append(component[i]);
        }
        return sb.ToString();
    }

    /// <summary>True when the file name <paramref name="name"/> matches the component <paramref name="pattern"/> (leading-period rule included).</summary>
    public static bool IsMatch(string name, string pattern)
    {
        if (name.Length > 0 && name[0] == '.' && !(pattern.Length > 0 && pattern[0] == '.') && !(pattern.StartsWith("\\.", StringComparison.Ordinal)))
            return false;
        return Match(name, 0, pattern, 0);
    }

    private static bool Match(string t, int ti, string p, int pi)
    {
        while (pi < p.Length)
        {
            char c = p[pi];
            switch (c)
            {
                case '*':
                    while (pi < p.Length && p[pi] == '*') pi++;
                    if (pi == p.Length) return true;
                    for (int k = ti; k <= t.Length; k++)
                        if (Match(t, k, p, pi)) return true;
                    return false;
                case '?':
                    if (ti >= t.Length) return false;
                    ti++; pi++;
                    continue;
                case '[':
                    if (SetEnd(p, pi) is int end)
                    {
                        if (ti >= t.Length || !InSet(t[ti], p, pi + 1, end)) return false;
                        ti++; pi = end + 1;
                        continue;
                    }
                    break; // an unclosed '[' is an ordinary character
                case '\\':
                    if (pi + 1 < p.Length) { pi++; c = p[pi]; }
                    break;
            }
            if (ti >= t.Length || t[ti] != c) return false;
            ti++; pi++;
        }
        return ti == t.Length;
    }

    /// <summary>The index of the ']' closing the set opened at <paramref name="open"/>, or null.</summary>
    private static int? SetEnd(string p, int open)
    {
        int i = open + 1;
        if (i < p.Length && p[i] == '!') i++;
        if (i < p.Length && p[i] == ']') i++; // a ']' first is a member
        for (; i < p.Length; i++)
        {
            if (p[i] == ']') return i;
            if (p[i] == '\\' && i + 1 < p.Length) i++;
        }
        return null;
    }

    private static bool InSet(char ch, string p, int start, int end)
    {
        bool negate = p[start] == '!';
        int i = negate ? start + 1 : start;
        bool hit = false;
        bool first = true;
        while (i < end)
        {
            char lo = p[i];
            if (lo == '\\' && i + 1 < end) lo = p[++i];
            else if (lo == ']' && !first) break;
            i++;
            first = false;
            if (i + 1 < end && p[i] == '-')
            {
                char hi = p[i + 1];
                int step = 2;
                if (hi == '\\' && i + 2 < end) { hi = p[i + 2]; step = 3; }
                if (lo <= ch && ch <= hi) hit = true;
                i += step;
                continue;
            }
            if (lo == ch) hit = true;
        }
        return hit != negate;
    }

    /// <summary>
    /// Expands <paramref name="pattern"/> (an absolute path) on <paramref name="host"/>: each component
    /// with magic against <see cref="IJailHost.ListDirectory"/>, each other one kept when it exists.
    /// </summary>
    public static IReadOnlyList<string> Expand(IJailHost host, string pattern)
    {
        if (string.IsNullOrEmpty(pattern) || pattern[0] != '/')
            throw new ArgumentException($"'{pattern}' is not an absolute path.", nameof(pattern));
        var parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { "/" };
        for (int n = 0; n < parts.Length && current.Count > 0; n++)
        {
            var part = parts[n];
            bool last = n == parts.Length - 1;
            var next = new List<string>();
            foreach (var dir in current)
            {
                if (!HasMagic(part))
                {
                    var p = Join(dir, Unquote(part));
                    if (last ? host.FileExists(p) || host.DirectoryExists(p) : host.DirectoryExists(p)) next.Add(p);
                    continue;
                }
                if (!host.DirectoryExists(dir)) continue;
                foreach (var e in host.ListDirectory(dir, "*"))
                {
                    var name = e[(e.LastIndexOf('/') + 1)..];
                    if (!IsMatch(name, part)) continue;
                    if (last || host.DirectoryExists(e)) next.Add(e);
                }
            }
            current = next;
        }
        current.Sort(StringComparer.Ordinal);
        return current;
    }

    private static string Join(string dir, string name) => dir == "/" ? "/" + name : dir + "/" + name;
}
