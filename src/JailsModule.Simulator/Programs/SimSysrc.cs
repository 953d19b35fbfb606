using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// sysrc(8) (reference §9, usr.sbin/sysrc/sysrc and sysrc.subr): get "name: value", set
/// "name: OLD -> NEW" (OLD includes /etc/defaults/rc.conf), +=/-= word lists, -x delete, -c check,
/// -n/-N/-e/-v output forms, -i/-q hide the unknown-variable message (exit status stays 1),
/// -f FILE instead of rc_conf_files, -j JAIL inside a running jail, -a/-A listings, -d descriptions.
/// A set edits the last assignment in place (keeping its quotes) or appends name="value" to the
/// first file. Writing as a non-root caller fails with "sysrc: FILE: Permission denied" (the
/// simulator's wording: the real script fails in its mktemp/mv step).
/// </summary>
[SimulatedTool("/usr/sbin/sysrc")]
public sealed class SimSysrc : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool all = false, allDefaults = false, check = false, describe = false, defaultsOnly = false, showEq = false;
        bool ignoreUnknown = false, valuesOnly = false, namesOnly = false, quiet = false, verbose = false, delete = false;
        var files = new List<string>();
        string? jailName = null;
        // sysrc uses getopts: options stop at the first operand.
        var g = new SimGetopt(args, "aAcdDeEf:Fhij:lLnNqR:s:vxX");
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'a': all = true; break;
                case 'A': allDefaults = true; break;
                case 'c': check = true; break;
                case 'd': describe = true; break;
                case 'D': defaultsOnly = true; break;
                case 'e': showEq = true; break;
                case 'f': files.Add(a!); break;
                case 'i': ignoreUnknown = true; break;
                case 'j': jailName = a; break;
                case 'n': valuesOnly = true; break;
                case 'N': namesOnly = true; break;
                case 'q': quiet = true; break;
                case 'v': verbose = true; break;
                case 'x': case 'X': delete = true; break;
                case 'E': case 'F': case 'l': case 'L': case 'R': case 's': break;
                case 'h':
                default:
                    return new SimResult(1, "", "Usage: sysrc [OPTIONS] {name[[+|-]=value] ... | -a | -A | -l | -L [name ...]}\n");
            }
        }
        if (valuesOnly) showEq = false;
        SimJail? root = ctx.Jail;
        if (jailName != null)
        {
            root = SimKernel.Lookup(ctx.State, ctx.Jail, jailName);
            if (root is null) return SimResult.Fail($"jexec: jail \"{jailName}\" not found");
            if (!ctx.Fs.FileExists(SimExec.HostPath(root, "/bin/sh"))) return SimResult.Fail("jexec: execvp: /bin/sh: No such file or directory");
        }
        foreach (var f in files)
        {
            if (f.Length == 0) return SimResult.Fail("sysrc: : No such file or directory");
            if (ctx.Fs.DirectoryExists(SimExec.HostPath(root, f))) return SimResult.Fail($"sysrc: {f}: Is a directory");
        }
        var confFiles = files.Count > 0 ? files : SimRcConf.ConfFiles(ctx.Fs, root);
        var sourced = new List<string> { SimRcConf.Defaults };
        if (!defaultsOnly) sourced.AddRange(confFiles);
        var operands = args.Skip(g.OptInd).ToList();
        var sb = new StringBuilder();
        var err = new StringBuilder();
        int rc = 0;

        string Show(string name, string value) =>
            namesOnly ? name : valuesOnly ? value : showEq ? $"{name}=\"{value}\"" : $"{name}: {value}";

        if ((check || delete) && (all || allDefaults)) return SimResult.Fail("sysrc: -c and -x cannot be combined with -a or -A");
        if (operands.Count == 0)
        {
            if (!all && !allDefaults) return new SimResult(1, "", "Usage: sysrc [OPTIONS] {name[[+|-]=value] ... | -a | -A | -l | -L [name ...]}\n");
            var vals = SimRcConf.Read(ctx.Fs, root, allDefaults ? sourced : confFiles);
            foreach (var kv in vals.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.Append(Show(kv.Key, kv.Value)).Append('\n');
            return SimResult.Ok(sb.ToString());
        }

        foreach (var op in operands)
        {
            int eq = op.IndexOf('=');
            string name = eq < 0 ? op : op[..eq];
            char mode = '=';
            if (eq > 0 && (name.EndsWith('+') || name.EndsWith('-'))) { mode = name[^1]; name = name[..^1]; }
            if (!SimRcConf.IsValidName(name))
            {
                err.Append($"sysrc: {name}: name contains characters not allowed in shell\n");
                rc = 1;
                continue;
            }
            var current = SimRcConf.Read(ctx.Fs, root, sourced);
            bool known = current.TryGetValue(name, out var old);
            old ??= "";

            if (describe)
            {
                var d = Description(ctx, root, name);
                if (d is null) { if (!ignoreUnknown && !quiet) err.Append($"sysrc: unknown variable '{name}'\n"); rc = 1; continue; }
                sb.Append(valuesOnly ? d : $"{name}: {d}").Append('\n');
                continue;
            }
            if (eq < 0 && !delete)
            {
                if (!known)
                {
                    if (!ignoreUnknown && !quiet) err.Append($"sysrc: unknown variable '{name}'\n");
                    rc = 1;
                    continue;
                }
                if (check) continue;
                var where = verbose ? FileOf(ctx, root, sourced, name) + ": " : "";
                sb.Append(where).Append(Show(name, old)).Append('\n');
                continue;
            }
            if (delete)
            {
                if (!known || !confFiles.Any(f => FileHas(ctx, root, f, name)))
                {
                    if (!ignoreUnknown && !quiet) err.Append($"sysrc: unknown variable '{name}'\n");
                    rc = 1;
                    continue;
                }
                if (check) continue;
                if (!CanWrite(ctx, root, confFiles[0], err)) { rc = 1; continue; }
                foreach (var f in confFiles) DeleteFrom(ctx, root, f, name);
                continue;
            }

            var value = op[(eq + 1)..];
            var newValue = mode switch
            {
                '+' => AddWords(old, value),
                '-' => RemoveWords(old, value),
                _ => value,
            };
            if (check)
            {
                if (!known)
                {
                    if (verbose) sb.Append($"{name}: not currently set\n");
                    rc = 1;
                }
                else if (old != newValue)
                {
                    if (verbose) sb.Append($"{name}: would change from `{old}' to `{newValue}'\n");
                    rc = 1;
                }
                else if (verbose) sb.Append($"{name}: already set to `{old}'\n");
                continue;
            }
            var target = Target(ctx, root, confFiles, name);
            if (!CanWrite(ctx, root, target, err)) { rc = 1; continue; }
            Write(ctx, root, target, name, newValue);
            var reread = SimRcConf.Read(ctx.Fs, root, sourced).GetValueOrDefault(name, "");
            var prefix = verbose ? target + ": " : "";
            if (namesOnly) sb.Append(prefix).Append(name).Append('\n');
            else if (valuesOnly) sb.Append(prefix).Append($"{old} -> {reread}\n");
            else if (showEq) sb.Append(prefix).Append($"{name}=\"{old}\" # -> \"{reread}\"\n");
            else sb.Append(prefix).Append($"{name}: {old} -> {reread}\n");
        }
        return new SimResult(rc, sb.ToString(), err.ToString());
    }

    private static bool CanWrite(SimContext ctx, SimJail? root, string file, StringBuilder err)
    {
        if (ctx.IsRoot) return true;
        err.Append($"sysrc: {file}: Permission denied\n");
        return false;
    }

    private static string? Description(SimContext ctx, SimJail? root, string name)
    {
        var real = SimExec.HostPath(root, SimRcConf.Defaults);
        if (!ctx.Fs.FileExists(real)) return null;
        foreach (var l in SimRcConf.Parse(ctx.Fs.ReadAllText(real)))
            if (l.Name == name)
                return l.Comment.TrimStart().TrimStart('#').Trim();
        return null;
    }

    private static bool FileHas(SimContext ctx, SimJail? root, string file, string name)
    {
        var real = SimExec.HostPath(root, file);
        return ctx.Fs.FileExists(real) && SimRcConf.Parse(ctx.Fs.ReadAllText(real)).Any(l => l.Name == name);
    }

    private static string FileOf(SimContext ctx, SimJail? root, List<string> sourced, string name)
        => sourced.LastOrDefault(f => FileHas(ctx, root, f, name)) ?? sourced[^1];

    /// <summary>f_sysrc_set: the last file (searching last to first) that assigns the name, else the first file.</summary>
    private static string Target(SimContext ctx, SimJail? root, List<string> confFiles, string name)
    {
        for (int i = confFiles.Count - 1; i >= 0; i--)
            if (FileHas(ctx, root, confFiles[i], name)) return confFiles[i];
        return confFiles[0];
    }

    private static void Write(SimContext ctx, SimJail? root, string file, string name, string value)
    {
        var real = SimExec.HostPath(root, file);
        var text = ctx.Fs.FileExists(real) ? ctx.Fs.ReadAllText(real) : "";
        var last = SimRcConf.Parse(text).LastOrDefault(l => l.Name == name);
        if (last != null && !(last.Value.StartsWith('`') || last.Value.StartsWith('$') || last.Value.StartsWith('\\')))
        {
            var lines = text.Split('\n');
            var q = last.Quote == '\0' && (value.Length == 0 || value.Any(char.IsWhiteSpace)) ? '"' : last.Quote;
            var qs = q == '\0' ? "" : q.ToString();
            var indent = lines[last.Index][..(lines[last.Index].Length - lines[last.Index].TrimStart().Length)];
            lines[last.Index] = $"{indent}{name}={qs}{value}{qs}{last.Comment}";
            text = string.Join('\n', lines);
        }
        else
        {
            if (text.Length > 0 && !text.EndsWith('\n')) text += "\n";
            text += $"{name}=\"{value}\"\n";
        }
        ctx.Fs.WriteAllText(real, text);
    }

    private static void DeleteFrom(SimContext ctx, SimJail? root, string file, string name)
    {
        var real = SimExec.HostPath(root, file);
        if (!ctx.Fs.FileExists(real)) return;
        var text = ctx.Fs.ReadAllText(real);
        var drop = SimRcConf.Parse(text).Where(l => l.Name == name).Select(l => l.Index).ToHashSet();
        if (drop.Count == 0) return;
        var lines = text.Split('\n').Where((_, i) => !drop.Contains(i));
        ctx.Fs.WriteAllText(real, string.Join('\n', lines));
    }

    /// <summary>The word separator of a += / -= value: its first character unless alphanumeric, '.', '/' or whitespace.</summary>
    private static (char Sep, string Words) Separator(string value)
    {
        if (value.Length > 0 && !char.IsLetterOrDigit(value[0]) && value[0] != '.' && value[0] != '/' && !char.IsWhiteSpace(value[0]))
            return (value[0], value[1..]);
        return (' ', value);
    }

    private static List<string> Split(string s, char sep)
        => sep == ' ' ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList() : s.Split(sep, StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string AddWords(string old, string value)
    {
        var (sep, words) = Separator(value);
        var list = Split(old, sep);
        foreach (var w in Split(words, sep))
            if (!list.Contains(w)) list.Add(w);
        return string.Join(sep, list);
    }

    private static string RemoveWords(string old, string value)
    {
        var (sep, words) = Separator(value);
        var remove = Split(words, sep).ToHashSet();
        return string.Join(sep, Split(old, sep).Where(w => !remove.Contains(w)));
    }
}
