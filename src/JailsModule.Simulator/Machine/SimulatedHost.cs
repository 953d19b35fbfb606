using System.Text;
using System.Text.Json;
using JailsModule.Host;

namespace JailsModule.Simulation;

/// <summary>
/// The simulated FreeBSD host: the same argv the module would send to a real machine is answered
/// by simulated tools that keep their state in a folder. Files live under DIR/fs.
/// </summary>
public sealed class SimulatedHost : ISimulatedJailHost
{
    public SimulatedHost(string directory) : this(directory, outOfProcess: false) { }

    /// <param name="outOfProcess">
    /// Run every command as a process of its own (jailsim, beside this assembly), as FreeBSD runs its
    /// tools: the command pays for a process, gets its own address space and reaches the state only
    /// through the folder, like any other process using the simulator. File operations stay in this process.
    /// </param>
    public SimulatedHost(string directory, bool outOfProcess)
    {
        Store = new SimStore(directory);
        Store.Read(); // seeds a new folder
        if (outOfProcess) _toolProcess = ToolProcess.Locate();
    }

    private readonly ToolProcess? _toolProcess;

    /// <summary>True when every command runs in a jailsim process of its own.</summary>
    public bool OutOfProcess => _toolProcess != null;

    public SimStore Store { get; }
    public string Directory => Store.Directory;
    public SimFileSystem Fs => Store.Fs;
    /// <summary>The simulated machine's hostname (SimState.Hostname), read from the state so every process sharing the folder agrees.</summary>
    public string ComputerName => Store.Read().Hostname;
    public JailHostKind Kind => JailHostKind.Simulator;

    public Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_toolProcess != null) return RunOutOfProcessAsync(request, cancellationToken);
        var result = Run(request, cancellationToken);
        if (request.OnStandardOutputLine != null && request.StandardOutputStream is null)
            foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                request.OnStandardOutputLine(line);
        return Task.FromResult(result);
    }

    private async Task<ProcessResult> RunOutOfProcessAsync(ProcessRequest request, CancellationToken ct)
    {
        var r = await _toolProcess!.RunAsync(Directory, request, ct).ConfigureAwait(false);
        Store.Read(); // the command may have changed the mount table our file operations walk through
        return r;
    }

    private ProcessResult Run(ProcessRequest request, CancellationToken ct)
    {
        // Byte streams: a program that streams (ISimulatedStreamTool) gets them as they are and moves
        // the bytes in its Pump, after the state lock is released; any other program reads its input
        // as text, taken here before the lock (as a process's input arrives through a pipe, so one
        // simulated command can feed another without either waiting for the other's lock).
        var stdinText = request.StandardInput;
        var stdinStream = request.StandardInputStream;
        if (stdinStream != null && SimToolRegistry.Find(request.FileName) is not ISimulatedStreamTool)
        {
            stdinText = ReadText(stdinStream);
            stdinStream = null;
        }
        var (result, delay, fault) = Store.WithState(state =>
        {
            var line = FormatForMatch(Path.GetFileName(request.FileName), request.Arguments);
            var fullLine = FormatForMatch(request.FileName, request.Arguments);

            // Fault injection comes first: the command does not run (or runs late, with ThenRun).
            foreach (var fault in state.Faults.ToList())
            {
                if (!SimGlob.IsMatch(line, fault.Pattern) && !SimGlob.IsMatch(fullLine, fault.Pattern)) continue;
                fault.Seen++;
                if (fault.Seen < fault.Occurrence) continue;
                fault.Fired++;
                if (fault.Count > 0 && fault.Fired >= fault.Count) state.Faults.Remove(fault);
                if (fault.ThenRun) return (((SimResult?)null, fault.DelayMilliseconds, (string?)fault.Id), true);
                var stderr = fault.StandardError.Length > 0 ? fault.StandardError : $"{Path.GetFileName(request.FileName)}: simulated fault";
                if (!stderr.EndsWith('\n')) stderr += "\n";
                Log(request, fault.ExitCode, "fault " + fault.Id);
                return (((SimResult?)new SimResult(fault.ExitCode, fault.StandardOutput, stderr), fault.DelayMilliseconds, (string?)fault.Id), true);
            }
            // Faults that only counted a match still changed (Seen).
            bool dirty = state.Faults.Count > 0;
            var r = RunTool(state, request, stdinText, stdinStream, ct, null, out var changed);
            return (((SimResult?)r, 0, (string?)null), dirty || changed);
        }, ct);
        if (delay > 0 && ct.WaitHandle.WaitOne(delay)) ct.ThrowIfCancellationRequested(); // outside the state lock: others go on
        result ??= Store.WithState(state =>
        {
            var r = RunTool(state, request, stdinText, stdinStream, ct, $"delayed {delay} ms by fault {fault}", out var changed);
            return (r, changed);
        }, ct);
        return Finish(result, request, stdinText, stdinStream, ct);
    }

    /// <summary>
    /// Runs the program's byte pump (outside the state lock) and delivers its output: into the
    /// caller's stdout stream when there is one (the result's StandardOutput is then empty), else as text.
    /// </summary>
    private static ProcessResult Finish(SimResult r, ProcessRequest request, string? stdinText, Stream? stdinStream, CancellationToken ct)
    {
        var sink = request.StandardOutputStream;
        if (sink != null)
        {
            if (r.StandardOutput.Length > 0)
            {
                var bytes = Utf8.GetBytes(r.StandardOutput);
                sink.Write(bytes, 0, bytes.Length);
            }
            r.Pump?.Invoke(stdinStream ?? new MemoryStream(Utf8.GetBytes(stdinText ?? ""), writable: false), sink, ct);
            sink.Flush();
            return new ProcessResult(r.ExitCode, "", r.StandardError);
        }
        if (r.Pump is null) return new ProcessResult(r.ExitCode, r.StandardOutput, r.StandardError);
        var buffer = new MemoryStream();
        r.Pump(stdinStream ?? new MemoryStream(Utf8.GetBytes(stdinText ?? ""), writable: false), buffer, ct);
        return new ProcessResult(r.ExitCode, r.StandardOutput + Utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), r.StandardError);
    }

    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>A text program's standard input: the stream read to its end as UTF-8, null when empty (as jailsim always passed it).</summary>
    private static string? ReadText(Stream s)
    {
        using var reader = new StreamReader(s, Utf8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var text = reader.ReadToEnd();
        return text.Length == 0 ? null : text;
    }

    private SimResult RunTool(SimState state, ProcessRequest request, string? stdinText, Stream? stdinStream, CancellationToken ct, string? note, out bool changed)
    {
        var tool = SimToolRegistry.Find(request.FileName);
        if (tool is null || !Fs.FileExists(request.FileName))
        {
            Log(request, -1, "not found");
            throw new ToolNotFoundException(request.FileName);
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["LC_ALL"] = "C", ["PATH"] = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin" };
        if (request.Environment != null)
            foreach (var kv in request.Environment) env[kv.Key] = kv.Value;
        var ctx = new SimContext(state, Fs, request.FileName, stdinText, env, ct)
        {
            StandardInputStream = stdinStream,
            Streaming = request.StandardOutputStream != null || stdinStream != null,
        };
        var r = tool.Run(ctx, request.Arguments);
        Log(request, r.ExitCode, note);
        changed = ctx.Dirty;
        return r;
    }

    /// <summary>
    /// There is no terminal to attach on the simulated host: the session reads lines at a prompt
    /// ("root@NAME:/ # ") and runs each as a command of its own with the line as standard input: for
    /// jexec without a command (a login shell), jexec ... NAME /bin/sh, so every line is a logged
    /// native command. It ends at 'exit', 'logout' or the end of input; the status is the last command's.
    /// </summary>
    public Task<int> RunInteractiveAsync(ProcessRequest request, IJailHostTerminal terminal, CancellationToken cancellationToken)
    {
        var (argv, prompt, banner) = InteractivePlan(request);
        terminal.Write(banner + "\n");
        int status = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            terminal.Write(prompt);
            var line = terminal.ReadLine();
            if (line is null) break;
            var text = line.Trim();
            if (text is "exit" or "logout") break;
            if (text.Length == 0) continue;
            var req = new ProcessRequest(request.FileName, argv) { StandardInput = line + "\n", Environment = request.Environment };
            terminal.Echo(req);
            var res = RunAsync(req, cancellationToken).GetAwaiter().GetResult();
            if (res.StandardOutput.Length > 0) terminal.Write(res.StandardOutput);
            if (res.StandardError.Length > 0) terminal.Write(res.StandardError);
            status = res.ExitCode;
        }
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(status);
    }

    /// <summary>jexec [-l] [-u U | -U U] JAIL with no command: the lines go to JAIL's /bin/sh, the prompt names user and jail.</summary>
    private static (IReadOnlyList<string> Argv, string Prompt, string Banner) InteractivePlan(ProcessRequest request)
    {
        if (Path.GetFileName(request.FileName) == "jexec")
        {
            string? user = null;
            var g = new SimGetopt(request.Arguments, "lnu:U:");
            for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
                if (c is 'u' or 'U') user = a;
            if (g.OptInd < request.Arguments.Count)
            {
                var jail = request.Arguments[g.OptInd];
                var argv = request.Arguments.ToList();
                bool shell = g.OptInd == argv.Count - 1;
                if (shell) argv.Add("/bin/sh");
                var how = CommandLine.Format("jexec", argv.Take(g.OptInd).Append(jail).Append(shell ? "/bin/sh" : string.Join(' ', argv.Skip(g.OptInd + 1))).ToList());
                return (argv, $"{user ?? "root"}@{jail}:/ # ",
                    $"Simulated shell in jail '{jail}': each line runs through {how}. Type 'exit' to leave.");
            }
        }
        return (request.Arguments, "# ", $"Simulated session of {request.DisplayText}: each line is its standard input. Type 'exit' to leave.");
    }

    private static string FormatForMatch(string tool, IReadOnlyList<string> args)
        => args.Count == 0 ? tool : tool + " " + string.Join(' ', args);

    private void Log(ProcessRequest request, int exitCode, string? note)
    {
        var entry = new SimLogEntry
        {
            Time = DateTime.UtcNow,
            FileName = request.FileName,
            Arguments = request.Arguments.ToList(),
            ExitCode = exitCode,
            Note = note,
        };
        Store.AppendLog(JsonSerializer.Serialize(entry));
    }

    /// <summary>The commands the simulator has answered, oldest first.</summary>
    public IReadOnlyList<SimLogEntry> ReadLog()
    {
        if (!File.Exists(Store.LogPath)) return Array.Empty<SimLogEntry>();
        var list = new List<SimLogEntry>();
        foreach (var l in File.ReadLines(Store.LogPath))
            if (l.Length > 0) list.Add(JsonSerializer.Deserialize<SimLogEntry>(l)!);
        return list;
    }

    IReadOnlyList<object> ISimulatedJailHost.ReadCommandLog() => ReadLog();

    public object AddFault(SimulatorFaultSpec spec)
    {
        var fault = new SimFault
        {
            Pattern = spec.Pattern,
            Occurrence = spec.Occurrence,
            Count = spec.Count,
            ExitCode = spec.ExitCode,
            StandardError = spec.StandardError,
            StandardOutput = spec.StandardOutput,
            DelayMilliseconds = spec.DelayMilliseconds,
            ThenRun = spec.ThenRun,
        };
        UpdateState(s => s.Faults.Add(fault));
        return fault;
    }

    public IReadOnlyList<object> ReadFaults() => ReadState().Faults;

    public void ClearFaults(IReadOnlyCollection<string>? ids)
        => UpdateState(s => s.Faults.RemoveAll(f => ids is null || ids.Contains(f.Id)));

    public void UpdateState(Action<SimState> change) => Store.WithState(s => { change(s); return (0, true); });

    public SimState ReadState() => Store.Read();

    /// <summary>Null when <paramref name="name"/> is a valid host name, else the reason (<see cref="HostNames.Check"/>).</summary>
    public static string? CheckHostname(string name) => HostNames.Check(name);

    /// <summary>
    /// Renames the simulated machine, as "hostname NAME" plus "sysrc hostname=NAME" would on FreeBSD:
    /// SimState.Hostname, the kern.hostname sysctl and the hostname line of /etc/rc.conf.
    /// (Connect-JailHost -Simulator -ComputerName; gives each simulated host of a fleet its own name.)
    /// </summary>
    public void SetHostname(string name)
    {
        if (CheckHostname(name) is { } why) throw new ArgumentException(why, nameof(name));
        Store.WithState(s =>
        {
            s.Hostname = name;
            s.Sysctls["kern.hostname"] = name;
            const string rc = "/etc/rc.conf";
            var lines = Fs.FileExists(rc) ? File.ReadAllText(Fs.Map(rc)).Split('\n').ToList() : new List<string>();
            if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            var i = lines.FindIndex(l => l.StartsWith("hostname=", StringComparison.Ordinal));
            var line = $"hostname=\"{name}\"";
            if (i >= 0) lines[i] = line; else lines.Insert(0, line);
            Fs.WriteAllText(rc, string.Join('\n', lines) + "\n");
            return (0, true);
        });
    }

    // ---- files: the FreeBSD path maps into DIR/fs ----
    public bool FileExists(string path) => Fs.FileExists(path);
    public bool DirectoryExists(string path) => Fs.DirectoryExists(path);
    public string ReadAllText(string path) => File.ReadAllText(Fs.Map(path));
    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(Fs.Map(path));
    public string ReadRegularFile(string path, long maxBytes) => BoundedFile.ReadText(Fs.Map(path), SimFileSystem.Normalize(path), maxBytes);

    public string ReadFileInsideRoot(string root, string path, long maxBytes)
        => BoundedFile.ReadText(Fs.MapNoFollow(BoundedFile.ResolveInsideRoot(root, path, p => BoundedFile.ReadLink(Fs.MapNoFollow(p, out _))), out _),
            SimFileSystem.Normalize(path), maxBytes, followFinalLink: false);

    public void WriteAllTextAtomic(string path, string content, int? newFileMode = null)
        => AtomicFile.WriteAllText(Fs.MapForWrite(path), content, newFileMode);

    public void WriteAllBytes(string path, byte[] content) => File.WriteAllBytes(Fs.MapForWrite(path), content);

    public IReadOnlyList<string> ListDirectory(string path, string pattern = "*")
    {
        var real = Fs.Map(path);
        if (!System.IO.Directory.Exists(real)) return Array.Empty<string>();
        var list = new List<string>();
        var dir = SimFileSystem.Normalize(path);
        foreach (var e in System.IO.Directory.EnumerateFileSystemEntries(real))
        {
            var name = Path.GetFileName(e);
            if (SimGlob.IsMatch(name, pattern))
                list.Add(dir == "/" ? "/" + name : dir + "/" + name);
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public HostFileInfo? GetFileInfo(string path)
    {
        var i = AtomicFile.GetInfo(Fs.Map(path));
        return i is null ? null : i with { Path = SimFileSystem.Normalize(path) };
    }

    public IReadOnlyList<HostFileInfo> ListFiles(string path, string pattern = "*")
        => AtomicFile.ListFiles(Fs.Map(path), SimFileSystem.Normalize(path), name => SimGlob.IsMatch(name, pattern), GetFileInfo);

    public void CreateDirectory(string path) => System.IO.Directory.CreateDirectory(Fs.MapForWrite(path));
    public void Rename(string from, string to) => File.Move(Fs.MapForWrite(from), Fs.MapForWrite(to), overwrite: true);
    public void DeleteFile(string path) => File.Delete(Fs.MapForWrite(path));
    public void DeleteDirectory(string path) => System.IO.Directory.Delete(Fs.MapForWrite(path), recursive: false);
    public bool TryCreateFileExclusive(string path, string content, int? newFileMode = null) => AtomicFile.TryCreateExclusive(Fs.MapForWrite(path), content, newFileMode);
    public IHostFileLock? TryLockFile(string path) => FileLock.TryOpen(Fs.MapForWrite(path), SimFileSystem.Normalize(path));
}

public sealed class SimLogEntry
{
    public DateTime Time { get; set; }
    public string FileName { get; set; } = "";
    public List<string> Arguments { get; set; } = new();
    public int ExitCode { get; set; }
    public string? Note { get; set; }

    public override string ToString() => CommandLine.Format(FileName, Arguments);
}
