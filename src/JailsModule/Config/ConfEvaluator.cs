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

    /// <summary>
    /// Longest value variable substitution may build (characters). jail(8) has no limit of its own, but a
    /// value longer than ARG_MAX (512 KiB on 64-bit FreeBSD) cannot reach a command line or the kernel
    /// anyway; without a limit a 1 KB file of doubling variables ($b = "$a$a"; $c = "$b$b"; ...) asks for
    /// 2^60 characters.
    /// </summary>
    public const int MaxExpandedValueLength = 1 << 20;

    /// <summary>All the text variable substitution may insert while one configuration (with its includes) is evaluated, array elements included.</summary>
    public const long MaxExpandedTotal = 16L << 20;

    private long _expanded;

    private readonly IConfFileSource _source;
    private readonly List<ConfDiagnostic> _errors = new();
    private readonly List<string> _files = new();
    private readonly List<Record> _records = new();
    private Record? _global;
    private int _seq;

    private ConfEvaluator(IConfFileSource source) => _source = source;

    internal readonly struct RawParam
    {
        public RawParam(ConfParamItem item, string file)
        {
            Item = item;
            File = file;
        }

        public ConfParamItem Item { get; }
        public string File { get; }
        public string Name => Item.Name;
        public bool IsVar => Item.IsVariable;
        public ConfOperator Op => Item.Operator;
        public IReadOnlyList<ConfValue> Values => Item.Values;
        public int Line => Item.Line;
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
        var tree = ConfParser.Parse(text, fileName, keepTrivia: false);
        Walk(tree, null, null, 0, 0);
        return new ConfLoadResult(Evaluate(), _errors, _files);
    }

    // jail(8) exits as soon as an included file had an error, its depth is exceeded or it cannot be opened
    // (parse_config/include_config call exit): nothing after that point is read.
    private bool _fatal;

    private void Walk(ConfSyntaxTree tree, Record? parent, string? prefix, int depth, int nest)
    {
        var diags = tree.OrderedDiagnostics;
        int di = 0;
        WalkItems(tree, tree.Items, parent, prefix, depth, nest, diags, ref di);
        if (_fatal) return;
        while (di < diags.Count) _errors.Add(diags[di++].Diag);
        if (depth > 0 && diags.Count > 0) _fatal = true;
    }

    /// <param name="nest">Blocks enclosing <paramref name="items"/> (at most <see cref="ConfParser.MaxBlockDepth"/>, which the parser enforces, so this recursion is bounded).</param>
    private void WalkItems(ConfSyntaxTree tree, List<ConfItem> items, Record? parent, string? prefix, int depth, int nest,
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
                rec.Params.Capacity = b.Items.Count;
                WalkItems(tree, b.Items, rec, rec.Name, depth, nest + 1, diags, ref di);
                continue;
            }
            var p = (ConfParamItem)item;
            if (p.IsInclude)
            {
                int end = tree.Tokens[p.LastToken].End;
                while (di < diags.Count && diags[di].Offset < end) _errors.Add(diags[di++].Diag);
                Include(tree, p, parent, prefix, depth, nest);
                continue;
            }
            var target = parent ?? (_global ??= NewGlobal());
target.Params.Add(new RawParam(p, tree.FileName));
        }
    }

    private Record NewGlobal()
    {
        var g = new Record { Name = "*", Seq = ++_seq, File = "", Line = 0 };
        _records.Add(g);
        return g;
    }

    private void Include(ConfSyntaxTree tree, ConfParamItem p, Record? parent, string? prefix, int depth, int nest)
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
                Walk(ConfParser.Parse(text, f, keepTrivia: false, nest), parent, prefix, depth + 1, nest);
                if (_fatal) return;
            }
        }
    }

    private static readonly char[] GlobMagic = { '*', '?', '[' };

    /// <summary>Charges splicing <paramref name="vp"/>'s values into a string of <paramref name="length"/> characters; false when a limit would be passed.</summary>
    private bool Budget(int length, EvalParam vp)
    {
        long cost = 0;
        foreach (var v in vp.Values) cost += v.Text.Length + 16; // an element costs a little even when empty
        if (length + (long)vp.Values[0].Text.Length > MaxExpandedValueLength || _expanded + cost > MaxExpandedTotal) return false;
        _expanded += cost;
        return true;
    }

    // ---------------------------------------------------------------- evaluation

    /// <summary>One string of a value while a jail is evaluated. The variable list is shared with the syntax
    /// tree: <see cref="Next"/> is the first one not yet substituted and <see cref="Shift"/> how much text was
    /// inserted before it (positions move as values are spliced in).</summary>
    private struct EvalValue
    {
        public string Text;
        public List<ConfVarRef>? Vars;
        public int Next;
        public int Shift;

        public readonly int Pending => Vars is null ? 0 : Vars.Count - Next;
    }

    private sealed class EvalParam
    {
        public string Name = "";
        public bool IsVar;
        public bool Immutable;
        public readonly List<EvalValue> Values = new(2);
        public string File = "";
        public int Line;
        public int Gen;
        public bool Bad;
        public int Key;

        /// <summary>The one assignment that gave the current value, untouched by += or substitution: the output
        /// can then share one ConfParameter among all jails (most parameters of a big file are like that).</summary>
        public ConfParamItem? Source;

        public EvalParam Reset(string name, bool isVar, bool immutable, string file, int line, ConfParamItem? source, int key)
        {
            Key = key;
            Name = name;
            IsVar = isVar;
            Immutable = immutable;
            Values.Clear();
            File = file;
            Line = line;
            Gen = 0;
            Bad = false;
            Source = source;
            return this;
        }

        public bool HasPendingVars()
        {
            foreach (var v in Values) if (v.Pending > 0) return true;
            return false;
        }
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

    /// <summary>A hash that equalopts()-equal names share: each dot component hashed with every leading "no"
    /// removed. Different hashes prove the names differ, so most comparisons are one integer compare.</summary>
    public static int OptKey(string name)
    {
        var h = new HashCode();
        int i = 0;
        while (i <= name.Length)
        {
            while (i + 1 < name.Length && name[i] == 'n' && name[i + 1] == 'o') i += 2;
            int dot = name.IndexOf('.', i);
            int end = dot < 0 ? name.Length : dot;
            h.Add(string.GetHashCode(name.AsSpan(i, end - i)));
            if (dot < 0) break;
            i = dot + 1;
        }
        return h.ToHashCode();
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

    // Names jail(8) knows (intparams[] without the PF_CONV entries): a variable of that name is refused
    // (add_param), and "name"/"jid" stay immutable once set.
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

    // Every spelling equalopts() matches against an intparam (the name, and "no" at each component's start),
    // mapped to the first intparam in table order, so the lookup is one hash probe.
    private static readonly Dictionary<string, string> IntParamSpellings = BuildSpellings();

    private static Dictionary<string, string> BuildSpellings()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var ip in IntParams)
        {
            d.TryAdd(ip, ip);
            for (int i = 0; i < ip.Length; i = ip.IndexOf('.', i) + 1)
            {
                d.TryAdd(ip[..i] + "no" + ip[i..], ip);
                if (ip.IndexOf('.', i) < 0) break;
            }
        }
        foreach (var (k, v) in d) System.Diagnostics.Debug.Assert(EqualOpts(k, v));
        return d;
    }

    private List<ConfJail> Evaluate()
    {
        var wild = new List<Record>();
        var real = new List<Record>();
        foreach (var r in _records) (IsWildcard(r.Name) ? wild : real).Add(r);
        var result = new List<ConfJail>(real.Count);
        foreach (var j in real) result.Add(EvaluateJail(j, wild));
        return result;
    }

    // Scratch reused from one jail to the next (evaluation allocates only what it returns).
    private static readonly int NameKey = OptKey("name"), JidKey = OptKey("jid");
    private readonly List<EvalParam> _ps = new(32);
    private readonly List<EvalParam> _pool = new(32);
    private int _poolUsed;

    private EvalParam Rent() => _poolUsed < _pool.Count ? _pool[_poolUsed++] : Grow();

    private EvalParam Grow()
    {
        var p = new EvalParam();
        _pool.Add(p);
        _poolUsed++;
        return p;
    }

    private ConfJail EvaluateJail(Record j, List<Record> wild)
    {
        var ps = _ps;
        ps.Clear();
        _poolUsed = 0;
        List<string>? errors = null;
        bool jidNamed = IsJidName(j.Name);
        var implied = Rent().Reset(jidNamed ? "jid" : "name", false, true, j.File, j.Line, null, jidNamed ? JidKey : NameKey);
        implied.Values.Add(new EvalValue { Text = j.Name });
        ps.Add(implied);
        bool didSelf = false;
        foreach (var w in wild)
        {
            if (j.Seq < w.Seq && !didSelf)
            {
                foreach (var p in j.Params) AddParam(j.Name, p, ref errors);
                didSelf = true;
            }
            if (WildMatch(j.Name, w.Name))
                foreach (var p in w.Params) AddParam(j.Name, p, ref errors);
        }
        if (!didSelf)
            foreach (var p in j.Params) AddParam(j.Name, p, ref errors);

        // §16.2: an all-digit block implies name = the number, appended after everything else.
        // load_config() backfills "name" when nothing set it (intparams[KP_NAME], matched with equalopts).
        if (jidNamed && !ps.Exists(p => !p.IsVar && EqualOpts(p.Name, "name")))
        {
            var n = Rent().Reset("name", false, true, j.File, j.Line, null, NameKey);
            n.Values.Add(new EvalValue { Text = j.Name });
            ps.Add(n);
        }

        bool anyVars = false;
        foreach (var p in ps)
            if (p.IsVar || p.HasPendingVars()) { anyVars = true; break; }
        if (anyVars) Substitute(j.Name, ps, ref errors);

        var parameters = new ConfParameter[ps.Count];
        int count = 0;
        foreach (var p in ps)
        {
            if (p.IsVar) continue;
            if (p.Source != null)
            {
                parameters[count++] = p.Source.Shared ??= new ConfParameter(p.Name, ValuesOf(p), p.File, p.Line);
                continue;
            }
            parameters[count++] = new ConfParameter(p.Name, ValuesOf(p), p.File, p.Line);
        }
        if (count < parameters.Length) Array.Resize(ref parameters, count);
        var cj = new ConfJail(j.Name, parameters, j.File, j.Line);
        if (errors != null) cj.Errors.AddRange(errors);
        return cj;

        static string[]? ValuesOf(EvalParam p)
        {
            if (p.Values.Count == 0) return null;
            var values = new string[p.Values.Count];
            for (int i = 0; i < values.Length; i++) values[i] = p.Values[i].Text;
            return values;
        }
    }

    private void AddParam(string jail, RawParam p, ref List<string>? errors)
    {
        var ps = _ps;
        EvalParam? dp = null;
        int key = p.Item.NameKey;
        foreach (var x in ps)
            if (x.Key == key && EqualOpts(x.Name, p.Name)) { dp = x; break; }
        if (dp != null)
        {
            if (dp.IsVar != p.IsVar)
            {
                (errors ??= new()).Add($"{jail}: variable \"${p.Name}\" cannot have the same name as a parameter.");
                return;
            }
            if (dp.Immutable)
            {
                (errors ??= new()).Add($"{jail}: cannot redefine parameter \"{dp.Name}\".");
                return;
            }
            dp.Name = p.Name;
            if (p.Op != ConfOperator.Append || p.Values.Count == 0)
            {
                dp.Values.Clear();
                dp.Source = p.Item;
            }
            else dp.Source = null;
            CopyValues(p.Values, dp.Values);
            dp.File = p.File;
            dp.Line = p.Line;
            return;
        }
        bool immutable = false;
        if (IntParamSpellings.TryGetValue(p.Name, out var ip))
        {
            if (p.IsVar)
            {
                (errors ??= new()).Add($"{jail}: variable \"${p.Name}\" cannot have the same name as a parameter.");
                return;
            }
            immutable = ip is "name" or "jid";
        }
        var np = Rent().Reset(p.Name, p.IsVar, immutable, p.File, p.Line, p.Item, key);
        CopyValues(p.Values, np.Values);
        ps.Add(np);
    }

    private static void CopyValues(IReadOnlyList<ConfValue> from, List<EvalValue> to)
    {
        for (int i = 0; i < from.Count; i++) to.Add(new EvalValue { Text = from[i].Text, Vars = from[i].Vars });
    }

    /// <summary>The variable loop of load_config(): lookup by exact name over the merged list.</summary>
    private void Substitute(string jail, List<EvalParam> ps, ref List<string>? errors)
    {
        int pgen = 0;
        for (int pi = 0; pi < ps.Count; pi++)
        {
            var p = ps[pi];
            p.Gen = ++pgen;
        findVars:
            for (int si = 0; si < p.Values.Count; si++)
            {
                while (p.Values[si].Pending > 0)
                {
                    p.Source = null;
                    var s = p.Values[si];
                    var v = s.Vars![s.Next];
                    EvalParam? vp = null;
                    foreach (var x in ps)
                        if (x.Name == v.Name) { vp = x; break; }
                    bool bad = false;
                    if (vp == null || vp.Values.Count == 0)
                    {
                        (errors ??= new()).Add($"{jail}: {p.Name}: variable \"{v.Name}\" not found");
                        bad = true;
                    }
                    else if (vp.Bad) bad = true;
                    else if (vp.Gen == pgen)
                    {
                        (errors ??= new()).Add($"{jail}: {v.Name}: variable loop");
                        bad = true;
                    }
                    else if (vp.HasPendingVars())
                    {
                        // Resolve the referenced one first: it moves ahead of the current parameter.
                        vp.Gen = pgen;
                        ps.Remove(vp);
                        pi = ps.IndexOf(p);
                        ps.Insert(pi, vp);
                        p = vp;
                        goto findVars;
                    }
                    else if (vp.Values.Count > 1 && (s.Text.Length != 0 || s.Pending > 1))
                    {
                        (errors ??= new()).Add($"{jail}: {p.Name}: array cannot be substituted inline");
                        bad = true;
                    }
                    else if (!Budget(s.Text.Length, vp))
                    {
                        (errors ??= new()).Add($"{jail}: {p.Name}: value longer than {MaxExpandedValueLength} characters after variable substitution "
                            + $"(or more than {MaxExpandedTotal} characters substituted in the whole configuration)");
                        bad = true;
                    }
                    else
                    {
                        var first = vp.Values[0].Text;
                        s.Text = s.Text.Insert(v.Position + s.Shift, first);
                        s.Shift += first.Length;
                        s.Next++;
                        p.Values[si] = s;
                        for (int k = 1; k < vp.Values.Count; k++)
                            p.Values.Insert(++si, new EvalValue { Text = vp.Values[k].Text });
                        continue;
                    }
                    if (bad)
                        foreach (var x in ps)
                            if (x.Gen == pgen) x.Bad = true;
                    s.Next++;
                    p.Values[si] = s;
                }
            }
        }
    }
}
