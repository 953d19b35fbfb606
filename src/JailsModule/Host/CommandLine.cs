using System.Text;

namespace JailsModule.Host;

/// <summary>Renders an argv for display (WhatIf, verbose). Quoting follows sh(1) single quotes.</summary>
public static class CommandLine
{
    public static string Format(string fileName, IEnumerable<string> arguments)
    {
        var sb = new StringBuilder(Quote(fileName));
        foreach (var a in arguments)
        {
            sb.Append(' ');
            sb.Append(Quote(a));
        }
        return sb.ToString();
    }

    public static string Quote(string s)
    {
        if (s.Length == 0) return "''";
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "@%+=:,./-_".Contains(c)))
                return "'" + s.Replace("'", "'\\''") + "'";
        }
        return s;
    }
}
