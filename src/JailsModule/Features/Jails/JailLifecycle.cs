using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>
/// Start, stop and restart as plans, with the command lines rc.d/jail uses (reference §6, §17.9;
/// <see cref="RcJailCommand"/>: rc.conf's jail_flags, jail_NAME_flags, jail_program, jail_NAME_program):
/// <c>$command $rc_flags -i -f CONF -c NAME</c>, then <c>jls -j NAME jid</c> into /var/run/jail_NAME.id
/// (jail -i prints the jid before exec.start's output, so rc.d/jail reads it back with jls, §17.3);
/// <c>$command -q -f CONF -r NAME</c> then that file removed. Each runs under the host lock on <c>jail:NAME</c> (the key New-Jail and
/// Remove-Jail use), and is built from the jail's state read again inside the lock: of eight
/// concurrent Start-Jail of one jail exactly one runs jail -c, the others find it running (an empty
/// plan). Ctrl+C between the steps undoes what ran (a started jail is stopped again).
/// </summary>
public static class JailLifecycle
{
    public static IEnumerable<string> Resources(string name) => new[] { "jail:" + name };

    /// <summary>Start a stopped jail from its file; an empty plan when <paramref name="jail"/> is running.</summary>
    public static Plan PlanStart(Jail jail, RcJailCommand rc)
    {
        var plan = new Plan($"Start jail '{jail.Name}'").Lock("jail", jail.Name);
        if (jail.State == JailState.Running) return plan;
        if (jail.ConfigPath is null)
            throw new PlanPreconditionException("JailNotConfigured", $"Jail '{jail.Name}' has no configuration file to start it from.", jail, PlanErrorKind.InvalidOperation);
        return plan.Add(new StartJailStep(jail.Name, jail.ConfigPath, rc)).Add(new RecordJidStep(jail.Name));
    }

    /// <summary>Stop a running jail; an empty plan when it is not running. <paramref name="dependents"/>: what jail(8) stops first.</summary>
    public static Plan PlanStop(Jail jail, IReadOnlyList<string> dependents, RcJailCommand rc)
    {
        var plan = new Plan($"Stop jail '{jail.Name}'").Lock("jail", jail.Name);
        if (jail.State != JailState.Running) return plan;
        var stop = new StopJailStep(jail.Name, jail.ConfigPath, rc, DependentsNote(jail, dependents, "first"));
        // Without a configuration file the stop cannot be undone (nothing to start from): it runs last.
        return stop.CanUndo ? plan.Add(stop).Add(new RemoveJidStep(jail.Name)) : plan.Add(new RemoveJidStep(jail.Name)).Add(stop);
    }

    /// <summary>Stop (when running), then start from the jail's file.</summary>
    public static Plan PlanRestart(Jail jail, IReadOnlyList<string> dependents, RcJailCommand rc)
    {
        if (jail.ConfigPath is null)
            throw new PlanPreconditionException("JailNotConfigured", $"Jail '{jail.Name}' has no configuration file to start it from.", jail, PlanErrorKind.InvalidOperation);
        var running = jail.State == JailState.Running;
        var plan = new Plan(running ? $"Restart jail '{jail.Name}'" : $"Start jail '{jail.Name}'").Lock("jail", jail.Name);
        if (running)
            plan.Add(new StopJailStep(jail.Name, jail.ConfigPath, rc, DependentsNote(jail, dependents, "too", "; they stay stopped"))).Add(new RemoveJidStep(jail.Name));
        return plan.Add(new StartJailStep(jail.Name, jail.ConfigPath, rc)).Add(new RecordJidStep(jail.Name));
    }

    private static string DependentsNote(Jail jail, IReadOnlyList<string> dependents, string when, string tail = "")
        => dependents.Count == 0 ? "" :
           $" (jail(8) {(when == "first" ? "" : "-r ")}stops {string.Join(", ", dependents)} {when}: {(dependents.Count == 1 ? "it depends" : "they depend")} on '{jail.Name}' in {jail.ConfigPath}{tail})";
}

/// <summary>$command $rc_flags -i -f CONF -c NAME; undo: $command -q -f CONF -r NAME.</summary>
public sealed class StartJailStep : PlanStep
{
    private readonly RcJailCommand _rc;

    public StartJailStep(string name, string configFile, RcJailCommand? rc = null)
    {
        Name = name;
        ConfigFile = configFile;
        _rc = rc ?? RcJailCommand.Default;
        Command = _rc.Start(name, configFile);
        ErrorId = "JailStartFailed";
    }

    public string Name { get; }
    public string ConfigFile { get; }
    public ProcessRequest Command { get; }

    public override string Description => $"Start jail {Name}";
    public override IReadOnlyList<string> Actions => new[] { Command.DisplayText };
    public override void Do(PlanContext context) => context.Run(Command);
    public override void Undo(PlanContext context) => context.Run(_rc.Stop(Name, ConfigFile));
}

/// <summary>$command -q -f CONF -r NAME; undo: start it again (its jid recorded).</summary>
public sealed class StopJailStep : PlanStep
{
    private readonly string _note;
    private readonly RcJailCommand _rc;

    public StopJailStep(string name, string? configFile, RcJailCommand? rc = null, string note = "")
    {
        Name = name;
        ConfigFile = configFile;
        _rc = rc ?? RcJailCommand.Default;
        Command = _rc.Stop(name, configFile);
        _note = note;
        ErrorId = "JailStopFailed";
    }

    public string Name { get; }
    public string? ConfigFile { get; }
    public ProcessRequest Command { get; }

    public override string Description => $"Stop jail {Name}";
    public override IReadOnlyList<string> Actions => new[] { Command.DisplayText + _note };

    /// <summary>A jail without a configuration file cannot be started again.</summary>
    public override bool CanUndo => ConfigFile != null;

    public override void Do(PlanContext context) => context.Run(Command);

    public override void Undo(PlanContext context)
    {
        context.Run(_rc.Start(Name, ConfigFile!));
        if (JailRunFile.Record(context, Name) is { } w) context.OnWarning?.Invoke(w);
    }
}

/// <summary>
/// Records the jail's jid in /var/run/jail_NAME.id as rc.d/jail does: <c>jls -j NAME jid</c> after the start
/// (not jail -i's output, whose last line is exec.start's, §17.3); undo puts back what was there.
/// </summary>
public sealed class RecordJidStep : PlanStep
{
    private byte[]? _previous;

    public RecordJidStep(string name) => Name = name;

    public string Name { get; }
    public override string Description => $"Record the jid of {Name}";
    public override IReadOnlyList<string> Actions => new[] { $"{JlsTool.Jid(Name).DisplayText} > {CommandLine.Quote(JailRunFile.PathFor(Name))}" };

    public override void Do(PlanContext context)
    {
        var path = JailRunFile.PathFor(Name);
        try { _previous = context.Host.FileExists(path) ? context.Host.ReadAllBytes(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _previous = null; }
        // A jid file that cannot be written is a warning: the jail runs (rc.d/jail does not check either).
        if (JailRunFile.Record(context, Name) is { } w) context.OnWarning?.Invoke(w);
    }

    public override void Undo(PlanContext context)
    {
        var path = JailRunFile.PathFor(Name);
        if (_previous != null) context.Host.WriteAllBytes(path, _previous);
        else JailRunFile.Remove(context.Host, Name);
    }
}

/// <summary>Removes /var/run/jail_NAME.id after a stop, as rc.d/jail does; undo puts it back unless a new one was written meanwhile.</summary>
public sealed class RemoveJidStep : PlanStep
{
    private byte[]? _previous;

    public RemoveJidStep(string name) => Name = name;

    public string Name { get; }
    public override string Description => $"Remove the jid file of {Name}";
    public override IReadOnlyList<string> Actions => new[] { $"delete file {CommandLine.Quote(JailRunFile.PathFor(Name))}" };

    public override void Do(PlanContext context)
    {
        var path = JailRunFile.PathFor(Name);
        try { _previous = context.Host.FileExists(path) ? context.Host.ReadAllBytes(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _previous = null; }
        JailRunFile.Remove(context.Host, Name); // a stale file is harmless: rc.d/jail overwrites it
    }

    public override void Undo(PlanContext context)
    {
        var path = JailRunFile.PathFor(Name);
        if (_previous != null && !context.Host.FileExists(path)) context.Host.WriteAllBytes(path, _previous);
    }
}
