using JailsModule.Plans;

namespace JailsModule.Provisioning.Userland;

/// <summary>
/// Where a jail's userland comes from: which files are fetched and verified, how they are extracted
/// into a root, how a root is patched, and which release or version a root then reports. The storage
/// (<see cref="Storage.IJailStorage"/>) decides where the root lives; the userland source fills it.
/// Every member only reads the host or adds plan steps; nothing runs outside a plan.
/// <para>
/// Implemented today by <see cref="FreebsdReleaseSets"/>: the release's distribution sets (base.txz,
/// lib32.txz...) fetched from a mirror with its MANIFEST, verified by SHA-256, extracted with tar and
/// patched with freebsd-update -b.
/// </para>
/// <para>
/// Shaped for two more, not implemented yet:
/// <list type="bullet">
/// <item><b>Debian through debootstrap</b> (Linux jails, linux64.ko): <see cref="RequireSaved"/> names a
/// cached tarball made by <c>debootstrap --make-tarball</c> (suite such as bookworm, the mirror and the
/// architecture as the "release"; sets would be the variant and extra packages), verified by the
/// Release file's signature; <see cref="AddExtractSteps"/> runs <c>debootstrap --unpack-tarball FILE
/// SUITE ROOT MIRROR</c> (and the second stage inside the jail); <see cref="PatchStep"/> is
/// <c>apt-get update</c> and <c>apt-get upgrade</c> run in the tree through chroot, and
/// <see cref="PatchJailStep"/> the same through jexec in a running jail (no undo: irreversible steps); <see cref="ReadVersion"/> reads ROOT/etc/debian_version.</item>
/// <item><b>FreeBSD 15 pkgbase</b>: <see cref="RequireSaved"/> names the pkg repository configuration
/// (FreeBSD-base, with its fingerprints) instead of .txz files, verified by pkg's signature checks;
/// <see cref="AddExtractSteps"/> runs <c>pkg -r ROOT install FreeBSD-set-base</c> (sets map to the
/// FreeBSD-set-* meta packages); <see cref="PatchStep"/> is <c>pkg -r ROOT upgrade</c>, whose undo is a
/// ZFS snapshot rollback taken by the storage rather than freebsd-update rollback;
/// <see cref="ReadVersion"/> stays ROOT/bin/freebsd-version (reference §18).</item>
/// </list>
/// </para>
/// </summary>
public interface IUserlandSource
{
    /// <summary>A short name for the kind of userland ("freebsd-sets").</summary>
    string Kind { get; }

    /// <summary>
    /// The saved files a root of <paramref name="release"/> with <paramref name="sets"/> is made from, in
    /// the order they are extracted; throws <see cref="PlanPreconditionException"/> ReleaseNotSaved
    /// (naming the command that saves them, with the sets when <paramref name="nameSets"/>) when one is missing.
    /// </summary>
    IReadOnlyList<string> RequireSaved(string release, IReadOnlyList<string> sets, bool nameSets = false);

    /// <summary>Adds the steps that extract <paramref name="files"/> into the existing folder <paramref name="root"/> and give it the host's resolver and time zone.</summary>
    void AddExtractSteps(Plan plan, IReadOnlyList<string> files, string root);

    /// <summary>A step that patches the stopped tree at <paramref name="root"/> (now at <paramref name="currentRelease"/>) in place, undone by rolling the patch back.</summary>
    PlanStep PatchStep(string root, string currentRelease);

    /// <summary>
    /// Update-Jail's step for a jail whose root is patched in place: from the host into the running
    /// jail (<paramref name="running"/>), else into its stopped tree at <paramref name="root"/>, now at
    /// <paramref name="currentVersion"/> (<see cref="ReadVersion"/>; FreebsdVersionUnreadable when
    /// null and it is needed). Undone by rolling the patch back.
    /// </summary>
    PlanStep PatchJailStep(string jail, string root, bool running, string? currentVersion);

    /// <summary>The version the tree at <paramref name="root"/> reports (14.3-RELEASE-p2), read without running anything in it; null when unknown.</summary>
    string? ReadVersion(string root);
}
