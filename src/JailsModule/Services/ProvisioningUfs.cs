using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Tools;

namespace JailsModule.Services;

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
public sealed partial class ProvisioningService
{
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

    public const string UfsTemplateSuffix = ".jailsmodule";

    /// <summary>No ZFS on the host: zfs list gave no dataset at all (no pool), or zfs(8) is not installed.</summary>
    public static bool IsUfs(ZfsListing zfs) => zfs.Entries.Count == 0;

    public string UfsTemplateBase(string name) => $"{Settings.TemplateMountpoint}/{name}-base";
    public string UfsTemplateSkeleton(string name) => $"{Settings.TemplateMountpoint}/{name}-skeleton";
    public string UfsTemplateFile(string name) => $"{Settings.TemplateMountpoint}/{name}{UfsTemplateSuffix}";
    public string UfsJailPath(string name) => $"{Settings.JailMountpoint}/{name}";
    public string UfsJailSkeleton(string name) => $"{Settings.JailMountpoint}/{name}.skeleton";

    private static ProcessRequest Cmd(string tool, params string[] argv) => new(tool, argv);

    /// <summary>rm -rf -x: never crosses into another file system (a nullfs base stays untouched).</summary>
    public static ProcessRequest RemoveTree(params string[] paths) => Cmd(ToolPaths.Rm, new[] { "-rf", "-x" }.Concat(paths).ToArray());

    /// <summary>The nullfs lines (fstab(5) format) a thin jail's config mounts, base first.</summary>
    public static string[] NullfsLines(string templateBase, string skeletonCopy, string path)
        => new[] { $"{templateBase} {path} nullfs ro 0 0", $"{skeletonCopy} {path}/skeleton nullfs rw 0 0" };

    private void AddParentStep(Plan plan, string dir)
    {
        if (!Host.DirectoryExists(dir)) plan.Add(new CreateDirectoryStep(dir));
    }

    /// <summary>Names of the jails whose config files say they were made from <paramref name="template"/>.</summary>
    private string[] UfsJailsOf(string template)
        => Host.ListDirectory(ConfigDirectory, "*.conf")
            .Where(f => JailConfigBuilder.ReadMetadata(Host.ReadAllText(f)).TryGetValue("template", out var t) && t == template)
            .Select(f => f[(f.LastIndexOf('/') + 1)..^".conf".Length]).ToArray();

    private IReadOnlyList<JailTemplate> GetUfsTemplates()
    {
        var list = new List<JailTemplate>();
        foreach (var f in Host.ListDirectory(Settings.TemplateMountpoint, "*" + UfsTemplateSuffix))
        {
            var meta = JailConfigBuilder.ReadMetadata(Host.ReadAllText(f));
            if (!meta.TryGetValue("kind", out var kind) || kind != "template") continue;
            var name = f[(f.LastIndexOf('/') + 1)..^UfsTemplateSuffix.Length];
            var t = new JailTemplate
            {
                Name = name,
                Release = meta.GetValueOrDefault("release") ?? "",
                DistributionSet = ParseSets(meta.GetValueOrDefault("sets")),
                Path = UfsTemplateBase(name),
                Skeleton = UfsTemplateSkeleton(name),
                Clones = UfsJailsOf(name),
                Uuid = meta.GetValueOrDefault("uuid"),
                Storage = "ufs",
                ComputerName = Host.ComputerName,
            };
            t.PatchLevel = ReadUserland(t.Path);
            list.Add(t);
        }
        return list;
    }

    /// <summary>New-JailTemplate without ZFS: extract into NAME-base, move the writable parts to NAME-skeleton, link them back.</summary>
    private Plan PlanNewTemplateUfs(string name, string release, IReadOnlyList<string> sets, IReadOnlyList<string> files, bool update)
    {
        var b = UfsTemplateBase(name);
        var s = UfsTemplateSkeleton(name);
        var meta = UfsTemplateFile(name);
        foreach (var p in new[] { b, s, meta })
            if (Host.FileExists(p) || Host.DirectoryExists(p))
                throw new PlanPreconditionException("TemplateExists", $"'{p}' already exists; choose another -Name or remove it first.", p, PlanErrorKind.ResourceExists);
        var plan = new Plan($"Create template '{name}' ({release}) in {b} and {s}").Lock("template", name).Lock("file", b).Lock("file", s);
        AddParentStep(plan, Settings.TemplateMountpoint);
        plan.Add(new CommandStep($"Create {b}", Cmd(ToolPaths.Mkdir, b), RemoveTree(b)));
        AddPopulateSteps(plan, files, b);
        if (update) plan.Add(UpdateStep(b, release));
        plan.Add(new CommandStep($"Create {s}", Cmd(ToolPaths.Mkdir, "-p", s + "/usr", s + "/home"), RemoveTree(s)));
        foreach (var (dir, _) in SkeletonParts.Where(p => p.Dir != "home"))
            plan.Add(new CommandStep($"Move {dir} to the skeleton", Cmd(ToolPaths.Mv, $"{b}/{dir}", $"{s}/{dir}"), Cmd(ToolPaths.Mv, $"{s}/{dir}", $"{b}/{dir}")));
        plan.Add(new CommandStep($"Create the mount point {b}/skeleton", Cmd(ToolPaths.Mkdir, b + "/skeleton"), Cmd(ToolPaths.Rmdir, b + "/skeleton")));
        foreach (var (dir, link) in SkeletonParts)
            plan.Add(new CommandStep($"Link {dir} to the skeleton", Cmd(ToolPaths.Ln, "-s", link, $"{b}/{dir}"), Cmd(ToolPaths.Rm, "-f", $"{b}/{dir}")));
        var text = $"{JailConfigBuilder.MetadataPrefix} kind=template\n{JailConfigBuilder.MetadataPrefix} release={release}\n{JailConfigBuilder.MetadataPrefix} uuid={Guid.NewGuid()}\n"
                   + $"{JailConfigBuilder.MetadataPrefix} sets={string.Join(',', sets)}\n"
                   + $"{JailConfigBuilder.MetadataPrefix} base={b}\n{JailConfigBuilder.MetadataPrefix} skeleton={s}\n";
        plan.Add(new WriteFileStep(meta, "# JailsModule template (NullFS thin jails: base mounted read-only, skeleton copied per jail)\n" + text, 0x1A4, $"Write {meta}"));
        return plan;
    }

    private Plan PlanRemoveTemplateUfs(JailTemplate t)
    {
        if (t.Clones.Length > 0)
            throw new PlanPreconditionException("TemplateHasClones",
                $"Template '{t.Name}' is still used by: {string.Join(", ", t.Clones)}. Remove those jails (Remove-Jail) first.", t.Name, PlanErrorKind.InvalidOperation);
        var busy = MediaCommand.ParseMountTable(Read(MediaCommand.MountTable()).StandardOutput)
            .Where(m => m.Special == t.Path || m.Special.StartsWith(t.Path + "/", StringComparison.Ordinal) || m.Node == t.Path || m.Node.StartsWith(t.Path + "/", StringComparison.Ordinal)).ToList();
        if (busy.Count > 0)
            throw new PlanPreconditionException("TemplateBusy", $"Template '{t.Name}' is mounted: {string.Join("; ", busy.Select(m => $"{m.Special} on {m.Node}"))}.", t.Name, PlanErrorKind.ResourceBusy);
        var plan = new Plan($"Remove template '{t.Name}' ({t.Path}, {t.Skeleton})").Lock("template", t.Name).Lock("file", t.Path).Lock("file", t.Skeleton!);
        plan.Add(new DeleteFileStep(UfsTemplateFile(t.Name)));
        plan.Add(new CommandStep($"Delete {t.Path} and {t.Skeleton}", RemoveTree(t.Skeleton!, t.Path)) { Irreversible = true });
        return plan;
    }

    /// <summary>New-Jail without ZFS. Thin: cp -a of the template's skeleton, an empty mount point, the nullfs mount lines.</summary>
    private Plan PlanNewJailUfs(NewJailRequest r, string conf)
    {
        if (r.Dataset != null)
            throw new PlanPreconditionException("DatasetNotSupported", $"'{Host.ComputerName}' has no ZFS pool, so -Dataset '{r.Dataset}' cannot be used; jails are folders under {Settings.JailMountpoint}.", r.Dataset);
        var path = UfsJailPath(r.Name);
        var skel = UfsJailSkeleton(r.Name);
        foreach (var p in r.Kind == JailStorageKind.Thin ? new[] { path, skel } : new[] { path })
            if (Host.DirectoryExists(p) || Host.FileExists(p))
                throw new PlanPreconditionException("JailPathExists", $"'{p}' already exists; remove it or choose another -Name.", p, PlanErrorKind.ResourceExists);
        JailTemplate? t = null;
        if (r.Kind != JailStorageKind.Empty)
            t = GetUfsTemplates().FirstOrDefault(x => x.Name == (r.Template ?? throw new PlanPreconditionException("TemplateRequired", "A thin or thick jail needs -Template (or use -Empty).", r.Name)))
                ?? throw new PlanPreconditionException("TemplateNotFound",
                    $"There is no template '{r.Template}' in {Settings.TemplateMountpoint} on {Host.ComputerName}. Create it with 'New-JailTemplate -Release ...'.", r.Template, PlanErrorKind.ObjectNotFound);
        var kind = r.Kind.ToString().ToLowerInvariant();
        var meta = new List<KeyValuePair<string, string>> { KeyValuePair.Create("uuid", Guid.NewGuid().ToString()), KeyValuePair.Create("kind", kind) };
        if (t != null) meta.Add(KeyValuePair.Create("template", t.Name));
        meta.Add(KeyValuePair.Create("storage", "ufs"));
        var extra = new List<KeyValuePair<string, IReadOnlyList<string>?>>(r.Parameters);

        var plan = new Plan($"Create {kind} jail '{r.Name}' in {path}" + (t is null ? "" : $" from template '{t.Name}'")).Lock("jail", r.Name).Lock("file", path);
        AddParentStep(plan, Settings.JailMountpoint);
        switch (r.Kind)
        {
            case JailStorageKind.Thin:
                if (!Host.DirectoryExists(t!.Skeleton!) || !Host.DirectoryExists(t.Path + "/skeleton"))
                    throw new PlanPreconditionException("TemplateIncomplete", $"Template '{t.Name}' has no {t.Skeleton} or no {t.Path}/skeleton mount point.", t.Name, PlanErrorKind.InvalidData);
                meta.Add(KeyValuePair.Create("skeleton", skel));
                plan.Lock("file", skel);
                plan.Add(new CommandStep($"Copy the skeleton of '{t.Name}' to {skel}", Cmd(ToolPaths.Cp, "-a", t.Skeleton!, skel), RemoveTree(skel)) { LongRunning = true });
                plan.Add(new CommandStep($"Create the mount point {path}", Cmd(ToolPaths.Mkdir, path), Cmd(ToolPaths.Rmdir, path)));
                extra.Insert(0, KeyValuePair.Create<string, IReadOnlyList<string>?>("mount", NullfsLines(t.Path, skel, path)));
                break;
            case JailStorageKind.Thick:
                var files = t!.DistributionSet.Select(s => MediaFile(t.Release, null, s)).ToArray();
                foreach (var f in files)
                    if (!Host.FileExists(f))
                        throw new PlanPreconditionException("ReleaseNotSaved", $"{f} does not exist. Run 'Save-JailRelease -Release {t!.Release} -DistributionSet {string.Join(',', t.DistributionSet)}' first.", f, PlanErrorKind.ObjectNotFound);
                plan.Add(new CommandStep($"Create {path}", Cmd(ToolPaths.Mkdir, path), RemoveTree(path)));
                AddPopulateSteps(plan, files, path);
                if (t.PatchLevel != null && t.PatchLevel != t.Release) plan.Add(UpdateStep(path, t.Release));
                break;
            case JailStorageKind.Empty:
                plan.Add(new CommandStep($"Create {path}", Cmd(ToolPaths.Mkdir, path), Cmd(ToolPaths.Rmdir, path)));
                break;
        }
        AddConfigSteps(plan, r, conf, path, extra, meta);
        return plan;
    }

    /// <summary>New-Jail's last steps: write /etc/jail.conf.d/NAME.conf (with the metadata comments), and -Start.</summary>
    private static void AddConfigSteps(Plan plan, NewJailRequest r, string conf, string path,
        IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>?>> extra, IReadOnlyList<KeyValuePair<string, string>> meta)
    {
        var text = JailConfigBuilder.Render(conf, new NewJailConfig
        {
            Name = r.Name,
            HostName = r.HostName ?? r.Name,
            Path = path,
            IPv4 = r.IPv4,
            IPv6 = r.IPv6,
            Interface = r.Interface,
            Extra = extra,
            Metadata = meta,
        });
        plan.Add(new WriteFileStep(conf, text, 0x1A4, $"Write {conf}"));
        if (r.Start)
            plan.Add(new CommandStep($"Start jail '{r.Name}'", JailTool.Start(r.Name, conf), JailTool.Stop(r.Name, conf)));
    }

    /// <summary>
    /// Remove-Jail without ZFS: what the module created is read from the config's "# jailsmodule:"
    /// comment (kind, skeleton); the mount point goes with rmdir (never through a mount), the skeleton
    /// copy or a thick tree with rm -rf -x (never crossing into another file system), last.
    /// </summary>
    private Plan PlanRemoveJailUfs(Jail jail, bool keepFiles)
    {
        var name = jail.Name;
        var meta = jail.ConfigPath != null && Host.FileExists(jail.ConfigPath)
            ? JailConfigBuilder.ReadMetadata(Host.ReadAllText(jail.ConfigPath)) : new Dictionary<string, string>();
        var kind = !keepFiles && meta.ContainsKey("uuid") && meta.GetValueOrDefault("storage") == "ufs" ? meta.GetValueOrDefault("kind") : null;
        if (kind != null && jail.Path != UfsJailPath(name))
            throw new PlanPreconditionException("JailPathOutsideRoot",
                $"The path of jail '{name}' is {jail.Path}, not {UfsJailPath(name)} where JailsModule made it; nothing is deleted. Use -KeepDataset to remove only the configuration.", jail.Path);
        string? skel = kind == "thin" ? meta.GetValueOrDefault("skeleton") : null;
        if (kind == "thin" && skel != UfsJailSkeleton(name))
            throw new PlanPreconditionException("JailPathOutsideRoot",
                $"The skeleton of jail '{name}' is recorded as '{skel ?? "-"}', not {UfsJailSkeleton(name)}; nothing is deleted. Use -KeepDataset to remove only the configuration.", name);
        var plan = new Plan($"Remove jail '{name}'" + (kind is null ? "" : $" and delete {jail.Path}" + (skel is null ? "" : $" and {skel}"))).Lock("jail", name);
        if (jail.ConfigPath != null && jail.ConfigPath != ConfigFile(name)) plan.Lock("file", jail.ConfigPath);
        if (kind != null) plan.Lock("file", jail.Path);
        if (skel != null) plan.Lock("file", skel);
        if (jail.State == JailState.Running) plan.Add(StopStep(jail));
        if (jail.Path.Length > 1) plan.Add(MountCheckStep(jail.Path, null));
        if (skel != null) plan.Add(MountCheckStep(skel, null));
        if (jail.ConfigPath != null) plan.Add(ConfigRemovalStep(jail));
        switch (kind)
        {
            case "thin":
                if (Host.DirectoryExists(jail.Path))
                    plan.Add(new CommandStep($"Remove the mount point {jail.Path}", Cmd(ToolPaths.Rmdir, jail.Path), Cmd(ToolPaths.Mkdir, jail.Path)));
                if (Host.DirectoryExists(skel!)) plan.Add(new CommandStep($"Delete {skel}", RemoveTree(skel!)) { Irreversible = true });
                break;
            case "thick" or "empty":
                if (Host.DirectoryExists(jail.Path)) plan.Add(new CommandStep($"Delete {jail.Path}", RemoveTree(jail.Path)) { Irreversible = true });
                break;
        }
        return plan;
    }

    /// <summary>Update-Jail without ZFS: a thick jail is patched in place; a NullFS thin jail shares its template's read-only base.</summary>
    private void CheckUfsUpdatable(Jail jail)
    {
        var meta = jail.ConfigPath != null && Host.FileExists(jail.ConfigPath)
            ? JailConfigBuilder.ReadMetadata(Host.ReadAllText(jail.ConfigPath)) : new Dictionary<string, string>();
        if (meta.GetValueOrDefault("kind") == "thin")
            throw new PlanPreconditionException("NotSupportedWithoutZfs",
                $"Jail '{jail.Name}' runs from the read-only base of template '{meta.GetValueOrDefault("template")}', shared with other jails: " +
                "patch that base (freebsd-update -b BASE) while no jail uses it, or create a template from the patched release and recreate the jail.",
                jail.Name, PlanErrorKind.InvalidOperation);
    }

    /// <summary>Stops a running jail; a jail made on the command line has no file to start it again from: its stop has no undo.</summary>
    private static CommandStep StopStep(Jail jail)
    {
        var stop = JailTool.Stop(jail.Name, jail.ConfigPath);
        return jail.ConfigPath is null
            ? new CommandStep($"Stop jail '{jail.Name}' (no config file: not restarted if a later step fails)", stop)
            : new CommandStep($"Stop jail '{jail.Name}'", stop, JailTool.Start(jail.Name, jail.ConfigPath));
    }
}
