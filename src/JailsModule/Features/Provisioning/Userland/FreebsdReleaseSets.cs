using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;
using JailsModule.Tools;

namespace JailsModule.Provisioning.Userland;

/// <summary>
/// FreeBSD's release distribution sets, as the Handbook makes jails from them: base.txz (and lib32.txz,
/// ...) fetched with the release's MANIFEST into the media folder (MEDIA/14.3-RELEASE-base.txz), each
/// verified against the MANIFEST's SHA-256, extracted with tar, patched with freebsd-update -b.
/// </summary>
public sealed class FreebsdReleaseSets : IUserlandSource
{
    public FreebsdReleaseSets(IJailHost host, JailModuleSettings settings)
    {
        Host = host;
        Settings = settings;
    }

    public IJailHost Host { get; }
    public JailModuleSettings Settings { get; }

    public string Kind => "freebsd-sets";

    /// <summary>Distribution folder name on the mirror, MACHINE/MACHINE_ARCH: amd64/amd64, arm64/aarch64, arm/armv7...</summary>
    public static string MirrorArch(string arch) => arch switch
    {
        "armv6" => "arm/armv6",
        "powerpc" or "powerpcspe" => "powerpc/" + arch,
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

    /// <summary>
    /// A release's MANIFEST: one line per set, TAB-separated: file, sha256, entries, set,
    /// "description", on|off. Returns file → sha256 (lower case) for the .txz lines.
    /// </summary>
    public static Dictionary<string, string> ParseManifest(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var f = line.TrimEnd('\r').Split('\t');
            if (f.Length >= 2 && f[0].EndsWith(".txz", StringComparison.Ordinal) && f[1].Length == 64)
                map[f[0]] = f[1].ToLowerInvariant();
        }
        return map;
    }

    /// <summary>Save-JailRelease: fetch the MANIFEST and the sets (unless saved already), then verify each set's SHA-256 against the MANIFEST.</summary>
    /// <remarks><paramref name="mirrorFolder"/>: MACHINE/MACHINE_ARCH of the host (uname -m -p) when <paramref name="arch"/> is the host's; else from <see cref="MirrorArch"/>.</remarks>
    public Plan PlanSave(string release, string arch, string? foreignArch, string mirror, IReadOnlyList<string> sets, bool force, JailRelease result, string? mirrorFolder = null)
    {
        var plan = new Plan($"Save release {release} ({arch}: {string.Join(", ", sets)}) to {Settings.MediaPath}");
        var baseUrl = mirror.TrimEnd('/') + "/" + (mirrorFolder ?? MirrorArch(arch)) + "/" + release;
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
            plan.Add(new CommandStep($"Download {release} MANIFEST", FetchTool.Fetch(baseUrl + "/MANIFEST", manifest))
            { LongRunning = true, UndoDeleteFiles = Host.FileExists(manifest) ? Array.Empty<string>() : new[] { manifest } });
        for (int i = 0; i < sets.Count; i++)
        {
            var set = sets[i];
            var file = result.Files[i];
            if (!have)
                plan.Add(new CommandStep($"Download {set}.txz", FetchTool.Fetch($"{baseUrl}/{set}.txz", file))
                { LongRunning = true, UndoDeleteFiles = new[] { file } });
            var sha = Sha256Tool.Digest(file);
            bool downloaded = !have;
            plan.Add(new ActionStep($"Verify the SHA-256 of {set}.txz", new[] { sha.DisplayText }, ctx =>
            {
                var expected = ParseManifest(ctx.Host.ReadRegularFile(manifest, JailsModule.Host.BoundedFile.MaxConfigFileBytes));
                if (!expected.TryGetValue(set + ".txz", out var want))
                    throw new PlanPreconditionException("DistributionSetNotFound", $"The MANIFEST of {release} ({arch}) has no set '{set}'.", set, PlanErrorKind.ObjectNotFound);
                var got = Sha256Tool.ParseDigest(ctx.Run(sha).StandardOutput);
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

    public IReadOnlyList<string> RequireSaved(string release, IReadOnlyList<string> sets, bool nameSets = false)
    {
        var files = sets.Select(s => MediaFile(release, null, s)).ToList();
        foreach (var f in files)
            if (!Host.FileExists(f))
                throw new PlanPreconditionException("ReleaseNotSaved",
                    $"{f} does not exist. Run 'Save-JailRelease -Release {release}{(nameSets ? " -DistributionSet " + string.Join(',', sets) : "")}' first.",
                    f, PlanErrorKind.ObjectNotFound);
        return files;
    }

    /// <summary>Extract the sets, then copy the host's resolv.conf and localtime (Handbook §"Creating a classic jail").</summary>
    public void AddExtractSteps(Plan plan, IReadOnlyList<string> files, string root)
    {
        foreach (var f in files)
            plan.Add(new CommandStep($"Extract {f[(f.LastIndexOf('/') + 1)..]}", TarTool.Extract(f, root)) { LongRunning = true });
        foreach (var f in new[] { "/etc/resolv.conf", "/etc/localtime" })
            if (Host.FileExists(f)) plan.Add(new CopyFileStep(f, root + f));
    }

    /// <summary>freebsd-update fetch install on a tree; undo is freebsd-update rollback.</summary>
    public PlanStep PatchStep(string root, string currentRelease)
        => new CommandStep($"Patch {root} with freebsd-update", FreebsdUpdateTool.FetchInstall(root, currentRelease), FreebsdUpdateTool.Rollback(root)) { LongRunning = true };

    /// <summary>freebsd-update -j NAME for a running jail, -b ROOT --currently-running VERSION for a stopped one; undo: rollback.</summary>
    public PlanStep PatchJailStep(string jail, string root, bool running, string? currentVersion)
    {
        if (running)
            return new CommandStep($"Patch jail '{jail}' with freebsd-update", FreebsdUpdateTool.FetchInstallJail(jail), FreebsdUpdateTool.RollbackJail(jail)) { LongRunning = true };
        var current = currentVersion ?? throw new PlanPreconditionException("FreebsdVersionUnreadable", $"{root}/bin/freebsd-version does not report a version.", jail, PlanErrorKind.InvalidData);
        return new CommandStep($"Patch jail '{jail}' with freebsd-update", FreebsdUpdateTool.FetchInstall(root, current), FreebsdUpdateTool.Rollback(root)) { LongRunning = true };
    }

    /// <summary>
    /// USERLAND_VERSION of the tree's /bin/freebsd-version (what freebsd-version -u prints there). The tree
    /// may be a jail's, which its root user controls: the file is read as the jail sees it (links resolved
    /// inside the root, never above it), only when it is a regular file, and at most
    /// <see cref="BoundedFile.MaxJailFileBytes"/> bytes, so a FIFO, /dev/zero or a link to a host file
    /// there cannot hang, exhaust or mislead the module: such a file reports no version (null).
    /// </summary>
    public string? ReadVersion(string root)
    {
        if (string.IsNullOrEmpty(root) || root[0] != '/') return null;
        var f = FreebsdVersionTool.ScriptPath(root);
        if (!Host.FileExists(f)) return null;
        try { return FreebsdVersionTool.ParseUserlandVersion(Host.ReadFileInsideRoot(root, f, BoundedFile.MaxJailFileBytes)); }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return null; }
    }
}
