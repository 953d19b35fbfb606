using System.Management.Automation;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Recovery after an interrupted plan: lists the saved journals and the roots the module made that no
/// jail uses; finishes or undoes a dead plan from its journal (-Id with -Finish or -Undo), checking the
/// host before each step; destroys an orphaned root (-Dataset, with -Force or confirmation).
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "JailHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ListSet)]
[OutputType(typeof(JailRepairItem))]
public sealed class RepairJailHostCommand : JailProvisionCmdletBase
{
    private const string ListSet = "List";
    private const string UndoSet = "Undo";
    private const string FinishSet = "Finish";
    private const string DatasetSet = "Dataset";

    /// <summary>The id of a saved journal (its file name without .json).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = UndoSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FinishSet, ValueFromPipelineByPropertyName = true)]
    [ValidatePattern(@"\A[0-9A-Za-z_.-]{1,100}\z")]
    public string Id { get; set; } = "";

    /// <summary>Undo the steps of the dead plan that ran, in reverse, each after checking the host.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UndoSet)]
    public SwitchParameter Undo { get; set; }

    /// <summary>Run the steps of the dead plan that did not run, in order, each after checking the host.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FinishSet)]
    public SwitchParameter Finish { get; set; }

    /// <summary>A dataset the module made that no jail uses (as listed): destroy it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DatasetSet)]
    [ValidatePattern(@"\A[A-Za-z0-9][A-Za-z0-9_.:/-]{0,254}\z")]
    public string Dataset { get; set; } = "";

    /// <summary>Do not ask for confirmation.</summary>
    [Parameter(ParameterSetName = UndoSet)]
    [Parameter(ParameterSetName = FinishSet)]
    [Parameter(ParameterSetName = DatasetSet)]
    public SwitchParameter Force { get; set; }

    protected override bool RequiresRoot => ParameterSetName != ListSet;

    protected override void ProcessRecord()
    {
        var repair = new RepairService(Service);
        try
        {
            switch (ParameterSetName)
            {
                case ListSet:
                    // Taking and dropping the lock saves the journals of plans whose process died.
                    try
                    {
                        using (HostLock.Acquire(JailHost, new[] { "repair:list" }, "repair-" + Guid.NewGuid().ToString("N")[..8], "Repair-JailHost (list)",
                                   TimeSpan.FromSeconds(Settings.LockTimeout), CancellationToken, WriteWarning)) { }
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                    {
                        WriteWarning($"The lock table {HostLock.TableFile} could not be read ({e.Message}): plans of dead processes still listed there are not shown.");
                    }
                    foreach (var j in repair.Journals()) WriteObject(j);
                    foreach (var o in repair.OrphanDatasets()) WriteObject(o);
                    break;
                case DatasetSet:
                    RunPlan(Dataset, new[] { "dataset:" + Dataset }, () => repair.PlanDestroyOrphan(Dataset), "RepairFailed", Force);
                    break;
                case UndoSet:
                    var unresolved = new List<string>();
                    if (RunPlan(Id, repair.JournalResources(Id), () => { unresolved.Clear(); return repair.PlanUndo(Id, unresolved); }, "RepairFailed", Force) != null || Runner.IsWhatIf)
                        foreach (var u in unresolved) WriteWarning(u);
                    break;
                case FinishSet:
                    RunPlan(Id, repair.JournalResources(Id), () => repair.PlanFinish(Id), "RepairFailed", Force);
                    break;
            }
        }
        catch (PlanPreconditionException ex)
        {
            WriteError(new ErrorRecord(ex, ex.ErrorId, PlanRunner.Category(ex.Kind), ex.Target));
        }
    }
}
