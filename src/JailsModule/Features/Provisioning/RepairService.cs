using System.Text.Json;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Provisioning.Storage;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>What Repair-JailHost found: a saved journal of a plan that did not finish, or a root no jail uses.</summary>
public sealed class JailRepairItem
{
    /// <summary>Journal (a plan that died or could not undo every step) or OrphanDataset (a dataset the module made whose jail config is gone).</summary>
    public string Kind { get; set; } = "";

    /// <summary>The plan's id (the journal's file name), or the dataset's name.</summary>
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary>The journal file, or the dataset's mountpoint.</summary>
    public string? Path { get; set; }

    /// <summary>The journal's steps (command, undo actions, state); empty for a dataset.</summary>
    public IReadOnlyList<JournalStep> Steps { get; set; } = Array.Empty<JournalStep>();

    /// <summary>Process id and machine of the plan's owner (journals).</summary>
    public int Pid { get; set; }
    public DateTime? Started { get; set; }
    public string ComputerName { get; set; } = "";

    public override string ToString() => $"{Kind} {Id}: {Description}";
}

/// <summary>
/// Recovery after a plan died (kill -9, a dropped session) or could not undo a step: lists the saved
/// journals (/var/db/jailsmodule/journal/*.json) and the roots the module made that no jail uses any
/// more, and plans finishing or undoing a dead plan from its journal (each step's state is checked on
/// the host first: a step that did not run is not undone, one that ran is not repeated), or destroying
/// such a root.
/// </summary>
public sealed class RepairService
{
    private readonly ProvisioningService _svc;

    public RepairService(ProvisioningService service) => _svc = service;

    private IJailHost Host => _svc.Host;

    /// <summary>Saved journals, oldest first; files that do not parse are reported and skipped.</summary>
    public IReadOnlyList<JailRepairItem> Journals()
    {
        var list = new List<JailRepairItem>();
        if (!Host.DirectoryExists(HostLock.JournalDirectory)) return list;
        foreach (var f in Host.ListDirectory(HostLock.JournalDirectory, "*.json"))
        {
            LockRecord? r = null;
            try { r = JsonSerializer.Deserialize<LockRecord>(Host.ReadAllText(f)); }
            catch (JsonException e) { _svc.OnWarning?.Invoke($"{f} is not a journal ({e.Message})."); }
            if (r is null) continue;
            list.Add(new JailRepairItem
            {
                Kind = "Journal", Id = r.Id, Description = r.Description, Path = f, Steps = r.Steps ?? new(), Pid = r.Pid, Started = r.Started,
                ComputerName = Host.ComputerName,
            });
        }
        return list.OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Datasets directly below JailRoot that the module made (managed=yes set locally, a jail kind)
    /// and that no configured or running jail uses as its path: left by a plan killed between
    /// deleting a config and destroying its dataset, or a root an earlier Update-Jail kept.
    /// </summary>
    public IReadOnlyList<JailRepairItem> OrphanDatasets()
    {
        if (_svc.Storage is not ZfsStorage zfsStorage) return Array.Empty<JailRepairItem>();
        var zfs = _svc.ReadZfs();
        var inv = JailInventory.Read(Host, _svc.Ct, _svc.OnCommand);
        var used = new HashSet<string>(inv.Jails.Select(j => j.Path.TrimEnd('/')), StringComparer.Ordinal);
        var list = new List<JailRepairItem>();
        foreach (var e in zfs.Children(_svc.Settings.JailRoot))
        {
            if (e.IsSnapshot || e.Managed != "yes" || e.Kind is not ("thin" or "thick" or "empty" or ZfsStorage.PreviousKind)) continue;
            if (e.Mountpoint != null && used.Contains(e.Mountpoint.TrimEnd('/'))) continue;
            if (!zfsStorage.IsLocallyManaged(e.Name)) continue;
            list.Add(new JailRepairItem
            {
                Kind = "OrphanDataset", Id = e.Name, Path = e.Mountpoint, ComputerName = Host.ComputerName,
                Description = $"{e.Kind} root" + (e.Jail is null ? "" : $" of jail '{e.Jail}'") + " that no jail config uses" +
                              (e.Kind == ZfsStorage.PreviousKind ? " (kept by an earlier Update-Jail)" : ""),
            });
        }
        return list;
    }

    /// <summary>Destroys an orphaned root (checked again under the lock): nothing may be mounted below it, then zfs destroy (no -r).</summary>
    public Plan PlanDestroyOrphan(string dataset)
    {
        var orphan = OrphanDatasets().FirstOrDefault(o => o.Id == dataset)
                     ?? throw new PlanPreconditionException("DatasetNotOrphaned",
                         $"'{dataset}' is not a root the module made that no jail uses (see Repair-JailHost without parameters); it is left alone.", dataset, PlanErrorKind.ObjectNotFound);
        var plan = new Plan($"Destroy {dataset} ({orphan.Description})").Lock("dataset", dataset);
        if (orphan.Path is { Length: > 1 } mp && mp[0] == '/')
            plan.Add(new ActionStep($"Check that nothing is mounted under {mp}", new[] { MountTool.Table().DisplayText },
                ctx => ProvisioningService.CheckNothingMounted(ctx, mp, dataset)) { Check = $"unmounted {mp} {dataset}" });
        plan.Add(new CommandStep($"Destroy {dataset}", ZfsTool.Destroy(dataset)) { Irreversible = true });
        return plan;
    }

    public JailRepairItem FindJournal(string id)
        => Journals().FirstOrDefault(j => j.Id == id)
           ?? throw new PlanPreconditionException("JournalNotFound", $"There is no saved journal '{id}' in {HostLock.JournalDirectory} on {Host.ComputerName}.", id, PlanErrorKind.ObjectNotFound);

    /// <summary>The resources the dead plan held: the repair takes them again.</summary>
    public IEnumerable<string> JournalResources(string id)
    {
        try
        {
            var j = FindJournal(id);
            var r = JsonSerializer.Deserialize<LockRecord>(Host.ReadAllText(j.Path!));
            return (r?.Resources ?? new()).Append("journal:" + id);
        }
        catch (PlanPreconditionException) { return new[] { "journal:" + id }; }
    }

    // ------------------------------------------------------------------ did a step run?

    /// <summary>Whether a command step's effect is on the host now: true, false, or null when the journal cannot tell.</summary>
    internal bool? Ran(PlanContext ctx, IReadOnlyList<string> argv)
    {
        if (argv.Count < 2) return null;
        var tool = argv[0];
        var a = argv.Skip(1).ToList();
        if (tool == ToolPaths.Zfs)
        {
            var zfs = ZfsTool.ParseList(ctx.Run(ZfsTool.ListAll()).StandardOutput);
            return a[0] switch
            {
                "create" or "clone" or "snapshot" => zfs.Exists(a[^1]),
                "destroy" => !zfs.Exists(a[^1]),
                "rename" when a.Count >= 3 => zfs.Exists(a[^1]) && !zfs.Exists(a[^2]),
                _ => null,
            };
        }
        if (tool == ToolPaths.Jail)
        {
            var name = a[^1];
            var running = JailInventory.Read(ctx.Host, ctx.CancellationToken, ctx.OnCommand).Find(name)?.State == JailState.Running;
            if (a.Contains("-c")) return running;
            if (a.Contains("-r")) return !running;
            return null;
        }
        var leaf = tool[(tool.LastIndexOf('/') + 1)..];
        return leaf switch
        {
            "mkdir" => ctx.Host.DirectoryExists(a[^1]),
            "cp" => ctx.Host.DirectoryExists(a[^1]) || ctx.Host.FileExists(a[^1]),
            "ln" => ctx.Host.FileExists(a[^1]) || ctx.Host.DirectoryExists(a[^1]),
            "rmdir" or "rm" => !ctx.Host.DirectoryExists(a[^1]) && !ctx.Host.FileExists(a[^1]),
            _ => null,
        };
    }

    private static ProcessRequest Request(IReadOnlyList<string> argv) => new(argv[0], argv.Skip(1));

    private static string Display(IReadOnlyList<string> argv) => CommandLine.Format(argv[0], argv.Skip(1));

    // ------------------------------------------------------------------ undo and finish

    /// <summary>
    /// Undoes a dead plan: its steps in reverse; a step is undone (its listed undo commands run) only
    /// when the host shows it ran; what the journal cannot undo (a deleted file whose bytes it does not
    /// hold, an irreversible step that ran) is reported. The journal is deleted at the end.
    /// </summary>
    public Plan PlanUndo(string id, List<string> unresolved)
    {
        var j = FindJournal(id);
        var plan = new Plan($"Undo the interrupted plan {id} ({j.Description})");
        foreach (var s in j.Steps.Reverse())
        {
            if (s.State == nameof(PlanStepState.Undone)) continue;
            var where = $"step {s.Index} ({s.Description})";
            switch (s.Kind)
            {
                case "command" when s.Command is { Count: > 0 } cmd:
                    if (!s.CanUndo || s.UndoCommands is null || s.UndoCommands.Count == 0)
                    {
                        var last = cmd;
                        plan.Add(new ActionStep($"Check whether {where} ran", new[] { $"check on the host: {Display(last)}" }, ctx =>
                        {
                            if (Ran(ctx, last) == true && !s.CanUndo)
                                _svc.OnWarning?.Invoke($"{where} ran and cannot be undone: {Display(last)}.");
                        }) { Check = "read-only" });
                        break;
                    }
                    var undos = s.UndoCommands;
                    plan.Add(new ActionStep($"Undo {where} if it ran", undos.Select(u => $"{Display(u)}   (only if the host shows '{Display(cmd)}' ran)").ToArray(), ctx =>
                    {
                        var ran = Ran(ctx, cmd);
                        if (ran == false) return;
                        if (ran is null)
                        {
                            _svc.OnWarning?.Invoke($"Cannot tell from the host whether {where} ran; undo it by hand if it did: {string.Join("; ", undos.Select(Display))}.");
                            return;
                        }
                        foreach (var u in undos) ctx.Run(Request(u));
                    }));
                    break;
                case "delete-file" when s.Path != null:
                    var deleted = s.Path;
                    plan.Add(new ActionStep($"Check {where}", new[] { $"check that {CommandLine.Quote(deleted)} exists" }, ctx =>
                    {
                        if (!ctx.Host.FileExists(deleted))
                            _svc.OnWarning?.Invoke($"{deleted} was deleted by {where}; the journal does not hold its content: restore it from a backup (or Set-JailConfig -New).");
                    }) { Check = "read-only" });
                    break;
                case "write-file" or "copy-file" when s.Path != null:
                    var written = s.Path;
                    var created = s.FileExisted == false && s.Kind == "write-file";
                    plan.Add(new ActionStep(created ? $"Delete {written} if {where} wrote it" : $"Check {where}",
                        new[] { created ? $"delete file {CommandLine.Quote(written)} (only if it holds what the plan wrote)" : $"check {CommandLine.Quote(written)}" }, ctx =>
                    {
                        bool wrote = s.Content != null && ctx.Host.FileExists(written) && ctx.Host.ReadAllText(written) == s.Content;
                        if (wrote && created) ctx.Host.DeleteFile(written);
                        else if (wrote || (s.Content is null && ctx.Host.FileExists(written)))
                            _svc.OnWarning?.Invoke($"{written} may hold what {where} wrote; the journal does not hold what was there before: check it by hand.");
                    }));
                    break;
                default:
                    if (s.UndoActions.Count > 0 && s.Kind != "check")
                        unresolved.Add($"{where}: undo by hand if it ran: {string.Join("; ", s.UndoActions)}");
                    break;
            }
        }
        plan.Add(new DeleteFileStep(j.Path!));
        return plan;
    }

    /// <summary>
    /// Finishes a dead plan: its steps in order; a step whose effect is already on the host is
    /// skipped, checks are repeated, files are written from the journal. Refused when a step can be
    /// neither checked nor repeated from the journal.
    /// </summary>
    public Plan PlanFinish(string id)
    {
        var j = FindJournal(id);
        var plan = new Plan($"Finish the interrupted plan {id} ({j.Description})");
        foreach (var s in j.Steps)
        {
            var where = $"step {s.Index} ({s.Description})";
            switch (s.Kind)
            {
                case "command" when s.Command is { Count: > 0 } cmd:
                    plan.Add(new ActionStep($"Run {where} unless it ran", new[] { $"{Display(cmd)}   (unless the host shows it ran)" }, ctx =>
                    {
                        if (Ran(ctx, cmd) == true) return;
                        ctx.Run(Request(cmd));
                    }));
                    break;
                case "delete-file" when s.Path != null:
                    var del = s.Path;
                    plan.Add(new ActionStep($"Delete {del} unless it is gone", new[] { $"delete file {CommandLine.Quote(del)} (if it exists)" }, ctx =>
                    {
                        if (ctx.Host.FileExists(del)) ctx.Host.DeleteFile(del);
                    }));
                    break;
                case "write-file" when s.Path != null && s.Content != null:
                    plan.Add(new WriteFileStep(s.Path, s.Content, 0x1A4, $"Write {s.Path}"));
                    break;
                case "create-folder" when s.Path != null:
                    plan.Add(new CreateDirectoryStep(s.Path));
                    break;
                case "check" when s.Check != null && s.Check.StartsWith("unmounted ", StringComparison.Ordinal):
                    var f = s.Check["unmounted ".Length..].Split(' ', 2);
                    plan.Add(new ActionStep($"Check that nothing is mounted under {f[0]}", new[] { MountTool.Table().DisplayText },
                        ctx => ProvisioningService.CheckNothingMounted(ctx, f[0], f.Length > 1 ? f[1] : null)));
                    break;
                case "check":
                    break; // a verification with nothing to repeat
                default:
                    throw new PlanPreconditionException("JournalCannotFinish",
                        $"Plan {id}: {where} cannot be repeated from its journal ({string.Join("; ", s.Actions)}); use Repair-JailHost -Id {id} -Undo instead.", id, PlanErrorKind.InvalidOperation);
            }
        }
        plan.Add(new DeleteFileStep(j.Path!));
        return plan;
    }
}
