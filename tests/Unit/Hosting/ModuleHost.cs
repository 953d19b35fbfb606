using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using JailsModule.Commands;
using JailsModule.Simulation;

namespace JailsModule.Tests.Hosting;

/// <summary>
/// The module hosted in this process (Microsoft.PowerShell.SDK): a runspace that imported the built
/// JailsModule.dll, for fast cmdlet-level tests of binding, errors, plans and sessions. Each instance
/// is its own runspace, so it has its own connection (session) once it ran Connect-JailHost.
/// </summary>
public sealed class ModuleHost : IDisposable
{
    private static readonly string ModuleDll = typeof(StartJailCommand).Assembly.Location;

    public ModuleHost()
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { ModuleDll });
        Runspace = RunspaceFactory.CreateRunspace(iss);
        Runspace.Open();
    }

    public Runspace Runspace { get; }

    /// <summary>A new simulator folder (removed by <see cref="DeleteFolder"/>).</summary>
    public static string NewSimulatorFolder(string tag)
        => Path.Combine(Path.GetTempPath(), $"jm-{tag}-" + Guid.NewGuid().ToString("N")[..8]);

    public static void DeleteFolder(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Connects this runspace to the simulator in <paramref name="dir"/>.</summary>
    public ModuleHost Connect(string dir, string? computerName = null)
    {
        var r = Run("param($d, $n) if ($n) { Connect-JailHost -Simulator -Path $d -ComputerName $n } else { Connect-JailHost -Simulator -Path $d }", dir, computerName!);
        if (r.Errors.Count > 0) throw new InvalidOperationException(r.Errors[0].ToString());
        return this;
    }

    /// <summary>Runs a script in this runspace; errors, warnings and output are collected, never thrown (terminating errors are added to Errors).</summary>
    public Result Run(string script, params object[] args)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = Runspace;
        ps.AddScript(script);
        foreach (var a in args) ps.AddArgument(a);
        Collection<PSObject> output;
        var errors = new List<ErrorRecord>();
        try { output = ps.Invoke(); }
        catch (RuntimeException e)
        {
            output = new Collection<PSObject>();
            errors.Add(e.ErrorRecord);
        }
        errors.InsertRange(0, ps.Streams.Error);
        return new Result(output.Select(o => o?.BaseObject).ToList(), errors, ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList());
    }

    public sealed record Result(List<object?> Output, List<ErrorRecord> Errors, List<string> Warnings, List<string> Verbose)
    {
        public T Single<T>() => Assert(Output.Count == 1 && Output[0] is T, $"one {typeof(T).Name}, got {Output.Count}: {string.Join(", ", Output)}; errors: {string.Join("; ", Errors)}") ? (T)Output[0]! : default!;

        private static bool Assert(bool ok, string why) => ok ? true : throw new Xunit.Sdk.XunitException(why);
    }

    /// <summary>A jail.conf.d file with its root folder, on the simulator in <paramref name="dir"/> (as the Pester tests define jails).</summary>
    public static void DefineJail(string dir, string name, string body = "")
    {
        var sim = global::JailsModule.Services.JailHostManager.GetSimulator(dir);
        sim.CreateDirectory($"/jails/{name}");
        if (!sim.DirectoryExists("/etc/jail.conf.d")) sim.CreateDirectory("/etc/jail.conf.d");
        sim.WriteAllTextAtomic($"/etc/jail.conf.d/{name}.conf", $"{name} {{\n    path = \"/jails/{name}\";\n    persist;\n{body}}}\n", 0x1A4);
    }

    public void Dispose() => Runspace.Dispose();
}
