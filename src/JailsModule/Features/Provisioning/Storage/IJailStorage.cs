using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Provisioning.Storage;

/// <summary>
/// Where templates and jail roots live and how the module proves they are its own. Chosen once per
/// <see cref="ProvisioningService"/> (<see cref="ProvisioningService.Storage"/>): <see cref="ZfsStorage"/>
/// when the host has a ZFS pool, <see cref="NullfsUfsStorage"/> (the Handbook's NullFS thin jails in
/// plain folders) when it has none. The provisioning service plans through this interface and never
/// asks which one it has; the userland that fills a root comes from
/// <see cref="Userland.IUserlandSource"/>. Every member reads the host as it is now (each plan is built
/// under the host lock, so nothing is cached across plans) and throws
/// <see cref="PlanPreconditionException"/> before any step when the host's state says no.
/// </summary>
public interface IJailStorage
{
    /// <summary>What <see cref="JailTemplate.Storage"/> says: zfs or ufs.</summary>
    string Name { get; }

    /// <summary>Where the templates are, for messages ("under zroot/jails/templates").</summary>
    string TemplatePlace { get; }

    /// <summary>
    /// The templates (only the one named <paramref name="only"/> when given). Each one's PatchLevel
    /// costs a file read: a storage may leave it null when <paramref name="patchLevel"/> is false.
    /// </summary>
    IReadOnlyList<JailTemplate> ListTemplates(string? only = null, bool patchLevel = true);

    /// <summary>New-JailTemplate: make the template's root, fill it from the userland, record its metadata and make it ready to be cloned or mounted (a snapshot, a skeleton).</summary>
    Plan PlanNewTemplate(string name, string release, IReadOnlyList<string> sets, bool update);

    /// <summary>Update-JailTemplate: patch the template and keep the new level for new jails (a new snapshot), or refuse.</summary>
    Plan PlanUpdateTemplate(string name);

    /// <summary>Remove-JailTemplate: only a template the module made and no jail uses.</summary>
    Plan PlanRemoveTemplate(string name);

    /// <summary>
    /// New-Jail's root: checks that it can be made (name, -Dataset, template), then a plan with the
    /// steps making it (clone, copy, extract...) and what the jail's config must say about it. The
    /// caller adds the config file and the start.
    /// </summary>
    JailRoot PlanJailRoot(NewJailRequest request);

    /// <summary>Remove-Jail's part of the root: whether it is the module's to delete (recorded metadata checked) and the steps that delete it.</summary>
    JailRootRemoval PlanRootRemoval(Jail jail, bool keepRoot);

    /// <summary>Update-Jail: what the plan locks, and whether the root is replaced (a thin clone re-cloned) rather than patched in place.</summary>
    JailRootUpdate PrepareRootUpdate(Jail jail, bool force);
}

/// <summary>A new jail's root as <see cref="IJailStorage.PlanJailRoot"/> plans it.</summary>
public sealed class JailRoot
{
    public JailRoot(Plan plan, string path) { Plan = plan; Path = path; }

    /// <summary>The plan so far: its description and locks, and the steps that make the root.</summary>
    public Plan Plan { get; }

    /// <summary>The jail's path.</summary>
    public string Path { get; }

    /// <summary>Parameters the jail's config needs for this root (mount lines of a nullfs thin jail) before the caller's own.</summary>
    public List<KeyValuePair<string, IReadOnlyList<string>?>> Parameters { get; } = new();

    /// <summary>The "# jailsmodule:" comments of the jail's config (uuid, kind, template...).</summary>
    public List<KeyValuePair<string, string>> Metadata { get; } = new();
}

/// <summary>What <see cref="IJailStorage.PlanRootRemoval"/> found: what is deleted, and how.</summary>
public sealed class JailRootRemoval
{
    /// <summary>Appended to the plan's description (" and destroy zroot/jails/containers/web").</summary>
    public string Description { get; init; } = "";

    /// <summary>Resources the plan locks besides the jail and its config file.</summary>
    public List<(string Kind, string Name)> Locks { get; } = new();

    /// <summary>What may be mounted at the jail's path itself (its own dataset); null when nothing may.</summary>
    public string? RootSpecial { get; init; }

    /// <summary>Further paths under which nothing may be mounted (a skeleton copy, a kept root), each with what may be mounted at it.</summary>
    public List<(string Path, string? Special)> MountChecks { get; } = new();

    /// <summary>The steps that delete the root, run after the jail left its config.</summary>
    public List<PlanStep> Steps { get; } = new();
}

/// <summary>What <see cref="IJailStorage.PrepareRootUpdate"/> decided.</summary>
public sealed class JailRootUpdate
{
    public JailRootUpdate(string lockKind, string lockName) { LockKind = lockKind; LockName = lockName; }

    public string LockKind { get; }
    public string LockName { get; }

    /// <summary>
    /// Null: the root is patched in place (freebsd-update). Else it adds the steps that replace the
    /// root and the given check of the new tree's version (it may still refuse: the jail is up to date).
    /// </summary>
    public Action<Plan, PlanStep>? ReplaceRoot { get; init; }
}
