using JailsModule.Host;
using Xunit;

namespace JailsModule.Tests;

/// <summary>LocalHost runs real processes through CliWrap; these run on the build machine's own tools.</summary>
public sealed class LocalHostTests
{
    private readonly LocalHost _host = new();

    [Fact]
    public async Task ArgumentsReachTheProgramUnchangedWithoutAShell()
    {
        var tricky = new[] { "a b", "$(id)", "'q'", "\"dq\"", "x;y", "*" };
        var r = await _host.RunAsync(new ProcessRequest("/usr/bin/printf", new[] { "%s\\n" }.Concat(tricky)), CancellationToken.None);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Join("\n", tricky) + "\n", r.StandardOutput);
    }

    [Fact]
    public async Task EveryProcessGetsLcAllC()
    {
        var r = await _host.RunAsync(new ProcessRequest("/usr/bin/env", Array.Empty<string>()), CancellationToken.None);
        Assert.Contains("LC_ALL=C", r.StandardOutput.Split('\n'));
    }

    [Fact]
    public async Task StandardInputAndErrorAndExitCodeAreCarried()
    {
        var r = await _host.RunAsync(new ProcessRequest("/bin/sh", new[] { "-c", "cat; echo oops >&2; exit 3" }) { StandardInput = "in\n" }, CancellationToken.None);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("in\n", r.StandardOutput);
        Assert.Equal("oops", r.ErrorText);
    }

    [Fact]
    public async Task CancellationStopsARunningCommand()
    {
        using var cts = new CancellationTokenSource();
        var task = _host.RunAsync(new ProcessRequest("/bin/sleep", new[] { "300" }), cts.Token);
        cts.CancelAfter(200);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task AMissingToolIsToolNotFound()
    {
        var ex = await Assert.ThrowsAsync<ToolNotFoundException>(() =>
            _host.RunAsync(new ProcessRequest("/nonexistent/tool", Array.Empty<string>()), CancellationToken.None));
        Assert.Equal("/nonexistent/tool", ex.Tool);
    }

    [Fact]
    public void RelativeToolPathsAreRefused()
        => Assert.Throws<ArgumentException>(() => new ProcessRequest("jail", new[] { "-c" }));

    [Fact]
    public void AtomicWriteKeepsTheModeOfTheFileItReplaces()
    {
        if (OperatingSystem.IsWindows()) return; // Unix file modes
        var dir = Path.Combine(Path.GetTempPath(), "jm-local-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var f = Path.Combine(dir, "web.conf");
            File.WriteAllText(f, "old");
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            _host.WriteAllTextAtomic(f, "new");
            Assert.Equal("new", File.ReadAllText(f));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            Assert.Single(Directory.GetFiles(dir)); // no temp file left behind
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>ListFiles in one pass agrees with ListDirectory + GetFileInfo (the interface's default) on files, folders and links.</summary>
    [Fact]
    public void ListFilesDescribesMatchingFilesLikeGetFileInfoAndSkipsFolders()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jm-ls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.conf"), "a {}\n");
            File.WriteAllText(Path.Combine(dir, "b.conf"), "bb {}\n");
            File.WriteAllText(Path.Combine(dir, "c.txt"), "x");
            Directory.CreateDirectory(Path.Combine(dir, "d.conf"));
            File.CreateSymbolicLink(Path.Combine(dir, "l.conf"), Path.Combine(dir, "b.conf"));
            File.CreateSymbolicLink(Path.Combine(dir, "ld.conf"), Path.Combine(dir, "d.conf"));
            File.CreateSymbolicLink(Path.Combine(dir, "dangling.conf"), Path.Combine(dir, "nowhere"));
            var got = _host.ListFiles(dir, "*.conf");
            // A dangling link is listed as itself (GetFileInfo's view), so reading it later reports the error as jail(8) would.
            Assert.Equal(new[] { "a.conf", "b.conf", "dangling.conf", "l.conf" }, got.Select(i => Path.GetFileName(i.Path)));
            var viaDefault = ((IJailHost)new DefaultListing(_host)).ListFiles(dir, "*.conf");
            Assert.Equal(viaDefault.Select(i => (i.Path, i.Length, i.LastWriteTimeUtc, i.Mode)), got.Select(i => (i.Path, i.Length, i.LastWriteTimeUtc, i.Mode)));
            Assert.Equal(6, got.Single(i => i.Path.EndsWith("/l.conf")).Length); // the link's target, as stat(2) says
            Assert.Empty(_host.ListFiles(Path.Combine(dir, "missing"), "*"));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A host that keeps IJailHost's default ListFiles (ListDirectory + GetFileInfo per entry).</summary>
    private sealed class DefaultListing : IJailHost
    {
        private readonly LocalHost _h;
        public DefaultListing(LocalHost h) => _h = h;
        public string ComputerName => _h.ComputerName;
        public JailHostKind Kind => _h.Kind;
        public Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken) => _h.RunAsync(request, cancellationToken);
        public bool FileExists(string path) => _h.FileExists(path);
        public bool DirectoryExists(string path) => _h.DirectoryExists(path);
        public string ReadAllText(string path) => _h.ReadAllText(path);
        public byte[] ReadAllBytes(string path) => _h.ReadAllBytes(path);
        public void WriteAllTextAtomic(string path, string content, int? newFileMode = null) => _h.WriteAllTextAtomic(path, content, newFileMode);
        public void WriteAllBytes(string path, byte[] content) => _h.WriteAllBytes(path, content);
        public IReadOnlyList<string> ListDirectory(string path, string pattern = "*") => _h.ListDirectory(path, pattern);
        public HostFileInfo? GetFileInfo(string path) => _h.GetFileInfo(path);
        public void CreateDirectory(string path) => _h.CreateDirectory(path);
        public void Rename(string from, string to) => _h.Rename(from, to);
        public void DeleteFile(string path) => _h.DeleteFile(path);
        public void DeleteDirectory(string path) => _h.DeleteDirectory(path);
    }
}
