using BenchmarkDotNet.Attributes;
using JailsModule.Config;

namespace JailsModule.Bench;

/// <summary>Parse + evaluate throughput of one large file (MB/s = size / mean).</summary>
[MemoryDiagnoser]
public class ParseEvaluateBenchmark
{
    private string _text = "";
    private readonly MemoryConfSource _none = new();

    [Params(4 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => _text = Corpus.BigFile(Size);

    [Benchmark]
    public int Parse() => ConfSyntaxTree.Parse(_text, "/etc/jail.conf").Tokens.Count;

    [Benchmark]
    public int ParseAndEvaluate() => JailConf.LoadText(_text, "/etc/jail.conf", _none).Jails.Count;
}

/// <summary>/etc/jail.conf including a jail.conf.d of 10,000 files.</summary>
[MemoryDiagnoser]
public class ManyFilesBenchmark
{
    private MemoryConfSource _src = new();

    [Params(10_000)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup() => _src = Corpus.ManyFiles(Files);

    [Benchmark]
    public int LoadJailConfD() => JailConf.Load("/etc/jail.conf", _src).Jails.Count;
}
