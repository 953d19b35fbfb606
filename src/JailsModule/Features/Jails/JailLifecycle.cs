using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>
/// Start, stop and restart as plans, with the command lines rc.d/jail uses (reference §6):
/// <c>jail -i -f CONF -c NAME</c> then the jid into /var/run/jail_NAME.id; <c>jail -q -f CONF -r NAME</c>
/// then that file removed. Each runs under the host lock on <c>jail:NAME</c> (the key New-Jail and
/// Remove-Jail use), and is built from the jail's state read again inside the lock: of eight
/// concurrent Start-Jail of one jail exactly one runs jail -c, the others find it running (an empty
/// plan). Ctrl+C between the steps undoes what ran (a started jail is stopped again).
/// </summary>
public static class JailLifecycle
{
    public static IEnumerable<string> Resources(string name) => new[] { "jail:" + name };

    /// <summary>Start a stopped jail from its file; an empty plan when <paramref name="jail"/> is running.</summary>
    public static Plan PlanStart(Jail jail)
    {
        var plan = new Plan($"Start jail '{jail.Name}'").Lock("jail", jail.Name);
        if (jail.State == JailState.Running) return plan;
        if (jail.ConfigPath is null)
            throw new PlanPreconditionException("JailNotConfigured", $"Jail '{jail.Name}' has no configuration file to start it from.", jail, PlanErrorKind.InvalidOperation);
        var start = new StartJailStep(jail.Name, jail.ConfigPath);
        return plan.Add(start).Add(new RecordJidStep(jail.Name, () => start.Output));
    }

    /// <summary>Stop a running jail; an empty plan when it is not running. <paramref name="dependents"/>: what jail(8) stops first.</summary>
    public static Plan PlanStop(Jail jail, IReadOnlyList<string> dependents)
    {
        var plan = new Plan($"Stop jail '{jail.Name}'").Lock("jail", jail.Name);
        if (jail.State != JailState.Running) return plan;
        var stop = new StopJailStep(jail.Name, jail.ConfigPath, DependentsNote(jail, dependents, "first"));
        // Without a configuration file the stop cannot be undone (nothing to start from): it runs last.
        return stop.CanUndo ? plan.Add(stop).Add(new RemoveJidStep(jail.Name)) : plan.Add(new RemoveJidStep(jail.Name)).Add(stop);
    }

    /// <summary>Stop (when running), then start from the jail's file.</summary>
    public static Plan PlanRestart(Jail jail, IReadOnlyList<string> dependents)
    {
        if (jail.ConfigPath is null)
            throw new PlanPreconditionException("JailNotConfigured", $"Jail '{jail.Name}' has no configuration file to start it from.", jail, PlanErrorKind.InvalidOperation);
        var running = jail.State == JailState.Running;
        var plan = new Plan(running ? $"Restart jail '{jail.Name}'" : $"Start jail '{jail.Name}'").Lock("jail", jail.Name);
        if (running)
            plan.Add(new StopJailStep(jail.Name, jail.ConfigPath, DependentsNote(jail, dependents, "too", "; they stay stopped"))).Add(new RemoveJidStep(jail.Name));
        var start = new StartJailStep(jail.Name, jail.ConfigPath);
        return plan.Add(start).Add(new RecordJidStep(jail.Name, () => start.Output));
    }

    private static string DependentsNote(Jail jail, IReadOnlyList<string> dependents, string when, string tail = "")
        => dependents.Count == 0 ? "" :
           $" (jail(8) {(when == "first" ? "" : "-r ")}stops {string.Join(", ", dependents)} {when}: {(dependents.Count == 1 ? "it depends" : "they depend")} on '{jail.Name}' in {jail.ConfigPath}{tail})";
}

/// <summary>jail -i -f CONF -c NAME; undo: jail -q -f CONF -r NAME.</summary>
public sealed class StartJailStep : PlanStep
{
    public StartJailStep(string name, string configFile)
    {
        Name = name;
        ConfigFile = configFile;
        Command = JailTool.Start(name, configFile);
        ErrorId = "JailStartFailed";
    }

    public string Name { get; }
    public string ConfigFile { get; }
    public ProcessRequest Command { get; }

    /// <summary>What jail -i printed (the jid), once it ran.</summary>
    public string? Output { get; private set; }

    public override string Description => $"Start jail {Name}";
    public override IReadOnlyList<string> Actions => new[] { Command.DisplayText };
    public override void Do(PlanContext context) => Output = context.Run(Command).StandardOutput;
    public override void Undo(PlanContext context) => context.Run(JailTool.Stop(Name, ConfigFile));
}

/// <summary>jail -q -f CONF -r NAME; undo: start it again (jail -i ... -c NAME, its jid recorded).</summary>
public sealed class StopJailStep : PlanStep
{
    private readonly string _note;

    public StopJailStep(string name, string? configFile, string note = "")
    {
        Name = name;
        ConfigFile = configFile;
        Command = JailTool.Stop(name, configFile);
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
        var r = context.Run(JailTool.Start(Name, ConfigFile!));
        if (JailRunFile.Write(context.Host, Name, r.StandardOutput) is { } w) context.OnWarning?.Invoke(w);
    }
}

/// <summary>Records the jid jail -i printed in /var/run/jail_NAME.id, as rc.d/jail does; undo puts back what was there.</summary>
public sealed class RecordJidStep : PlanStep
{
    private readonly Func<string?> _output;
    private byte[]? _previous;

    public RecordJidStep(string name, Func<string?> jailIOutput)
    {
        Name = name;
        _output = jailIOutput;
    }

    public string Name { get; }
    public override string Description => $"Record the jid of {Name}";
    public override IReadOnlyList<string> Actions => new[] { $"write file {CommandLine.Quote(JailRunFile.PathFor(Name))} (the jid jail -i prints)" };

    public override void Do(PlanContext context)
    {
        var path = JailRunFile.PathFor(Name);
        try { _previous = context.Host.FileExists(path) ? context.Host.ReadAllBytes(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _previous = null; }
        // A jid file that cannot be written is a warning: the jail runs (rc.d/jail does not check either).
        if (JailRunFile.Write(context.Host, Name, _output() ?? "") is { } w) context.OnWarning?.Invoke(w);
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
