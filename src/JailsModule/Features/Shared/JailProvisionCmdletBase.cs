using System.Management.Automation;
using JailsModule.Host;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Shared plumbing of the provisioning cmdlets, usable from any cmdlet base: module settings, the
/// provisioning service, and running a plan with -WhatIf/-Confirm, the host lock, verbose command
/// echo, progress, and error records with stable ids.
/// </summary>
public sealed class PlanRunner
{
    private readonly PSCmdlet _cmdlet;
    private readonly IJailHost _host;
    private readonly CancellationToken _ct;
    private JailModuleSettings? _settings;
    private ProvisioningService? _service;
    private static int _activity;

    private readonly Session.JailSession? _session;

    /// <summary>A runner for <paramref name="cmdlet"/>; a <see cref="JailCmdletBase"/> lends it its session (lock owner, parsed files).</summary>
    public PlanRunner(PSCmdlet cmdlet, IJailHost host, CancellationToken ct)
    {
        _cmdlet = cmdlet;
        _host = host;
        _ct = ct;
        _session = cmdlet is JailCmdletBase jc && ReferenceEquals(jc.Session.Host, host) ? jc.Session : null;
    }

    private static void Write(Action write)
    {
        try { write(); }
        catch (PipelineStoppedException) { throw new OperationCanceledException(); }
    }

    public JailModuleSettings Settings
    {
        get
        {
            if (_settings != null) return _settings;
            var s = LoadUnchecked();
            if (s.Validate() is { } bad)
                _cmdlet.ThrowTerminatingError(new ErrorRecord(new InvalidDataException($"{JailModuleSettings.SettingsFile}: {bad}"), "InvalidModuleSetting", ErrorCategory.InvalidData, JailModuleSettings.SettingsFile));
            return _settings = s;
        }
    }

    /// <summary>The settings file as it is, bad values included (Set-JailModuleSetting repairs them); an unreadable file is InvalidModuleSetting.</summary>
    public JailModuleSettings LoadUnchecked()
    {
        try { return JailModuleSettings.Load(_host); }
        catch (InvalidDataException e)
        {
            _cmdlet.ThrowTerminatingError(new ErrorRecord(e, "InvalidModuleSetting", ErrorCategory.InvalidData, JailModuleSettings.SettingsFile));
            throw; // not reached
        }
    }

    /// <summary>Uses <paramref name="settings"/> (already validated by the caller) from now on.</summary>
    public void UseSettings(JailModuleSettings settings) => _settings = settings;

    public ProvisioningService Service => _service ??= new ProvisioningService(_host, Settings, _ct, r => _cmdlet.WriteVerbose(r.DisplayText))
    {
        OnWarning = _cmdlet.WriteWarning,
        ConfFiles = _session?.ConfFiles ?? new ConfFileCache(),
    };

    /// <summary>True when -WhatIf is in effect (bound or by preference).</summary>
    public bool IsWhatIf
    {
        get
        {
            if (_cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)) return LanguagePrimitives.IsTrue(w);
            return LanguagePrimitives.IsTrue(_cmdlet.GetVariableValue("WhatIfPreference"));
        }
    }

    /// <summary>
    /// Builds and runs a plan. With -WhatIf the plan is built (reads only) and shown, and nothing runs.
    /// Otherwise the resources are locked, the plan is built under the lock, confirmed (unless
    /// <paramref name="force"/>), and run. Returns the plan that ran, or null (declined, or an error was written).
    /// </summary>
    /// <summary>How long a plan of quick steps runs before it shows a progress bar.</summary>
    public static readonly TimeSpan ProgressDelay = TimeSpan.FromMilliseconds(500);

    /// <remarks>
    /// A plan without steps (the state asked for is already there: a started jail, an unchanged file)
    /// is returned as it is, without asking and without running. <paramref name="confirmMore"/> asks
    /// further questions (ShouldContinue) after ShouldProcess, under the lock.
    ///
    /// Ctrl+C (StopProcessing) during the plan: the executor undoes the completed steps to the end
    /// whatever the pipeline does; what the undo did is written as a warning when the pipeline still
    /// takes it, and otherwise kept in the session and written by its next command.
    /// </remarks>
    public Plan? RunPlan(string target, IEnumerable<string> resources, Func<Plan> build, string failureId, bool force = false, Func<Plan, bool>? confirmMore = null)
    {
        try
        {
            if (IsWhatIf)
            {
                var p = build();
                if (p.Steps.Count == 0) return p;
                _cmdlet.ShouldProcess(p.WhatIfText, p.WhatIfText, p.Description);
                return null;
            }
            // Root first: a non-root user gets JailHostRequiresRoot, not a tool's error and a rollback.
            if (_cmdlet is JailCmdletBase jc) jc.RequireRoot();
            int activity = Interlocked.Increment(ref _activity);
            Plan? current = null;
            bool shown = false;
            Plan? empty = null;
            var executor = new PlanExecutor(_host, _ct)
            {
                LockTimeout = TimeSpan.FromSeconds(Settings.LockTimeout),
                Owner = _session?.LockOwner,
                // A write to a stopping pipeline throws; to the plan that is a stop like Ctrl+C itself.
                OnCommand = r => Write(() => _cmdlet.WriteVerbose(r.DisplayText)),
                OnWarning = w => Write(() => _cmdlet.WriteWarning(w)),
                OnStepWarning = w => Write(() => _cmdlet.WriteWarning(w)),
                OnProgress = pr => Write(() =>
                {
                    // A quick plan shows no bar (none flickers by); a long step, or a plan running
                    // for a while, does, and then every later step too (and the Completed record).
                    bool done = pr.StepIndex >= pr.StepCount;
                    if (!shown && (done || !(pr.LongRunning || pr.Elapsed >= ProgressDelay))) return;
                    shown = true;
                    var rec = new ProgressRecord(activity, current?.Description ?? target, pr.Description) { PercentComplete = pr.PercentComplete };
                    if (pr.StepIndex >= pr.StepCount) rec.RecordType = ProgressRecordType.Completed;
                    _cmdlet.WriteProgress(rec);
                }),
            };
            var ran = executor.Execute(resources, build, p =>
            {
                current = p;
                if (p.Steps.Count == 0) { empty = p; return false; }
                return (force || _cmdlet.ShouldProcess(p.WhatIfText, p.WhatIfText, p.Description)) && (confirmMore is null || confirmMore(p));
            });
            return ran ?? empty;
        }
        catch (PlanStoppedException ex)
        {
            // The undo has run to the end. Tell what it did: now if the pipeline still takes it,
            // else through the session's next command. Failed undos are in the kept journal too.
            try { _cmdlet.WriteWarning(ex.Message); }
            catch (Exception) { _session?.Defer($"Earlier, {_cmdlet.MyInvocation.MyCommand.Name} was stopped: {ex.Message}"); }
            throw new PipelineStoppedException();
        }
        catch (PlanPreconditionException ex)
        {
            _cmdlet.WriteError(new ErrorRecord(ex, ex.ErrorId, Category(ex.Kind), ex.Target ?? target));
        }
        catch (PlanFailedException ex)
        {
            var inner = ex.Original;
            var id = inner is PlanPreconditionException pp ? pp.ErrorId : ex.Step.ErrorId ?? failureId;
            var cat = inner is PlanPreconditionException pc ? Category(pc.Kind) : ErrorCategory.InvalidOperation;
            _cmdlet.WriteError(new ErrorRecord(inner, id, cat, target) { ErrorDetails = new ErrorDetails(ex.Message) });
            foreach (var u in ex.UndoErrors)
                _cmdlet.WriteError(new ErrorRecord(u.Error, "PlanUndoFailed", ErrorCategory.InvalidResult, target)
                {
                    ErrorDetails = new ErrorDetails(u + (ex.JournalPath is null ? "" : $" (journal: {ex.JournalPath})")),
                });
        }
        catch (NativeCommandException ex)
        {
            _cmdlet.WriteError(new ErrorRecord(ex, failureId, ErrorCategory.ReadError, target) { ErrorDetails = new ErrorDetails(ex.Message) });
        }
        catch (Config.JailConfSyntaxException ex)
        {
            _cmdlet.WriteError(new ErrorRecord(ex, "JailConfigInvalid", ErrorCategory.InvalidData, target));
        }
        catch (ToolNotFoundException ex)
        {
            _cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "ToolNotFound", ErrorCategory.ObjectNotFound, ex.Tool));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        return null;
    }

    public void WriteInvalid(string message, string errorId, object? target)
        => _cmdlet.WriteError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));

    internal static ErrorCategory Category(PlanErrorKind kind) => kind switch
    {
        PlanErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        PlanErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        PlanErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        PlanErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        PlanErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        PlanErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        PlanErrorKind.SecurityError => ErrorCategory.SecurityError,
        PlanErrorKind.InvalidData => ErrorCategory.InvalidData,
        _ => ErrorCategory.NotSpecified,
    };
}

/// <summary>Base of the provisioning cmdlets that do not act on existing jails (New-Jail, the template and release cmdlets).</summary>
public abstract class JailProvisionCmdletBase : JailCmdletBase
{
    protected PlanRunner Runner => Planner;
    protected JailModuleSettings Settings => Runner.Settings;
    protected ProvisioningService Service => Runner.Service;

    protected Plan? RunPlan(string target, IEnumerable<string> resources, Func<Plan> build, string failureId, bool force = false)
        => Runner.RunPlan(target, resources, build, failureId, force);

    protected void WriteInvalid(string message, string errorId, object? target) => Runner.WriteInvalid(message, errorId, target);
}
