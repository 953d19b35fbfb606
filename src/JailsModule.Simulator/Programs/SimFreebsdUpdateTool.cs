using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>
/// freebsd-update(8) per reference §13 (usr.sbin/freebsd-update/freebsd-update.sh): usage exits 0;
/// fetch refuses a non-tty stdin (always the case here) without --not-running-from-cron; -b/-j/
/// --currently-running choose the tree and the release; "fetch install" brings the tree's recorded
/// userland (<see cref="SimUserlandVersion"/>) to the release's newest patch level
/// (<see cref="SimReleaseMirror.PatchLevels"/>). All its messages go to stdout, like the script's echo.
/// </summary>
[SimulatedTool("/usr/sbin/freebsd-update")]
public sealed class SimFreebsdUpdateTool : ISimulatedTool
{
    private const string Self = "/usr/sbin/freebsd-update";
    private const string Server = "update1.freebsd.org";

    internal const string UsageText =
        "usage: freebsd-update [options] command ...\n\n" +
        "Options:\n" +
        "  -b basedir   -- Operate on a system mounted at basedir\n                  (default: /)\n" +
        "  -d workdir   -- Store working files in workdir\n                  (default: /var/db/freebsd-update/)\n" +
        "  -f conffile  -- Read configuration options from conffile\n                  (default: /etc/freebsd-update.conf)\n" +
        "  -F           -- Force a fetch operation to proceed in the\n                  case of an unfinished upgrade\n" +
        "  -j jail      -- Operate on the given jail specified by jid or name\n" +
        "  -k KEY       -- Trust an RSA key with SHA256 hash of KEY\n" +
        "  -r release   -- Target for upgrade (e.g., 13.2-RELEASE)\n" +
        "  -s server    -- Server from which to fetch updates\n                  (default: update.FreeBSD.org)\n" +
        "  -t address   -- Mail output of cron command, if any, to address\n                  (default: root)\n" +
        "  --not-running-from-cron\n               -- Run without a tty, for use by automated tools\n" +
        "  --currently-running release\n               -- Update as if currently running this release\n" +
        "Commands:\n" +
        "  fetch        -- Fetch updates from server\n" +
        "  cron         -- Sleep rand(3600) seconds, fetch updates, and send an\n                  email if updates were found\n" +
        "  upgrade      -- Fetch upgrades to FreeBSD version specified via -r option\n" +
        "  updatesready -- Check if there are fetched updates ready to install\n" +
        "  install      -- Install downloaded updates or upgrades\n" +
        "  rollback     -- Uninstall most recently installed updates\n" +
        "  IDS          -- Compare the system against an index of \"known good\" files\n" +
        "  showconfig   -- Show configuration\n";

    private static readonly string[] UpdatedFiles =
    {
        "/bin/freebsd-version", "/boot/kernel/kernel", "/boot/kernel/zfs.ko", "/lib/libc.so.7", "/libexec/ld-elf.so.1",
        "/sbin/zfs", "/usr/bin/fetch", "/usr/lib32/libc.so.7", "/usr/sbin/jail", "/usr/sbin/jexec",
    };

    private static readonly string[] Commands = { "fetch", "cron", "upgrade", "updatesready", "install", "rollback", "IDS", "showconfig" };

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        string? basedir = null, workdir = null, conffile = null, jail = null, key = null, target = null, server = null, mailto = null, verbose = null, running = null;
        bool notFromCron = false, force = false;
        var commands = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            // parse_cmdline: an option repeated or missing its argument, or an unknown word, is usage() (exit 0)
            string? Value(ref string? slot)
            {
                if (slot != null || i + 1 >= args.Count) return null;
                return slot = args[++i];
            }
            switch (a)
            {
                case "-b": if (Value(ref basedir) is null) return Usage(); break;
                case "-d": if (Value(ref workdir) is null) return Usage(); break;
                case "-f": if (Value(ref conffile) is null) return Usage(); break;
                case "-j": if (Value(ref jail) is null) return Usage(); break;
                case "-k": if (Value(ref key) is null) return Usage(); break;
                case "-r": if (Value(ref target) is null) return Usage(); break;
                case "-s": if (Value(ref server) is null) return Usage(); break;
                case "-t": if (Value(ref mailto) is null) return Usage(); break;
                case "-v": if (Value(ref verbose) is null) return Usage(); break;
                case "--currently-running": if (Value(ref running) is null) return Usage(); break;
                case "--not-running-from-cron": notFromCron = true; break;
                case "--debug": case "--no-stats": break;
                case "-F": force = true; break;
                default:
                    if (!Commands.Contains(a)) return Usage();
                    commands.Add(a);
                    break;
            }
        }
        if (commands.Count == 0) return Usage();
        if (!ctx.IsRoot) return new SimResult(1, "You must be root to run this.\n");

        string current;
        if (jail != null)
        {
            var j = ctx.State.Jails.FirstOrDefault(x => !x.Dying && (x.Name == jail || x.Jid.ToString() == jail));
            var jailRelease = j is null ? null : SimUserlandVersion.Read(ctx.Fs, j.Path);
            if (j is null || jailRelease is null)
                return new SimResult(1, "The specified jail either doesn't exist or does not have freebsd-version.\n");
            basedir = j.Path;
            current = jailRelease;
        }
        else current = running ?? ctx.State.KernelRelease;
        if (running != null && !running.Contains('-')) current = running + "-RELEASE";
        if (target != null && !target.Contains('-')) target += "-RELEASE";
        basedir = SimFileSystem.Normalize(basedir ?? "/");
        if (!ctx.Fs.DirectoryExists(basedir)) return new SimResult(1, $"freebsd-update: Base directory does not exist: {basedir}\n"); // UNVERIFIED text
        var work = workdir ?? "/var/db/freebsd-update";
        if (workdir is null) ctx.Fs.CreateDirectory(work);
        else if (!ctx.Fs.DirectoryExists(work))
            return new SimResult(1, $"freebsd-update: Directory does not exist or is not writable: {workdir}\n");

        var output = new StringBuilder();
        bool fetched = false;
        foreach (var cmd in commands)
        {
            int rc = cmd switch
            {
                "upgrade" when !IsRelease(RelNum(current)) => Fail(output, NotARelease(current)),
                "fetch" or "cron" => Fetch(ctx, output, basedir, current, target, cmd == "cron" || notFromCron, force, ref fetched),
                "upgrade" => Upgrade(ctx, output, basedir, current, target, ref fetched),
                "install" => Install(ctx, output, basedir, fetched),
                "updatesready" => UpdatesReady(ctx, output, basedir),
                "rollback" => Rollback(ctx, output, basedir),
                "IDS" => Ids(ctx, output, basedir, current),
                _ => ShowConfig(output, basedir, work, server, key),
            };
            if (rc != 0) return new SimResult(rc, output.ToString());
        }
        return new SimResult(0, output.ToString());
    }

    private static SimResult Usage() => new(0, UsageText);

    private static int Fail(StringBuilder o, string text)
    {
        o.Append(text);
        return 1;
    }

    private static string NotARelease(string current)
        => "freebsd-update: Cannot upgrade from a version that is not a release\n(including alpha, beta and release candidates)\n" +
           "using freebsd-update. Instead, FreeBSD can be directly\nupgraded by source or upgraded to a RELEASE/RELENG version\n" +
           $"prior to running freebsd-update.\nCurrently running: {RelNum(current)}\n";

    /// <summary>fetchupgrade_check_params accepts *-RELEASE, *-ALPHA*, *-BETA*, *-RC* only.</summary>
    private static bool IsRelease(string relnum)
        => relnum.EndsWith("-RELEASE", StringComparison.Ordinal) || relnum.Contains("-ALPHA") || relnum.Contains("-BETA") || relnum.Contains("-RC");

    /// <summary>RELNUM: uname -r without -pN, -SECURITY read as -RELEASE.</summary>
    private static string RelNum(string release) => SimReleaseMirror.BaseRelease(release).Replace("-SECURITY", "-RELEASE");

    /// <summary>The mirror lookup and metadata signature lines; false (with the script's failure text) for a release the server does not serve.</summary>
    private static bool Metadata(StringBuilder o, string release, bool lookup = true)
    {
        if (lookup) o.Append("Looking up update.FreeBSD.org mirrors... 3 mirrors found.\n");
        if (!SimReleaseMirror.PatchLevels.ContainsKey(release))
        {
            foreach (var s in new[] { "update2.freebsd.org", "update1.freebsd.org", "update.freebsd.org" })
                o.Append($"Fetching metadata signature for {release} from {s}... failed.\n");
            o.Append("No mirrors remaining, giving up.\n\n" +
                     $"This may be because upgrading from this platform (amd64)\nor release ({release}) is unsupported by freebsd-update. Only\n" +
                     "platforms with Tier 1 support can be upgraded by freebsd-update.\nSee https://www.freebsd.org/platforms/index.html for more info.\n\n" +
                     "If unsupported, FreeBSD must be upgraded by source.\n");
            return false;
        }
        o.Append($"Fetching metadata signature for {release} from {Server}... done.\nFetching metadata index... done.\n");
        return true;
    }

    private static List<string> FilesIn(SimContext ctx, string basedir)
        => UpdatedFiles.Where(f => ctx.Fs.FileExists(basedir == "/" ? f : basedir + f)).ToList();

    private static string Component(SimContext ctx, string basedir, string rel) => basedir == "/" ? rel : basedir + rel;

    /// <summary>cmd_fetch: the tty check, then fetch_check_params (release kind, -r, a pending upgrade).</summary>
    private static int Fetch(SimContext ctx, StringBuilder o, string basedir, string current, string? target, bool nonInteractiveOk, bool force, ref bool fetched)
    {
        if (!nonInteractiveOk)
            return Fail(o, "freebsd-update fetch should not be run non-interactively.\nRun freebsd-update cron instead.\n"); // stdin is never a tty here
        if (!IsRelease(RelNum(current))) return Fail(o, NotARelease(current));
        if (target != null) return Fail(o, "freebsd-update: -r option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)\n");
        if (ctx.State.FreebsdUpdate.Upgrading.Contains(basedir) && !force)
            return Fail(o, $"You have a partially completed upgrade pending\nRun '{Self} install' first.\nRun '{Self} fetch -F' to proceed anyway.\n");
        fetched = true;
        if (!ctx.Fs.DirectoryExists(Component(ctx, basedir, "/usr/src"))) o.Append("src component not installed, skipped\n");
        var rel = RelNum(current);
        if (!Metadata(o, rel)) return 1;
        o.Append("Inspecting system... done.\nPreparing to download files... done.\n");
        var newest = SimReleaseMirror.PatchLevels[rel];
        var installed = SimUserlandVersion.Effective(ctx.State, ctx.Fs, basedir);
        if (installed == newest)
        {
            o.Append($"\nNo updates needed to update system to {newest}.\n");
            ctx.State.FreebsdUpdate.Pending.Remove(basedir);
            ctx.Dirty = true;
            return 0;
        }
        var files = FilesIn(ctx, basedir);
        o.Append($"Fetching {files.Count * 3} patches.....10.... done.\nApplying patches... done.\n\n");
        o.Append($"The following files will be updated as part of updating to\n{newest}:\n");
        foreach (var f in files) o.Append(f).Append('\n');
        ctx.State.FreebsdUpdate.Pending[basedir] = newest;
        ctx.Dirty = true;
        return 0;
    }

    private static int Upgrade(SimContext ctx, StringBuilder o, string basedir, string current, string? target, ref bool fetched)
    {
        if (target is null)
        {
            o.Append("freebsd-update: Release target must be specified via -r option.\n");
            return 1;
        }
        if (RelNum(target) == RelNum(current))
        {
            o.Append($"freebsd-update: Cannot upgrade from {RelNum(current)} to itself\n");
            return 1;
        }
        var rel = RelNum(current);
        if (!Metadata(o, rel)) return 1;
        o.Append("Inspecting system... done.\n\nThe following components of FreeBSD seem to be installed:\n");
        var have = new List<string>();
        if (ctx.Fs.FileExists(Component(ctx, basedir, "/boot/kernel/kernel"))) have.Add("kernel/generic");
        have.Add("world/base");
        if (ctx.Fs.DirectoryExists(Component(ctx, basedir, "/usr/lib32"))) have.Add("world/lib32");
        o.Append(string.Join(' ', have)).Append("\n\nThe following components of FreeBSD do not seem to be installed:\n");
        o.Append(string.Join(' ', new[] { "kernel/generic-dbg", "world/base-dbg", "world/lib32-dbg" }.Concat(have.Contains("world/lib32") ? Array.Empty<string>() : new[] { "world/lib32" }))).Append("\n\n");
        // continuep: `read -p` shows its prompt only on a terminal; at end of input the loop ends and
        // the answer counts as yes; an answer starting with n cancels.
        var answer = (ctx.StandardInput ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('y') || l.StartsWith('n'));
        if (answer != null && answer.StartsWith('n')) return 1;
        o.Append('\n');
        var targetRel = RelNum(target);
        if (!Metadata(o, targetRel, lookup: false)) return 1;
        var newest = SimReleaseMirror.PatchLevels[targetRel];
        o.Append($"Inspecting system... done.\nFetching files from {rel} for merging... done.\nPreparing to download files... done.\n");
        var files = FilesIn(ctx, basedir);
        o.Append($"Fetching {files.Count * 12} patches.....10....20.... done.\nApplying patches... done.\n\n");
        o.Append($"The following files will be updated as part of updating to\n{newest}:\n");
        foreach (var f in files) o.Append(f).Append('\n');
        o.Append($"To install the downloaded upgrades, run '{Self} install'.\n");
        ctx.State.FreebsdUpdate.Pending[basedir] = newest;
        if (!ctx.State.FreebsdUpdate.Upgrading.Contains(basedir)) ctx.State.FreebsdUpdate.Upgrading.Add(basedir);
        ctx.Dirty = true;
        fetched = true;
        return 0;
    }

    private static int Install(SimContext ctx, StringBuilder o, string basedir, bool fetched)
    {
        if (!ctx.State.FreebsdUpdate.Pending.TryGetValue(basedir, out var release))
        {
            o.Append("No updates are available to install.\n");
            if (fetched) return 0;
            o.Append($"Run '{Self} fetch' first.\n");
            return 1;
        }
        var before = SimUserlandVersion.Effective(ctx.State, ctx.Fs, basedir);
        o.Append("Installing updates...");
        if (basedir == "/")
        {
            ctx.State.UserlandRelease = release;
            // The new kernel is installed; the running one stays until a reboot (freebsd-version -k vs -r).
            if (ctx.Fs.FileExists("/boot/kernel/kernel")) ctx.State.InstalledKernelRelease = release;
        }
        SimUserlandVersion.Write(ctx.Fs, basedir, release);
        o.Append(" done.\n");
        ctx.State.FreebsdUpdate.Pending.Remove(basedir);
        ctx.State.FreebsdUpdate.Upgrading.Remove(basedir);
        if (before != null) ctx.State.FreebsdUpdate.Rollback[basedir] = before;
        ctx.Dirty = true;
        return 0;
    }

    private static int UpdatesReady(SimContext ctx, StringBuilder o, string basedir)
    {
        if (!ctx.State.FreebsdUpdate.Pending.ContainsKey(basedir))
        {
            o.Append("No updates are available to install.\n");
            return 2;
        }
        o.Append($"There are updates available to install.\nRun '{Self} install' to proceed.\n");
        return 0;
    }

    private static int Rollback(SimContext ctx, StringBuilder o, string basedir)
    {
        if (!ctx.State.FreebsdUpdate.Rollback.TryGetValue(basedir, out var previous))
        {
            o.Append("No rollback directory found.\n");
            return 1;
        }
        o.Append("Uninstalling updates... done.\n");
        if (basedir == "/") ctx.State.UserlandRelease = previous;
        SimUserlandVersion.Write(ctx.Fs, basedir, previous);
        ctx.State.FreebsdUpdate.Rollback.Remove(basedir);
        ctx.Dirty = true;
        return 0;
    }

    private static int Ids(SimContext ctx, StringBuilder o, string basedir, string current)
    {
        var rel = RelNum(current);
        if (!Metadata(o, rel)) return 1;
        o.Append("Inspecting system... done.\n");
        var installed = SimUserlandVersion.Effective(ctx.State, ctx.Fs, basedir);
        var expected = SimReleaseMirror.PatchLevels[rel];
        if (installed != expected)
            foreach (var f in FilesIn(ctx, basedir).Take(1))
                o.Append($"{f} has SHA256 hash {SimReleaseMirror.Sha256Hex(Encoding.UTF8.GetBytes(installed ?? ""))}, but should have SHA256 hash {SimReleaseMirror.Sha256Hex(Encoding.UTF8.GetBytes(expected))}.\n");
        return 0;
    }

    private static int ShowConfig(StringBuilder o, string basedir, string workdir, string? server, string? key)
    {
        o.Append($"KeyPrint {key ?? "800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5"}\n");
        o.Append($"ServerName {server ?? "update.FreeBSD.org"}\nComponents src world kernel\nIgnorePaths \nIDSIgnorePaths /usr/share/man/cat\n");
        o.Append("UpdateIfUnmodified /etc/ /var/ /root/ /.cshrc /.profile\nMergeChanges /etc/ /boot/device.hints\n");
        o.Append($"WorkDir {workdir}\nBaseDir {basedir}\nBackupKernel yes\nBackupKernelDir /boot/kernel.old\nCreateBootEnv yes\n");
        return 0;
    }
}
