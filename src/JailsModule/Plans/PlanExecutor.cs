using System.Text.Json;
using JailsModule.Host;

namespace JailsModule.Plans;

public sealed record PlanProgress(int StepIndex, int StepCount, string Description)
{
    public int PercentComplete => StepCount == 0 ? 100 : (int)(100L * StepIndex / StepCount);
}

/// <summary>
/// Runs plans: takes the host lock for the plan's resources, (re)builds the plan under the lock so
/// its checks see the final state, runs the steps in order, and on the first failure undoes the
/// completed steps in reverse and throws <see cref="PlanFailedException"/> with the original error.
///
/// Journal: kept ON THE HOST in /var/db/jailsmodule/journal/ID.json (through IJailHost, so under
/// fs/ in the simulator). The module may run in several processes and a process can die half-way
/// (kill -9, a dropped SSH session); a journal in memory would die with it, while the one on the
/// host shows an operator every step of the interrupted plan with its command and undo, next to the
/// stale lock naming the same plan id. It is written once before the first step (not after every
/// step: each write costs as much as a simulated zfs command, see bench/NewJail.Bench.ps1) and,
/// on failure, again with each step's outcome (Failed, Undone, UndoFailed). It is deleted when the
/// plan succeeds or was completely undone, and kept (and named in the error) when an undo failed.
///
/// Crash recovery: a journal file that exists while no live process holds its plan id's locks
/// belongs to a plan that died between its first step and its end; every step listed in it may or
/// may not have run (states stay Pending: the steps are not re-recorded as they run), so the
/// operator checks them in order against the host, undoing what ran with each step's listed undo.
/// The first write creates the file with O_CREAT|O_EXCL, mode 0600 (the id is unique, so nothing
/// is replaced and no temp file + rename is needed): a crash during that one write leaves a short
/// file before any step ran, which the operator deletes. Later rewrites (on failure) are atomic.
/// </summary>
public sealed class PlanExecutor
{
    public const string JournalDirectory = "/var/db/jailsmodule/journal";

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

    /// <summary>How long to wait for a resource another plan holds.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public bool Journal { get; init; } = true;

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
            using var lk = HostLock.Acquire(_host, want, id, "jailsmodule plan", LockTimeout, _ct);
            var plan = build();
            var missing = plan.Resources.Where(r => !want.Contains(r)).ToList();
            if (missing.Count > 0 && attempt < 3)
            {
                want.UnionWith(missing);
                continue;
            }
            if (confirm != null && !confirm(plan)) return null;
            Run(plan, id);
            return plan;
        }
    }

    private void Run(Plan plan, string id)
    {
        CheckOrder(plan);
        var journal = Journal ? new PlanJournal(_host, id, plan) : null;
        var ctx = new PlanContext(_host, _ct, OnCommand);
        var steps = plan.Steps;
        int i = 0;
        try
        {
            journal?.Create();
            for (; i < steps.Count; i++)
            {
                _ct.ThrowIfCancellationRequested();
                OnProgress?.Invoke(new PlanProgress(i, steps.Count, steps[i].Description));
                steps[i].Do(ctx);
            }
            OnProgress?.Invoke(new PlanProgress(steps.Count, steps.Count, "Done"));
            journal?.Delete();
        }
        catch (Exception original)
        {
            journal?.Mark(i, PlanStepState.Failed, original.Message);
            // Undo must run even when the user pressed Ctrl+C: use a fresh, uncancelled context.
            var undoCtx = new PlanContext(_host, CancellationToken.None, OnCommand);
            var undoErrors = new List<PlanUndoError>();
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
                    journal?.Mark(k, PlanStepState.Undone);
                }
                catch (Exception e)
                {
                    undoErrors.Add(new PlanUndoError(steps[k], e));
                    journal?.Mark(k, PlanStepState.UndoFailed, e.Message);
                }
            }
            string? kept = null;
            if (undoErrors.Count == 0) journal?.Delete();
            else kept = journal?.Path;
            if (original is OperationCanceledException && undoErrors.Count == 0) throw;
            throw new PlanFailedException(plan, steps[i], i, original, undoErrors, kept);
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

/// <summary>The journal file of one running plan (see <see cref="PlanExecutor"/>).</summary>
public sealed class PlanJournal
{
    private readonly IJailHost _host;
    private readonly JournalData _data;

    public PlanJournal(IJailHost host, string id, Plan plan)
    {
        _host = host;
        Path = PlanExecutor.JournalDirectory + "/" + id + ".json";
        _data = new JournalData
        {
            Id = id,
            Description = plan.Description,
            Machine = Environment.MachineName,
            Pid = Environment.ProcessId,
            Started = DateTime.UtcNow,
            Resources = plan.Resources.ToList(),
            Steps = plan.Steps.Select((s, n) => new JournalStep { Index = n + 1, Description = s.Description, Actions = s.Actions.ToList() }).ToList(),
        };
    }

    public string Path { get; }

    /// <summary>The first write: creates the file exclusively (see <see cref="PlanExecutor"/>); the folder is made when missing.</summary>
    public void Create()
    {
        var text = JsonSerializer.Serialize(_data, Options);
        bool made;
        try { made = _host.TryCreateFileExclusive(Path, text, 0x180 /* 0600 */); }
        catch (DirectoryNotFoundException)
        {
            _host.CreateDirectory(PlanExecutor.JournalDirectory);
            made = _host.TryCreateFileExclusive(Path, text, 0x180);
        }
        if (!made) _host.WriteAllTextAtomic(Path, text, 0x180); // cannot happen with a fresh id; never lose the journal
    }

    public void Save()
    {
        if (!_host.DirectoryExists(PlanExecutor.JournalDirectory)) _host.CreateDirectory(PlanExecutor.JournalDirectory);
        _host.WriteAllTextAtomic(Path, JsonSerializer.Serialize(_data, Options), 0x180 /* 0600 */);
    }

    public void Mark(int index, PlanStepState state, string? error = null)
    {
        if (index < 0 || index >= _data.Steps.Count) return;
        _data.Steps[index].State = state.ToString();
        if (error != null) _data.Steps[index].Error = error;
        try { Save(); }
        catch (IOException) { /* the journal must never turn a good step into a failure */ }
    }

    public void Delete()
    {
        try { _host.DeleteFile(Path); } // deleting a missing file is no error (unlink's ENOENT is ignored by both hosts)
        catch (IOException) { }
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public sealed class JournalData
    {
        public string Id { get; set; } = "";
        public string Description { get; set; } = "";
        public string Machine { get; set; } = "";
        public int Pid { get; set; }
        public DateTime Started { get; set; }
        public List<string> Resources { get; set; } = new();
        public List<JournalStep> Steps { get; set; } = new();
    }

    public sealed class JournalStep
    {
        public int Index { get; set; }
        public string Description { get; set; } = "";
        public List<string> Actions { get; set; } = new();
        public string State { get; set; } = nameof(PlanStepState.Pending);
        public string? Error { get; set; }
    }
}
