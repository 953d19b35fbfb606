using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>What kind of root a new jail gets.</summary>
public enum JailStorageKind
{
    /// <summary>zfs clone of the template's snapshot (the Handbook's thin jail).</summary>
    Thin,
    /// <summary>Its own dataset with the release extracted into it (the Handbook's classic jail).</summary>
    Thick,
    /// <summary>An empty dataset: the caller fills it.</summary>
    Empty,
}

/// <summary>Everything New-Jail was asked for, validated.</summary>
public sealed class NewJailRequest
{
    public string Name { get; set; } = "";
    public string? Template { get; set; }
    public JailStorageKind Kind { get; set; } = JailStorageKind.Thin;
    public string? HostName { get; set; }
    public List<string> IPv4 { get; set; } = new();
    public List<string> IPv6 { get; set; } = new();
    public string? Interface { get; set; }
    public List<KeyValuePair<string, IReadOnlyList<string>?>> Parameters { get; set; } = new();
    public bool Start { get; set; }

    /// <summary>Dataset for the jail; default JailRoot/NAME. Must be below JailRoot.</summary>
    public string? Dataset { get; set; }
}

/// <summary>
/// Builds the provisioning plans (releases, templates, jails). Reading the host happens here; every
/// change is a plan step. All plan builders throw <see cref="PlanPreconditionException"/> before any
/// step when an input or the host's state says no.
/// </summary>
public sealed partial class ProvisioningService
{
    public const string ConfigDirectory = "/etc/jail.conf.d";
    public const string BaseSnapshot = "base";

    public ProvisioningService(IJailHost host, JailModuleSettings settings, CancellationToken ct, Action<ProcessRequest>? onCommand)
    {
        Host = host;
        Settings = settings;
        Ct = ct;
        OnCommand = onCommand;
    }

    public IJailHost Host { get; }
    public JailModuleSettings Settings { get; }
    public CancellationToken Ct { get; }
    public Action<ProcessRequest>? OnCommand { get; }

    /// <summary>Problems that do not stop the plan (a config file elsewhere that does not parse).</summary>
    public Action<string>? OnWarning { get; init; }

    /// <summary>The jail list; files that do not parse are reported, since jails defined there cannot be seen.</summary>
    private JailInventory ReadJails()
    {
        var inv = JailInventory.Read(Host, Ct, OnCommand);
        foreach (var e in inv.ConfigErrors)
            OnWarning?.Invoke($"jail: {e.Message} (jails defined in that file are not seen)");
        return inv;
    }

    /// <summary>
    /// The jail list and the zfs listing for a name check, one after the other. (The configuration
    /// scan once ran on a second thread beside jls and zfs list: it saved no wall time in process and
    /// cost more CPU, and out of process it competed with the starting commands for the cores;
    /// bench/NewJail.Bench.ps1 in both modes.)
    /// </summary>
    private (JailInventory Jails, ZfsListing Zfs) ReadJailsAndZfs()
    {
        var inv = ReadJails();
        return (inv, ReadZfs());
    }

    private ProcessResult Read(ProcessRequest r)
    {
        OnCommand?.Invoke(r);
        return Host.RunAsync(r, Ct).GetAwaiter().GetResult();
    }

    /// <summary>The pool's datasets; empty on a host without zfs(8) (see <see cref="IsUfs"/>).</summary>
    public ZfsListing ReadZfs()
    {
        try { return ZfsListing.Read(Host, Ct, OnCommand); }
        catch (ToolNotFoundException) { return new ZfsListing(Array.Empty<ZfsEntry>()); }
    }

    public static string ConfigFile(string name) => $"{ConfigDirectory}/{name}.conf";

    // ------------------------------------------------------------------ releases

    /// <summary>Distribution folder name on the mirror: amd64/amd64, arm64/aarch64, arm/armv7...</summary>
    public static string MirrorArch(string arch) => arch switch
    {
        "arm64" or "aarch64" => "arm64/aarch64",
        "armv7" => "arm/armv7",
        "powerpc64" => "powerpc/powerpc64",
        "powerpc64le" => "powerpc/powerpc64le",
        "riscv64" => "riscv/riscv64",
        _ => arch + "/" + arch,
    };

    /// <summary>The Handbook's names: MEDIA/14.3-RELEASE-base.txz; another architecture than the host's adds it (14.3-RELEASE-arm64-base.txz).</summary>
    public string MediaFile(string release, string? foreignArch, string set)
        => $"{Settings.MediaPath}/{release}{(foreignArch is null ? "" : "-" + foreignArch)}-{set}.txz";

    public string ManifestFile(string release, string? foreignArch)
        => $"{Settings.MediaPath}/{release}{(foreignArch is null ? "" : "-" + foreignArch)}-MANIFEST";

    /// <summary>uname -m of the host.</summary>
    public string HostArch()
    {
        var r = Read(new ProcessRequest(ToolPaths.Uname, new[] { "-m" }));
        if (!r.Success) throw new NativeCommandException(new ProcessRequest(ToolPaths.Uname, new[] { "-m" }), r);
        return r.StandardOutput.Trim();
    }

    public Plan PlanSaveRelease(string release, string arch, string? foreignArch, string mirror, IReadOnlyList<string> sets, bool force, JailRelease result)
    {
        var plan = new Plan($"Save release {release} ({arch}: {string.Join(", ", sets)}) to {Settings.MediaPath}");
        var baseUrl = mirror.TrimEnd('/') + "/" + MirrorArch(arch) + "/" + release;
        var manifest = ManifestFile(release, foreignArch);
        plan.Lock("release", release + "-" + arch);
        result.Release = release;
        result.Arch = arch;
        result.Path = Settings.MediaPath;
        result.Sets = sets.ToArray();
        result.Files = sets.Select(s => MediaFile(release, foreignArch, s)).ToArray();
        result.Manifest = manifest;
        result.Mirror = mirror;
        result.ComputerName = Host.ComputerName;

        bool have = !force && Host.FileExists(manifest) && result.Files.All(Host.FileExists);
        if (!Host.DirectoryExists(Settings.MediaPath)) plan.Add(new CreateDirectoryStep(Settings.MediaPath));
        if (!have)
            plan.Add(new CommandStep($"Download {release} MANIFEST", MediaCommand.Fetch(baseUrl + "/MANIFEST", manifest))
            { LongRunning = true, UndoDeleteFiles = Host.FileExists(manifest) ? Array.Empty<string>() : new[] { manifest } });
        for (int i = 0; i < sets.Count; i++)
        {
            var set = sets[i];
            var file = result.Files[i];
            if (!have)
                plan.Add(new CommandStep($"Download {set}.txz", MediaCommand.Fetch($"{baseUrl}/{set}.txz", file))
                { LongRunning = true, UndoDeleteFiles = new[] { file } });
            var sha = MediaCommand.Sha256(file);
            bool downloaded = !have;
            plan.Add(new ActionStep($"Verify the SHA-256 of {set}.txz", new[] { sha.DisplayText }, ctx =>
            {
                var expected = MediaCommand.ParseManifest(ctx.Host.ReadAllText(manifest));
                if (!expected.TryGetValue(set + ".txz", out var want))
                    throw new PlanPreconditionException("DistributionSetNotFound", $"The MANIFEST of {release} ({arch}) has no set '{set}'.", set, PlanErrorKind.ObjectNotFound);
                var got = ctx.Run(sha).StandardOutput.Trim().ToLowerInvariant();
                if (got != want)
                {
                    if (downloaded && ctx.Host.FileExists(file)) ctx.Host.DeleteFile(file);
                    throw new PlanPreconditionException("ReleaseChecksumMismatch",
                        $"The SHA-256 of {file} is {got}, but the MANIFEST says {want}; " + (downloaded ? "the file was removed." : "run Save-JailRelease -Force to download it again."),
                        file, PlanErrorKind.InvalidData);
                }
            }) { LongRunning = true });
        }
        foreach (var f in result.Files.Append(manifest)) plan.Lock("file", f);
        return plan;
    }

    // ------------------------------------------------------------------ templates

    public string TemplateDataset(string name) => Settings.TemplateRoot + "/" + name;

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
        var undo = missing.AsEnumerable().Reverse().Select(ZfsCommand.Destroy).ToArray();
        plan.Add(new CommandStep($"Create {root}", ZfsCommand.Create(root, parents: true, new[] { KeyValuePair.Create("mountpoint", mountpoint) }), undo));
        foreach (var m in missing) plan.Lock("dataset", m);
    }

    /// <summary>
    /// The templates (only the one named <paramref name="only"/> when given). Each one's PatchLevel
    /// costs a file read (its /bin/freebsd-version): left null when <paramref name="patchLevel"/> is false.
    /// </summary>
    public IReadOnlyList<JailTemplate> GetTemplates(ZfsListing zfs, string? only = null, bool patchLevel = true)
    {
        if (IsUfs(zfs)) return GetUfsTemplates();
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
                DistributionSet = ParseSets(e.Sets),
                Dataset = e.Name,
                Path = e.Mountpoint ?? "",
                Snapshots = snaps.Select(s => s.Name).ToArray(),
                Snapshot = snaps.LastOrDefault()?.Name,
                Clones = snaps.SelectMany(s => zfs.ClonesOf(s.Name)).Select(c => c.Name).ToArray(),
                Uuid = e.Uuid,
                Storage = "zfs",
                ComputerName = Host.ComputerName,
            };
            if (patchLevel) t.PatchLevel = ReadUserland(t.Path);
            list.Add(t);
        }
        return list;
    }

    /// <summary>The sets recorded on a template (org.jailsmodule:sets or its sets= comment); base when none was recorded.</summary>
    internal static string[] ParseSets(string? recorded)
    {
        var sets = (recorded ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => ProvisionValidation.DistributionSet(s) is null).Distinct(StringComparer.Ordinal).ToArray();
        return sets.Length == 0 ? new[] { "base" } : sets;
    }

    /// <summary>USERLAND_VERSION of a tree's /bin/freebsd-version (what freebsd-version -u prints there).</summary>
    public string? ReadUserland(string root)
    {
        if (string.IsNullOrEmpty(root) || root[0] != '/') return null;
        var f = (root == "/" ? "" : root) + "/bin/freebsd-version";
        return Host.FileExists(f) ? MediaCommand.ParseUserlandVersion(Host.ReadAllText(f)) : null;
    }

    public JailTemplate FindTemplate(ZfsListing zfs, string name, bool patchLevel = true)
        => GetTemplates(zfs, name, patchLevel).FirstOrDefault(t => t.Name == name)
           ?? throw new PlanPreconditionException("TemplateNotFound",
               $"There is no template '{name}' under {Settings.TemplateRoot} on {Host.ComputerName}. Create it with 'New-JailTemplate -Release ...'.",
               name, PlanErrorKind.ObjectNotFound);

    public Plan PlanNewTemplate(string name, string release, IReadOnlyList<string> sets, bool update)
    {
        var zfs = ReadZfs();
        var ds = TemplateDataset(name);
        if (IsUfs(zfs)) return PlanNewTemplateUfs(name, release, sets, CheckSaved(release, sets), update);
        if (zfs.Exists(ds))
            throw new PlanPreconditionException("TemplateExists", $"The dataset '{ds}' already exists; choose another -Name or remove it first.", ds, PlanErrorKind.ResourceExists);
        var files = CheckSaved(release, sets);
        var path = ChildPath(zfs, Settings.TemplateRoot, Settings.TemplateMountpoint, name);
        var plan = new Plan($"Create template '{name}' ({release}) in {ds}").Lock("template", name).Lock("dataset", ds);
        AddRootSteps(plan, zfs, Settings.TemplateRoot, Settings.TemplateMountpoint);
        plan.Add(new CommandStep($"Create dataset {ds}", ZfsCommand.Create(ds, false, new[]
        {
            KeyValuePair.Create(ZfsCommand.Managed, "yes"),
            KeyValuePair.Create(ZfsCommand.Kind, "template"),
            KeyValuePair.Create(ZfsCommand.Release, release),
            KeyValuePair.Create(ZfsCommand.Uuid, Guid.NewGuid().ToString()),
            KeyValuePair.Create(ZfsCommand.Sets, string.Join(',', sets)),
        }), ZfsCommand.Destroy(ds)));
        AddPopulateSteps(plan, files, path);
        if (update) plan.Add(UpdateStep(path, release));
        plan.Add(new CommandStep($"Snapshot {ds}@{BaseSnapshot}", ZfsCommand.Snapshot($"{ds}@{BaseSnapshot}"), ZfsCommand.Destroy($"{ds}@{BaseSnapshot}")));
        return plan;
    }

    /// <summary>The media files of the sets; ReleaseNotSaved when one is missing.</summary>
    private List<string> CheckSaved(string release, IEnumerable<string> sets)
    {
        var files = sets.Select(s => MediaFile(release, null, s)).ToList();
        foreach (var f in files)
            if (!Host.FileExists(f))
                throw new PlanPreconditionException("ReleaseNotSaved", $"{f} does not exist. Run 'Save-JailRelease -Release {release}' first.", f, PlanErrorKind.ObjectNotFound);
        return files;
    }

    /// <summary>Extract the sets, then copy the host's resolv.conf and localtime (Handbook §"Creating a classic jail").</summary>
    private void AddPopulateSteps(Plan plan, IEnumerable<string> archives, string path)
    {
        foreach (var f in archives)
            plan.Add(new CommandStep($"Extract {f[(f.LastIndexOf('/') + 1)..]}", MediaCommand.Extract(f, path)) { LongRunning = true });
        foreach (var f in new[] { "/etc/resolv.conf", "/etc/localtime" })
            if (Host.FileExists(f)) plan.Add(new CopyFileStep(f, path + f));
    }

    /// <summary>freebsd-update fetch install on a tree; undo is freebsd-update rollback.</summary>
    private static CommandStep UpdateStep(string path, string currentRelease)
        => new($"Patch {path} with freebsd-update", MediaCommand.FreebsdUpdate(path, currentRelease),
            new ProcessRequest(ToolPaths.FreebsdUpdate, new[] { "-b", path, "--not-running-from-cron", "rollback" }) { Environment = new Dictionary<string, string> { ["PAGER"] = "cat" } })
        { LongRunning = true };

    public Plan PlanUpdateTemplate(string name)
    {
        var zfs = ReadZfs();
        var t = FindTemplate(zfs, name);
        if (IsUfs(zfs))
            throw new PlanPreconditionException("NotSupportedWithoutZfs", $"Update-JailTemplate needs ZFS snapshots; '{Host.ComputerName}' has no pool. Create a new template from the patched release instead.", name, PlanErrorKind.InvalidOperation);
        var current = t.PatchLevel ?? t.Release;
        var ds = t.Dataset!;
        var plan = new Plan($"Update template '{name}' ({current}) and snapshot it").Lock("template", name).Lock("dataset", ds);
        plan.Add(UpdateStep(t.Path, current));
        string? made = null;
        plan.Add(new ActionStep($"Snapshot {ds} at its new patch level",
            new[] { $"{ToolPaths.Zfs} snapshot {ds}@<freebsd-version -u of {t.Path} after the update>" },
            ctx =>
            {
                var level = ReadUserland(t.Path) ?? throw new PlanPreconditionException("FreebsdVersionUnreadable", $"{t.Path}/bin/freebsd-version does not report a version.", t.Path, PlanErrorKind.InvalidData);
                var snap = $"{ds}@{level}";
                if (zfs.Exists(snap) || t.Snapshots.Contains(snap))
                    snap = $"{ds}@{level}-{DateTime.UtcNow:yyyyMMddHHmmss}";
                ctx.Run(ZfsCommand.Snapshot(snap));
                made = snap;
            },
            ctx => { if (made != null) ctx.Run(ZfsCommand.Destroy(made)); }));
        return plan;
    }

    public Plan PlanRemoveTemplate(string name)
    {
        var zfs = ReadZfs();
        var t = FindTemplate(zfs, name);
        if (IsUfs(zfs)) return PlanRemoveTemplateUfs(t);
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
            plan.Add(new CommandStep($"Destroy {s}", ZfsCommand.Destroy(s)) { Irreversible = true });
        plan.Add(new CommandStep($"Destroy {ds}", ZfsCommand.Destroy(ds)) { Irreversible = true });
        return plan;
    }

    /// <summary>zfs get ... source: the managed flag must be set on the dataset itself, never inherited.</summary>
    public bool IsLocallyManaged(string dataset) => LocalMetadata(dataset).TryGetValue(ZfsCommand.Managed, out var v) && v == "yes";

    /// <summary>The module's user properties set ON the dataset (source local); inherited ones are left out.</summary>
    public Dictionary<string, string> LocalMetadata(string dataset)
    {
        var req = ZfsCommand.GetWithSource(dataset, ZfsCommand.Managed, ZfsCommand.Uuid);
        var r = Read(req);
        if (!r.Success) throw new NativeCommandException(req, r);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in r.StandardOutput.Split('\n'))
        {
            var f = line.Split('\t');
            if (f.Length >= 3 && f[2] == "local") map[f[0]] = f[1];
        }
        return map;
    }

    // ------------------------------------------------------------------ jails

    public string JailDataset(NewJailRequest r) => r.Dataset ?? Settings.JailRoot + "/" + r.Name;

    /// <summary>A stopped jail read from its own /etc/jail.conf.d/NAME.conf only (from the text <paramref name="written"/> wrote there, when given).</summary>
    public Jail? ReadConfiguredJail(string name, Plan? written = null)
    {
        var file = ConfigFile(name);
        // The text the plan just wrote is parsed as it is, without reading the file back.
        var text = written?.Steps.OfType<WriteFileStep>().LastOrDefault(s => s.Path == file)?.Content;
        var r = text != null
            ? Config.JailConf.LoadText(text, file, new HostConfSource(Host))
            : ConfFileCache.For(Host).Load(Host, file, new HostConfSource(Host));
        var cj = r.Success ? r.Jails.FirstOrDefault(j => j.Name == name) : null;
        return cj is null ? null : JailInventory.FromConfig(Host.ComputerName, cj, file);
    }

    public static IEnumerable<string> NewJailResources(string name, string dataset)
        => new[] { "jail:" + name, "dataset:" + dataset };

    public Plan PlanNewJail(NewJailRequest r)
    {
        var ds = JailDataset(r);
        if (!ProvisionValidation.IsUnder(ds, Settings.JailRoot))
            throw new PlanPreconditionException("DatasetOutsideRoot", $"The dataset '{ds}' is not below the jail root '{Settings.JailRoot}' (Set-JailModuleSetting -JailRoot).", ds);
        var conf = ConfigFile(r.Name);
        var (inv, zfs) = ReadJailsAndZfs();
        var taken = inv.Find(r.Name);
        if (taken != null)
            throw new PlanPreconditionException("JailNameTaken",
                $"A jail named '{r.Name}' already exists on {Host.ComputerName} ({(taken.ConfigPath ?? "running, no config file")}).", r.Name, PlanErrorKind.ResourceExists);
        if (Host.FileExists(conf))
            throw new PlanPreconditionException("JailNameTaken", $"{conf} already exists.", r.Name, PlanErrorKind.ResourceExists);
        if (IsUfs(zfs)) return PlanNewJailUfs(r, conf);
        if (ProvisionValidation.JailDatasetName(ds) is { } tooLong) throw new PlanPreconditionException("DatasetNameTooLong", tooLong, ds);
        if (zfs.Exists(ds))
            throw new PlanPreconditionException("DatasetExists", $"The dataset '{ds}' already exists.", ds, PlanErrorKind.ResourceExists);
        var leaf = ds[(Settings.JailRoot.Length + 1)..];
        if (leaf.Contains('/'))
            throw new PlanPreconditionException("DatasetOutsideRoot", $"The dataset '{ds}' must be a direct child of '{Settings.JailRoot}'.", ds);
        var path = ChildPath(zfs, Settings.JailRoot, Settings.JailMountpoint, leaf);

        JailTemplate? t = null;
        if (r.Kind != JailStorageKind.Empty)
        {
            t = FindTemplate(zfs, r.Template ?? throw new PlanPreconditionException("TemplateRequired", "A thin or thick jail needs -Template (or use -Empty).", r.Name),
                patchLevel: r.Kind == JailStorageKind.Thick); // a clone has the snapshot's userland, whatever the template has now
            if (t.Snapshot is null)
                throw new PlanPreconditionException("TemplateHasNoSnapshot", $"Template '{t.Name}' has no snapshot to clone.", t.Name, PlanErrorKind.InvalidOperation);
        }

        var kind = r.Kind.ToString().ToLowerInvariant();
        var uuid = Guid.NewGuid().ToString();
        var meta = new List<KeyValuePair<string, string>>
        {
            KeyValuePair.Create(ZfsCommand.Managed, "yes"),
            KeyValuePair.Create(ZfsCommand.Uuid, uuid),
            KeyValuePair.Create(ZfsCommand.Kind, kind),
        };
        if (t != null) meta.Add(KeyValuePair.Create(ZfsCommand.Template, t.Name));

        var plan = new Plan($"Create {kind} jail '{r.Name}'" + (t is null ? "" : $" from template '{t.Name}'"));
        foreach (var res in NewJailResources(r.Name, ds)) { int c = res.IndexOf(':'); plan.Lock(res[..c], res[(c + 1)..]); }
        AddRootSteps(plan, zfs, Settings.JailRoot, Settings.JailMountpoint);
        switch (r.Kind)
        {
            case JailStorageKind.Thin:
                // Tagged as it is made: a crash cannot leave an unmarked clone Remove-Jail would refuse.
                plan.Add(new CommandStep($"Clone {t!.Snapshot} to {ds}", ZfsCommand.Clone(t.Snapshot!, ds, meta), ZfsCommand.Destroy(ds)));
                break;
            case JailStorageKind.Thick:
                plan.Add(new CommandStep($"Create dataset {ds}", ZfsCommand.Create(ds, false, meta), ZfsCommand.Destroy(ds)));
                var files = t!.DistributionSet.Select(s => MediaFile(t.Release, null, s)).ToList(); // the template's own sets
                foreach (var f in files)
                    if (!Host.FileExists(f))
                        throw new PlanPreconditionException("ReleaseNotSaved", $"{f} does not exist. Run 'Save-JailRelease -Release {t!.Release} -DistributionSet {string.Join(',', t.DistributionSet)}' first.", f, PlanErrorKind.ObjectNotFound);
                AddPopulateSteps(plan, files, path);
                if (t!.PatchLevel != null && t.PatchLevel != t.Release) plan.Add(UpdateStep(path, t.Release));
                break;
            case JailStorageKind.Empty:
                plan.Add(new CommandStep($"Create dataset {ds}", ZfsCommand.Create(ds, false, meta), ZfsCommand.Destroy(ds)));
                break;
        }
        AddConfigSteps(plan, r, conf, path, r.Parameters,
            meta.Where(kv => kv.Key != ZfsCommand.Managed).Select(kv => KeyValuePair.Create(kv.Key["org.jailsmodule:".Length..], kv.Value)).ToList());
        return plan;
    }

    /// <summary>The filesystem mounted at a jail's path (its root dataset), if any.</summary>
    public static ZfsEntry? DatasetAt(ZfsListing zfs, string path)
        => string.IsNullOrEmpty(path) ? null : zfs.Entries.FirstOrDefault(e => !e.IsSnapshot && e.Mountpoint == path);

    private static PlanPreconditionException NotFound(string name, IJailHost host)
        => new("JailNotFound", $"No jail named '{name}' is configured or running on {host.ComputerName}.", name, PlanErrorKind.ObjectNotFound);

    /// <summary>Refuses when anything but the jail's own dataset is mounted at or below its path (nullfs, devfs, tmpfs...).</summary>
    private ActionStep MountCheckStep(string path, string? dataset)
    {
        var req = MediaCommand.MountTable();
        return new ActionStep($"Check that nothing is mounted under {path}", new[] { req.DisplayText }, ctx =>
        {
            var busy = MediaCommand.ParseMountTable(ctx.Run(req).StandardOutput)
                .Where(m => m.Node.StartsWith(path + "/", StringComparison.Ordinal) || (m.Node == path && m.Special != dataset))
                .Select(m => $"{m.Special} on {m.Node} ({m.FsType})").ToList();
            if (busy.Count > 0)
                throw new PlanPreconditionException("JailPathBusy",
                    $"Something is still mounted under {path}: {string.Join("; ", busy)}. Unmount it first (the module never removes files through a mount).",
                    path, PlanErrorKind.ResourceBusy);
        });
    }

    /// <summary>Steps that take the jail out of its configuration: delete its own file, or edit the shared file.</summary>
    private PlanStep ConfigRemovalStep(Jail jail)
    {
        var file = jail.ConfigPath!;
        if (file == ConfigFile(jail.Name)) return new DeleteFileStep(file);
        var doc = Config.JailConfDocument.Parse(Host.ReadAllText(file), file);
        if (!doc.RemoveJail(jail.Name))
            throw new PlanPreconditionException("JailConfigNotEditable", $"Jail '{jail.Name}' is not a block of its own in {file}; remove it by hand.", jail.Name, PlanErrorKind.InvalidOperation);
        return new WriteFileStep(file, doc.ToString(), 0x1A4, $"Remove the block of '{jail.Name}' from {file}");
    }

    public Plan PlanRemoveJail(string name, bool force, bool keepDataset)
    {
        var inv = ReadJails();
        var jail = inv.Find(name) ?? throw NotFound(name, Host);
        var running = jail.State == JailState.Running;
        if (running && !force)
            throw new PlanPreconditionException("JailRunning", $"Jail '{name}' is running (jid {jail.Jid}). Stop it first, or use -Force to stop it.", name, PlanErrorKind.ResourceBusy);
        var zfs = ReadZfs();
        if (IsUfs(zfs)) return PlanRemoveJailUfs(jail, keepDataset);
        var ds = DatasetAt(zfs, jail.Path);
        bool destroy = false;
        string? uuid = null;
        if (ds != null && !keepDataset)
        {
            if (!ProvisionValidation.IsUnder(ds.Name, Settings.JailRoot))
                throw new PlanPreconditionException("DatasetOutsideRoot",
                    $"The jail's dataset '{ds.Name}' is outside the jail root '{Settings.JailRoot}'; it is never destroyed. Use -KeepDataset to remove only the configuration.", ds.Name);
            var local = LocalMetadata(ds.Name);
            if (!local.TryGetValue(ZfsCommand.Managed, out var managed) || managed != "yes")
                throw new PlanPreconditionException("DatasetNotManaged",
                    $"The dataset '{ds.Name}' was not created by JailsModule (org.jailsmodule:managed is not set on it locally). Use -KeepDataset to remove only the configuration.", ds.Name, PlanErrorKind.SecurityError);
            // The config file's "# jailsmodule: uuid=" comment must name the same dataset the module made for this jail.
            if (jail.ConfigPath != null && Host.FileExists(jail.ConfigPath)
                && JailConfigBuilder.ReadMetadata(Host.ReadAllText(jail.ConfigPath)).TryGetValue("uuid", out var confUuid)
                && local.TryGetValue(ZfsCommand.Uuid, out var dsUuid) && confUuid != dsUuid)
                throw new PlanPreconditionException("DatasetNotManaged",
                    $"The dataset '{ds.Name}' (uuid {dsUuid}) was not created for jail '{name}' (uuid {confUuid} in {jail.ConfigPath}). Use -KeepDataset to remove only the configuration.", ds.Name, PlanErrorKind.SecurityError);
            destroy = true;
            uuid = local.GetValueOrDefault(ZfsCommand.Uuid);
        }
        var previous = destroy && uuid != null ? PreviousRoot(zfs, ds!.Name, uuid) : null;
        var plan = new Plan($"Remove jail '{name}'" + (destroy ? $" and destroy {ds!.Name}" : "") + (previous is null ? "" : $" and {previous.Name}")).Lock("jail", name);
        if (jail.ConfigPath != null && jail.ConfigPath != ConfigFile(name)) plan.Lock("file", jail.ConfigPath);
        if (ds != null) plan.Lock("dataset", ds.Name);
        if (previous != null) plan.Lock("dataset", previous.Name);
        if (running) plan.Add(StopStep(jail));
        if (jail.Path.Length > 1) plan.Add(MountCheckStep(jail.Path, ds?.Name));
        if (previous?.Mountpoint is { } pm && pm.StartsWith('/') && pm.Length > 1) plan.Add(MountCheckStep(pm, previous.Name));
        if (jail.ConfigPath != null) plan.Add(ConfigRemovalStep(jail));
        // The kept root first: when it is busy, nothing irreversible has happened yet and the plan rolls back whole.
        if (previous != null) plan.Add(new CommandStep($"Destroy {previous.Name} (the root Update-Jail kept)", ZfsCommand.Destroy(previous.Name)) { Irreversible = true });
        if (destroy) plan.Add(new CommandStep($"Destroy {ds!.Name}", ZfsCommand.Destroy(ds.Name)) { Irreversible = true });
        return plan;
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
        return its.GetValueOrDefault(ZfsCommand.Managed) == "yes" && its.GetValueOrDefault(ZfsCommand.Uuid) == uuid ? prev : null;
    }

    /// <summary>org.jailsmodule:kind of a thin jail's root after Update-Jail replaced it (DATASET.prev).</summary>
    public const string PreviousKind = "previous";

    /// <summary>
    /// Thick jails: freebsd-update (-j for a running jail, -b for a stopped one). Thin jails: the clone
    /// is renamed to NAME.prev (kept, with the jail's own changes) and the template's newest snapshot
    /// is cloned in its place. Both end by reading freebsd-version -u of the new tree.
    /// </summary>
    public Plan PlanUpdateJail(string name, bool force, Action<string>? onVersion)
    {
        var inv = ReadJails();
        var jail = inv.Find(name) ?? throw NotFound(name, Host);
        var zfs = ReadZfs();
        if (IsUfs(zfs)) CheckUfsUpdatable(jail);
        var ds = IsUfs(zfs) ? null : DatasetAt(zfs, jail.Path)
                 ?? throw new PlanPreconditionException("JailDatasetNotFound", $"No dataset is mounted at {jail.Path}, the path of jail '{name}'.", name, PlanErrorKind.ObjectNotFound);
        var plan = new Plan($"Update jail '{name}'").Lock("jail", name).Lock(ds is null ? "file" : "dataset", ds?.Name ?? jail.Path);
        var before = ReadUserland(jail.Path);
        var verify = new ActionStep($"Check freebsd-version -u in {jail.Path}", new[] { $"{ToolPaths.FreebsdVersion} -u (in {jail.Path})" }, _ =>
        {
            var v = ReadUserland(jail.Path) ?? throw new PlanPreconditionException("FreebsdVersionUnreadable", $"{jail.Path}/bin/freebsd-version does not report a version.", name, PlanErrorKind.InvalidData);
            onVersion?.Invoke(v);
        });
        if (ds?.Kind == "thin" && ds.Origin != null)
        {
            var t = FindTemplate(zfs, ds.Template ?? ds.Origin[(Settings.TemplateRoot.Length + 1)..ds.Origin.IndexOf('@')]);
            if (t.Snapshot is null || t.Snapshot == ds.Origin)
                throw new PlanPreconditionException("JailUpToDate", $"Jail '{name}' is already cloned from the newest snapshot of template '{t.Name}' ({ds.Origin}).", name, PlanErrorKind.InvalidOperation);
            if (jail.State == JailState.Running && !force)
                throw new PlanPreconditionException("JailRunning", $"Jail '{name}' is running; a thin jail is re-cloned while stopped. Use -Force to stop and restart it.", name, PlanErrorKind.ResourceBusy);
            if (!IsLocallyManaged(ds.Name))
                throw new PlanPreconditionException("DatasetNotManaged", $"The dataset '{ds.Name}' was not created by JailsModule.", ds.Name, PlanErrorKind.SecurityError);
            var prev = ds.Name + ".prev";
            if (zfs.Exists(prev))
                throw new PlanPreconditionException("DatasetExists",
                    $"'{prev}' (the root '{name}' had before its last update) still exists; copy what you need from it, then destroy it ({ToolPaths.Zfs} destroy {prev}) and run Update-Jail again.",
                    prev, PlanErrorKind.ResourceExists);
            plan.Lock("dataset", prev);
            bool running = jail.State == JailState.Running;
            if (running && jail.ConfigPath is null)
                throw new PlanPreconditionException("JailNotConfigured", $"Jail '{name}' runs without a config file, so it could not be started again after the re-clone.", name, PlanErrorKind.InvalidOperation);
            if (running) plan.Add(new CommandStep($"Stop jail '{name}'", JailTool.Stop(name, jail.ConfigPath), JailTool.Start(name, jail.ConfigPath!)));
            plan.Add(new CommandStep($"Keep the old root as {prev}", ZfsCommand.Rename(ds.Name, prev), ZfsCommand.Rename(prev, ds.Name)));
            plan.Add(new CommandStep($"Clone {t.Snapshot}", ZfsCommand.Clone(t.Snapshot, ds.Name, new[]
            {
                KeyValuePair.Create(ZfsCommand.Managed, "yes"), KeyValuePair.Create(ZfsCommand.Uuid, ds.Uuid ?? Guid.NewGuid().ToString()),
                KeyValuePair.Create(ZfsCommand.Kind, "thin"), KeyValuePair.Create(ZfsCommand.Template, t.Name),
            }), ZfsCommand.Destroy(ds.Name)));
            plan.Add(new CommandStep($"Mark {prev} as the previous root", ZfsCommand.Set(prev, new[] { KeyValuePair.Create(ZfsCommand.Kind, PreviousKind) })));
            plan.Add(verify);
            if (running) plan.Add(new CommandStep($"Start jail '{name}'", JailTool.Start(name, jail.ConfigPath!), JailTool.Stop(name, jail.ConfigPath)));
            return plan;
        }
        var update = jail.State == JailState.Running
            ? new ProcessRequest(ToolPaths.FreebsdUpdate, new[] { "-j", name, "--not-running-from-cron", "fetch", "install" }) { Environment = new Dictionary<string, string> { ["PAGER"] = "cat" } }
            : MediaCommand.FreebsdUpdate(jail.Path, before ?? throw new PlanPreconditionException("FreebsdVersionUnreadable", $"{jail.Path}/bin/freebsd-version does not report a version.", name, PlanErrorKind.InvalidData));
        var rollback = jail.State == JailState.Running
            ? new ProcessRequest(ToolPaths.FreebsdUpdate, new[] { "-j", name, "--not-running-from-cron", "rollback" })
            : new ProcessRequest(ToolPaths.FreebsdUpdate, new[] { "-b", jail.Path, "--not-running-from-cron", "rollback" });
        plan.Add(new CommandStep($"Patch jail '{name}' with freebsd-update", update, rollback) { LongRunning = true });
        plan.Add(verify);
        return plan;
    }
}
