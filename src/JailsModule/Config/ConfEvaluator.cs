using System.Text;

namespace JailsModule.Config;

/// <summary>
/// Reads a file with its includes into jail records and evaluates each jail as load_config() in
/// usr.sbin/jail/config.c does (reference §2.4–§2.6 and §16): one global "*" record at the first
/// top-level parameter, wildcard records applied by sequence, add_param replace/append with "no" names,
/// immutable name/jid, per-jail variable substitution.
/// </summary>
internal sealed class ConfEvaluator
{
    public const int MaxIncludeDepth = 32;

    private readonly IConfFileSource _source;
    private readonly List<ConfDiagnostic> _errors = new();
    private readonly List<string> _files = new();
    private readonly List<Record> _records = new();
    private Record? _global;
    private int _seq;

    private ConfEvaluator(IConfFileSource source) => _source = source;

    internal sealed class RawParam
    {
        public required string Name;
        public bool IsVar;
        public ConfOperator Op;
        public required List<ConfValue> Values;
        public required string File;
        public int Line;
    }

    internal sealed class Record
    {
        public required string Name;
        public int Seq;
        public required string File;
        public int Line;
        public readonly List<RawParam> Params = new();
    }

    public static ConfLoadResult Load(string path, IConfFileSource source)
    {
        var ev = new ConfEvaluator(source);
        if (!source.FileExists(path))
        {
            ev._errors.Add(new ConfDiagnostic(path, 0, 0, path, $"{path}: No such file or directory"));
            return new ConfLoadResult(Array.Empty<ConfJail>(), ev._errors, ev._files);
        }
        string text;
        try { text = source.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ev._errors.Add(new ConfDiagnostic(path, 0, 0, path, $"{path}: {e.Message}"));
            return new ConfLoadResult(Array.Empty<ConfJail>(), ev._errors, ev._files);
        }
        return ev.Run(text, path);
    }

    public static ConfLoadResult LoadText(string text, string fileName, IConfFileSource source)
        => new ConfEvaluator(source).Run(text, fileName);

    private ConfLoadResult Run(string text, string fileName)
    {
        _files.Add(fileName);
        var tree = ConfSyntaxTree.Parse(text, fileName);
        Walk(tree, null, null, 0);
        return new ConfLoadResult(Evaluate(), _errors, _files);
    }

    // jail(8) exits as soon as an included file had an error, its depth is exceeded or it cannot be opened
    // (parse_config/include_config call exit): nothing after that point is read.
    private bool _fatal;

    private void Walk(ConfSyntaxTree tree, Record? parent, string? prefix, int depth)
    {
        var diags = tree.OrderedDiagnostics;
        int di = 0;
        WalkItems(tree, tree.Items, parent, prefix, depth, diags, ref di);
        if (_fatal) return;
        while (di < diags.Count) _errors.Add(diags[di++].Diag);
        if (depth > 0 && diags.Count > 0) _fatal = true;
    }

    private void WalkItems(ConfSyntaxTree tree, List<ConfItem> items, Record? parent, string? prefix, int depth,
        List<(int Offset, ConfDiagnostic Diag)> diags, ref int di)
    {
        foreach (var item in items)
        {
            if (_fatal) return;
            if (item is ConfBlockItem b)
            {
                var rec = new Record
                {
                    Name = prefix is null ? b.Name : prefix + "." + b.Name,
                    Seq = ++_seq,
                    File = tree.FileName,
                    Line = b.Line,
                };
                _records.Add(rec);
                WalkItems(tree, b.Items, rec, rec.Name, depth, diags, ref di);
                continue;
            }
            var p = (ConfParamItem)item;
            if (p.IsInclude)
            {
                int end = tree.Tokens[p.LastToken].End;
                while (di < diags.Count && diags[di].Offset < end) _errors.Add(diags[di++].Diag);
                Include(tree, p, parent, prefix, depth);
                continue;
            }
            var target = parent ?? (_global ??= NewGlobal());
            target.Params.Add(new RawParam
            {
                Name = p.Name,
                IsVar = p.IsVariable,
                Op = p.Operator,
                Values = p.Values,
                File = tree.FileName,
                Line = p.Line,
            });
        }
    }

    private Record NewGlobal()
    {
        var g = new Record { Name = "*", Seq = ++_seq, File = "", Line = 0 };
        _records.Add(g);
        return g;
    }

    private void Include(ConfSyntaxTree tree, ConfParamItem p, Record? parent, string? prefix, int depth)
    {
        int col = tree.ColumnOf(p.NameToken);
        foreach (var v in p.Values)
        {
            if (_fatal) return;
            if (v.HasVars) continue; // reported by the parser
            var pattern = v.Text;
            // include_config(): relative names are based on the including file's folder (not for stdin,
            // and not when that name has no '/').
            if (!pattern.StartsWith('/') && tree.FileName != "STDIN")
            {
                int slash = tree.FileName.LastIndexOf('/');
                if (slash >= 0) pattern = tree.FileName[..(slash + 1)] + pattern;
            }
            if (depth + 1 > MaxIncludeDepth)
            {
                _errors.Add(new ConfDiagnostic(tree.FileName, p.Line, col, pattern, "maximum include depth exceeded"));
                _fatal = true;
                return;
            }
            IReadOnlyList<string> files;
            if (pattern.IndexOfAny(GlobMagic) >= 0) files = _source.Glob(pattern);
            else files = new[] { pattern };
            foreach (var f in files)
            {
                string text;
                try
                {
                    if (!_source.FileExists(f)) throw new FileNotFoundException();
                    text = _source.ReadAllText(f);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    var why = e is FileNotFoundException or DirectoryNotFoundException ? "No such file or directory"
                        : e is UnauthorizedAccessException ? "Permission denied" : e.Message;
                    _errors.Add(new ConfDiagnostic(tree.FileName, p.Line, col, f, $"{f}: {why}"));
                    _fatal = true;
                    return;
                }
                _files.Add(f);
                Walk(ConfSyntaxTree.Parse(text, f), parent, prefix, depth + 1);
                if (_fatal) return;
            }
        }
    }

    private static readonly char[] GlobMagic = { '*', '?', '[' };

    // ---------------------------------------------------------------- evaluation

    private sealed class EvalValue
    {
        public required string Text;
        public List<ConfVarRef>? Vars;
    }

    private sealed class EvalParam
    {
        public required string Name;
        public bool IsVar;
        public bool Immutable;
        public required List<EvalValue> Values;
        public required string File;
        public int Line;
        public int Gen;
        public bool Bad;
    }

    /// <summary>wild_jail_name(): a '*' that is a whole dot-separated component.</summary>
    public static bool IsWildcard(string name)
    {
        for (int i = name.IndexOf('*'); i >= 0; i = name.IndexOf('*', i + 1))
            if ((i == 0 || name[i - 1] == '.') && (i + 1 == name.Length || name[i + 1] == '.'))
                return true;
        return false;
    }

    /// <summary>wild_jail_match(): a non-final "*" matches one component, a final "*" one or more.</summary>
    public static bool WildMatch(string jname, string wname)
    {
        int jc = 0, wc = 0;
        while (true)
        {
            int jd = jname.IndexOf('.', jc);
            if (jd < 0) break;
            int wd = wname.IndexOf('.', wc);
            if (wd < 0) break;
            bool same = jd - jc == wd - wc && string.CompareOrdinal(jname, jc, wname, wc, jd - jc + 1) == 0;
            bool star = wd - wc == 1 && wname[wc] == '*';
            if (!same && !star) return false;
            jc = jd + 1;
            wc = wd + 1;
        }
        int jl = jname.Length - jc, wl = wname.Length - wc;
        return (jl == wl && string.CompareOrdinal(jname, jc, wname, wc, jl) == 0) || (wl == 1 && wname[wc] == '*');
    }

    /// <summary>equalopts(): names equal, or equal but for a "no" at the start of one dot component.</summary>
    public static bool EqualOpts(string a, string b)
    {
        // A match other than equality needs exactly one "no" more on one side.
        int diff = a.Length - b.Length;
        if (diff == 0) return string.Equals(a, b);
        if (diff is not (2 or -2)) return false;
        int ai = 0, bi = 0;
        while (true)
        {
            if (NoEqual(a, ai, b, bi) || NoEqual(b, bi, a, ai)) return true;
            int dot = a.IndexOf('.', ai);
            if (dot < 0) return false;
            int len = dot + 1 - ai;
            if (b.Length - bi < len || string.CompareOrdinal(a, ai, b, bi, len) != 0) return false;
            ai += len;
            bi += len;
        }

        static bool NoEqual(string x, int xi, string y, int yi)
            => x.Length - xi == y.Length - yi + 2 && string.CompareOrdinal(x, xi, "no", 0, 2) == 0
               && string.CompareOrdinal(x, xi + 2, y, yi, y.Length - yi) == 0;
    }

    /// <summary>strtol(name) != 0 and the whole name was a number: the block sets jid, not name.</summary>
    private static bool IsJidName(string name)
        => JailParameterValues.StrToL(name, out int end) != 0 && end == name.Length;

    // Names jail(8) knows (intparams[]): a variable of that name is refused (add_param).
    private static readonly string[] IntParams =
    {
        "allow.dying", "command", "depend", "exec.clean", "exec.consolelog", "exec.created", "exec.fib",
        "exec.jail_user", "exec.poststart", "exec.poststop", "exec.prepare", "exec.prestart", "exec.prestop",
        "exec.release", "exec.start", "exec.stop", "exec.system_jail_user", "exec.system_user", "exec.timeout",
        "interface", "ip_hostname", "mount", "mount.devfs", "mount.fdescfs", "mount.fstab", "mount.procfs",
        "stop.timeout", "vnet.interface", "zfs.dataset",
        "allow.chflags", "allow.mount", "allow.raw_sockets", "allow.set_hostname", "allow.socket_af",
        "allow.sysvipc", "devfs_ruleset", "host.hostname", "ip4.addr", "ip6.addr", "jid", "name", "path",
        "persist", "securelevel", "vnet",
    };

    private List<ConfJail> Evaluate()
    {
        var wild = new List<Record>();
        var real = new List<Record>();
        foreach (var r in _records) (IsWildcard(r.Name) ? wild : real).Add(r);
        var result = new List<ConfJail>(real.Count);
        foreach (var j in real) result.Add(EvaluateJail(j, wild));
        return result;
    }

    private ConfJail EvaluateJail(Record j, List<Record> wild)
    {
        var ps = new List<EvalParam>(16);
        var errors = new List<string>();
        bool jidNamed = IsJidName(j.Name);
        ps.Add(new EvalParam
        {
            Name = jidNamed ? "jid" : "name",
            Immutable = true,
            Values = new List<EvalValue> { new() { Text = j.Name } },
            File = j.File,
            Line = j.Line,
        });
        bool didSelf = false;
        foreach (var w in wild)
        {
            if (j.Seq < w.Seq && !didSelf)
            {
                foreach (var p in j.Params) AddParam(j.Name, ps, p, errors);
                didSelf = true;
            }
            if (WildMatch(j.Name, w.Name))
                foreach (var p in w.Params) AddParam(j.Name, ps, p, errors);
        }
        if (!didSelf)
            foreach (var p in j.Params) AddParam(j.Name, ps, p, errors);

        // §16.2: an all-digit block implies name = the number, appended after everything else.
        // load_config() backfills "name" when nothing set it (intparams[KP_NAME], matched with equalopts).
        if (jidNamed && !ps.Exists(p => !p.IsVar && EqualOpts(p.Name, "name")))
            ps.Add(new EvalParam
            {
                Name = "name",
                Values = new List<EvalValue> { new() { Text = j.Name } },
                File = j.File,
                Line = j.Line,
            });

        Substitute(j.Name, ps, errors);

        var parameters = new List<ConfParameter>(ps.Count);
        foreach (var p in ps)
        {
            if (p.IsVar) continue;
            IReadOnlyList<string>? values = null;
            if (p.Values.Count > 0)
            {
                var arr = new string[p.Values.Count];
                for (int i = 0; i < arr.Length; i++) arr[i] = p.Values[i].Text;
                values = arr;
            }
            parameters.Add(new ConfParameter(p.Name, values, p.File, p.Line));
        }
        var cj = new ConfJail(j.Name, parameters, j.File, j.Line);
        cj.Errors.AddRange(errors);
        return cj;
    }

    private static void AddParam(string jail, List<EvalParam> ps, RawParam p, List<string> errors)
    {
        EvalParam? dp = null;
        foreach (var x in ps)
            if (EqualOpts(x.Name, p.Name)) { dp = x; break; }
        var values = new List<EvalValue>(p.Values.Count);
        foreach (var v in p.Values)
            values.Add(new EvalValue { Text = v.Text, Vars = v.Vars is null ? null : new List<ConfVarRef>(v.Vars) });
        if (dp != null)
        {
            if (dp.IsVar != p.IsVar)
            {
                errors.Add($"{jail}: variable \"${p.Name}\" cannot have the same name as a parameter.");
                return;
            }
            if (dp.Immutable)
            {
                errors.Add($"{jail}: cannot redefine parameter \"{dp.Name}\".");
                return;
            }
            dp.Name = p.Name;
            if (p.Op != ConfOperator.Append || values.Count == 0) dp.Values.Clear();
            dp.Values.AddRange(values);
            dp.File = p.File;
            dp.Line = p.Line;
            return;
        }
        bool immutable = false;
        foreach (var ip in IntParams)
            if (EqualOpts(p.Name, ip))
            {
                if (p.IsVar)
                {
                    errors.Add($"{jail}: variable \"${p.Name}\" cannot have the same name as a parameter.");
                    return;
                }
                immutable = ip is "name" or "jid";
                break;
            }
        ps.Add(new EvalParam { Name = p.Name, IsVar = p.IsVar, Immutable = immutable, Values = values, File = p.File, Line = p.Line });
    }

    /// <summary>The variable loop of load_config(): lookup by exact name over the merged list.</summary>
    private static void Substitute(string jail, List<EvalParam> ps, List<string> errors)
    {
        int pgen = 0;
        for (int pi = 0; pi < ps.Count; pi++)
        {
            var p = ps[pi];
            p.Gen = ++pgen;
        findVars:
            for (int si = 0; si < p.Values.Count; si++)
            {
                var s = p.Values[si];
                while (s.Vars is { Count: > 0 })
                {
                    var v = s.Vars[0];
                    EvalParam? vp = null;
                    foreach (var x in ps)
                        if (x.Name == v.Name) { vp = x; break; }
                    bool bad = false;
                    if (vp == null || vp.Values.Count == 0)
                    {
                        errors.Add($"{jail}: {p.Name}: variable \"{v.Name}\" not found");
                        bad = true;
                    }
                    else if (vp.Bad) bad = true;
                    else if (vp.Gen == pgen)
                    {
                        errors.Add($"{jail}: {v.Name}: variable loop");
                        bad = true;
                    }
                    else
                    {
                        bool pending = false;
                        foreach (var vs in vp.Values)
                            if (vs.Vars is { Count: > 0 }) { pending = true; break; }
                        if (pending)
                        {
                            // Resolve the referenced one first: it moves ahead of the current parameter.
                            vp.Gen = pgen;
                            ps.Remove(vp);
                            pi = ps.IndexOf(p);
                            ps.Insert(pi, vp);
                            p = vp;
                            goto findVars;
                        }
                        if (vp.Values.Count > 1 && (s.Text.Length != 0 || s.Vars.Count > 1))
                        {
                            errors.Add($"{jail}: {p.Name}: array cannot be substituted inline");
                            bad = true;
                        }
                        else
                        {
                            var first = vp.Values[0].Text;
                            s.Text = s.Text.Insert(v.Position, first);
                            s.Vars.RemoveAt(0);
                            for (int k = 0; k < s.Vars.Count; k++)
                                s.Vars[k] = s.Vars[k] with { Position = s.Vars[k].Position + first.Length };
                            for (int k = 1; k < vp.Values.Count; k++)
                                p.Values.Insert(++si, new EvalValue { Text = vp.Values[k].Text });
                            s = p.Values[si];
                            continue;
                        }
                    }
                    if (bad)
                    {
                        foreach (var x in ps)
                            if (x.Gen == pgen) x.Bad = true;
                    }
                    s.Vars!.RemoveAt(0);
                }
            }
        }
    }
}
