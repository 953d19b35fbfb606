using JailsModule.Host;

namespace JailsModule.Plans;

/// <summary>
/// Runs one native command; undo runs the undo commands in order (none: nothing to undo, e.g. a
/// read-only check). A step marked irreversible (zfs destroy) has no undo and runs last.
/// </summary>
public sealed class CommandStep : PlanStep
{
    private readonly string _description;

    public CommandStep(string description, ProcessRequest command, params ProcessRequest[] undo)
    {
        _description = description;
        Command = command;
        UndoCommands = undo;
    }

    public ProcessRequest Command { get; }
    public IReadOnlyList<ProcessRequest> UndoCommands { get; }

    /// <summary>Set for commands that cannot be taken back.</summary>
    public bool Irreversible { get; init; }

    /// <summary>Called with the result after the command succeeded (to check or capture output).</summary>
    public Action<ProcessResult>? OnResult { get; init; }

    /// <summary>Files to delete on undo (what the command created, e.g. fetch -o FILE).</summary>
    public IReadOnlyList<string> UndoDeleteFiles { get; init; } = Array.Empty<string>();

    public override string Description => _description;
    public override IReadOnlyList<string> Actions => new[] { Command.DisplayText };
    public override bool CanUndo => !Irreversible;

    public override void Do(PlanContext context)
    {
        var r = context.Run(Command);
        OnResult?.Invoke(r);
    }

    public override IReadOnlyList<string> UndoActions
        => UndoCommands.Select(u => u.DisplayText).Concat(UndoDeleteFiles.Select(f => $"delete file {CommandLine.Quote(f)}")).ToList();

    public override void Undo(PlanContext context)
    {
        foreach (var u in UndoCommands) context.Run(u);
        foreach (var f in UndoDeleteFiles)
            if (context.Host.FileExists(f)) context.Host.DeleteFile(f);
    }
}

/// <summary>Writes a file atomically; undo puts the previous bytes back with their mode, or deletes a file that did not exist.</summary>
public sealed class WriteFileStep : PlanStep
{
    private byte[]? _previous;
    private bool _existed;
    private int? _previousMode;

    public WriteFileStep(string path, string content, int mode = 0x1A4 /* 0644 */, string? description = null)
    {
        Path = path;
        Content = content;
        Mode = mode;
        _description = description ?? $"Write {path}";
    }

    private readonly string _description;
    public string Path { get; }
    public string Content { get; }
    public int Mode { get; }

    public override string Description => _description;
    public override IReadOnlyList<string> Actions => new[] { $"write file {CommandLine.Quote(Path)} ({Content.Split('\n').Length - (Content.EndsWith('\n') ? 1 : 0)} lines)" };

    public override void Do(PlanContext context)
    {
        _existed = context.Host.FileExists(Path);
        _previous = _existed ? context.Host.ReadAllBytes(Path) : null;
        _previousMode = _existed ? context.Host.GetFileInfo(Path)?.Mode : null;
        context.Host.WriteAllTextAtomic(Path, Content, Mode);
    }

    public override IReadOnlyList<string> UndoActions
        => new[] { $"restore file {CommandLine.Quote(Path)} as it was (delete it if the plan created it; its content is not in the journal)" };

    public override void Undo(PlanContext context)
    {
        if (_existed) FileRestore.Restore(context.Host, Path, _previous!, _previousMode);
        else if (context.Host.FileExists(Path)) context.Host.DeleteFile(Path);
    }
}

/// <summary>Copies a file on the host (cp SOURCE TARGET); undo restores what the target was.</summary>
public sealed class CopyFileStep : PlanStep
{
    private byte[]? _previous;
    private bool _existed;

    public CopyFileStep(string source, string target)
    {
        Source = source;
        Target = target;
    }

    public string Source { get; }
    public string Target { get; }

    public override string Description => $"Copy {Source} to {Target}";
    public override IReadOnlyList<string> Actions => new[] { $"copy file {CommandLine.Quote(Source)} to {CommandLine.Quote(Target)}" };

    public override void Do(PlanContext context)
    {
        var bytes = context.Host.ReadAllBytes(Source);
        _existed = context.Host.FileExists(Target);
        _previous = _existed ? context.Host.ReadAllBytes(Target) : null;
        var dir = Target[..Math.Max(1, Target.LastIndexOf('/'))];
        if (!context.Host.DirectoryExists(dir))
            throw new DirectoryNotFoundException($"Cannot copy {Source} to {Target}: {dir} does not exist.");
        context.Host.WriteAllBytes(Target, bytes);
    }

    public override IReadOnlyList<string> UndoActions => new[] { $"restore or delete file {CommandLine.Quote(Target)}" };

    public override void Undo(PlanContext context)
    {
        if (_existed) context.Host.WriteAllBytes(Target, _previous!);
        else if (context.Host.FileExists(Target)) context.Host.DeleteFile(Target);
    }
}

/// <summary>Deletes a file; undo writes the same bytes back with the same mode.</summary>
public sealed class DeleteFileStep : PlanStep
{
    private byte[]? _previous;
    private int? _previousMode;

    public DeleteFileStep(string path) => Path = path;

    public string Path { get; }
    public override string Description => $"Delete {Path}";
    public override IReadOnlyList<string> Actions => new[] { $"delete file {CommandLine.Quote(Path)}" };

    public override void Do(PlanContext context)
    {
        _previous = context.Host.FileExists(Path) ? context.Host.ReadAllBytes(Path) : null;
        _previousMode = _previous != null ? context.Host.GetFileInfo(Path)?.Mode : null;
        if (_previous != null) context.Host.DeleteFile(Path);
    }

    public override IReadOnlyList<string> UndoActions => new[] { $"restore file {CommandLine.Quote(Path)} (its content is not in the journal)" };

    public override void Undo(PlanContext context)
    {
        if (_previous != null) FileRestore.Restore(context.Host, Path, _previous, _previousMode);
    }
}

/// <summary>Creates a folder (and missing parents); undo removes the folders it created, deepest first, if still empty.</summary>
public sealed class CreateDirectoryStep : PlanStep
{
    private readonly List<string> _created = new();

    public CreateDirectoryStep(string path) => Path = path;

    public string Path { get; }
    public override string Description => $"Create folder {Path}";
    public override IReadOnlyList<string> Actions => new[] { $"create folder {CommandLine.Quote(Path)}" };

    public override void Do(PlanContext context)
    {
        _created.Clear();
        var p = Path.TrimEnd('/');
        while (p.Length > 1 && !context.Host.DirectoryExists(p))
        {
            _created.Add(p);
            p = p[..Math.Max(1, p.LastIndexOf('/'))];
        }
        context.Host.CreateDirectory(Path);
    }

    public override IReadOnlyList<string> UndoActions => new[] { $"remove folder {CommandLine.Quote(Path)} and the parents this step created, if empty" };

    public override void Undo(PlanContext context)
    {
        foreach (var d in _created)
            if (context.Host.DirectoryExists(d) && context.Host.ListDirectory(d).Count == 0)
                context.Host.DeleteDirectory(d);
    }
}

/// <summary>A check or edit written as code (reading a value, verifying a result). Keep the display honest.</summary>
public sealed class ActionStep : PlanStep
{
    private readonly Action<PlanContext> _do;
    private readonly Action<PlanContext>? _undo;
    private readonly string[] _actions;
    private readonly string[] _undoActions;

    public ActionStep(string description, string[] actions, Action<PlanContext> @do, Action<PlanContext>? undo = null, string[]? undoActions = null)
    {
        _undoActions = undoActions ?? Array.Empty<string>();
        Description = description;
        _actions = actions;
        _do = @do;
        _undo = undo;
    }

    public override string Description { get; }

    /// <summary>
    /// Set on a read-only check the journal can repeat ("unmounted PATH [SPECIAL]": nothing but
    /// SPECIAL is mounted at or below PATH; "read-only": a verification with nothing to repeat).
    /// </summary>
    public string? Check { get; init; }

    public override IReadOnlyList<string> Actions => _actions;
    public override IReadOnlyList<string> UndoActions => _undoActions;
    public override void Do(PlanContext context) => _do(context);
    public override void Undo(PlanContext context) => _undo?.Invoke(context);
}

/// <summary>Puts a file's previous bytes back with its previous mode (a rollback must not loosen a 0600 file).</summary>
internal static class FileRestore
{
    public static void Restore(IJailHost host, string path, byte[] bytes, int? mode)
    {
        var now = host.FileExists(path) ? host.GetFileInfo(path) : null;
        if (now != null && (mode is null || now.Mode == mode))
        {
            host.WriteAllBytes(path, bytes); // the same file keeps its mode and owner
            return;
        }
        // The text goes back through the atomic write, which gives a new file exactly the mode it had.
        var text = new System.Text.UTF8Encoding(false, true);
        string? decoded = null;
        try { decoded = text.GetString(bytes); } catch (System.Text.DecoderFallbackException) { }
        if (decoded != null && mode is int m && text.GetBytes(decoded).AsSpan().SequenceEqual(bytes))
        {
            if (now != null) host.DeleteFile(path);
            host.WriteAllTextAtomic(path, decoded, m);
        }
        else host.WriteAllBytes(path, bytes);
    }
}
