using System.Management.Automation;
using System.Management.Automation.Runspaces;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>Chooses the FreeBSD host for this session: the local machine or the simulated host.</summary>
[Cmdlet(VerbsCommunications.Connect, "JailHost", DefaultParameterSetName = "Simulator", SupportsShouldProcess = false)]
[OutputType(typeof(JailHostInfo))]
public sealed class ConnectJailHostCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = "Simulator")]
    public SwitchParameter Simulator { get; set; }

    /// <summary>Folder of the simulator's state; created when missing. Default: a per-user folder.</summary>
    [Parameter(ParameterSetName = "Simulator", Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// Names the simulated machine (its hostname, what ComputerName shows), as 'hostname NAME' and
    /// 'sysrc hostname=NAME' would on FreeBSD. Gives each simulated host of a fleet its own name.
    /// </summary>
    [Parameter(ParameterSetName = "Simulator")]
    [ValidateNotNullOrEmpty]
    public string? ComputerName { get; set; }

    /// <summary>
    /// Runs every native command as a process of its own (jailsim), as FreeBSD runs its tools, instead
    /// of inside this process: each command then costs a process start, stdin/stdout/exit status cross
    /// a real process boundary, and other programs can use the same folder with jailsim alike.
    /// </summary>
    [Parameter(ParameterSetName = "Simulator")]
    public SwitchParameter OutOfProcess { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Local")]
    public SwitchParameter Local { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        IJailHost host;
        if (ComputerName != null && HostNames.Check(ComputerName) is { } why)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(why), "InvalidComputerName", ErrorCategory.InvalidArgument, ComputerName));
        if (ParameterSetName == "Local")
        {
            if (!OperatingSystem.IsFreeBSD())
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PlatformNotSupportedException("The local host is not FreeBSD. Use 'Connect-JailHost -Simulator' here, or run the module on the FreeBSD host over PowerShell remoting."),
                    "LocalHostNotFreeBSD", ErrorCategory.InvalidOperation, null));
            }
            host = new LocalHost();
        }
        else
        {
            var path = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path);
            try
            {
                var sim = JailHostManager.GetSimulator(path, OutOfProcess);
                if (ComputerName != null) sim.SetHostname(ComputerName);
                host = sim;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException) // FileNotFoundException (no jailsim) too
            {
                ThrowTerminatingError(new ErrorRecord(ex, "SimulatorUnavailable", ErrorCategory.OpenError, path));
                return;
            }
        }
        // A new session: nothing learnt on an earlier connection (uid, parsed files, parameter list) carries over.
        JailHostManager.Connect(Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty, host);
        WriteVerbose($"Connected to {host.ComputerName} ({host.Kind}).");
        if (PassThru) WriteObject(GetJailHostCommand.Describe(host));
    }
}


/// <summary>Shows the host this session is connected to.</summary>
[Cmdlet(VerbsCommon.Get, "JailHost")]
[OutputType(typeof(JailHostInfo))]
public sealed class GetJailHostCommand : JailCmdletBase
{
    protected override void ProcessRecord() => WriteObject(Describe(JailHost));

    internal static JailHostInfo Describe(IJailHost host) => new()
    {
        ComputerName = host.ComputerName,
        Kind = host.Kind.ToString(),
        Path = (host as ISimulatedJailHost)?.Directory,
        OutOfProcess = host is ISimulatedJailHost { OutOfProcess: true },
    };
}
