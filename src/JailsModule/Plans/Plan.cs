using JailsModule.Host;
using JailsModule.Services;

namespace JailsModule.Plans;

/// <summary>
/// A change to the host as an ordered list of steps, each able to undo itself. Nothing touches the
/// machine while a plan is built; <see cref="PlanExecutor"/> runs it under the host-wide lock.
/// </summary>
public sealed class Plan
{
    private readonly List<PlanStep> _steps = new();
    private readonly SortedSet<string> _resources = new(StringComparer.Ordinal);

    public Plan(string description) => Description = description;

    /// <summary>What the plan does, e.g. "Create jail 'web1' from template '14.3-RELEASE'".</summary>
    public string Description { get; }

    public IReadOnlyList<PlanStep> Steps => _steps;

    /// <summary>Lock keys ("jail:web1", "dataset:zroot/jails/containers/web1", "file:/etc/jail.conf.d/web1.conf") held while the plan runs.</summary>
    public IReadOnlyCollection<string> Resources => _resources;

    public Plan Add(PlanStep step)
    {
        _steps.Add(step ?? throw new ArgumentNullException(nameof(step)));
        return this;
    }

    public Plan Lock(string kind, string name)
    {
        _resources.Add(kind + ":" + name);
        return this;
    }

    /// <summary>Every native command line or file edit, in order (what -WhatIf shows).</summary>
    public IEnumerable<string> Actions => _steps.SelectMany(s => s.Actions);

    /// <summary>The ShouldProcess text: the description then one numbered line per action.</summary>
    public string WhatIfText
    {
        get
        {
            var sb = new System.Text.StringBuilder(Description);
            int i = 0;
            foreach (var a in Actions)
                sb.Append('\n').Append(++i).Append(". ").Append(a);
            return sb.ToString();
        }
    }

    public override string ToString() => WhatIfText;
}

/// <summary>What a step sees while it runs: the host, cancellation and the verbose echo.</summary>
public sealed class PlanContext
{
    public PlanContext(IJailHost host, CancellationToken cancellationToken, Action<ProcessRequest>? onCommand = null)
    {
        Host = host;
        CancellationToken = cancellationToken;
        OnCommand = onCommand;
    }

    public IJailHost Host { get; }
    public CancellationToken CancellationToken { get; }
    public Action<ProcessRequest>? OnCommand { get; }

    /// <summary>A step's problem that does not fail it (the cmdlet's WriteWarning; recorded during an undo).</summary>
    public Action<string>? OnWarning { get; init; }

    /// <summary>Runs a native command (through <see cref="CommandRunner"/>); a non-zero exit becomes a <see cref="NativeCommandException"/> carrying stderr.</summary>
    public ProcessResult Run(ProcessRequest request) => Runner.Run(request);

    public ProcessResult RunUnchecked(ProcessRequest request) => Runner.RunUnchecked(request);

    private CommandRunner Runner => _runner ??= new CommandRunner(Host, CancellationToken, OnCommand);
    private CommandRunner? _runner;
}

/// <summary>One step: a native command or a file edit, and how to take it back.</summary>
public abstract class PlanStep
{
    /// <summary>Short text for progress and the journal.</summary>
    public abstract string Description { get; }

    /// <summary>The native command lines (sh quoting) or file edits this step performs, for -WhatIf.</summary>
    public abstract IReadOnlyList<string> Actions { get; }

    /// <summary>
    /// How the step is taken back, as command lines or file edits (the journal lists them, so a dead
    /// plan can be undone by Repair-JailHost or by hand). Empty: nothing to undo.
    /// </summary>
    public virtual IReadOnlyList<string> UndoActions => Array.Empty<string>();

    /// <summary>False for steps that cannot be taken back (zfs destroy): the executor runs them only after every undoable step.</summary>
    public virtual bool CanUndo => true;

    /// <summary>
    /// A step that can take seconds or minutes (a download, an extraction, freebsd-update, a tree
    /// copy): the cmdlet shows its progress bar at once. Other steps show one only once the plan has
    /// run for a while, so a quick plan (New-Jail from a template) writes no progress at all.
    /// </summary>
    public bool LongRunning { get; init; }

    /// <summary>The ErrorRecord id a failure of this step reports (JailStartFailed...); null: the cmdlet's own.</summary>
    public string? ErrorId { get; init; }

    public abstract void Do(PlanContext context);
    public abstract void Undo(PlanContext context);

    public override string ToString() => Description;
}

/// <summary>A plan that could not be built: the target does not exist, a name is taken... Nothing ran.</summary>
public sealed class PlanPreconditionException : Exception
{
    public PlanPreconditionException(string errorId, string message, object? target = null, PlanErrorKind kind = PlanErrorKind.InvalidArgument)
        : base(message)
    {
        ErrorId = errorId;
        Target = target;
        Kind = kind;
    }

    /// <summary>Stable id for the ErrorRecord (JailNameTaken, TemplateNotFound...).</summary>
    public string ErrorId { get; }
    public object? Target { get; }
    public PlanErrorKind Kind { get; }
}

/// <summary>Maps onto PowerShell's ErrorCategory without making the plan code depend on PowerShell.</summary>
public enum PlanErrorKind
{
    InvalidArgument,
    ObjectNotFound,
    ResourceExists,
    ResourceBusy,
    InvalidOperation,
    NotInstalled,
    SecurityError,
    InvalidData,
}

/// <summary>A step failed: the original error, which step, and any errors of the rollback.</summary>
public sealed class PlanFailedException : Exception
{
    public PlanFailedException(Plan plan, PlanStep step, int stepIndex, Exception original, IReadOnlyList<PlanUndoError> undoErrors, string? journalPath)
        : base(BuildMessage(plan, step, stepIndex, original, undoErrors, journalPath), original)
    {
        Plan = plan;
        Step = step;
        StepIndex = stepIndex;
        Original = original;
        UndoErrors = undoErrors;
        JournalPath = journalPath;
    }

    public Plan Plan { get; }
    public PlanStep Step { get; }
    public int StepIndex { get; }
    public Exception Original { get; }
    public IReadOnlyList<PlanUndoError> UndoErrors { get; }

    /// <summary>Where the journal was kept because the rollback was incomplete; null when everything was undone.</summary>
    public string? JournalPath { get; }

    public bool RolledBack => UndoErrors.Count == 0;

    /// <summary>The steps the rollback undid, in the order it undid them.</summary>
    public IReadOnlyList<PlanStep> Undone { get; init; } = Array.Empty<PlanStep>();

    /// <summary>The native commands the rollback ran.</summary>
    public IReadOnlyList<string> UndoCommands { get; init; } = Array.Empty<string>();

    private static string BuildMessage(Plan plan, PlanStep step, int index, Exception original, IReadOnlyList<PlanUndoError> undo, string? journal)
    {
        var msg = $"{plan.Description}: step {index + 1} ({step.Description}) failed: {original.Message}";
        // Some tools (freebsd-update) report on stdout: show its last lines when stderr said nothing.
        if (original is NativeCommandException n && n.Result.ErrorText.Length == 0)
        {
            var tail = n.Result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3).ToArray();
            if (tail.Length > 0) msg += " Output: " + string.Join(" ", tail);
        }
        if (!msg.EndsWith('.')) msg += ".";
        msg += undo.Count == 0
            ? (index == 0 ? " Nothing was changed." : $" The {index} completed step(s) were undone.")
            : $" {undo.Count} step(s) could not be undone; the journal is kept in {journal}.";
        return msg;
    }
}

public sealed record PlanUndoError(PlanStep Step, Exception Error)
{
    public override string ToString() => $"Undoing '{Step.Description}' failed: {Error.Message}";
}

/// <summary>
/// A plan was stopped (Ctrl+C, StopProcessing) while it ran: the completed steps were undone to the
/// end regardless. Carries what the undo did so the cmdlet can report it once it can write again.
/// </summary>
public sealed class PlanStoppedException : OperationCanceledException
{
    public PlanStoppedException(Plan plan, int stepIndex, IReadOnlyList<PlanStep> undone, IReadOnlyList<string> undoCommands,
        IReadOnlyList<PlanUndoError> undoErrors, string? journalPath, Exception original)
        : base(BuildMessage(plan, stepIndex, undone, undoCommands, undoErrors, journalPath), original)
    {
        Plan = plan;
        StepIndex = stepIndex;
        Undone = undone;
        UndoCommands = undoCommands;
        UndoErrors = undoErrors;
        JournalPath = journalPath;
    }

    public Plan Plan { get; }
    public int StepIndex { get; }
    public IReadOnlyList<PlanStep> Undone { get; }
    public IReadOnlyList<string> UndoCommands { get; }
    public IReadOnlyList<PlanUndoError> UndoErrors { get; }
    public string? JournalPath { get; }

    private static string BuildMessage(Plan plan, int index, IReadOnlyList<PlanStep> undone, IReadOnlyList<string> commands,
        IReadOnlyList<PlanUndoError> undo, string? journal)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(plan.Description).Append(": stopped");
        if (index < plan.Steps.Count) sb.Append(" at step ").Append(index + 1).Append(" (").Append(plan.Steps[index].Description).Append(')');
        sb.Append('.');
        if (undone.Count == 0 && undo.Count == 0) sb.Append(" Nothing had been changed.");
        if (undone.Count > 0)
            sb.Append(" Undid ").Append(undone.Count).Append(" completed step(s): ").Append(string.Join("; ", undone.Select(s => s.Description))).Append('.');
        if (commands.Count > 0) sb.Append(" Undo ran: ").Append(string.Join("; ", commands)).Append('.');
        if (undo.Count > 0)
            sb.Append(' ').Append(undo.Count).Append(" step(s) could not be undone (").Append(string.Join("; ", undo)).Append(')')
              .Append(journal is null ? "." : $"; the journal is kept in {journal}.");
        return sb.ToString();
    }
}
