using JailsModule.Host;

namespace JailsModule.Simulation;

/// <summary>
/// Starts jailsim (src/JailsSim), the simulator's programs as a process of their own, through the
/// same CliWrap runner as the local host: `dotnet jailsim.dll -d DIR [-e NAME=VALUE]... -- PROGRAM ARG...`.
/// A program the simulated host lacks comes back as jailsim's exit status 127 and becomes
/// <see cref="ToolNotFoundException"/>, as a failed exec does on a real host.
/// </summary>
public sealed class ToolProcess
{
    public const string AssemblyFile = "jailsim.dll";
    public const int NotFoundStatus = 127;

    private ToolProcess(string dotnet, string assembly)
    {
        Dotnet = dotnet;
        Assembly = assembly;
    }

    /// <summary>The dotnet host that runs jailsim (the one running this process).</summary>
    public string Dotnet { get; }

    /// <summary>jailsim.dll, beside JailsModule.dll.</summary>
    public string Assembly { get; }

    /// <summary>Finds jailsim.dll beside this assembly and the dotnet host of this runtime, or throws FileNotFoundException.</summary>
    public static ToolProcess Locate()
    {
        var here = Path.GetDirectoryName(typeof(ToolProcess).Assembly.Location) ?? "";
        var assembly = Path.Combine(here, AssemblyFile);
        if (!File.Exists(assembly))
            throw new FileNotFoundException($"{AssemblyFile} is not beside {typeof(ToolProcess).Assembly.GetName().Name}.dll in '{here}': the out-of-process simulator needs it (build.ps1 lays it out).", assembly);
        return new ToolProcess(FindDotnet(), assembly);
    }

    private static string FindDotnet()
    {
        // The muxer of the runtime we run on: <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet.
        var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (var candidate in new[] { Path.Combine(root, exe), Environment.ProcessPath })
            if (candidate != null && Path.GetFileName(candidate) == exe && File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, exe))) return Path.Combine(dir, exe);
        throw new FileNotFoundException("The dotnet host that would run jailsim was not found.", exe);
    }

    /// <summary>jailsim's argv (after the dotnet host) for <paramref name="request"/> on the simulator in <paramref name="directory"/>.</summary>
    public IReadOnlyList<string> Arguments(string directory, ProcessRequest request)
    {
        var argv = new List<string> { Assembly, "-d", directory };
        if (request.Environment != null)
            foreach (var kv in request.Environment.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                argv.Add("-e");
                argv.Add(kv.Key + "=" + kv.Value);
            }
        argv.Add("--");
        argv.Add(request.FileName);
        argv.AddRange(request.Arguments);
        return argv;
    }

    public async Task<ProcessResult> RunAsync(string directory, ProcessRequest request, CancellationToken ct)
    {
        // stdin and stdout (text or byte streams) cross the process boundary as they are; argv and environment travel in jailsim's argv.
        var r = await LocalHost.ExecuteAsync(Dotnet, Arguments(directory, request), null, request, ct).ConfigureAwait(false);
        if (r.ExitCode == NotFoundStatus && r.StandardError.StartsWith("jailsim: " + request.FileName + ": No such file or directory", StringComparison.Ordinal))
            throw new ToolNotFoundException(request.FileName);
        return r;
    }
}
