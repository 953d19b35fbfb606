using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Provisioning.Storage;
using JailsModule.Provisioning.Userland;
using JailsModule.Tools;

// The namespace stays where the cmdlets and tests look for the service; the folder says what it is.
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
/// step when an input or the host's state says no. Where roots live is the <see cref="Storage"/>'s
/// business (ZFS datasets or nullfs folders), what fills them the <see cref="Userland"/>'s (FreeBSD
/// release sets); this class holds what every jail shares (names, config files, stop and start, the
/// mount check) and plans through those two without asking which ones it has.
/// </summary>
public sealed class ProvisioningService
{
    public const string ConfigDirectory = "/etc/jail.conf.d";
    public const string BaseSnapshot = "base";

    public ProvisioningService(IJailHost host, JailModuleSettings settings, CancellationToken ct, Action<ProcessRequest>? onCommand)
    {
        Host = host;
        Settings = settings;
        Ct = ct;
        OnCommand = onCommand;
        Runner = new CommandRunner(host, ct, onCommand);
        Releases = new FreebsdReleaseSets(host, settings);
    }

    public IJailHost Host { get; }
    public JailModuleSettings Settings { get; }
    public CancellationToken Ct { get; }
    public Action<ProcessRequest>? OnCommand { get; }

    /// <summary>Runs the service's reads, echoed through <see cref="OnCommand"/>.</summary>
    public CommandRunner Runner { get; }

    /// <summary>Problems that do not stop the plan (a config file elsewhere that does not parse).</summary>
    public Action<string>? OnWarning { get; init; }

    /// <summary>The session's parsed jail.conf files (<see cref="Session.JailSession.ConfFiles"/>).</summary>
    public ConfFileCache ConfFiles { get; init; } = new();

    /// <summary>FreeBSD's release sets: Save-JailRelease's media and what templates and thick jails are made from.</summary>
    public FreebsdReleaseSets Releases { get; }

    /// <summary>Where userlands come from.</summary>
    public IUserlandSource Userland => Releases;

    private IJailStorage? _storage;

    /// <summary>
    /// The host's storage, decided on first use from one zfs list: datasets (a pool) mean
    /// <see cref="ZfsStorage"/>; none, or no zfs(8) at all, mean <see cref="NullfsUfsStorage"/>. That
    /// listing is the one the first plan then uses, so the decision costs no extra command.
    /// </summary>
    public IJailStorage Storage
    {
        get
        {
            if (_storage != null) return _storage;
            var zfs = ReadZfs();
            return _storage = zfs.Entries.Count == 0 ? new NullfsUfsStorage(this) : new ZfsStorage(this, zfs);
        }
    }

    /// <summary>The jail list; files that do not parse are reported, since jails defined there cannot be seen.</summary>
    private JailInventory ReadJails()
    {
        var inv = JailInventory.Read(Host, Ct, OnCommand, ConfFiles);
        foreach (var e in inv.ConfigErrors)
            OnWarning?.Invoke($"jail: {e.Message} (jails defined in that file are not seen)");
        return inv;
    }

    /// <summary>
    /// The pool's datasets; empty on a host without zfs(8) and without ZFS. A host whose mount table
    /// shows ZFS file systems but has no zfs(8) is broken, not UFS: ZfsToolMissing, no fallback to
    /// the folder storage (which would make jails beside the pool's datasets).
    /// </summary>
    public ZfsListing ReadZfs()
    {
        try { return ZfsTool.ParseList(Runner.Run(ZfsTool.ListAll()).StandardOutput); }
        catch (ToolNotFoundException missing)
        {
            List<MountEntry> mounts;
            try { mounts = MountTool.ParseTable(Runner.Run(MountTool.Table()).StandardOutput); }
            catch (Exception e) when (e is ToolNotFoundException or NativeCommandException) { mounts = new(); }
            var zfsMounts = mounts.Where(m => m.FsType == "zfs").Select(m => $"{m.Special} on {m.Node}").ToList();
            if (zfsMounts.Count > 0)
                throw new PlanPreconditionException("ZfsToolMissing",
                    $"{missing.Tool} is missing on {Host.ComputerName}, but ZFS file systems are mounted ({string.Join(", ", zfsMounts.Take(3))}{(zfsMounts.Count > 3 ? ", ..." : "")}). " +
                    "JailsModule does not fall back to plain folders on a ZFS host; restore zfs(8) (freebsd-update IDS, or reinstall the base system) and try again.",
                    missing.Tool, PlanErrorKind.NotInstalled);
            return new ZfsListing(Array.Empty<ZfsEntry>());
        }
    }

    public static string ConfigFile(string name) => $"{ConfigDirectory}/{name}.conf";

    // ------------------------------------------------------------------ releases

    /// <summary>Distribution folder name on the mirror: amd64/amd64, arm64/aarch64, arm/armv7...</summary>
    public static string MirrorArch(string arch) => FreebsdReleaseSets.MirrorArch(arch);

    public string MediaFile(string release, string? foreignArch, string set) => Releases.MediaFile(release, foreignArch, set);

    public string ManifestFile(string release, string? foreignArch) => Releases.ManifestFile(release, foreignArch);

    /// <summary>uname -m of the host.</summary>
    /// <summary>The host's hw.machine and hw.machine_arch (uname -m -p): the mirror folder is MACHINE/MACHINE_ARCH.</summary>
    public (string Machine, string Arch) HostPlatform()
    {
        var req = UnameTool.MachineAndArch();
        var res = Runner.Run(req);
        return UnameTool.ParseMachineAndArch(res.StandardOutput)
               ?? throw new PlanPreconditionException("UnameFailed", $"'{req.DisplayText}' printed '{res.StandardOutput.Trim()}', not a machine and an architecture.", null, PlanErrorKind.InvalidData);
    }

    /// <summary>The host's architecture as release names use it (uname -p: amd64, aarch64, armv7...).</summary>
    public string HostArch() => HostPlatform().Arch;

    public Plan PlanSaveRelease(string release, string arch, string? foreignArch, string mirror, IReadOnlyList<string> sets, bool force, JailRelease result, string? mirrorFolder = null)
        => Releases.PlanSave(release, arch, foreignArch, mirror, sets, force, result, mirrorFolder);

    // ------------------------------------------------------------------ templates

    public string TemplateDataset(string name) => Settings.TemplateRoot + "/" + name;

    /// <summary>
    /// The templates (only the one named <paramref name="only"/> when given). Each one's PatchLevel
    /// costs a file read (its /bin/freebsd-version): left null when <paramref name="patchLevel"/> is false.
    /// </summary>
    public IReadOnlyList<JailTemplate> GetTemplates(string? only = null, bool patchLevel = true) => Storage.ListTemplates(only, patchLevel);

    /// <summary>The sets recorded on a template (org.jailsmodule:sets or its sets= comment); base when none was recorded.</summary>
    internal static string[] ParseSets(string? recorded)
    {
        var sets = (recorded ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => ProvisionValidation.DistributionSet(s) is null).Distinct(StringComparer.Ordinal).ToArray();
        return sets.Length == 0 ? new[] { "base" } : sets;
    }

    /// <summary>The version a tree reports (what freebsd-version -u prints there).</summary>
    public string? ReadUserland(string root) => Userland.ReadVersion(root);

    public JailTemplate FindTemplate(string name, bool patchLevel = true)
        => Storage.ListTemplates(name, patchLevel).FirstOrDefault(t => t.Name == name) ?? throw TemplateNotFound(name);

    /// <summary>TemplateNotFound, naming where the storage keeps templates.</summary>
    internal PlanPreconditionException TemplateNotFound(string? name)
        => new("TemplateNotFound",
            $"There is no template '{name}' {Storage.TemplatePlace} on {Host.ComputerName}. Create it with 'New-JailTemplate -Release ...'.",
            name, PlanErrorKind.ObjectNotFound);

    public Plan PlanNewTemplate(string name, string release, IReadOnlyList<string> sets, bool update) => Storage.PlanNewTemplate(name, release, sets, update);

    public Plan PlanUpdateTemplate(string name) => Storage.PlanUpdateTemplate(name);

    public Plan PlanRemoveTemplate(string name) => Storage.PlanRemoveTemplate(name);

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
            : ConfFiles.Load(Host, file, new HostConfSource(Host));
        var cj = r.Success ? r.Jails.FirstOrDefault(j => j.Name == name) : null;
        return cj is null ? null : JailInventory.FromConfig(Host.ComputerName, cj, file);
    }

    public static IEnumerable<string> NewJailResources(string name, string dataset)
        => new[] { "jail:" + name, "dataset:" + dataset };

    /// <summary>
    /// New-Jail: the name must be free (no jail running or configured by it, no file of its name),
    /// then the storage plans the root, then the config file is written (with the root's mount lines
    /// and metadata) and, with -Start, the jail is started. The jail list (jls and the configuration
    /// scan) and the storage's listing are read one after the other: a second thread saved no wall
    /// time in process and competed for the cores out of process (bench/NewJail.Bench.ps1).
    /// </summary>
    public Plan PlanNewJail(NewJailRequest r)
    {
        var ds = JailDataset(r);
        if (!ProvisionValidation.IsUnder(ds, Settings.JailRoot))
            throw new PlanPreconditionException("DatasetOutsideRoot", $"The dataset '{ds}' is not below the jail root '{Settings.JailRoot}' (Set-JailModuleSetting -JailRoot).", ds);
        var conf = ConfigFile(r.Name);
        var inv = ReadJails();
        var storage = Storage;
        var taken = inv.Find(r.Name);
        if (taken != null)
            throw new PlanPreconditionException("JailNameTaken",
                $"A jail named '{r.Name}' already exists on {Host.ComputerName} ({(taken.ConfigPath ?? "running, no config file")}).", r.Name, PlanErrorKind.ResourceExists);
        if (Host.FileExists(conf))
            throw new PlanPreconditionException("JailNameTaken", $"{conf} already exists.", r.Name, PlanErrorKind.ResourceExists);
        var root = storage.PlanJailRoot(r);
        var extra = new List<KeyValuePair<string, IReadOnlyList<string>?>>(root.Parameters);
        extra.AddRange(r.Parameters);
        AddConfigSteps(root.Plan, r, conf, root.Path, extra, root.Metadata);
        return root.Plan;
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

    /// <summary>A template's sets extracted into a new thick jail's root, patched to the template's level when it was patched.</summary>
    internal void AddThickRootSteps(Plan plan, JailTemplate t, string path)
    {
        var files = Userland.RequireSaved(t.Release, t.DistributionSet, nameSets: true); // the template's own sets
        Userland.AddExtractSteps(plan, files, path);
        if (t.PatchLevel != null && t.PatchLevel != t.Release) plan.Add(Userland.PatchStep(path, t.Release));
    }

    /// <summary>The "# jailsmodule:" comments of a jail's config file; empty without one.</summary>
    internal Dictionary<string, string> ConfigMetadata(Jail jail)
        => jail.ConfigPath != null && Host.FileExists(jail.ConfigPath)
            ? JailConfigBuilder.ReadMetadata(Host.ReadRegularFile(jail.ConfigPath, JailsModule.Host.BoundedFile.MaxConfigFileBytes)) : new Dictionary<string, string>();

    private static PlanPreconditionException NotFound(string name, IJailHost host)
        => new("JailNotFound", $"No jail named '{name}' is configured or running on {host.ComputerName}.", name, PlanErrorKind.ObjectNotFound);

    /// <summary>Refuses when anything but the jail's own dataset is mounted at or below its path (nullfs, devfs, tmpfs...).</summary>
    private static ActionStep MountCheckStep(string path, string? dataset)
    {
        var req = MountTool.Table();
        return new ActionStep($"Check that nothing is mounted under {path}", new[] { req.DisplayText }, ctx => CheckNothingMounted(ctx, path, dataset))
        {
            Check = "unmounted " + path + (dataset is null ? "" : " " + dataset),
        };
    }

    /// <summary>JailPathBusy when anything but <paramref name="allowed"/> is mounted at <paramref name="path"/> or below.</summary>
    internal static void CheckNothingMounted(PlanContext ctx, string path, string? allowed)
    {
        var busy = MountTool.ParseTable(ctx.Run(MountTool.Table()).StandardOutput)
            .Where(m => m.Node.StartsWith(path + "/", StringComparison.Ordinal) || (m.Node == path && m.Special != allowed))
            .Select(m => $"{m.Special} on {m.Node} ({m.FsType})").ToList();
        if (busy.Count > 0)
            throw new PlanPreconditionException("JailPathBusy",
                $"Something is still mounted under {path}: {string.Join("; ", busy)}. Unmount it first (the module never removes files through a mount).",
                path, PlanErrorKind.ResourceBusy);
    }

    /// <summary>Steps that take the jail out of its configuration: delete its own file, or edit the shared file.</summary>
    private PlanStep ConfigRemovalStep(Jail jail)
    {
        var file = jail.ConfigPath!;
        if (file == ConfigFile(jail.Name)) return new DeleteFileStep(file);
        var doc = Config.JailConfDocument.Parse(Host.ReadRegularFile(file, JailsModule.Host.BoundedFile.MaxConfigFileBytes), file);
        if (!doc.RemoveJail(jail.Name))
            throw new PlanPreconditionException("JailConfigNotEditable", $"Jail '{jail.Name}' is not a block of its own in {file}; remove it by hand.", jail.Name, PlanErrorKind.InvalidOperation);
        return new WriteFileStep(file, doc.ToString(), 0x1A4, $"Remove the block of '{jail.Name}' from {file}");
    }

    /// <summary>Stops a running jail; a jail made on the command line has no file to start it again from: its stop has no undo.</summary>
    private static CommandStep StopStep(Jail jail)
    {
        var stop = JailTool.Stop(jail.Name, jail.ConfigPath);
        return jail.ConfigPath is null
            ? new CommandStep($"Stop jail '{jail.Name}' (no config file: not restarted if a later step fails)", stop)
            : new CommandStep($"Stop jail '{jail.Name}'", stop, JailTool.Start(jail.Name, jail.ConfigPath));
    }

    /// <summary>
    /// Remove-Jail: stop it (-Force), check that nothing is mounted under its root, take it out of its
    /// config, then the storage deletes the root when it is provably the module's (-KeepDataset keeps it).
    /// </summary>
    public Plan PlanRemoveJail(string name, bool force, bool keepDataset)
    {
        var inv = ReadJails();
        var jail = inv.Find(name) ?? throw NotFound(name, Host);
        var running = jail.State == JailState.Running;
        if (running && !force)
            throw new PlanPreconditionException("JailRunning", $"Jail '{name}' is running (jid {jail.Jid}). Stop it first, or use -Force to stop it.", name, PlanErrorKind.ResourceBusy);
        var removal = Storage.PlanRootRemoval(jail, keepDataset);
        var plan = new Plan($"Remove jail '{name}'" + removal.Description).Lock("jail", name);
        if (jail.ConfigPath != null && jail.ConfigPath != ConfigFile(name)) plan.Lock("file", jail.ConfigPath);
        foreach (var (kind, res) in removal.Locks) plan.Lock(kind, res);
        if (running) plan.Add(StopStep(jail));
        if (jail.Path.Length > 1) plan.Add(MountCheckStep(jail.Path, removal.RootSpecial));
        foreach (var (path, special) in removal.MountChecks) plan.Add(MountCheckStep(path, special));
        if (jail.ConfigPath != null) plan.Add(ConfigRemovalStep(jail));
        foreach (var s in removal.Steps) plan.Add(s);
        return plan;
    }

    /// <summary>
    /// Update-Jail never patches what is not the jail's own root: the host (path "/" or none), a
    /// template's tree, or a path another configured jail also uses (an alias: whose root it is, is
    /// not this jail's to decide). Refused before anything runs.
    /// </summary>
    private void RefuseForeignRoot(JailInventory inv, Jail jail)
    {
        var path = jail.Path.TrimEnd('/');
        if (path.Length == 0 || jail.Path[0] != '/')
            throw new PlanPreconditionException("JailPathIsHost",
                $"Jail '{jail.Name}' has path '{(jail.Path.Length == 0 ? "(none)" : jail.Path)}': its root is the host's own file system, which Update-Jail never patches (run freebsd-update on the host yourself).",
                jail.Name, PlanErrorKind.InvalidOperation);
        var templates = Settings.TemplateMountpoint.TrimEnd('/');
        if (templates.Length > 0 && (path == templates || path.StartsWith(templates + "/", StringComparison.Ordinal)))
            throw new PlanPreconditionException("JailRootIsTemplate",
                $"The path of jail '{jail.Name}' ({jail.Path}) is in the templates' folder {templates}; Update-Jail never patches a template in place (use Update-JailTemplate).",
                jail.Name, PlanErrorKind.InvalidOperation);
        var others = inv.Jails.Where(j => j.Name != jail.Name && j.Path.TrimEnd('/') == path).Select(j => j.Name).Distinct().ToList();
        if (others.Count > 0)
            throw new PlanPreconditionException("JailRootNotOwned",
                $"The path of jail '{jail.Name}' ({jail.Path}) is also the path of {string.Join(", ", others.Select(o => $"'{o}'"))}; Update-Jail does not patch a root that is shared or another jail's.",
                jail.Name, PlanErrorKind.SecurityError);
    }

    /// <summary>
    /// Update-Jail. Patched in place (thick jails): freebsd-update, -j for a running jail, -b for a
    /// stopped one. Or the storage replaces the root (a ZFS thin jail is re-cloned from its template's
    /// newest snapshot). Both end by reading freebsd-version -u of the new tree.
    /// </summary>
    public Plan PlanUpdateJail(string name, bool force, Action<string>? onVersion)
    {
        var inv = ReadJails();
        var jail = inv.Find(name) ?? throw NotFound(name, Host);
        RefuseForeignRoot(inv, jail);
        var how = Storage.PrepareRootUpdate(jail, force);
        var plan = new Plan($"Update jail '{name}'").Lock("jail", name).Lock(how.LockKind, how.LockName);
        var before = ReadUserland(jail.Path);
        var verify = new ActionStep($"Check freebsd-version -u in {jail.Path}", new[] { $"{ToolPaths.FreebsdVersion} -u (in {jail.Path})" }, _ =>
        {
            var v = ReadUserland(jail.Path) ?? throw new PlanPreconditionException("FreebsdVersionUnreadable", $"{jail.Path}/bin/freebsd-version does not report a version.", name, PlanErrorKind.InvalidData);
            onVersion?.Invoke(v);
        }) { Check = "read-only" };
        if (how.ReplaceRoot != null)
        {
            how.ReplaceRoot(plan, verify);
            return plan;
        }
        plan.Add(Userland.PatchJailStep(name, jail.Path, jail.State == JailState.Running, before));
        plan.Add(verify);
        return plan;
    }
}
