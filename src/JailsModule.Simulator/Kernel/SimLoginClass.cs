namespace JailsModule.Simulation;

/// <summary>
/// login.conf(5) and setusercontext(3) as jexec -l, jexec -u/-U and jail(8)'s exec.clean use them
/// (lib/libutil/login_cap.c, login_class.c): the user's class record (an empty class is "root" for uid 0
/// when that record exists, else "default"), tc= chains, and the environment LOGIN_SETPATH and
/// LOGIN_SETENV set: path/cdpath/manpath (words joined with ':'), lang, charset, mail, timezone, term
/// (never overwritten) and the setenv list, with "~" replaced by the home directory and "$" by the login name.
/// </summary>
public static class SimLoginClass
{
    /// <summary>The capabilities of a class in a root's /etc/login.conf (null when the file or the record is missing).</summary>
    public static Dictionary<string, string?>? Capabilities(SimFileSystem fs, SimJail? root, string className)
    {
        var file = SimExec.HostPath(root, "/etc/login.conf");
        if (!fs.FileExists(file)) return null;
        var records = Parse(fs.ReadAllText(file));
        var caps = new Dictionary<string, string?>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (!Collect(records, className, caps, seen, 0)) return null;
        return caps;
    }

    private static bool Collect(List<(string[] Names, List<string> Fields)> records, string name, Dictionary<string, string?> caps, HashSet<string> seen, int depth)
    {
        if (depth > 32 || !seen.Add(name)) return false;
        var rec = records.FirstOrDefault(r => r.Names.Contains(name));
        if (rec.Names is null) return false;
        foreach (var f in rec.Fields)
        {
            if (f.Length == 0) continue;
            if (f.StartsWith("tc=", StringComparison.Ordinal)) { Collect(records, f[3..], caps, seen, depth + 1); continue; }
            int eq = f.IndexOfAny(new[] { '=', '#', '@' });
            var key = eq < 0 ? f : f[..eq];
            if (caps.ContainsKey(key)) continue; // getcap: the first occurrence wins (an '@' cancels what follows)
            caps[key] = eq < 0 ? "" : f[eq] == '@' ? null : f[(eq + 1)..];
        }
        return true;
    }

    /// <summary>getcap(3) records: continuation lines joined, comments dropped, fields split on ':'.</summary>
    private static List<(string[] Names, List<string> Fields)> Parse(string text)
    {
        var list = new List<(string[], List<string>)>();
        var joined = text.Replace("\\\n", "");
        foreach (var raw in joined.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0 || line[0] == '#' || char.IsWhiteSpace(line[0])) continue;
            var fields = line.Split(':').Select(x => x.Trim()).ToList();
            list.Add((fields[0].Split('|'), fields.Skip(1).ToList()));
        }
        return list;
    }

    /// <summary>login_getpwclass: the passwd entry's class; an empty one is "root" for uid 0 (when present), else "default".</summary>
    public static Dictionary<string, string?>? ForUser(SimFileSystem fs, SimJail? root, SimUser user)
    {
        if (user.Uid == 0 && Capabilities(fs, root, "root") is { } r) return r;
        return Capabilities(fs, root, "default");
    }

    private static readonly (string Tag, string Var)[] PathVars = { ("path", "PATH"), ("cdpath", "CDPATH"), ("manpath", "MANPATH") };
    private static readonly (string Tag, string Var, bool Overwrite)[] EnvVars =
        { ("lang", "LANG", true), ("charset", "MM_CHARSET", true), ("mail", "MAIL", true), ("timezone", "TZ", true), ("term", "TERM", false) };

    /// <summary>setusercontext(LOGIN_SETPATH | LOGIN_SETENV) on an environment, from the login.conf of <paramref name="root"/>.</summary>
    public static void Apply(SimFileSystem fs, SimJail? root, SimUser user, IDictionary<string, string> env)
    {
        var caps = ForUser(fs, root, user);
        if (caps is null) return;
        foreach (var (tag, var) in PathVars)
            if (caps.TryGetValue(tag, out var v) && v != null)
                env[var] = string.Join(':', Subst(v, user).Split(new[] { ' ', '\t', ',' }, StringSplitOptions.RemoveEmptyEntries));
        foreach (var (tag, var, overwrite) in EnvVars)
            if (caps.TryGetValue(tag, out var v) && v != null && (overwrite || !env.ContainsKey(var)))
                env[var] = Subst(v, user);
        if (caps.TryGetValue("setenv", out var set) && set != null)
            foreach (var item in set.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = item.IndexOf('=');
                if (eq <= 0) continue;
                env[item[..eq]] = Subst(item[(eq + 1)..], user);
            }
    }

    /// <summary>login_class.c substvar: "~" at a word's start is the home directory, "$" the login name.</summary>
    private static string Subst(string value, SimUser user)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '\\' && i + 1 < value.Length) { sb.Append(value[++i]); continue; }
            if (c == '~' && (i == 0 || value[i - 1] is ' ' or '\t' or ',' or ':'))
            {
                var home = user.Home;
                if (home.EndsWith('/') && i + 1 < value.Length && value[i + 1] == '/') home = home.TrimEnd('/');
                sb.Append(home);
                continue;
            }
            if (c == '$') { sb.Append(user.Name); continue; }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
