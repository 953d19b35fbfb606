using System.Collections.Concurrent;
using JailsModule.Host;

namespace JailsModule.Services;

/// <summary>
/// Which host a runspace talks to. Connect-JailHost sets it for the runspace (and as the process
/// default for runspaces that never connected, such as ForEach-Object -Parallel). With no
/// connection: $env:JAILSMODULE_SIMULATOR names a simulator folder; on FreeBSD the local host;
/// elsewhere an error that points at Connect-JailHost -Simulator.
/// </summary>
public static class JailHostManager
{
    public const string SimulatorEnvironmentVariable = "JAILSMODULE_SIMULATOR";

    private static readonly ConcurrentDictionary<Guid, IJailHost> PerRunspace = new();
    private static readonly ConcurrentDictionary<string, ISimulatedJailHost> Simulators = new(StringComparer.Ordinal);
    private static IJailHost? _processDefault;
    private static readonly Lazy<LocalHost> LocalDefault = new(() => new LocalHost());

    public static string DefaultSimulatorPath
    {
        get
        {
            var baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
            if (string.IsNullOrEmpty(baseDir)) baseDir = Path.GetTempPath();
            return Path.Combine(baseDir, "JailsModule", "Simulator");
        }
    }

    public static ISimulatedJailHost GetSimulator(string? path) => GetSimulator(path, outOfProcess: false);

    /// <summary>
    /// The simulator in <paramref name="path"/>; with <paramref name="outOfProcess"/>, one that runs each
    /// command as a jailsim process. The first call loads JailsModule.Simulator.dll (<see cref="SimulatorLoader"/>).
    /// </summary>
    public static ISimulatedJailHost GetSimulator(string? path, bool outOfProcess)
    {
        var full = Path.GetFullPath(string.IsNullOrEmpty(path) ? DefaultSimulatorPath : path);
        return Simulators.GetOrAdd((outOfProcess ? "process:" : "") + full, _ => SimulatorLoader.Create(full, outOfProcess));
    }

    public static void Connect(Guid runspace, IJailHost host)
    {
        PerRunspace[runspace] = host;
        _processDefault = host;
    }

    public static IJailHost? Find(Guid runspace)
    {
        if (PerRunspace.TryGetValue(runspace, out var h)) return h;
        if (_processDefault != null) return _processDefault;
        var env = Environment.GetEnvironmentVariable(SimulatorEnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return GetSimulator(env);
        // One LocalHost per process, so what is learnt about it (RootCheck's id -u) holds for the session.
        if (OperatingSystem.IsFreeBSD()) return LocalDefault.Value;
        return null;
    }

    /// <summary>Forgets every connection (tests; Remove-Module).</summary>
    public static void Reset()
    {
        PerRunspace.Clear();
        _processDefault = null;
    }
}
