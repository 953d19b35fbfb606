using System.Diagnostics;
using BenchmarkDotNet.Running;
using JailsModule.Config;
using JailsModule.Bench;

// "measure": a quick Stopwatch run that prints the figures (MB/s, 10,000-file load) on one core.
// Anything else: BenchmarkDotNet (dotnet run -c Release -- --filter '*').
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
    long bytes = System.Text.Encoding.UTF8.GetByteCount(text);
    var none = new MemoryConfSource();
    // warm up
    for (int i = 0; i < 3; i++) JailConf.LoadText(text, "/etc/jail.conf", none);

    double best = double.MaxValue, bestParse = double.MaxValue;
    int jails = 0;
    for (int i = 0; i < 7; i++)
    {
        var sw = Stopwatch.StartNew();
        var t = ConfSyntaxTree.Parse(text, "/etc/jail.conf");
        bestParse = Math.Min(bestParse, sw.Elapsed.TotalSeconds);
        if (t.HasErrors) throw new InvalidOperationException("corpus does not parse");
        sw.Restart();
        var r = JailConf.LoadText(text, "/etc/jail.conf", none);
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
        jails = r.Jails.Count;
        if (!r.Success || r.Jails.Any(j => j.Errors.Count > 0)) throw new InvalidOperationException("corpus does not evaluate");
    }
    Console.WriteLine($"corpus: {bytes / 1048576.0:F1} MB, {jails} jails");
    Console.WriteLine($"parse only:        {bytes / 1048576.0 / bestParse,8:F1} MB/s ({bestParse * 1000:F0} ms)");
    Console.WriteLine($"parse + evaluate:  {bytes / 1048576.0 / best,8:F1} MB/s ({best * 1000:F0} ms)");

    var many = Corpus.ManyFiles(10_000);
    JailConf.Load("/etc/jail.conf", many);
    double bestMany = double.MaxValue;
    for (int i = 0; i < 5; i++)
    {
        var sw = Stopwatch.StartNew();
        var r = JailConf.Load("/etc/jail.conf", many);
        bestMany = Math.Min(bestMany, sw.Elapsed.TotalSeconds);
        if (r.Jails.Count != 10_000 || !r.Success) throw new InvalidOperationException("10,000 files did not load");
    }
    Console.WriteLine($"jail.conf.d of 10,000 files (in memory): {bestMany * 1000:F0} ms");

    var root = Path.Combine(Path.GetTempPath(), "jm-bench-" + Guid.NewGuid().ToString("N")[..8]);
    try
    {
        Directory.CreateDirectory(Path.Combine(root, "etc", "jail.conf.d"));
        foreach (var f in new[] { "/etc/jail.conf" }.Concat(Enumerable.Range(0, 10_000).Select(i => $"/etc/jail.conf.d/jail{i}.conf")))
            File.WriteAllText(Path.Combine(root, f.TrimStart('/')), many.ReadAllText(f));
        var disk = new DiskConfSource(root);
        double bestDisk = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            var r = JailConf.Load("/etc/jail.conf", disk);
            bestDisk = Math.Min(bestDisk, sw.Elapsed.TotalSeconds);
            if (r.Jails.Count != 10_000) throw new InvalidOperationException("10,000 files did not load from disk");
        }
        Console.WriteLine($"jail.conf.d of 10,000 files (on disk):   {bestDisk * 1000:F0} ms");
    }
    finally { Directory.Delete(root, true); }
}
