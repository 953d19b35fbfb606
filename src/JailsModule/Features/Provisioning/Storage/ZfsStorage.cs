using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;
using JailsModule.Tools;

namespace JailsModule.Provisioning.Storage;

/// <summary>
/// Templates and jails as ZFS datasets, as the Handbook makes them: a template is a dataset below
/// TemplateRoot with the release extracted into it and snapshotted (@base, then @PATCHLEVEL after each
/// Update-JailTemplate); a thin jail is a clone of its newest snapshot, a thick or empty jail a
/// dataset of its own, below JailRoot. What the module made carries user properties set locally on
/// it (org.jailsmodule:managed=yes, uuid, kind, template, release, sets); nothing is destroyed
/// without them (an inherited value does not count). Every plan reads the pool afresh (one zfs list).
/// </summary>
public sealed class ZfsStorage : IJailStorage
{
    private readonly ProvisioningService _svc;
    private ZfsListing? _primed;

    /// <param name="primed">The listing the storage was chosen from: the first plan uses it instead of reading the pool again.</param>
    public ZfsStorage(ProvisioningService service, ZfsListing? primed = null)
    {
        _svc = service;
        _primed = primed;
    }

    /// <summary>org.jailsmodule:kind of a thin jail's root after Update-Jail replaced it (DATASET.prev).</summary>
    public const string PreviousKind = "previous";

    public string Name => "zfs";

    public string TemplatePlace => "under " + Settings.TemplateRoot;

    private IJailHost Host => _svc.Host;
    private JailModuleSettings Settings => _svc.Settings;

    /// <summary>The pool now (the primed listing once, then a new zfs list each time).</summary>
    private ZfsListing Listing()
    {
        var z = _primed;
        _primed = null;
        return z ?? _svc.ReadZfs();
    }

    // ------------------------------------------------------------------ metadata

    /// <summary>zfs get ... source: the managed flag must be set on the dataset itself, never inherited.</summary>
    public bool IsLocallyManaged(string dataset) => LocalMetadata(dataset).TryGetValue(ZfsTool.Managed, out var v) && v == "yes";

    /// <summary>The module's user properties set ON the dataset (source local); inherited ones are left out.</summary>
    public Dictionary<string, string> LocalMetadata(string dataset)
        => ZfsTool.ParseLocalProperties(_svc.Runner.Run(ZfsTool.GetWithSource(dataset, ZfsTool.Managed, ZfsTool.Uuid, ZfsTool.JailName)).StandardOutput);

    /// <summary>
    /// Why <paramref name="dataset"/> is not provably <paramref name="jail"/>'s root, or null when it
    /// is: the dataset itself must say so (managed=yes, its uuid and the jail's name, all set locally)
    /// and the jail's config must agree (its "# jailsmodule: uuid=" comment is the dataset's uuid). A
    /// config without the comment, a copied comment (another jail's uuid under this jail's name), a
    /// dataset made for another jail (an alias pointing at its path) or by hand are never the jail's.
    /// </summary>
    public string? NotOwnedReason(Jail jail, string dataset, Dictionary<string, string> local)
    {
        if (local.GetValueOrDefault(ZfsTool.Managed) != "yes")
            return $"the dataset '{dataset}' was not created by JailsModule ({ZfsTool.Managed} is not set on it locally)";
        var dsUuid = local.GetValueOrDefault(ZfsTool.Uuid);
        var dsJail = local.GetValueOrDefault(ZfsTool.JailName);
        if (dsUuid is null || dsJail is null)
            return $"the dataset '{dataset}' does not record which jail it was made for ({ZfsTool.Uuid} and {ZfsTool.JailName} are not both set on it locally; " +
                   $"a dataset an earlier version made for this jail can say so with '{ToolPaths.Zfs} set {ZfsTool.JailName}={jail.Name} {dataset}')";
        if (dsJail != jail.Name)
            return $"the dataset '{dataset}' was made for jail '{dsJail}', not '{jail.Name}'";
        var conf = _svc.ConfigMetadata(jail);
        if (!conf.TryGetValue("uuid", out var confUuid))
            return $"the config of jail '{jail.Name}' ({jail.ConfigPath ?? "none"}) has no '# jailsmodule: uuid=' comment naming the dataset (uuid {dsUuid})";
        if (confUuid != dsUuid)
            return $"the dataset '{dataset}' (uuid {dsUuid}) was not created for jail '{jail.Name}' (uuid {confUuid} in {jail.ConfigPath})";
        return null;
    }

    /// <summary>The filesystem mounted at a jail's path (its root dataset), if any.</summary>
    public static ZfsEntry? DatasetAt(ZfsListing zfs, string path)
        => string.IsNullOrEmpty(path) ? null : zfs.Entries.FirstOrDefault(e => !e.IsSnapshot && e.Mountpoint == path);

    // ------------------------------------------------------------------ roots

    /// <summary>The mountpoint a new child of <paramref name="root"/> inherits (root's own, or the configured one when the module creates root).</summary>
    private static string ChildPath(ZfsListing zfs, string root, string configuredMountpoint, string leaf)
    {
        var e = zfs.Find(root);
        var mp = e is null ? configuredMountpoint : e.Mountpoint;
        if (mp is null || mp is "none" or "legacy" || mp[0] != '/')
            throw new PlanPreconditionException("DatasetRootNotMounted",
                $"The dataset '{root}' has mountpoint '{mp ?? "-"}', so datasets below it get no path; set its mountpoint (zfs set mountpoint=/usr/local/jails/... {root}).",
                root, PlanErrorKind.InvalidOperation);
        return (mp == "/" ? "" : mp) + "/" + leaf;
    }

    /// <summary>Creates the configured root (and missing parents) with its mountpoint; undo destroys what was created, deepest first.</summary>
    private static void AddRootSteps(Plan plan, ZfsListing zfs, string root, string mountpoint)
    {
        var missing = zfs.MissingAncestry(root);
        if (missing.Count == 0) return;
        if (missing[0].IndexOf('/') < 0)
            throw new PlanPreconditionException("PoolNotFound", $"The pool '{missing[0]}' of '{root}' does not exist.", root, PlanErrorKind.ObjectNotFound);
        var undo = missing.AsEnumerable().Reverse().Select(ZfsTool.Destroy).ToArray();
        plan.Add(new CommandStep($"Create {root}", ZfsTool.Create(root, parents: true, new[] { KeyValuePair.Create("mountpoint", mountpoint) }), undo));
        foreach (var m in missing) plan.Lock("dataset", m);
    }

    // ------------------------------------------------------------------ templates

    public IReadOnlyList<JailTemplate> ListTemplates(string? only = null, bool patchLevel = true) => Templates(Listing(), only, patchLevel);

    private IReadOnlyList<JailTemplate> Templates(ZfsListing zfs, string? only, bool patchLevel)
    {
        var list = new List<JailTemplate>();
        var wanted = only is null ? null : Settings.TemplateRoot + "/" + only;
        foreach (var e in zfs.Children(Settings.TemplateRoot))
        {
            if (e.Kind != "template") continue;
            if (wanted != null && e.Name != wanted) continue;
            var snaps = zfs.SnapshotsOf(e.Name).ToList();
            var t = new JailTemplate
            {
                Name = e.Name[(Settings.TemplateRoot.Length + 1)..],
                Release = e.Release ?? "",
                DistributionSet = ProvisioningService.ParseSets(e.Sets),
                Dataset = e.Name,
                Path = e.Mountpoint ?? "",
                Snapshots = snaps.Select(s => s.Name).ToArray(),
                Snapshot = snaps.LastOrDefault()?.Name,
                Clones = snaps.SelectMany(s => zfs.ClonesOf(s.Name)).Select(c => c.Name).ToArray(),
                Uuid = e.Uuid,
                Storage = Name,
                ComputerName = Host.ComputerName,
            };
            if (patchLevel) t.PatchLevel = _svc.Userland.ReadVersion(t.Path);
            list.Add(t);
        }
        return list;
    }

    private JailTemplate Find(ZfsListing zfs, string name, bool patchLevel = true)
        => Templates(zfs, name, patchLevel).FirstOrDefault(t => t.Name == name) ?? throw _svc.TemplateNotFound(name);

    /// <summary>A dataset below TemplateRoot tagged kind=template, the sets extracted into it, snapshotted @base.</summary>
    public Plan PlanNewTemplate(string name, string release, IReadOnlyList<string> sets, bool update)
    {
        var zfs = Listing();
        var ds = _svc.TemplateDataset(name);
        if (zfs.Exists(ds))
            throw new PlanPreconditionException("TemplateExists", $"The dataset '{ds}' already exists; choose another -Name or remove it first.", ds, PlanErrorKind.ResourceExists);
        var files = _svc.Userland.RequireSaved(release, sets);
        var path = ChildPath(zfs, Settings.TemplateRoot, Settings.TemplateMountpoint, name);
        var plan = new Plan($"Create template '{name}' ({release}) in {ds}").Lock("template", name).Lock("dataset", ds);
        AddRootSteps(plan, zfs, Settings.TemplateRoot, Settings.TemplateMountpoint);
        plan.Add(new CommandStep($"Create dataset {ds}", ZfsTool.Create(ds, false, new[]
        {
            KeyValuePair.Create(ZfsTool.Managed, "yes"),
            KeyValuePair.Create(ZfsTool.Kind, "template"),
            KeyValuePair.Create(ZfsTool.Release, release),
            KeyValuePair.Create(ZfsTool.Uuid, Guid.NewGuid().ToString()),
            KeyValuePair.Create(ZfsTool.Sets, string.Join(',', sets)),
        }), ZfsTool.Destroy(ds)));
        _svc.Userland.AddExtractSteps(plan, files, path);
        if (update) plan.Add(_svc.Userland.PatchStep(path, release));
        var snap = $"{ds}@{ProvisioningService.BaseSnapshot}";
        plan.Add(new CommandStep($"Snapshot {snap}", ZfsTool.Snapshot(snap), ZfsTool.Destroy(snap)));
        return plan;
    }

    /// <summary>Patch the template's dataset, then snapshot it at its new patch level (new jails clone the newest snapshot; existing ones keep theirs).</summary>
    public Plan PlanUpdateTemplate(string name)
    {
        var zfs = Listing();
        var t = Find(zfs, name);
        var current = t.PatchLevel ?? t.Release;
        var ds = t.Dataset!;
        var plan = new Plan($"Update template '{name}' ({current}) and snapshot it").Lock("template", name).Lock("dataset", ds);
        plan.Add(_svc.Userland.PatchStep(t.Path, current));
        string? made = null;
        plan.Add(new ActionStep($"Snapshot {ds} at its new patch level",
            new[] { $"{ToolPaths.Zfs} snapshot {ds}@<freebsd-version -u of {t.Path} after the update>" },
            ctx =>
            {
                var level = _svc.Userland.ReadVersion(t.Path) ?? throw new PlanPreconditionException("FreebsdVersionUnreadable", $"{t.Path}/bin/freebsd-version does not report a version.", t.Path, PlanErrorKind.InvalidData);
                var snap = $"{ds}@{level}";
                if (zfs.Exists(snap) || t.Snapshots.Contains(snap))
                    snap = $"{ds}@{level}-{DateTime.UtcNow:yyyyMMddHHmmss}";
                ctx.Run(ZfsTool.Snapshot(snap));
                made = snap;
            },
            ctx => { if (made != null) ctx.Run(ZfsTool.Destroy(made)); }));
        return plan;
    }

    /// <summary>Only a locally managed template without clones: its snapshots newest first, then the dataset.</summary>
    public Plan PlanRemoveTemplate(string name)
    {
        var zfs = Listing();
        var t = Find(zfs, name);
        var ds = t.Dataset!;
        if (t.Clones.Length > 0)
        {
            var previous = t.Clones.Where(c => zfs.Find(c)?.Kind == PreviousKind).ToList();
            var jails = t.Clones.Except(previous).ToList();
            throw new PlanPreconditionException("TemplateHasClones",
                $"Template '{name}' still has clones: {string.Join(", ", t.Clones)}."
                + (jails.Count > 0 ? " Remove those jails (Remove-Jail) first." : "")
                + (previous.Count > 0 ? $" {string.Join(", ", previous)} {(previous.Count == 1 ? "is a root" : "are roots")} Update-Jail kept (Remove-Jail destroys it with its jail; else {ToolPaths.Zfs} destroy DATASET)." : ""),
                name, PlanErrorKind.InvalidOperation);
        }
        if (!IsLocallyManaged(ds))
            throw new PlanPreconditionException("DatasetNotManaged", $"'{ds}' was not created by JailsModule (org.jailsmodule:managed is not set locally); it is left alone.", ds, PlanErrorKind.SecurityError);
        var plan = new Plan($"Remove template '{name}' ({ds})").Lock("template", name).Lock("dataset", ds);
        foreach (var s in t.Snapshots.AsEnumerable().Reverse())
            plan.Add(new CommandStep($"Destroy {s}", ZfsTool.Destroy(s)) { Irreversible = true });
        plan.Add(new CommandStep($"Destroy {ds}", ZfsTool.Destroy(ds)) { Irreversible = true });
        return plan;
    }

    // ------------------------------------------------------------------ jails

    /// <summary>
    /// A direct child of JailRoot: a clone of the template's newest snapshot (thin), or a dataset of
    /// its own, filled from the template's sets (thick) or left empty. Tagged as it is made (zfs create
    /// -o, zfs clone -o): a crash cannot leave an unmarked dataset Remove-Jail would refuse.
    /// </summary>
    public JailRoot PlanJailRoot(NewJailRequest r)
    {
        var zfs = Listing();
        var ds = _svc.JailDataset(r);
        if (ProvisionValidation.JailDatasetName(ds) is { } tooLong) throw new PlanPreconditionException("DatasetNameTooLong", tooLong, ds);
        if (zfs.Exists(ds))
            throw new PlanPreconditionException("DatasetExists",
                $"The dataset '{ds}' already exists." + (zfs.Find(ds)?.Managed == "yes"
                    ? $" JailsModule made it and no config of that name exists: an interrupted Remove-Jail or New-Jail may have left it. 'Repair-JailHost' lists it; 'Repair-JailHost -Dataset {ds} -Force' destroys it."
                    : ""),
                ds, PlanErrorKind.ResourceExists);
        var leaf = ds[(Settings.JailRoot.Length + 1)..];
        if (leaf.Contains('/'))
            throw new PlanPreconditionException("DatasetOutsideRoot", $"The dataset '{ds}' must be a direct child of '{Settings.JailRoot}'.", ds);
        var path = ChildPath(zfs, Settings.JailRoot, Settings.JailMountpoint, leaf);

        JailTemplate? t = null;
        if (r.Kind != JailStorageKind.Empty)
        {
            t = Find(zfs, r.Template ?? throw new PlanPreconditionException("TemplateRequired", "A thin or thick jail needs -Template (or use -Empty).", r.Name),
                patchLevel: r.Kind == JailStorageKind.Thick); // a clone has the snapshot's userland, whatever the template has now
            if (t.Snapshot is null)
                throw new PlanPreconditionException("TemplateHasNoSnapshot", $"Template '{t.Name}' has no snapshot to clone.", t.Name, PlanErrorKind.InvalidOperation);
        }

        var kind = r.Kind.ToString().ToLowerInvariant();
        var meta = new List<KeyValuePair<string, string>>
        {
            KeyValuePair.Create(ZfsTool.Managed, "yes"),
            KeyValuePair.Create(ZfsTool.Uuid, Guid.NewGuid().ToString()),
            KeyValuePair.Create(ZfsTool.Kind, kind),
        };
        if (t != null) meta.Add(KeyValuePair.Create(ZfsTool.Template, t.Name));
        meta.Add(KeyValuePair.Create(ZfsTool.JailName, r.Name));

        var plan = new Plan($"Create {kind} jail '{r.Name}'" + (t is null ? "" : $" from template '{t.Name}'"));
        foreach (var res in ProvisioningService.NewJailResources(r.Name, ds)) { int c = res.IndexOf(':'); plan.Lock(res[..c], res[(c + 1)..]); }
        AddRootSteps(plan, zfs, Settings.JailRoot, Settings.JailMountpoint);
        switch (r.Kind)
        {
            case JailStorageKind.Thin:
                plan.Add(new CommandStep($"Clone {t!.Snapshot} to {ds}", ZfsTool.Clone(t.Snapshot!, ds, meta), ZfsTool.Destroy(ds)));
                break;
            case JailStorageKind.Thick:
                plan.Add(new CommandStep($"Create dataset {ds}", ZfsTool.Create(ds, false, meta), ZfsTool.Destroy(ds)));
                _svc.AddThickRootSteps(plan, t!, path);
                break;
            case JailStorageKind.Empty:
                plan.Add(new CommandStep($"Create dataset {ds}", ZfsTool.Create(ds, false, meta), ZfsTool.Destroy(ds)));
                break;
        }
        var root = new JailRoot(plan, path);
        // The config's comments repeat the properties (uuid, kind, template), without the managed flag.
        root.Metadata.AddRange(meta.Where(kv => kv.Key != ZfsTool.Managed).Select(kv => KeyValuePair.Create(kv.Key["org.jailsmodule:".Length..], kv.Value)));
        return root;
    }

    /// <summary>
    /// The dataset mounted at the jail's path is destroyed only when it is below JailRoot, marked
    /// managed=yes locally and carries the uuid the jail's config names; DATASET.prev (the root
    /// Update-Jail kept) goes with it when it is provably the same jail's, first.
    /// </summary>
    public JailRootRemoval PlanRootRemoval(Jail jail, bool keepRoot)
    {
        var name = jail.Name;
        var zfs = Listing();
        var ds = DatasetAt(zfs, jail.Path);
        bool destroy = false;
        string? uuid = null;
        if (ds != null && !keepRoot)
        {
            if (!ProvisionValidation.IsUnder(ds.Name, Settings.JailRoot))
                throw new PlanPreconditionException("DatasetOutsideRoot",
                    $"The jail's dataset '{ds.Name}' is outside the jail root '{Settings.JailRoot}'; it is never destroyed. Use -KeepDataset to remove only the configuration.", ds.Name);
            var local = LocalMetadata(ds.Name);
            var why = NotOwnedReason(jail, ds.Name, local);
            if (why != null)
                throw new PlanPreconditionException("DatasetNotManaged",
                    $"Jail '{name}': {why}, so it is not destroyed. Use -KeepDataset to remove only the configuration (the dataset '{ds.Name}' stays).", ds.Name, PlanErrorKind.SecurityError);
            destroy = true;
            uuid = local.GetValueOrDefault(ZfsTool.Uuid);
        }
        var previous = destroy && uuid != null ? PreviousRoot(zfs, ds!.Name, uuid) : null;
        if (ds != null && previous is null && zfs.Find(ds.Name + ".prev") is { IsSnapshot: false } kept)
            _svc.OnWarning?.Invoke($"'{kept.Name}' (a root an earlier Update-Jail of '{name}' kept, or a dataset of that name) is not provably this jail's and is kept; " +
                                   $"see Repair-JailHost, or destroy it by hand ({ToolPaths.Zfs} destroy {kept.Name}) once you have copied what you need.");
        var removal = new JailRootRemoval
        {
            Description = (destroy ? $" and destroy {ds!.Name}" : "") + (previous is null ? "" : $" and {previous.Name}"),
            RootSpecial = ds?.Name,
        };
        if (ds != null) removal.Locks.Add(("dataset", ds.Name));
        if (previous != null) removal.Locks.Add(("dataset", previous.Name));
        if (previous?.Mountpoint is { } pm && pm.StartsWith('/') && pm.Length > 1) removal.MountChecks.Add((pm, previous.Name));
        // The kept root first: when it is busy, nothing irreversible has happened yet and the plan rolls back whole.
        if (previous != null) removal.Steps.Add(new CommandStep($"Destroy {previous.Name} (the root Update-Jail kept)", ZfsTool.Destroy(previous.Name)) { Irreversible = true });
        if (destroy) removal.Steps.Add(new CommandStep($"Destroy {ds!.Name}", ZfsTool.Destroy(ds.Name)) { Irreversible = true });
        return removal;
    }

    /// <summary>
    /// DATASET.prev, the root a thin jail had before Update-Jail re-cloned it, when it is provably that
    /// jail's: tagged kind=previous, managed=yes set locally and the same uuid as the jail's dataset.
    /// Remove-Jail destroys it with the jail, so no orphan clone keeps the template from being removed.
    /// </summary>
    private ZfsEntry? PreviousRoot(ZfsListing zfs, string dataset, string uuid)
    {
        var prev = zfs.Find(dataset + ".prev");
        if (prev is null || prev.IsSnapshot || prev.Kind != PreviousKind) return null;
        var its = LocalMetadata(prev.Name);
        return its.GetValueOrDefault(ZfsTool.Managed) == "yes" && its.GetValueOrDefault(ZfsTool.Uuid) == uuid ? prev : null;
    }

    /// <summary>
    /// Every jail root is patched in place (freebsd-update -b merges /etc and keeps the jail's own
    /// files): a thin jail's clone holds a full writable userland, so re-cloning it from the template
    /// would throw the jail's changes away. Refused: a template's dataset, and a dataset the module
    /// made for another jail (an alias config pointing at its path) or whose owner the config
    /// contradicts. A dataset made by hand (no module metadata) is the user's jail: patched as asked.
    /// </summary>
    public JailRootUpdate PrepareRootUpdate(Jail jail, bool force)
    {
        var name = jail.Name;
        var zfs = Listing();
        var ds = DatasetAt(zfs, jail.Path)
                 ?? throw new PlanPreconditionException("JailDatasetNotFound", $"No dataset is mounted at {jail.Path}, the path of jail '{name}'.", name, PlanErrorKind.ObjectNotFound);
        if (ds.Kind == "template" || ProvisionValidation.IsUnder(ds.Name, Settings.TemplateRoot) || ds.Name == Settings.TemplateRoot)
            throw new PlanPreconditionException("JailRootIsTemplate",
                $"The path of jail '{name}' ({jail.Path}) is the template dataset '{ds.Name}'; Update-Jail never patches a template (use Update-JailTemplate).", name, PlanErrorKind.InvalidOperation);
        var local = LocalMetadata(ds.Name);
        if (local.Count > 0)
        {
            var why = NotOwnedReason(jail, ds.Name, local);
            if (why != null)
                throw new PlanPreconditionException("JailRootNotOwned", $"Jail '{name}': {why}; Update-Jail changes nothing.", ds.Name, PlanErrorKind.SecurityError);
        }
        return new JailRootUpdate("dataset", ds.Name);
    }
}
