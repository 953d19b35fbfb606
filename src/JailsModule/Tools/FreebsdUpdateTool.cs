using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>
/// freebsd-update(8) (reference §13). Every run gets PAGER=cat and --not-running-from-cron: stdin is
/// not a tty, and the lists it shows must not wait for a pager.
/// </summary>
public static class FreebsdUpdateTool
{
    private static ProcessRequest Run(params string[] argv)
        => new(ToolPaths.FreebsdUpdate, argv) { Environment = new Dictionary<string, string> { ["PAGER"] = "cat" } };

    /// <summary>
    /// freebsd-update -b DIR --currently-running REL --not-running-from-cron fetch install: -b for a
    /// tree that is not the host, --currently-running because uname -r is the host's kernel.
    /// </summary>
    public static ProcessRequest FetchInstall(string baseDir, string currentRelease)
        => Run("-b", baseDir, "--currently-running", currentRelease, "--not-running-from-cron", "fetch", "install");

    /// <summary>freebsd-update -b DIR --not-running-from-cron rollback: the undo of <see cref="FetchInstall"/>.</summary>
    public static ProcessRequest Rollback(string baseDir) => Run("-b", baseDir, "--not-running-from-cron", "rollback");

    /// <summary>freebsd-update -j JAIL --not-running-from-cron fetch install: a running jail (its release read inside it).</summary>
    public static ProcessRequest FetchInstallJail(string jail) => Run("-j", jail, "--not-running-from-cron", "fetch", "install");

    /// <summary>freebsd-update -j JAIL --not-running-from-cron rollback.</summary>
    public static ProcessRequest RollbackJail(string jail) => Run("-j", jail, "--not-running-from-cron", "rollback");
}
