using System.Reflection;
using System.Text;

namespace JailsModule.Simulation;

/// <summary>Marks a class that answers for one or more FreeBSD tool paths in the simulator.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class SimulatedToolAttribute : Attribute
{
    public SimulatedToolAttribute(string path) => Path = path;
    public string Path { get; }
}

/// <summary>A simulated FreeBSD program. It gets the argv exactly as the module sent it.</summary>
public interface ISimulatedTool
{
    SimResult Run(SimContext context, IReadOnlyList<string> args);
}

/// <summary>
/// A simulated program that can take its standard input as a byte stream (<see cref="SimContext.StandardInputStream"/>)
/// and write bytes through <see cref="SimResult.Pump"/>. Any other program gets its input as text,
/// read by the host before the program runs.
/// </summary>
public interface ISimulatedStreamTool : ISimulatedTool
{
}

/// <summary>Copies bytes from standard input to standard output; runs after the state lock is released.</summary>
public delegate void SimPump(Stream standardInput, Stream standardOutput, CancellationToken cancellationToken);

public sealed record SimResult(int ExitCode, string StandardOutput = "", string StandardError = "")
{
    /// <summary>
    /// Bytes the program moves once its state work is done (cat of a pipe, later zfs send): the host
    /// runs it after <see cref="StandardOutput"/> is written and outside the state lock, with the
    /// caller's streams, so nothing of the payload is held in memory and no other command waits for it.
    /// </summary>
    public SimPump? Pump { get; init; }

    public static SimResult Ok(string stdout = "") => new(0, stdout);
    public static SimResult Fail(string stderr, int exitCode = 1)
        => new(exitCode, "", stderr.EndsWith('\n') ? stderr : stderr + "\n");
}

/// <summary>What a simulated tool sees while it runs: the state, the file tree, and who/where it runs.</summary>
public sealed class SimContext
{
    public SimContext(SimState state, SimFileSystem fs, string toolPath, string? stdin, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        State = state;
        Fs = fs;
        ToolPath = toolPath;
        _stdin = stdin;
        Environment = environment;
        CancellationToken = cancellationToken;
    }

    public SimState State { get; }
    public SimFileSystem Fs { get; }
    public string ToolPath { get; }
    public string ToolName => System.IO.Path.GetFileName(ToolPath);

    /// <summary>Standard input as text (null when empty); read from <see cref="StandardInputStream"/> on first use when there is one.</summary>
    public string? StandardInput
    {
        get
        {
            if (StandardInputStream is { } s && !_stdinRead)
            {
                _stdinRead = true;
                using var reader = new StreamReader(s, new UTF8Encoding(false), false, 4096, leaveOpen: true);
                var text = reader.ReadToEnd();
                _stdin = text.Length == 0 ? null : text;
            }
            return _stdin;
        }
    }

    private string? _stdin;
    private bool _stdinRead;

    /// <summary>Standard input as bytes (only for an <see cref="ISimulatedStreamTool"/>): read it in <see cref="SimResult.Pump"/>, outside the state lock.</summary>
    public Stream? StandardInputStream { get; init; }

    /// <summary>True when the caller passes bytes (a stdin or stdout stream): a streaming program answers with a <see cref="SimResult.Pump"/>.</summary>
    public bool Streaming { get; init; }

    /// <summary>
    /// The standard input a program passes on when it execs another (jexec): the same stream while it
    /// is unread, else the text.
    /// </summary>
    public (string? Text, Stream? Stream, bool Streaming) InheritedInput
        => StandardInputStream != null && !_stdinRead ? (null, StandardInputStream, Streaming) : (StandardInput, null, Streaming);
    public IReadOnlyDictionary<string, string> Environment { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>The jail the command runs in (jexec), or null on the host.</summary>
    public SimJail? Jail { get; init; }

    /// <summary>Set by a tool that changed <see cref="State"/>, so the store saves it.</summary>
    public bool Dirty { get; set; }

    public bool IsRoot => User?.Uid is int u ? u == 0 : State.Uid == 0;

    /// <summary>The user the program runs as when it differs from the simulated caller (jexec -U/-u); null means State.Uid.</summary>
    public SimUser? User { get; init; }

    /// <summary>Runs another simulated program from inside this one (jail(8) running exec.* commands, jexec running a command).</summary>
    public SimResult RunTool(string toolPath, IReadOnlyList<string> args, SimJail? inJail = null, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var tool = SimToolRegistry.Find(toolPath);
        if (tool is null) return SimResult.Fail($"{System.IO.Path.GetFileName(toolPath)}: not found", 127);
        var child = new SimContext(State, Fs, toolPath, stdin, environment ?? Environment, CancellationToken) { Jail = inJail ?? Jail, User = User };
        var r = tool.Run(child, args);
        if (child.Dirty) Dirty = true;
        return r;
    }
}

public static class SimToolRegistry
{
    private static readonly Lazy<Dictionary<string, ISimulatedTool>> Tools = new(Discover);

    private static Dictionary<string, ISimulatedTool> Discover()
    {
        var map = new Dictionary<string, ISimulatedTool>(StringComparer.Ordinal);
        Type?[] types;
        try { types = typeof(SimToolRegistry).Assembly.GetTypes(); }
        catch (ReflectionTypeLoadException ex) { types = ex.Types; } // cmdlet types need PowerShell, tools do not
        foreach (var t in types)
        {
            if (t is null) continue;
            if (t.IsAbstract || !typeof(ISimulatedTool).IsAssignableFrom(t)) continue;
            var attrs = t.GetCustomAttributes<SimulatedToolAttribute>().ToList();
            if (attrs.Count == 0) continue;
            var inst = (ISimulatedTool)Activator.CreateInstance(t)!;
            foreach (var a in attrs) map[a.Path] = inst;
        }
        return map;
    }

    public static ISimulatedTool? Find(string path) => Tools.Value.TryGetValue(path, out var t) ? t : null;
    public static IEnumerable<string> Paths => Tools.Value.Keys;
}

/// <summary>getopt(3)-style option parsing shared by the simulated tools (stops at the first non-option).</summary>
public sealed class SimGetopt
{
    private readonly IReadOnlyList<string> _args;
    private readonly string _optstring;
    private int _index;
    private int _charPos = 1;

    public SimGetopt(IReadOnlyList<string> args, string optstring, int start = 0)
    {
        _args = args;
        _optstring = optstring;
        _index = start;
    }

    /// <summary>Index of the first operand once parsing is done.</summary>
    public int OptInd => _index;

    /// <summary>Next option: (letter, argument). Letter '?' means an unknown option or a missing argument; '\0' means done.</summary>
    public (char Opt, string? Arg) Next()
    {
        if (_index >= _args.Count) return ('\0', null);
        var a = _args[_index];
        if (_charPos == 1)
        {
            if (a == "--") { _index++; return ('\0', null); }
            if (a.Length < 2 || a[0] != '-') return ('\0', null);
        }
        char c = a[_charPos];
        int k = _optstring.IndexOf(c);
        if (k < 0 || c == ':')
        {
            Advance(a);
            return ('?', c.ToString());
        }
        if (k + 1 < _optstring.Length && _optstring[k + 1] == ':')
        {
            string? arg;
            if (_charPos + 1 < a.Length) arg = a[(_charPos + 1)..];
            else if (_index + 1 < _args.Count) { arg = _args[_index + 1]; _index++; }
            else { _index++; _charPos = 1; return ('?', c.ToString()); }
            _index++; _charPos = 1;
            return (c, arg);
        }
        Advance(a);
        return (c, null);
    }

    private void Advance(string a)
    {
        _charPos++;
        if (_charPos >= a.Length) { _index++; _charPos = 1; }
    }
}

public static class SimText
{
    public static string Lines(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var l in lines) sb.Append(l).Append('\n');
        return sb.ToString();
    }
}
