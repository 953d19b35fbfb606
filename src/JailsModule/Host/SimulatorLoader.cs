using System.Reflection;

namespace JailsModule.Host;

/// <summary>
/// Loads the simulated FreeBSD host, JailsModule.Simulator.dll, from the folder of JailsModule.dll,
/// the first time a simulator is asked for, and creates simulated hosts through it. The module has
/// no compile-time reference to the simulator: a session on a real host never loads it.
/// The simulator's entry point is the public constructor
/// <c>JailsModule.Simulation.SimulatedHost(string directory, bool outOfProcess)</c>.
/// </summary>
public static class SimulatorLoader
{
    public const string AssemblyName = "JailsModule.Simulator";
    public const string HostTypeName = "JailsModule.Simulation.SimulatedHost";

    private static readonly object Gate = new();
    private static Func<string, bool, ISimulatedJailHost>? _factory;

    /// <summary>Where the simulator is looked for: beside JailsModule.dll.</summary>
    public static string AssemblyPath
        => Path.Combine(Path.GetDirectoryName(typeof(SimulatorLoader).Assembly.Location) ?? AppContext.BaseDirectory, AssemblyName + ".dll");

    /// <summary>True once the simulator assembly is loaded in this process (by the loader or otherwise).</summary>
    public static bool IsLoaded
        => AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == AssemblyName);

    /// <summary>
    /// A simulated host on <paramref name="directory"/> (created and seeded when new). Throws
    /// FileNotFoundException when JailsModule.Simulator.dll is not beside JailsModule.dll.
    /// </summary>
    public static ISimulatedJailHost Create(string directory, bool outOfProcess)
        => Factory()(directory, outOfProcess);

    private static Func<string, bool, ISimulatedJailHost> Factory()
    {
        lock (Gate)
        {
            if (_factory != null) return _factory;
            var assembly = Load();
            var type = assembly.GetType(HostTypeName, throwOnError: true)!;
            if (!typeof(ISimulatedJailHost).IsAssignableFrom(type))
                throw new InvalidOperationException($"{HostTypeName} in {assembly.Location} does not implement {nameof(ISimulatedJailHost)}: the simulator was built against another JailsModule.");
            var ctor = type.GetConstructor(new[] { typeof(string), typeof(bool) })
                       ?? throw new MissingMethodException(HostTypeName, ".ctor(string, bool)");
            _factory = (dir, oop) =>
            {
                try { return (ISimulatedJailHost)ctor.Invoke(new object[] { dir, oop }); }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
            };
            return _factory;
        }
    }

    private static Assembly Load()
    {
        // Already loaded (jailsim and the tests reference it; a second LoadFrom of the same file returns it too).
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == AssemblyName);
        if (loaded != null) return loaded;
        var path = AssemblyPath;
        if (!File.Exists(path))
            throw new FileNotFoundException($"The simulated host needs {AssemblyName}.dll beside JailsModule.dll in '{Path.GetDirectoryName(path)}' (build.ps1 lays it out).", path);
        // LoadFrom: into the context JailsModule.dll itself lives in, so both see one IJailHost type.
        return Assembly.LoadFrom(path);
    }
}
