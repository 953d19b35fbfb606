namespace JailsModule.Host;

/// <summary>
/// What the module needs from the simulated FreeBSD host beyond <see cref="IJailHost"/>: its folder,
/// its name, fault injection and the command log. The simulator (JailsModule.Simulator.dll, its own
/// assembly) implements it; the module names no simulator type and loads that assembly only through
/// <see cref="SimulatorLoader"/> (Connect-JailHost -Simulator, $env:JAILSMODULE_SIMULATOR).
/// The objects of faults and log entries are the simulator's own (JailsModule.Simulation.SimFault,
/// JailsModule.Simulation.SimLogEntry): the cmdlets pass them on as they are.
/// </summary>
public interface ISimulatedJailHost : IJailHost
{
    /// <summary>The simulator folder (state.json, fs/, the log).</summary>
    string Directory { get; }

    /// <summary>True when every command runs in a jailsim process of its own.</summary>
    bool OutOfProcess { get; }

    /// <summary>Renames the simulated machine (hostname, kern.hostname, rc.conf's hostname line).</summary>
    void SetHostname(string name);

    /// <summary>Adds a fault; returns the simulator's fault object as stored.</summary>
    object AddFault(SimulatorFaultSpec fault);

    /// <summary>The faults waiting to fire, in the order they were added.</summary>
    IReadOnlyList<object> ReadFaults();

    /// <summary>Removes the faults with these ids, or all of them when <paramref name="ids"/> is null.</summary>
    void ClearFaults(IReadOnlyCollection<string>? ids);

    /// <summary>The commands the simulator has answered, oldest first.</summary>
    IReadOnlyList<object> ReadCommandLog();
}

/// <summary>A fault to inject (Set-JailSimulatorFault): the next matching command fails, or runs late.</summary>
/// <param name="Pattern">Glob over "tool arg arg..." (tool as basename or full path).</param>
/// <param name="Occurrence">Fires from the Nth match on.</param>
/// <param name="Count">How many times it fires; 0 = every time.</param>
public sealed record SimulatorFaultSpec(
    string Pattern,
    int Occurrence = 1,
    int Count = 1,
    int ExitCode = 1,
    string StandardError = "",
    string StandardOutput = "",
    int DelayMilliseconds = 0,
    bool ThenRun = false);

/// <summary>
/// The user's terminal, as an interactive command sees it (<see cref="IJailHost.RunInteractiveAsync"/>).
/// A host that can attach a real terminal (LocalHost) does not use it; one that cannot (the simulator)
/// reads lines and writes answers through it.
/// </summary>
public interface IJailHostTerminal
{
    /// <summary>Writes text as it is (no newline added).</summary>
    void Write(string text);

    /// <summary>The next line the user typed, or null when input has ended.</summary>
    string? ReadLine();

    /// <summary>Shows a native command about to run (PowerShell's -Verbose stream).</summary>
    void Echo(ProcessRequest request);
}
