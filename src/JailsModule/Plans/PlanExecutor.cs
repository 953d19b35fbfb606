using System.Text.Json;
using JailsModule.Host;

namespace JailsModule.Plans;

/// <summary>Where a plan is: the step about to run (StepIndex = StepCount when done), and how long the plan has run.</summary>
public sealed record PlanProgress(int StepIndex, int StepCount, string Description, bool LongRunning = false, TimeSpan Elapsed = default)
{
    public int PercentComplete => StepCount == 0 ? 100 : (int)(100L * StepIndex / StepCount);
}

/// <summary>
/// Runs plans: takes the host lock for the plan's resources, (re)builds the plan under the lock so
/// its checks see the final state, runs the steps in order, and on the first failure undoes the
/// completed steps in reverse and throws <see cref="PlanFailedException"/> with the original error.
///
/// Journal: kept ON THE HOST, in the plan's line of the lock table (<see cref="HostLock"/>), through
/// IJailHost (so under fs/ in the simulator). The module may run in several processes and a process
/// can die half-way (kill -9, a dropped SSH session); a journal in memory would die with it, while
/// the one on the host lists every step of the interrupted plan with its command and undo. It is
/// written once before the first step (not after every step: see bench/NewJail.Bench.ps1) and, on
/// failure, again with each step's outcome (Failed, Undone, UndoFailed). It goes with the plan's
/// line when the plan ends; when an undo failed it is first saved as
/// /var/db/jailsmodule/journal/ID.json and named in the error.
///
/// Crash recovery: the line of a plan whose process died stays in the table until the next plan
/// reads it; that plan drops it, saves its journal as /var/db/jailsmodule/journal/ID.json and warns
/// (<see cref="OnWarning"/>). Every step listed may or may not have run (states stay Pending: the
/// steps are not re-recorded as they run). Each step carries its undo actions (display text and, for
/// native commands, argv) and what it works on (kind, path, a written file's text, a check), so
/// Repair-JailHost (<see cref="Services.RepairService"/>) can check each step against the host and
/// finish the plan or undo what ran.
/// </summary>
public sealed class PlanExecutor
{
    public const string JournalDirectory = HostLock.JournalDirectory;

    private readonly IJailHost _host;
    private readonly CancellationToken _ct;

    public PlanExecutor(IJailHost host, CancellationToken cancellationToken)
    {
        _host = host;
        _ct = cancellationToken;
    }

    /// <summary>Each native command just before it runs (the cmdlet's WriteVerbose).</summary>
    public Action<ProcessRequest>? OnCommand { get; init; }

    /// <summary>Each step just before it runs (the cmdlet's WriteProgress).</summary>
    public Action<PlanProgress>? OnProgress { get; init; }

    /// <summary>A plan of a dead process was found in the lock table (the cmdlet's WriteWarning).</summary>
    public Action<string>? OnWarning { get; init; }

    /// <summary>How long to wait for a resource another plan holds.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public bool Journal { get; init; } = true;

    /// <summary>The session's lock owner (<see cref="Session.JailSession.LockOwner"/>); null: a transient one per plan.</summary>
    public HostLockOwner? Owner { get; init; }

    /// <summary>Warnings of steps that do not fail the plan (a jid file that could not be written).</summary>
    public Action<string>? OnStepWarning { get; init; }

    /// <summary>Runs a plan that was built outside the lock (its checks may be stale: prefer the builder overload).</summary>
    public void Execute(Plan plan) => Execute(plan.Resources, () => plan);

    /// <summary>
    /// Locks <paramref name="resources"/>, builds the plan under the lock and runs it. When the plan
    /// needs resources that were not locked (state changed meanwhile), the lock is widened and the
    /// plan built again. Returns the plan that ran.
    /// </summary>
    public Plan Execute(IEnumerable<string> resources, Func<Plan> build) => Execute(resources, build, null)!;

    /// <summary>
    /// As above, and asks <paramref name="confirm"/> (the cmdlet's ShouldProcess) under the lock once
    /// the plan is known; returns null when it said no (nothing ran).
    /// </summary>
    public Plan? Execute(IEnumerable<string> resources, Func<Plan> build, Func<Plan, bool>? confirm)
    {
        var want = new SortedSet<string>(resources, StringComparer.Ordinal);
        var id = DateTime.UtcNow.ToString("yyyyMMddTHHmmss") + "-" + Guid.NewGuid().ToString("N")[..8];
        for (int attempt = 0; ; attempt++)
        {
            using var lk = HostLock.Acquire(_host, Owner, want, id, "jailsmodule plan", LockTimeout, _ct, OnWarning);
            var plan = build();
            var missing = plan.Resources.Where(r => !want.Contains(r)).ToList();
            if (missing.Count > 0 && attempt < 3)
            {
                want.UnionWith(missing);
                continue;
            }
            if (confirm != null && !confirm(plan)) return null;
            Run(plan, lk);
            return plan;
        }
    }

    private void Run(Plan plan, HostLock lk)
    {
        CheckOrder(plan);
        var journal = Journal ? new PlanJournal(_host, lk, plan) : null;
        var ctx = new PlanContext(_host, _ct, OnCommand) { OnWarning = OnStepWarning };
        var steps = plan.Steps;
        int i = 0;
        var clock = OnProgress is null ? null : System.Diagnostics.Stopwatch.StartNew();
        try
        {
            journal?.Create();
            for (; i < steps.Count; i++)
            {
                _ct.ThrowIfCancellationRequested();
                OnProgress?.Invoke(new PlanProgress(i, steps.Count, steps[i].Description, steps[i].LongRunning, clock!.Elapsed));
                steps[i].Do(ctx);
            }
            OnProgress?.Invoke(new PlanProgress(steps.Count, steps.Count, "Done", false, clock!.Elapsed));
        }
        catch (Exception original)
        {
            bool stopped = _ct.IsCancellationRequested || original is OperationCanceledException;
            journal?.Mark(i, PlanStepState.Failed, stopped ? "stopped (" + original.Message + ")" : original.Message);
            // Undo must run to the end even when the user pressed Ctrl+C: a fresh, uncancelled context,
            // and nothing the pipeline does (a stopping pipeline throws on every write) can break it.
            // Each undo command is recorded here and echoed only as far as the pipeline still takes it.
            var undoLog = new List<string>();
            var undoCtx = new PlanContext(_host, CancellationToken.None, r =>
            {
                lock (undoLog) undoLog.Add(r.DisplayText);
                if (OnCommand is null) return;
                try { OnCommand(r); }
                catch (Exception) { /* the echo is best effort; the undo goes on */ }
            })
            { OnWarning = w => { lock (undoLog) undoLog.Add("warning: " + w); } };
            var undoErrors = new List<PlanUndoError>();
            var undone = new List<PlanStep>();
            for (int k = i - 1; k >= 0; k--)
            {
                if (!steps[k].CanUndo)
                {
                    undoErrors.Add(new PlanUndoError(steps[k], new InvalidOperationException($"'{steps[k].Description}' cannot be undone.")));
                    continue;
                }
                try
                {
                    steps[k].Undo(undoCtx);
                    undone.Add(steps[k]);
                    journal?.Mark(k, PlanStepState.Undone);
                }
                catch (Exception e)
                {
                    undoErrors.Add(new PlanUndoError(steps[k], e));
                    journal?.Mark(k, PlanStepState.UndoFailed, e.Message);
                }
            }
            string? kept = undoErrors.Count == 0 ? null : journal?.Keep();
            if (stopped) throw new PlanStoppedException(plan, i, undone, undoLog, undoErrors, kept, original);
            throw new PlanFailedException(plan, steps[i], i, original, undoErrors, kept) { Undone = undone, UndoCommands = undoLog };
        }
    }

    /// <summary>Steps that cannot be undone must come after every step that can (nothing after them needs a rollback).</summary>
    internal static void CheckOrder(Plan plan)
    {
        bool seenIrreversible = false;
        foreach (var s in plan.Steps)
        {
            if (!s.CanUndo) seenIrreversible = true;
            else if (seenIrreversible)
                throw new InvalidOperationException($"Plan '{plan.Description}': step '{s.Description}' comes after a step that cannot be undone.");
        }
    }
}

public enum PlanStepState
{
    Pending,
    Running,
    Done,
    Failed,
    Undone,
    UndoFailed,
}

/// <summary>The journal of one running plan: its line in the lock table (see <see cref="PlanExecutor"/>).</summary>
public sealed class PlanJournal
{
    private readonly IJailHost _host;
    private readonly HostLock _lock;

    public PlanJournal(IJailHost host, HostLock hostLock, Plan plan)
    {
        _host = host;
        _lock = hostLock;
        var r = hostLock.Record;
        r.Description = plan.Description;
        r.Resources = plan.Resources.ToList();
        r.Steps = plan.Steps.Select((s, n) => new JournalStep
        {
            Index = n + 1, Description = s.Description, Actions = s.Actions.ToList(), UndoActions = s.UndoActions.ToList(), CanUndo = s.CanUndo,
            Command = s is CommandStep c ? Argv(c.Command) : null,
            UndoCommands = s is CommandStep u && u.UndoCommands.Count > 0 ? u.UndoCommands.Select(Argv).ToList() : null,
            Kind = s switch
            {
                CommandStep => "command", WriteFileStep => "write-file", DeleteFileStep => "delete-file", CopyFileStep => "copy-file",
                CreateDirectoryStep => "create-folder", ActionStep { Check: not null } => "check", _ => "action",
            },
            Path = s switch { WriteFileStep w => w.Path, DeleteFileStep d => d.Path, CopyFileStep cf => cf.Target, CreateDirectoryStep m => m.Path, _ => null },
            Content = s is WriteFileStep { Content.Length: <= 65536 } wf ? wf.Content : null,
            Check = (s as ActionStep)?.Check,
            FileExisted = s is WriteFileStep wx ? SafeExists(host, wx.Path) : null,
        }).ToList();
    }

    private static bool? SafeExists(IJailHost host, string path)
    {
        try { return host.FileExists(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static List<string> Argv(ProcessRequest r) => r.Arguments.Prepend(r.FileName).ToList();

    /// <summary>Where <see cref="Keep"/> saved it, once it did.</summary>
    public string? Path { get; private set; }

    /// <summary>The first write, before the first step.</summary>
    public void Create()
    {
        _lock.Record.Started = DateTime.UtcNow;
        _lock.Update();
    }

    public void Mark(int index, PlanStepState state, string? error = null)
    {
        var steps = _lock.Record.Steps!;
        if (index < 0 || index >= steps.Count) return;
        steps[index].State = state.ToString();
        if (error != null) steps[index].Error = error;
        try { _lock.Update(); }
        catch (Exception e) when (e is IOException or PlanPreconditionException) { /* the journal must never turn a good step into a failure */ }
    }

    /// <summary>Saves the journal as /var/db/jailsmodule/journal/ID.json (an undo failed: the operator needs it after the plan's line is gone).</summary>
    public string? Keep()
    {
        try { return Path = HostLock.SaveJournal(_host, _lock.Record); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
