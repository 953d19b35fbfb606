using System.Diagnostics;
using BenchmarkDotNet.Running;
using JailsModule.Config;
using JailsModule.Bench;

// "measure": a quick Stopwatch run that prints the figures (MB/s, 10,000-file load) on one core.
// Anything else: BenchmarkDotNet (dotnet run -c Release -- --filter '*').
if (args.Length > 0 && args[0] == "loop")
{
    var t = Corpus.BigFile(16 * 1024 * 1024);
    var none = new MemoryConfSource();
    var end = DateTime.UtcNow.AddSeconds(double.Parse(args[1]));
    while (DateTime.UtcNow < end) JailConf.LoadText(t, "/etc/jail.conf", none);
    return;
}
if (args.Length > 0 && args[0] == "lex")
{
    var t = Corpus.BigFile(16 * 1024 * 1024);
    for (int k = 0; k < 5; k++)
    {
        var sw = Stopwatch.StartNew();
        var d = new List<ConfDiagnostic>();
        var toks = ConfLexer.Tokenize(t, "/f", d);
        var lex = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var tree = ConfSyntaxTree.Parse(t, "/f");
        var parse = sw.Elapsed.TotalMilliseconds;
        Console.WriteLine($"lex {lex:F0} ms ({toks.Count} tokens), lex+parse {parse:F0} ms");
    }
    return;
}
if (args.Length > 0 && args[0] == "measure")
{
    Measure();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Corpus).Assembly).Run(args);

static void Measure()
{
    var text = Corpus.BigFile(16 * 1024 * 1024);
    double mb = System.Text.Encoding.UTF8.GetByteCount(text) / 1048576.0;
    var none = new MemoryConfSource();
    for (int i = 0; i < 3; i++) JailConf.LoadText(text, "/etc/jail.conf", none); // warm up (tiered JIT)

    var lex = Best(() => ConfLexer.Tokenize(text, "/etc/jail.conf", new List<ConfDiagnostic>()));
    var parseNoTrivia = Best(() => ConfParser.Parse(text, "/etc/jail.conf", keepTrivia: false));
    var parse = Best(() => { if (ConfSyntaxTree.Parse(text, "/etc/jail.conf").HasErrors) throw new InvalidOperationException("corpus does not parse"); });
    int jails = 0;
    var all = Best(() =>
    {
        var r = JailConf.LoadText(text, "/etc/jail.conf", none);
        if (!r.Success || r.Jails.Any(j => j.Errors.Count > 0)) throw new InvalidOperationException("corpus does not evaluate");
        jails = r.Jails.Count;
    });
    Console.WriteLine($"corpus: {mb:F1} MB, {jails} jails (figures: best of 7; wall clock, and CPU time of the one thread)");
    Report("lex only", lex);
    Report("parse (lossless tree)", parse);
    Report("parse (for evaluation)", parseNoTrivia);
    Report("parse + evaluate", all);

    var many = Corpus.ManyFiles(10_000);
    var m = Best(() => { if (JailConf.Load("/etc/jail.conf", many).Jails.Count != 10_000) throw new InvalidOperationException("10,000 files did not load"); });
    Console.WriteLine($"jail.conf.d of 10,000 files, in memory: {m.Wall * 1000,6:F0} ms wall, {m.Cpu * 1000,6:F0} ms CPU");

    var root = Path.Combine(Path.GetTempPath(), "jm-bench-" + Guid.NewGuid().ToString("N")[..8]);
    try
    {
        Directory.CreateDirectory(Path.Combine(root, "etc", "jail.conf.d"));
        foreach (var f in new[] { "/etc/jail.conf" }.Concat(Enumerable.Range(0, 10_000).Select(i => $"/etc/jail.conf.d/jail{i}.conf")))
            File.WriteAllText(Path.Combine(root, f.TrimStart('/')), many.ReadAllText(f));
        var disk = new DiskConfSource(root);
        var d = Best(() => { if (JailConf.Load("/etc/jail.conf", disk).Jails.Count != 10_000) throw new InvalidOperationException("10,000 files did not load from disk"); }, 3);
        Console.WriteLine($"jail.conf.d of 10,000 files, on disk:   {d.Wall * 1000,6:F0} ms wall, {d.Cpu * 1000,6:F0} ms CPU");
    }
    finally { Directory.Delete(root, true); }

    void Report(string what, (double Wall, double Cpu) t)
        => Console.WriteLine($"{what,-24} {mb / t.Wall,7:F1} MB/s wall ({t.Wall * 1000:F0} ms)   {(t.Cpu > 0 ? mb / t.Cpu : 0),7:F1} MB/s CPU ({t.Cpu * 1000:F0} ms)");
}

static (double Wall, double Cpu) Best(Action a, int runs = 7)
{
    double wall = double.MaxValue, cpu = double.MaxValue;
    for (int i = 0; i < runs; i++)
    {
        GC.Collect();
        var c0 = ThreadCpu.Seconds();
        var sw = Stopwatch.StartNew();
        a();
        wall = Math.Min(wall, sw.Elapsed.TotalSeconds);
        cpu = Math.Min(cpu, ThreadCpu.Seconds() - c0);
    }
    return (wall, cpu);
}
