using System.Management.Automation;
using JailsModule.Host;

namespace JailsModule.Commands;

/// <summary>Base for cmdlets that only make sense on the simulated host.</summary>
public abstract class JailSimulatorCmdletBase : JailCmdletBase
{
    protected ISimulatedJailHost Simulator
    {
        get
        {
            if (JailHost is ISimulatedJailHost s) return s;
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"The connected host {JailHost.ComputerName} is not the simulator. Use 'Connect-JailHost -Simulator' first."),
                "NotSimulator", ErrorCategory.InvalidOperation, null));
            throw new InvalidOperationException();
        }
    }
}

/// <summary>Makes the next (or Nth) simulated command matching a pattern fail.</summary>
[Cmdlet(VerbsCommon.Set, "JailSimulatorFault", SupportsShouldProcess = true)]
[OutputType("JailsModule.Simulation.SimFault")]
public sealed class SetJailSimulatorFaultCommand : JailSimulatorCmdletBase
{
    /// <summary>Glob over "tool arg arg..." (tool as basename or full path), e.g. 'jail -c*' or 'zfs clone *'.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = "";

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Occurrence { get; set; } = 1;

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Count { get; set; } = 1;

    [Parameter]
    [ValidateRange(1, 255)]
    public int ExitCode { get; set; } = 1;

    [Parameter]
    public string StandardError { get; set; } = "";

    [Parameter]
    public string StandardOutput { get; set; } = "";

    /// <summary>Milliseconds the command hangs first (a slow or stuck machine); Ctrl+C ends the wait.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Delay { get; set; }

    /// <summary>After -Delay the command runs normally instead of failing.</summary>
    [Parameter]
    public SwitchParameter ThenRun { get; set; }

    protected override void ProcessRecord()
    {
        var fault = new SimulatorFaultSpec(Command, Occurrence, Count, ExitCode, StandardError, StandardOutput, Delay, ThenRun);
        if (ThenRun && Delay == 0)
        {
            WriteError(new ErrorRecord(new ArgumentException("-ThenRun needs -Delay: without a delay the fault would change nothing."), "ThenRunWithoutDelay", ErrorCategory.InvalidArgument, null));
            return;
        }
        var what = ThenRun ? $"delay '{Command}' by {Delay} ms" : $"fail '{Command}' with exit {ExitCode}" + (Delay > 0 ? $" after {Delay} ms" : "");
        if (!ShouldProcess(Simulator.Directory, $"Inject a fault: {what} (occurrence {Occurrence})")) return;
        WriteObject(Simulator.AddFault(fault));
    }
}

/// <summary>Lists the faults waiting to fire on the simulated host.</summary>
[Cmdlet(VerbsCommon.Get, "JailSimulatorFault")]
[OutputType("JailsModule.Simulation.SimFault")]
public sealed class GetJailSimulatorFaultCommand : JailSimulatorCmdletBase
{
    protected override void ProcessRecord() => WriteObject(Simulator.ReadFaults(), enumerateCollection: true);
}

/// <summary>Removes injected faults from the simulated host.</summary>
[Cmdlet(VerbsCommon.Clear, "JailSimulatorFault", SupportsShouldProcess = true)]
public sealed class ClearJailSimulatorFaultCommand : JailSimulatorCmdletBase
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string[]? Id { get; set; }

    protected override void ProcessRecord()
    {
        var what = Id is null ? "all faults" : "faults " + string.Join(", ", Id);
        if (!ShouldProcess(Simulator.Directory, $"Clear {what}")) return;
        Simulator.ClearFaults(Id);
    }
}

/// <summary>The native commands the simulated host has answered, oldest first.</summary>
[Cmdlet(VerbsCommon.Get, "JailSimulatorLog")]
[OutputType("JailsModule.Simulation.SimLogEntry")]
public sealed class GetJailSimulatorLogCommand : JailSimulatorCmdletBase
{
    /// <summary>Only the last N entries.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void ProcessRecord()
    {
        var log = Simulator.ReadCommandLog();
        IEnumerable<object> items = Last > 0 ? log.Skip(Math.Max(0, log.Count - Last)) : log;
        WriteObject(items, enumerateCollection: true);
    }
}
