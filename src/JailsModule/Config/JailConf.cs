using System.Text;

namespace JailsModule.Config;

/// <summary>Entry points of the jail.conf(5) engine.</summary>
public static class JailConf
{
    /// <summary>Reads a file with its includes and evaluates every jail, as jail(8) does.</summary>
    public static ConfLoadResult Load(string path, IConfFileSource source)
        => ConfEvaluator.Load(path, source);

    /// <summary>Parses and evaluates text as if it were the file <paramref name="fileName"/>.</summary>
    public static ConfLoadResult LoadText(string text, string fileName, IConfFileSource source)
        => ConfEvaluator.LoadText(text, fileName, source);

    /// <summary>What jail -f FILE -e SEP prints for these jails (print_jail/print_param/quoted_print in jail.c).</summary>
    public static string RenderJailE(IEnumerable<ConfJail> jails, string separator)
    {
        var sb = new StringBuilder();
        foreach (var j in jails)
        {
            bool first = true;
            foreach (var p in j.Parameters)
            {
                if (p.Name == "jid") continue;
                if (!first) sb.Append(separator);
                first = false;
                sb.Append(p.Name);
                if (p.Values is null || p.Values.Count == 0) continue;
                sb.Append('=');
                for (int i = 0; i < p.Values.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    QuotedPrint(sb, p.Values[i]);
                }
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>quoted_print(): '"' for empty or when a ' is present, ' when a " is present, '"' for space/TAB;
    /// the quote character and (§16.1) every backslash get a backslash before them.</summary>
    public static void QuotedPrint(StringBuilder sb, string s)
    {
        char qc = '\0';
        if (s.Length == 0 || s.Contains('\'')) qc = '"';
        else if (s.Contains('"')) qc = '\'';
        else if (s.IndexOfAny(SpaceTab) >= 0) qc = '"';
        if (qc != '\0') sb.Append(qc);
        foreach (var c in s)
        {
            if (c == '\\' || (qc != '\0' && c == qc)) sb.Append('\\');
            sb.Append(c);
        }
        if (qc != '\0') sb.Append(qc);
    }

    private static readonly char[] SpaceTab = { ' ', '\t' };
}
