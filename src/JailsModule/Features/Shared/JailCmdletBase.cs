using System.Management.Automation;
using System.Management.Automation.Runspaces;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Services;
using JailsModule.Session;

namespace JailsModule.Commands;

/// <summary>
/// Base of every cmdlet: resolves the runspace's session (the host connection and what is known
/// about it), owns cancellation (Ctrl+C cancels running native commands), runs native commands with
/// verbose echo, and builds error records.
/// </summary>
public abstract class JailCmdletBase : PSCmdlet
{
    private readonly CancellationTokenSource _cts = new();
    private JailSession? _session;

    protected CancellationToken CancellationToken => _cts.Token;

    private PlanRunner? _planner;

    /// <summary>Runs this cmdlet's plans (-WhatIf, -Confirm, the host lock and the session's lock owner, undo, errors).</summary>
    protected PlanRunner Planner => _planner ??= new PlanRunner(this, JailHost, CancellationToken);

    /// <summary>The host this runspace is connected to. Throws a terminating error when there is none.</summary>
    protected IJailHost JailHost => Session.Host;

    /// <summary>
    /// This runspace's session (<see cref="JailSession"/>). Throws a terminating error when there is
    /// none. The first access writes what an earlier, stopped command of the session could not (what
    /// its undo did) as warnings.
    /// </summary>
    protected internal JailSession Session
    {
        get
        {
            if (_session != null) return _session;
            var id = Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;
            _session = JailHostManager.FindSession(id);
            if (_session is null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException(
                        "No FreeBSD jail host is connected. This machine is not FreeBSD: use 'Connect-JailHost -Simulator' to work with the simulated FreeBSD host, " +
                        "or run the module on a FreeBSD host (for example through 'Invoke-Command -HostName <host>' over SSH remoting)."),
                    "NoJailHost", ErrorCategory.ConnectionError, null));
            }
            foreach (var m in _session!.TakeDeferred()) WriteWarning(m);
            return _session!;
        }
    }

    protected override void StopProcessing()
    {
        _cts.Cancel();
        base.StopProcessing();
    }

    /// <summary>
    /// Runs a native command on the host, echoing it with -Verbose. Blocks the pipeline thread.
    /// In a cmdlet that needs root (<see cref="RequiresRoot"/>) the first command is preceded by the
    /// root check, so a non-root user gets JailHostRequiresRoot instead of a half-done change.
    /// </summary>
    protected ProcessResult Run(ProcessRequest request)
    {
        if (RequiresRoot && !WhatIfMode) RequireRoot();
        try
        {
            return CommandRunner.RunUnchecked(JailHost, request, CancellationToken, r => WriteVerbose(r.DisplayText));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (ToolNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ToolNotFound", ErrorCategory.ObjectNotFound, request.FileName));
            throw; // unreachable
        }
    }

    /// <summary>Reads the jail list (one jls + the config files), turning failures into a terminating error.</summary>
    protected JailInventory ReadInventory()
    {
        try
        {
            var inv = JailInventory.Read(JailHost, CancellationToken, r => WriteVerbose(r.DisplayText), Session.ConfFiles);
            foreach (var e in inv.ConfigErrors)
                WriteWarning($"jail: {e.Message}");
            return inv;
        }
        catch (NativeCommandException ex)
        {
            // Names the host: in a fan-out (Invoke-Command -HostName h1,h2) the console shows only the message.
            ThrowTerminatingError(new ErrorRecord(ex, "JlsFailed", ErrorCategory.ReadError, ex.Request.DisplayText)
            {
                ErrorDetails = new ErrorDetails($"Reading the jail list of {JailHost.ComputerName} failed: {ex.Message}"),
            });
            throw;
        }
        catch (ToolNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ToolNotFound", ErrorCategory.ObjectNotFound, ex.Tool));
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// True for cmdlets that change the host (SupportsShouldProcess): their native commands need root.
    /// Cmdlets that change things without a native command (file writes) or need root for reading call
    /// <see cref="RequireRoot"/> themselves.
    /// </summary>
    protected virtual bool RequiresRoot
        => GetType().GetCustomAttributes(typeof(CmdletAttribute), false) is [CmdletAttribute { SupportsShouldProcess: true }];

    /// <summary>-WhatIf only prints: it needs no root.</summary>
    private bool WhatIfMode
        => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? w is SwitchParameter { IsPresent: true }
           : GetVariableValue("WhatIfPreference") is bool b ? b : GetVariableValue("WhatIfPreference") is SwitchParameter { IsPresent: true };

    /// <summary>
    /// Throws JailHostRequiresRoot unless the module runs as root on the host (jail, zfs, ifconfig,
    /// mount and rctl changes all need it). Asks the host once per connection ("id -u"), cached.
    /// </summary>
    protected internal void RequireRoot()
    {
        var host = JailHost;
        var uid = Session.Root.Uid(() =>
        {
            return CommandRunner.RunUnchecked(JailHost, Tools.IdTool.EffectiveUid(), CancellationToken, r => WriteVerbose(r.DisplayText));
        }, out var problem);
        if (uid == 0) return;
        if (uid is null)
            ThrowTerminatingError(new ErrorRecord(
                new UnauthorizedAccessException(RootCheck.UnknownMessage(MyInvocation.MyCommand.Name, host.ComputerName, problem ?? "'id -u' gave no answer.")),
                "JailHostRootUnknown", ErrorCategory.PermissionDenied, host.ComputerName));
        ThrowTerminatingError(new ErrorRecord(
            new UnauthorizedAccessException(RootCheck.Message(MyInvocation.MyCommand.Name, host.ComputerName, uid!.Value)),
            "JailHostRequiresRoot", ErrorCategory.PermissionDenied, host.ComputerName));
    }

    protected static ErrorRecord NativeError(string errorId, ErrorCategory category, object? target, ProcessRequest request, ProcessResult result, string what)
    {
        var msg = $"{what} failed: '{request.DisplayText}' exited with {result.ExitCode}" +
                  (result.ErrorText.Length > 0 ? $": {result.ErrorText}" : ".");
        var er = new ErrorRecord(CommandRunner.Failure(request, result), errorId, category, target);
        er.ErrorDetails = new ErrorDetails(msg);
        return er;
    }

    protected void WriteJailNotFound(string name)
    {
        WriteError(new ErrorRecord(
            new ItemNotFoundException($"No jail named '{name}' is configured or running on {JailHost.ComputerName}."),
            "JailNotFound", ErrorCategory.ObjectNotFound, name));
    }

    /// <summary>Validates a name; writes InvalidJailName and returns false when bad.</summary>
    protected bool CheckName(string name, bool allowChild = true)
    {
        var why = JailName.Check(name, allowChild);
        if (why is null) return true;
        WriteError(new ErrorRecord(new ArgumentException(why), "InvalidJailName", ErrorCategory.InvalidArgument, name));
        return false;
    }
}

/// <summary>
/// Base of cmdlets that act on jails given by -Name (wildcards allowed) or -InputObject.
/// Resolves both to one list of targets against a single inventory read.
/// </summary>
public abstract class JailActionCmdletBase : JailCmdletBase
{
    protected const string NameSet = "Name";
    protected const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JailNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public Jail[] InputObject { get; set; } = Array.Empty<Jail>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private JailInventory? _inventory;

    protected JailInventory Inventory => _inventory ??= ReadInventory();

    /// <summary>
    /// The jail as the host has it now (jls and the files read again, no warnings repeated): a plan's
    /// builder calls it under the lock, so its checks see the final state. Under -WhatIf the jail as read.
    /// </summary>
    protected Jail? ReadJailAgain(Jail jail)
    {
        if (Planner.IsWhatIf) return jail;
        _inventory = JailInventory.Read(JailHost, CancellationToken, r => WriteVerbose(r.DisplayText), Session.ConfFiles);
        return _inventory.Find(jail.Name);
    }

    /// <summary>Forces the next access to re-read (after a change).</summary>
    protected void InvalidateInventory() => _inventory = null;

    /// <summary>
    /// The running jails of the jail's config file that depend on it, directly or through others: jail(8)
    /// removes them first when asked to remove it (state.c dep_check). Jails of other files are unknown
    /// to that jail(8) run and keep running.
    /// </summary>
    protected List<string> RunningDependents(Jail jail)
    {
        var result = new List<string>();
        if (jail.ConfigPath is null) return result;
        Config.ConfLoadResult conf;
        try { conf = Config.JailConf.Load(jail.ConfigPath, new Host.HostConfSource(JailHost)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return result; }
        if (!conf.Success) return result;
        var running = Inventory.Jails.Where(j => j.State == JailState.Running).Select(j => j.Name).ToHashSet(StringComparer.Ordinal);
        var pending = new Queue<string>(new[] { jail.Name });
        while (pending.Count > 0)
        {
            var target = pending.Dequeue();
            foreach (var cj in conf.Jails)
            {
                if (cj.Name == jail.Name || result.Contains(cj.Name) || !running.Contains(cj.Name)) continue;
                var deps = (cj.Find("depend")?.Values ?? (IReadOnlyList<string>)Array.Empty<string>())
                    .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                if (!deps.Contains(target)) continue;
                result.Add(cj.Name);
                pending.Enqueue(cj.Name);
            }
        }
        return result;
    }


    protected override void ProcessRecord()
    {
        foreach (var jail in ResolveTargets())
            ProcessJail(jail);
    }

    protected abstract void ProcessJail(Jail jail);

    /// <summary>The targets of this pipeline record: each name validated, unknown names reported as JailNotFound.</summary>
    protected IEnumerable<Jail> ResolveTargets()
    {
        var names = ParameterSetName == InputObjectSet
            ? InputObject.Select(j => j.Name).ToArray()
            : Name;
        foreach (var n in names)
        {
            if (WildcardPattern.ContainsWildcardCharacters(n))
            {
                var pattern = new WildcardPattern(n, WildcardOptions.None);
                foreach (var j in Inventory.Jails.Where(j => pattern.IsMatch(j.Name)))
                    yield return j;
                continue;
            }
            if (!CheckName(n)) continue;
            var jail = Inventory.Find(n);
            if (jail is null) { WriteJailNotFound(n); continue; }
            yield return jail;
        }
    }

    protected void WritePassThru(string name)
    {
        if (!PassThru) return;
        InvalidateInventory();
        var j = Inventory.Find(name);
        if (j != null) WriteObject(j);
    }
}

/// <summary>Tab completion of jail names from the connected host.</summary>
public sealed class JailNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
    {
        var session = JailHostManager.FindSession(Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty);
        if (session is null) return Array.Empty<CompletionResult>();
        try
        {
            var word = (wordToComplete ?? "").Trim('\'', '"');
            var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
            return JailInventory.Read(session.Host, CancellationToken.None, null, session.ConfFiles).Jails
                .Where(j => pattern.IsMatch(j.Name))
                .Select(j => new CompletionResult(j.Name, j.Name, CompletionResultType.ParameterValue, $"{j.Name} ({j.State})"))
                .ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}
