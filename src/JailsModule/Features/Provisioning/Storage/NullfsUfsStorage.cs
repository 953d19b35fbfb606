using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;
using JailsModule.Tools;

namespace JailsModule.Provisioning.Storage;

/// <summary>
/// Hosts without ZFS (no pool: zfs list answers no dataset, or /sbin/zfs is missing): templates and
/// jails are plain folders, following the FreeBSD Handbook's "NullFS thin jail" recipe. A template is
/// TemplateMountpoint/NAME-base (the release, mounted read-only into every thin jail) and
/// TemplateMountpoint/NAME-skeleton (etc, home, root, tmp, usr/local, var: the writable parts; the
/// base links to them through /skeleton). A thin jail gets its own copy of the skeleton
/// (JailMountpoint/NAME.skeleton, cp -a) and an empty mount point (JailMountpoint/NAME) where its
/// config mounts the base read-only and its skeleton read-write at /skeleton (mount += fstab lines).
/// Metadata lives in "# jailsmodule:" comments: TemplateMountpoint/NAME.jailsmodule for a template,
/// the jail's config file for a jail.
/// </summary>
public sealed class NullfsUfsStorage : IJailStorage
{
    private readonly ProvisioningService _svc;

    public NullfsUfsStorage(ProvisioningService service) => _svc = service;

    /// <summary>The folders of the base tree that move to the skeleton, and the links the base gets (Handbook order).</summary>
    public static readonly (string Dir, string Link)[] SkeletonParts =
    {
        ("etc", "skeleton/etc"),
        ("home", "skeleton/home"),
        ("root", "skeleton/root"),
        ("usr/local", "../skeleton/usr/local"),
        ("tmp", "skeleton/tmp"),
        ("var", "skeleton/var"),
    };

    public const string TemplateSuffix = ".jailsmodule";

    public string Name => "ufs";

    public string TemplatePlace => "in " + Settings.TemplateMountpoint;

    private IJailHost Host => _svc.Host;
    private JailModuleSettings Settings => _svc.Settings;

    public string TemplateBase(string name) => $"{Settings.TemplateMountpoint}/{name}-base";
    public string TemplateSkeleton(string name) => $"{Settings.TemplateMountpoint}/{name}-skeleton";
    public string TemplateFile(string name) => $"{Settings.TemplateMountpoint}/{name}{TemplateSuffix}";
    public string JailPath(string name) => $"{Settings.JailMountpoint}/{name}";
    public string JailSkeleton(string name) => $"{Settings.JailMountpoint}/{name}.skeleton";

    /// <summary>The nullfs lines (fstab(5) format) a thin jail's config mounts, base first.</summary>
    public static string[] NullfsLines(string templateBase, string skeletonCopy, string path)
        => new[] { MountTool.FstabLine(templateBase, path, "nullfs", "ro"), MountTool.FstabLine(skeletonCopy, path + "/skeleton", "nullfs", "rw") };

    private void AddParentStep(Plan plan, string dir)
    {
        if (!Host.DirectoryExists(dir)) plan.Add(new CreateDirectoryStep(dir));
    }

    /// <summary>Names of the jails whose config files say they were made from <paramref name="template"/>.</summary>
    private string[] JailsOf(string template)
        => Host.ListDirectory(ProvisioningService.ConfigDirectory, "*.conf")
            .Where(f => JailConfigBuilder.ReadMetadata(Host.ReadRegularFile(f, JailsModule.Host.BoundedFile.MaxConfigFileBytes)).TryGetValue("template", out var t) && t == template)
            .Select(f => f[(f.LastIndexOf('/') + 1)..^".conf".Length]).ToArray();

    // ------------------------------------------------------------------ templates

    /// <summary>Every template (a folder template's patch level is always read: one file).</summary>
    public IReadOnlyList<JailTemplate> ListTemplates(string? only = null, bool patchLevel = true)
    {
        var list = new List<JailTemplate>();
        foreach (var f in Host.ListDirectory(Settings.TemplateMountpoint, "*" + TemplateSuffix))
        {
            var meta = JailConfigBuilder.ReadMetadata(Host.ReadRegularFile(f, JailsModule.Host.BoundedFile.MaxConfigFileBytes));
            if (!meta.TryGetValue("kind", out var kind) || kind != "template") continue;
            var name = f[(f.LastIndexOf('/') + 1)..^TemplateSuffix.Length];
            var t = new JailTemplate
            {
                Name = name,
                Release = meta.GetValueOrDefault("release") ?? "",
                DistributionSet = ProvisioningService.ParseSets(meta.GetValueOrDefault("sets")),
                Path = TemplateBase(name),
                Skeleton = TemplateSkeleton(name),
                Clones = JailsOf(name),
                Uuid = meta.GetValueOrDefault("uuid"),
                Storage = Name,
                ComputerName = Host.ComputerName,
            };
            t.PatchLevel = _svc.Userland.ReadVersion(t.Path);
            list.Add(t);
        }
        return list;
    }

    private JailTemplate Find(string name)
        => ListTemplates().FirstOrDefault(t => t.Name == name) ?? throw _svc.TemplateNotFound(name);

    /// <summary>New-JailTemplate without ZFS: extract into NAME-base, move the writable parts to NAME-skeleton, link them back.</summary>
    public Plan PlanNewTemplate(string name, string release, IReadOnlyList<string> sets, bool update)
    {
        var files = _svc.Userland.RequireSaved(release, sets);
        var b = TemplateBase(name);
        var s = TemplateSkeleton(name);
        var meta = TemplateFile(name);
        foreach (var p in new[] { b, s, meta })
            if (Host.FileExists(p) || Host.DirectoryExists(p))
                throw new PlanPreconditionException("TemplateExists", $"'{p}' already exists; choose another -Name or remove it first.", p, PlanErrorKind.ResourceExists);
        var plan = new Plan($"Create template '{name}' ({release}) in {b} and {s}").Lock("template", name).Lock("file", b).Lock("file", s);
        AddParentStep(plan, Settings.TemplateMountpoint);
        plan.Add(new CommandStep($"Create {b}", FileTools.MakeDirectory(b), FileTools.ClearFlagsTree(b), FileTools.RemoveTree(b)));
        _svc.Userland.AddExtractSteps(plan, files, b);
        if (update) plan.Add(_svc.Userland.PatchStep(b, release));
        plan.Add(new CommandStep($"Create {s}", FileTools.MakeDirectories(s + "/usr", s + "/home"), FileTools.ClearFlagsTree(s), FileTools.RemoveTree(s)));
        foreach (var (dir, _) in SkeletonParts.Where(p => p.Dir != "home"))
            plan.Add(new CommandStep($"Move {dir} to the skeleton", FileTools.Move($"{b}/{dir}", $"{s}/{dir}"), FileTools.Move($"{s}/{dir}", $"{b}/{dir}")));
        plan.Add(new CommandStep($"Create the mount point {b}/skeleton", FileTools.MakeDirectory(b + "/skeleton"), FileTools.RemoveDirectory(b + "/skeleton")));
        foreach (var (dir, link) in SkeletonParts)
            plan.Add(new CommandStep($"Link {dir} to the skeleton", FileTools.Symlink(link, $"{b}/{dir}"), FileTools.RemoveFile($"{b}/{dir}")));
        var text = $"{JailConfigBuilder.MetadataPrefix} kind=template\n{JailConfigBuilder.MetadataPrefix} release={release}\n{JailConfigBuilder.MetadataPrefix} uuid={Guid.NewGuid()}\n"
                   + $"{JailConfigBuilder.MetadataPrefix} sets={string.Join(',', sets)}\n"
                   + $"{JailConfigBuilder.MetadataPrefix} base={b}\n{JailConfigBuilder.MetadataPrefix} skeleton={s}\n";
        plan.Add(new WriteFileStep(meta, "# JailsModule template (NullFS thin jails: base mounted read-only, skeleton copied per jail)\n" + text, 0x1A4, $"Write {meta}"));
        return plan;
    }

    /// <summary>A folder template has no snapshots to keep the old level for the jails that mount it.</summary>
    public Plan PlanUpdateTemplate(string name)
    {
        Find(name);
        throw new PlanPreconditionException("NotSupportedWithoutZfs", $"Update-JailTemplate needs ZFS snapshots; '{Host.ComputerName}' has no pool. Create a new template from the patched release instead.", name, PlanErrorKind.InvalidOperation);
    }

    /// <summary>Only a template no jail uses and nothing mounts: its metadata file, then both folders (rm -rf -x).</summary>
    public Plan PlanRemoveTemplate(string name)
    {
        var t = Find(name);
        if (t.Clones.Length > 0)
            throw new PlanPreconditionException("TemplateHasClones",
                $"Template '{t.Name}' is still used by: {string.Join(", ", t.Clones)}. Remove those jails (Remove-Jail) first.", t.Name, PlanErrorKind.InvalidOperation);
        var busy = MountTool.ParseTable(_svc.Runner.Run(MountTool.Table()).StandardOutput)
            .Where(m => m.Special == t.Path || m.Special.StartsWith(t.Path + "/", StringComparison.Ordinal) || m.Node == t.Path || m.Node.StartsWith(t.Path + "/", StringComparison.Ordinal)).ToList();
        if (busy.Count > 0)
            throw new PlanPreconditionException("TemplateBusy", $"Template '{t.Name}' is mounted: {string.Join("; ", busy.Select(m => $"{m.Special} on {m.Node}"))}.", t.Name, PlanErrorKind.ResourceBusy);
        var plan = new Plan($"Remove template '{t.Name}' ({t.Path}, {t.Skeleton})").Lock("template", t.Name).Lock("file", t.Path).Lock("file", t.Skeleton!);
        plan.Add(new DeleteFileStep(TemplateFile(t.Name)));
        plan.Add(new CommandStep($"Clear the file flags of {t.Path} and {t.Skeleton}", FileTools.ClearFlagsTree(t.Skeleton!, t.Path)));
        plan.Add(new CommandStep($"Delete {t.Path} and {t.Skeleton}", FileTools.RemoveTree(t.Skeleton!, t.Path)) { Irreversible = true });
        return plan;
    }

    // ------------------------------------------------------------------ jails

    /// <summary>New-Jail without ZFS. Thin: cp -a of the template's skeleton, an empty mount point, the nullfs mount lines.</summary>
    public JailRoot PlanJailRoot(NewJailRequest r)
    {
        if (r.Dataset != null)
            throw new PlanPreconditionException("DatasetNotSupported", $"'{Host.ComputerName}' has no ZFS pool, so -Dataset '{r.Dataset}' cannot be used; jails are folders under {Settings.JailMountpoint}.", r.Dataset);
        var path = JailPath(r.Name);
        var skel = JailSkeleton(r.Name);
        foreach (var p in r.Kind == JailStorageKind.Thin ? new[] { path, skel } : new[] { path })
            if (Host.DirectoryExists(p) || Host.FileExists(p))
                throw new PlanPreconditionException("JailPathExists", $"'{p}' already exists; remove it or choose another -Name.", p, PlanErrorKind.ResourceExists);
        JailTemplate? t = null;
        if (r.Kind != JailStorageKind.Empty)
        {
            var wanted = r.Template ?? throw new PlanPreconditionException("TemplateRequired", "A thin or thick jail needs -Template (or use -Empty).", r.Name);
            t = ListTemplates().FirstOrDefault(x => x.Name == wanted) ?? throw _svc.TemplateNotFound(wanted);
        }
        var kind = r.Kind.ToString().ToLowerInvariant();
        var plan = new Plan($"Create {kind} jail '{r.Name}' in {path}" + (t is null ? "" : $" from template '{t.Name}'")).Lock("jail", r.Name).Lock("file", path);
        var root = new JailRoot(plan, path);
        root.Metadata.Add(KeyValuePair.Create("uuid", Guid.NewGuid().ToString()));
        root.Metadata.Add(KeyValuePair.Create("kind", kind));
        if (t != null) root.Metadata.Add(KeyValuePair.Create("template", t.Name));
        root.Metadata.Add(KeyValuePair.Create("storage", Name));
        AddParentStep(plan, Settings.JailMountpoint);
        switch (r.Kind)
        {
            case JailStorageKind.Thin:
                if (!Host.DirectoryExists(t!.Skeleton!) || !Host.DirectoryExists(t.Path + "/skeleton"))
                    throw new PlanPreconditionException("TemplateIncomplete", $"Template '{t.Name}' has no {t.Skeleton} or no {t.Path}/skeleton mount point.", t.Name, PlanErrorKind.InvalidData);
                root.Metadata.Add(KeyValuePair.Create("skeleton", skel));
                plan.Lock("file", skel);
                plan.Add(new CommandStep($"Copy the skeleton of '{t.Name}' to {skel}", FileTools.CopyTree(t.Skeleton!, skel), FileTools.ClearFlagsTree(skel), FileTools.RemoveTree(skel)) { LongRunning = true });
                plan.Add(new CommandStep($"Create the mount point {path}", FileTools.MakeDirectory(path), FileTools.RemoveDirectory(path)));
                root.Parameters.Add(KeyValuePair.Create<string, IReadOnlyList<string>?>("mount", NullfsLines(t.Path, skel, path)));
                break;
            case JailStorageKind.Thick:
                plan.Add(new CommandStep($"Create {path}", FileTools.MakeDirectory(path), FileTools.ClearFlagsTree(path), FileTools.RemoveTree(path)));
                _svc.AddThickRootSteps(plan, t!, path);
                break;
            case JailStorageKind.Empty:
                plan.Add(new CommandStep($"Create {path}", FileTools.MakeDirectory(path), FileTools.RemoveDirectory(path)));
                break;
        }
        return root;
    }

    /// <summary>
    /// Remove-Jail without ZFS: what the module created is read from the config's "# jailsmodule:"
    /// comment (kind, skeleton); the mount point goes with rmdir (never through a mount), the skeleton
    /// copy or a thick tree with rm -rf -x (never crossing into another file system), last.
    /// </summary>
    public JailRootRemoval PlanRootRemoval(Jail jail, bool keepRoot)
    {
        var name = jail.Name;
        var meta = _svc.ConfigMetadata(jail);
        var kind = !keepRoot && meta.ContainsKey("uuid") && meta.GetValueOrDefault("storage") == Name ? meta.GetValueOrDefault("kind") : null;
        if (kind != null && jail.Path != JailPath(name))
            throw new PlanPreconditionException("JailPathOutsideRoot",
                $"The path of jail '{name}' is {jail.Path}, not {JailPath(name)} where JailsModule made it; nothing is deleted. Use -KeepDataset to remove only the configuration.", jail.Path);
        string? skel = kind == "thin" ? meta.GetValueOrDefault("skeleton") : null;
        if (kind == "thin" && skel != JailSkeleton(name))
            throw new PlanPreconditionException("JailPathOutsideRoot",
                $"The skeleton of jail '{name}' is recorded as '{skel ?? "-"}', not {JailSkeleton(name)}; nothing is deleted. Use -KeepDataset to remove only the configuration.", name);
        if (kind is null && !keepRoot && jail.Path.Length > 1 && Host.DirectoryExists(jail.Path))
            _svc.OnWarning?.Invoke($"{jail.Path} is kept: the config of jail '{name}' ({jail.ConfigPath ?? "none"}) does not prove JailsModule made it for this jail (no '# jailsmodule: uuid=' and storage={Name} comments); only the configuration is removed.");
        var removal = new JailRootRemoval
        {
            Description = kind is null ? "" : $" and delete {jail.Path}" + (skel is null ? "" : $" and {skel}"),
            RootSpecial = null,
        };
        if (kind != null) removal.Locks.Add(("file", jail.Path));
        if (skel != null)
        {
            removal.Locks.Add(("file", skel));
            removal.MountChecks.Add((skel, null));
        }
        switch (kind)
        {
            case "thin":
                if (Host.DirectoryExists(jail.Path))
                    removal.Steps.Add(new CommandStep($"Remove the mount point {jail.Path}", FileTools.RemoveDirectory(jail.Path), FileTools.MakeDirectory(jail.Path)));
                if (Host.DirectoryExists(skel!))
                {
                    removal.Steps.Add(new CommandStep($"Clear the file flags of {skel}", FileTools.ClearFlagsTree(skel!)));
                    removal.Steps.Add(new CommandStep($"Delete {skel}", FileTools.RemoveTree(skel!)) { Irreversible = true });
                }
                break;
            case "thick" or "empty":
                if (Host.DirectoryExists(jail.Path))
                {
                    removal.Steps.Add(new CommandStep($"Clear the file flags of {jail.Path}", FileTools.ClearFlagsTree(jail.Path)));
                    removal.Steps.Add(new CommandStep($"Delete {jail.Path}", FileTools.RemoveTree(jail.Path)) { Irreversible = true });
                }
                break;
        }
        return removal;
    }

    /// <summary>A thick jail is patched in place; a NullFS thin jail shares its template's read-only base, so it is refused.</summary>
    public JailRootUpdate PrepareRootUpdate(Jail jail, bool force)
    {
        var meta = _svc.ConfigMetadata(jail);
        if (meta.GetValueOrDefault("kind") == "thin")
            throw new PlanPreconditionException("NotSupportedWithoutZfs",
                $"Jail '{jail.Name}' runs from the read-only base of template '{meta.GetValueOrDefault("template")}', shared with other jails: " +
                "patch that base (freebsd-update -b BASE) while no jail uses it, or create a template from the patched release and recreate the jail.",
                jail.Name, PlanErrorKind.InvalidOperation);
        if (meta.ContainsKey("uuid") && meta.GetValueOrDefault("storage") == Name && jail.Path != JailPath(jail.Name))
            throw new PlanPreconditionException("JailRootNotOwned",
                $"The path of jail '{jail.Name}' is {jail.Path}, not {JailPath(jail.Name)} where JailsModule made it (its config's metadata says it did); Update-Jail changes nothing.",
                jail.Path, PlanErrorKind.SecurityError);
        return new JailRootUpdate("file", jail.Path);
    }
}
