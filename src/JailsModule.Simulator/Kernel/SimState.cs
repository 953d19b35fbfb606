using System.Text.Json.Serialization;

namespace JailsModule.Simulation;

/// <summary>
/// Everything the simulated FreeBSD host knows, persisted as state.json in the simulator folder.
/// The file tree lives beside it under fs/. Later features add their own collections here
/// (datasets, interfaces, rctl rules...), always as plain serializable data.
/// </summary>
public sealed class SimState
{
    public int SchemaVersion { get; set; } = 1;
    public string Hostname { get; set; } = "bsd1.example.org";

    /// <summary>The running kernel: uname -r, kern.osrelease and freebsd-version -r.</summary>
    public string KernelRelease { get; set; } = "14.3-RELEASE";

    /// <summary>
    /// The installed kernel (/boot/kernel/kernel), freebsd-version -k; null means the running one. A kernel
    /// installed by freebsd-update runs only after a reboot, so until then the two differ.
    /// </summary>
    public string? InstalledKernelRelease { get; set; }

    /// <summary>freebsd-version -u (the userland can be patched ahead of the kernel).</summary>
    public string UserlandRelease { get; set; } = "14.3-RELEASE";

    public int OsRelDate { get; set; } = 1403000;
    public string Machine { get; set; } = "amd64";
    public string MachineArch { get; set; } = "amd64";

    /// <summary>uid of the simulated caller: 0 (root) unless a test wants an unprivileged user.</summary>
    public int Uid { get; set; }
    public string UserName { get; set; } = "root";

    /// <summary>sysctl values as text, e.g. kern.features.vimage=1. A missing key is a missing OID.</summary>
    public SortedDictionary<string, string> Sysctls { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Loaded kernel files (kldstat) with the modules each contains.</summary>
    public List<SimKld> Klds { get; set; } = new();

    /// <summary>Kernel files that kldload can find in /boot/kernel or /boot/modules.</summary>
    public List<SimKld> AvailableKlds { get; set; } = new();

    public List<SimJail> Jails { get; set; } = new();
    public int LastJid { get; set; }
    public int LastCpusetId { get; set; } = 1;

    /// <summary>rc.d services that are running (service NAME status), by name.</summary>
    public List<string> RunningServices { get; set; } = new();

    /// <summary>Network interfaces (lo0, em0, bridges, epairs...), wherever they live (host or a vnet jail).</summary>
    public List<SimInterface> Interfaces { get; set; } = new();

    /// <summary>Routes per network stack and the MAC counter (SimInterfaces.Net()).</summary>
    public SimNetState? NetState { get; set; }

    /// <summary>ZFS pools, datasets, snapshots and clones.</summary>
    public List<SimDataset> Datasets { get; set; } = new();

    /// <summary>The mount table (mount(8) without arguments).</summary>
    public List<SimMount> Mounts { get; set; } = new();

    public List<SimFault> Faults { get; set; } = new();

    /// <summary>File flags (chflags) by the path of the underlying file in fs/: bits of sys/stat.h (see <see cref="SimFileFlags"/>).</summary>
    public SortedDictionary<string, ulong> FileFlags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The release mirror fetch(1) can reach (download.freebsd.org and custom prefixes), and its corruption switch.</summary>
    public SimMirror Mirror { get; set; } = new();

    /// <summary>freebsd-update's work directory state: fetched updates waiting for install, and what rollback restores, by base directory.</summary>
    public SimFreebsdUpdateState FreebsdUpdate { get; set; } = new();

    /// <summary>Kernel-side state of later features, keyed by feature (zfs, net, rctl...): each owns its object.</summary>
    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Extensions { get; set; }
}

public sealed class SimKld
{
    public string File { get; set; } = "";
    public List<string> Modules { get; set; } = new();
    public long Size { get; set; } = 0x1000;
}

/// <summary>A jail as the kernel holds it.</summary>
public sealed class SimJail
{
    public int Jid { get; set; }
    public string Name { get; set; } = "";

    /// <summary>jid of the parent jail, 0 for the host.</summary>
    public int Parent { get; set; }
    public bool Dying { get; set; }
    public int CpusetId { get; set; }

    /// <summary>Kernel parameter values as jls -n prints them (booleans "true"/"false"; jailsys as words; ip lists comma-joined).</summary>
    public SortedDictionary<string, string> Params { get; set; } = new(StringComparer.Ordinal);

    public List<string> Ip4 { get; set; } = new();
    public List<string> Ip6 { get; set; } = new();

    /// <summary>Number of simulated processes in the jail (a non-persistent jail with none dies).</summary>
    public int Processes { get; set; }

    /// <summary>Mounts jail(8) made for this jail (mount.devfs, mount +=), undone at removal.</summary>
    public List<string> Mounts { get; set; } = new();

    /// <summary>Address aliases jail(8) added on host interfaces for this jail ("em0|192.0.2.10/32"), removed at jail -r.</summary>
    public List<string> HostAliases { get; set; } = new();

    /// <summary>Interfaces living in this jail's vnet.</summary>
    public List<string> VnetInterfaces { get; set; } = new();

    [JsonIgnore] public string Path => Params.TryGetValue("path", out var p) ? p : "/";
    [JsonIgnore] public string HostName => Params.TryGetValue("host.hostname", out var h) ? h : "";
    [JsonIgnore] public bool IsVnet => Params.TryGetValue("vnet", out var v) && v == "new";
    [JsonIgnore] public bool Persist => Params.TryGetValue("persist", out var p) && p == "true";
}

/// <summary>
/// A fault to inject: the next (or Nth) command matching <see cref="Pattern"/> fails with the given
/// exit code and stderr instead of running. Pattern is a glob (* and ?) matched against the command
/// as "tool arg arg..." where tool is either the basename or the full path.
/// </summary>
public sealed class SimFault
{
    public string Id { get; set; } = Guid.NewGuid().ToString("N")[..8];
    public string Pattern { get; set; } = "*";

    /// <summary>Fire on the Nth match from now (1 = the next one).</summary>
    public int Occurrence { get; set; } = 1;

    /// <summary>How many times it fires before it is used up (0 = every time from the Nth on).</summary>
    public int Count { get; set; } = 1;

    public int ExitCode { get; set; } = 1;
    public string StandardError { get; set; } = "";
    public string StandardOutput { get; set; } = "";

    /// <summary>How long the command hangs before it fails (or runs, with <see cref="ThenRun"/>): a slow or stuck machine.</summary>
    public int DelayMilliseconds { get; set; }

    /// <summary>After the delay the command runs normally instead of failing (a slow command, not a broken one).</summary>
    public bool ThenRun { get; set; }

    /// <summary>Matches seen so far.</summary>
    public int Seen { get; set; }

    /// <summary>Times fired so far.</summary>
    public int Fired { get; set; }
}
