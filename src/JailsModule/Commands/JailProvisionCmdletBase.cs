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

    public PlanRunner(PSCmdlet cmdlet, IJailHost host, CancellationToken ct)
    {
        _cmdlet = cmdlet;
        _host = host;
        _ct = ct;
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

    public ProvisioningService Service => _service ??= new ProvisioningService(_host, Settings, _ct, r => _cmdlet.WriteVerbose(r.DisplayText)) { OnWarning = _cmdlet.WriteWarning };

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

    public Plan? RunPlan(string target, IEnumerable<string> resources, Func<Plan> build, string failureId, bool force = false)
    {
        try
        {
            if (IsWhatIf)
            {
                var p = build();
                _cmdlet.ShouldProcess(p.WhatIfText, p.WhatIfText, p.Description);
                return null;
            }
            // Root first: a non-root user gets JailHostRequiresRoot, not a tool's error and a rollback.
            if (_cmdlet is JailCmdletBase jc) jc.RequireRoot();
            int activity = Interlocked.Increment(ref _activity);
            Plan? current = null;
            bool shown = false;
            var executor = new PlanExecutor(_host, _ct)
            {
                LockTimeout = TimeSpan.FromSeconds(Settings.LockTimeout),
                OnCommand = r => _cmdlet.WriteVerbose(r.DisplayText),
                OnWarning = _cmdlet.WriteWarning,
                OnProgress = pr =>
                {
                    // A quick plan shows no bar (none flickers by); a long step, or a plan running
                    // for a while, does, and then every later step too (and the Completed record).
                    bool done = pr.StepIndex >= pr.StepCount;
                    if (!shown && (done || !(pr.LongRunning || pr.Elapsed >= ProgressDelay))) return;
                    shown = true;
                    var rec = new ProgressRecord(activity, current?.Description ?? target, pr.Description) { PercentComplete = pr.PercentComplete };
                    if (pr.StepIndex >= pr.StepCount) rec.RecordType = ProgressRecordType.Completed;
                    _cmdlet.WriteProgress(rec);
                },
            };
            return executor.Execute(resources, build, p =>
            {
                current = p;
                return force || _cmdlet.ShouldProcess(p.WhatIfText, p.WhatIfText, p.Description);
            });
        }
        catch (PlanPreconditionException ex)
        {
            _cmdlet.WriteError(new ErrorRecord(ex, ex.ErrorId, Category(ex.Kind), ex.Target ?? target));
        }
        catch (PlanFailedException ex)
        {
            var inner = ex.Original;
            var id = inner is PlanPreconditionException pp ? pp.ErrorId : failureId;
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
    private PlanRunner? _runner;

    protected PlanRunner Runner => _runner ??= new PlanRunner(this, JailHost, CancellationToken);
    protected JailModuleSettings Settings => Runner.Settings;
    protected ProvisioningService Service => Runner.Service;

    protected Plan? RunPlan(string target, IEnumerable<string> resources, Func<Plan> build, string failureId, bool force = false)
        => Runner.RunPlan(target, resources, build, failureId, force);

    protected void WriteInvalid(string message, string errorId, object? target) => Runner.WriteInvalid(message, errorId, target);
}
