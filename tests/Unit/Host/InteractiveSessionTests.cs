using JailsModule.Host;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Host;

/// <summary>Enter-Jail's session through the host contract (IJailHost.RunInteractiveAsync) on the simulated host.</summary>
public sealed class InteractiveSessionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jm-interactive-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SimulatedHost _host;

    public InteractiveSessionTests()
    {
        _host = new SimulatedHost(_dir);
        SimSeed.InstallUserland(_host.Fs, "/jails/web", null);
        var r = _host.RunAsync(new ProcessRequest("/usr/sbin/jail", new[] { "-c", "name=web", "path=/jails/web", "host.hostname=web.example.org", "persist" }), CancellationToken.None).GetAwaiter().GetResult();
        Assert.Equal(0, r.ExitCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class ScriptedTerminal : IJailHostTerminal
    {
        private readonly Queue<string> _lines;
        public ScriptedTerminal(params string[] lines) => _lines = new Queue<string>(lines);
        public System.Text.StringBuilder Screen { get; } = new();
        public List<string> Echoed { get; } = new();
        public void Write(string text) => Screen.Append(text);
        public string? ReadLine() => _lines.Count > 0 ? _lines.Dequeue() : null;
        public void Echo(ProcessRequest request) => Echoed.Add(request.DisplayText);
    }

    [Fact]
    public async Task EachLineRunsThroughJexecInTheJailUntilExit()
    {
        var term = new ScriptedTerminal("hostname", "", "echo hi; false", "exit", "echo never");
        var status = await ((IJailHost)_host).RunInteractiveAsync(new ProcessRequest("/usr/sbin/jexec", new[] { "-l", "web" }), term, CancellationToken.None);
        Assert.Equal(1, status); // the last command's status (false)
        Assert.Equal(new[] { "/usr/sbin/jexec -l web /bin/sh", "/usr/sbin/jexec -l web /bin/sh" }, term.Echoed);
        Assert.Equal(
            "Simulated shell in jail 'web': each line runs through jexec -l web /bin/sh. Type 'exit' to leave.\n" +
            "root@web:/ # web.example.org\nroot@web:/ # root@web:/ # hi\nroot@web:/ # ",
            term.Screen.ToString());
        var log = _host.ReadLog().Where(e => e.FileName == "/usr/sbin/jexec").ToList();
        Assert.Equal(2, log.Count);
        Assert.Equal(new[] { "-l", "web", "/bin/sh" }, log[1].Arguments);
    }

    [Fact]
    public async Task EndOfInputEndsTheSessionAndTheUserNamesThePrompt()
    {
        var term = new ScriptedTerminal("whoami");
        var status = await ((IJailHost)_host).RunInteractiveAsync(new ProcessRequest("/usr/sbin/jexec", new[] { "-l", "-U", "root", "web" }), term, CancellationToken.None);
        Assert.Equal(0, status);
        Assert.Contains("root@web:/ # root\nroot@web:/ # ", term.Screen.ToString());
    }

    [Fact]
    public async Task AHostWithoutSessionsSaysSo()
    {
        IJailHost plain = new Plans.FakeHost();
        await Assert.ThrowsAsync<NotSupportedException>(() => plain.RunInteractiveAsync(new ProcessRequest("/usr/sbin/jexec", new[] { "web" }), new ScriptedTerminal(), CancellationToken.None));
    }
}
