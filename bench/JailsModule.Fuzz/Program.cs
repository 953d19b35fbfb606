using System.Text;
using JailsModule.Config;
using SharpFuzz;

namespace JailsModule.Fuzz;

/// <summary>
/// Fuzz target for the jail.conf engine. Invariants checked on every input:
/// the tree prints back byte for byte; evaluation and jail -e rendering never throw; a file that parses
/// stays parsable after each kind of edit, and the edited value evaluates as written.
/// Modes: --afl (SharpFuzz out-of-process, for afl-fuzz on an instrumented JailsModule.dll),
/// --libfuzzer (libFuzzer through libfuzzer-dotnet), --smoke SECONDS [corpus dir] (no engine: random mutations
/// of the corpus in-process, for a bounded run on any machine).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "--smoke";
        switch (mode)
        {
            case "--afl":
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var r = new StreamReader(stream, Encoding.UTF8);
                    Target(r.ReadToEnd());
                });
                return 0;
            case "--libfuzzer":
                Fuzzer.LibFuzzer.Run(span => Target(Encoding.UTF8.GetString(span)));
                return 0;
            default:
                var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
                var dir = args.Length > 2 ? args[2] : null;
                return Smoke(TimeSpan.FromSeconds(seconds), dir);
        }
    }

    private sealed class Source : IConfFileSource
    {
        public string Included = "";
        public bool FileExists(string path) => path.StartsWith("/fuzz/", StringComparison.Ordinal);
        public string ReadAllText(string path) => Included;
        public IReadOnlyList<string> Glob(string pattern) => new[] { "/fuzz/inc.conf" };
    }

    public static void Target(string text)
    {
        var tree = ConfSyntaxTree.Parse(text, "/fuzz/jail.conf");
        if (tree.ToString() != text) throw new InvalidOperationException("print(parse(x)) != x");
        var src = new Source { Included = text.Length > 200 ? text[..200] : text };
        var r = JailConf.LoadText(text, "/fuzz/jail.conf", src);
        _ = JailConf.RenderJailE(r.Jails, "|");
        foreach (var d in r.Errors)
            if (string.IsNullOrEmpty(d.Message)) throw new InvalidOperationException("empty diagnostic");
        if (tree.HasErrors) return;

        var doc = JailConfDocument.Parse(text, "/fuzz/jail.conf");
        var jail = doc.JailNames.Count > 0 ? doc.JailNames[^1] : null;
        var value = text.Length > 0 ? text.Substring(text.Length / 2, Math.Min(12, text.Length - text.Length / 2)).Replace("\0", "") : "v";
        Edit(doc, d => d.SetParameter(jail, "fuzz.value", new[] { value }));
        Edit(doc, d => d.AppendParameter(jail, "fuzz.list", new[] { value, "x y" }));
        Edit(doc, d => d.SetParameter(null, "fuzz.top", null));
        Edit(doc, d => d.RemoveParameter(jail, "fuzz.value"));
        Edit(doc, d => d.AddJail("fuzzjail"));
        if (jail != null) Edit(doc, d => d.RemoveJail(jail));

        // the value written must read back (when the jail is a real one)
        var check = JailConfDocument.Parse(text, "/fuzz/jail.conf");
        if (jail != null && !EvaluatorSees(jail)) return;
        check.SetParameter(jail, "fuzz.check", new[] { value });
        var back = JailConf.LoadText(check.ToString(), "/fuzz/jail.conf", src);
        if (r.Success && !back.Success) throw new InvalidOperationException("edited file does not load: " + back.Errors[0].Message);
        if (r.Success && jail != null)
        {
            // (a jail may have several blocks of the same name: the first one is edited)
            var same = back.Jails.Where(x => x.Name == jail).ToList();
            bool ok = same.Count == 0 || same.Any(x => x.Errors.Count > 0 || x.Find("fuzz.check") is { Values: { Count: 1 } v } && v[0] == value);
            if (!ok) throw new InvalidOperationException($"written value does not read back: '{value}'");
        }
    }

    private static bool EvaluatorSees(string jail) => !jail.Contains('*');

    private static void Edit(JailConfDocument doc, Action<JailConfDocument> edit)
    {
        try { edit(doc); }
        catch (JailConfSyntaxException e) { throw new InvalidOperationException("an edit produced an unparsable file: " + e.Message, e); }
        catch (InvalidOperationException) { } // jail not defined / already defined: expected
    }

    private static readonly string[] Atoms =
    {
        "a", "web", "x.y", "10.0.0.1", "/", "//", "/*", "*/", "*", "#", "\n", " ", "\t", "\r\n", "\"", "'", "\\", "\\\n",
        "$", "$a", "${a}", "${", "{", "}", ";", ",", "=", "+=", "+", "-", "é", "\0", "\x01", "no", ".include \"x\";", "\"x\"", "'y'",
        "persist;", "a { }", "\"*\" { b; }", "$v = 1;", "path = \"/j/$name\";",
    };

    private static int Smoke(TimeSpan duration, string? corpusDir)
    {
        var corpus = new List<string>();
        if (corpusDir != null && Directory.Exists(corpusDir))
            foreach (var f in Directory.EnumerateFiles(corpusDir, "*", SearchOption.AllDirectories))
                corpus.Add(File.ReadAllText(f));
        if (corpus.Count == 0) corpus.Add("web {\n\tpath = \"/jails/$name\";\n\tpersist;\n}\n");
        var rng = new Random(12345);
        var end = DateTime.UtcNow + duration;
        long runs = 0;
        while (DateTime.UtcNow < end)
        {
            var sb = new StringBuilder(corpus[rng.Next(corpus.Count)]);
            int mutations = 1 + rng.Next(8);
            for (int m = 0; m < mutations; m++)
            {
                int pos = sb.Length == 0 ? 0 : rng.Next(sb.Length + 1);
                switch (rng.Next(4))
                {
                    case 0: sb.Insert(pos, Atoms[rng.Next(Atoms.Length)]); break;
                    case 1: if (sb.Length > 0 && pos < sb.Length) sb.Remove(pos, Math.Min(sb.Length - pos, 1 + rng.Next(6))); break;
                    case 2: if (pos < sb.Length) sb[pos] = (char)rng.Next(1, 128); break;
                    default:
                        var other = corpus[rng.Next(corpus.Count)];
                        if (other.Length > 0)
                        {
                            int a = rng.Next(other.Length), len = Math.Min(other.Length - a, 1 + rng.Next(40));
                            sb.Insert(pos, other.AsSpan(a, len));
                        }
                        break;
                }
            }
            var input = sb.ToString();
            try { Target(input); }
            catch (Exception e)
            {
                var crash = Path.Combine(Path.GetTempPath(), $"jailconf-crash-{DateTime.UtcNow:yyyyMMddHHmmss}.conf");
                File.WriteAllText(crash, input);
                Console.Error.WriteLine($"FAILURE after {runs} runs: {e.GetType().Name}: {e.Message}\ninput saved to {crash}");
                return 1;
            }
            runs++;
            if (runs % 5 == 0 && corpus.Count < 5000 && ConfSyntaxTree.Parse(input, "/c").HasErrors == false) corpus.Add(input);
        }
        Console.WriteLine($"smoke fuzzing: {runs} inputs in {duration.TotalSeconds:F0} s, no failure");
        return 0;
    }
}
