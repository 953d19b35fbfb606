using JailsModule.Host;
using JailsModule.Services;
using JailsModule.Tools;
using Xunit;

namespace JailsModule.Tests.Plans;

/// <summary>The one place a command runs: echo first, then run, a failure as the error that carries argv, exit code and stderr.</summary>
public sealed class CommandRunnerTests
{
    [Fact]
    public void EchoesBeforeRunningAndReturnsTheResult()
    {
        var h = new FakeHost { Handler = _ => new ProcessResult(0, "amd64\n", "") };
        var seen = new List<string>();
        var runner = new CommandRunner(h, CancellationToken.None, r => seen.Add(r.DisplayText + " (ran " + h.Commands.Count + ")"));
        var res = runner.Run(UnameTool.Machine());
        Assert.Equal("amd64\n", res.StandardOutput);
        Assert.Equal(new[] { "/usr/bin/uname -m (ran 0)" }, seen);
        Assert.Equal(new[] { "/usr/bin/uname -m" }, h.Commands);
    }

    [Fact]
    public void AFailureCarriesArgvExitCodeAndStderr()
    {
        var h = new FakeHost { Handler = _ => new ProcessResult(1, "", "cannot destroy 'zroot/x': dataset is busy\n") };
        var req = ZfsTool.Destroy("zroot/x");
        var ex = Assert.Throws<NativeCommandException>(() => CommandRunner.Run(h, req, CancellationToken.None));
        Assert.Same(req, ex.Request);
        Assert.Equal(1, ex.Result.ExitCode);
        Assert.Equal("'/sbin/zfs destroy zroot/x' failed with exit code 1: cannot destroy 'zroot/x': dataset is busy", ex.Message);
        // Unchecked: the failure is an answer, not an error.
        Assert.Equal(1, CommandRunner.RunUnchecked(h, req, CancellationToken.None).ExitCode);
        Assert.Equal(2, h.Commands.Count);
    }

    [Fact]
    public void CancellationReachesTheHost()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        var h = new TokenHost(t => seen = t);
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new CommandRunner(h, cts.Token).Run(IdTool.EffectiveUid()));
        Assert.True(seen.IsCancellationRequested);
    }

    private sealed class TokenHost : IJailHost
    {
        private readonly Action<CancellationToken> _seen;
        public TokenHost(Action<CancellationToken> seen) => _seen = seen;
        public string ComputerName => "t";
        public JailHostKind Kind => JailHostKind.Simulator;
        public Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken)
        {
            _seen(cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(new ProcessResult(0, "0\n", ""));
        }
        public bool FileExists(string path) => false;
        public bool DirectoryExists(string path) => false;
        public string ReadAllText(string path) => throw new FileNotFoundException(path);
        public byte[] ReadAllBytes(string path) => throw new FileNotFoundException(path);
        public void WriteAllTextAtomic(string path, string content, int? newFileMode = null) { }
        public void WriteAllBytes(string path, byte[] content) { }
        public IReadOnlyList<string> ListDirectory(string path, string pattern = "*") => Array.Empty<string>();
        public HostFileInfo? GetFileInfo(string path) => null;
        public void CreateDirectory(string path) { }
        public void Rename(string from, string to) { }
        public void DeleteFile(string path) { }
        public void DeleteDirectory(string path) { }
    }
}
