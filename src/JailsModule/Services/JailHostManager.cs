using System.Collections.Concurrent;
using JailsModule.Host;
using JailsModule.Session;

namespace JailsModule.Services;

/// <summary>
/// Which session (<see cref="JailSession"/>: a host and what is known about it) a runspace uses.
/// Connect-JailHost makes a new session for the runspace (and the process default for runspaces that
/// never connected, such as ForEach-Object -Parallel). With no connection: $env:JAILSMODULE_SIMULATOR
/// names a simulator folder; on FreeBSD the local host (one process-wide session each);
/// elsewhere an error that points at Connect-JailHost -Simulator. Two runspaces that connected to two
/// hosts have two sessions and share nothing.
/// </summary>
public static class JailHostManager
{
    public const string SimulatorEnvironmentVariable = "JAILSMODULE_SIMULATOR";

    private static readonly ConcurrentDictionary<Guid, JailSession> PerRunspace = new();
    private static readonly ConcurrentDictionary<string, ISimulatedJailHost> Simulators = new(StringComparer.Ordinal);
    private static JailSession? _processDefault;
    // The process defaults of runspaces that never connected: $env:JAILSMODULE_SIMULATOR's folder, the local host.
    private static readonly ConcurrentDictionary<ISimulatedJailHost, JailSession> EnvironmentDefaults = new();
    private static readonly Lazy<JailSession> LocalDefault = new(() => new JailSession(new LocalHost()));

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

    /// <summary>A new session on <paramref name="host"/> for the runspace (and the process default); returns it.</summary>
    public static JailSession Connect(Guid runspace, IJailHost host)
    {
        var session = new JailSession(host);
        PerRunspace[runspace] = session;
        _processDefault = session;
        return session;
    }

    /// <summary>Ends a runspace's connection (its session is forgotten; others are not touched).</summary>
    public static void Disconnect(Guid runspace) => PerRunspace.TryRemove(runspace, out _);

    /// <summary>The session of the runspace: its own connection, else the process default (see the class summary), else null.</summary>
    public static JailSession? FindSession(Guid runspace)
    {
        if (PerRunspace.TryGetValue(runspace, out var s)) return s;
        if (_processDefault != null) return _processDefault;
        var env = Environment.GetEnvironmentVariable(SimulatorEnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return EnvironmentDefaults.GetOrAdd(GetSimulator(env), h => new JailSession(h));
        // One LocalHost session per process, so what is learnt about it (the root check's id -u) holds for the process.
        if (OperatingSystem.IsFreeBSD()) return LocalDefault.Value;
        return null;
    }

    /// <summary>The host of the runspace's session (see <see cref="FindSession"/>).</summary>
    public static IJailHost? Find(Guid runspace) => FindSession(runspace)?.Host;

    /// <summary>Forgets every connection (tests; Remove-Module).</summary>
    public static void Reset()
    {
        PerRunspace.Clear();
        EnvironmentDefaults.Clear();
        _processDefault = null;
    }
}
