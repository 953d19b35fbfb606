using JailsModule.Services;

namespace JailsModule.Host;

/// <summary>
/// The one place the module runs a native command: it echoes the command (the verbose stream, a
/// plan's journal), runs it on the host with the caller's cancellation, and turns a non-zero exit
/// into a <see cref="NativeCommandException"/> carrying argv, exit code and stderr. Services, plans
/// and cmdlets run commands through it; the tools (Tools/) only build the argv and parse the output.
/// </summary>
public sealed class CommandRunner
{
    public CommandRunner(IJailHost host, CancellationToken cancellationToken, Action<ProcessRequest>? onCommand = null)
    {
        Host = host;
        CancellationToken = cancellationToken;
        OnCommand = onCommand;
    }

    public IJailHost Host { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>Called with each command just before it runs (the echo).</summary>
    public Action<ProcessRequest>? OnCommand { get; }

    /// <summary>Runs the command; a non-zero exit becomes a <see cref="NativeCommandException"/>.</summary>
    public ProcessResult Run(ProcessRequest request)
    {
        var r = RunUnchecked(request);
        if (!r.Success) throw Failure(request, r);
        return r;
    }

    /// <summary>The error of a failed command (argv, exit code, stderr), for callers that report it rather than throw.</summary>
    public static NativeCommandException Failure(ProcessRequest request, ProcessResult result) => new NativeCommandException(request, result);

    /// <summary>Runs the command and returns its result whatever the exit code (for commands whose failure is an answer).</summary>
    public ProcessResult RunUnchecked(ProcessRequest request)
    {
        OnCommand?.Invoke(request);
        return Host.RunAsync(request, CancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>A one-off <see cref="Run"/>.</summary>
    public static ProcessResult Run(IJailHost host, ProcessRequest request, CancellationToken cancellationToken, Action<ProcessRequest>? onCommand = null)
        => new CommandRunner(host, cancellationToken, onCommand).Run(request);

    /// <summary>A one-off <see cref="RunUnchecked"/>.</summary>
    public static ProcessResult RunUnchecked(IJailHost host, ProcessRequest request, CancellationToken cancellationToken, Action<ProcessRequest>? onCommand = null)
        => new CommandRunner(host, cancellationToken, onCommand).RunUnchecked(request);
}
