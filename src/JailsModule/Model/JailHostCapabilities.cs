namespace JailsModule.Model;

/// <summary>What a FreeBSD host can do for jails (Test-JailHost). Flat and serializable.</summary>
public sealed class JailHostCapabilities
{
    public string ComputerName { get; set; } = "";

    /// <summary>The running kernel (freebsd-version -r, kern.osrelease): what the jails run on.</summary>
    public string KernelVersion { get; set; } = "";

    /// <summary>The installed kernel (freebsd-version -k): after a kernel update it differs from KernelVersion until a reboot.</summary>
    public string InstalledKernelVersion { get; set; } = "";

    /// <summary>The userland (freebsd-version -u); it can be patched ahead of the kernel.</summary>
    public string UserlandVersion { get; set; } = "";

    /// <summary>hw.machine_arch (amd64, aarch64...).</summary>
    public string Architecture { get; set; } = "";

    /// <summary>kern.features.vimage is 1: VNET jails are possible.</summary>
    public bool Vimage { get; set; }

    /// <summary>kern.racct.enable is 1: rctl resource limits work.</summary>
    public bool Racct { get; set; }

    /// <summary>The module runs as uid 0 (id -u).</summary>
    public bool IsRoot { get; set; }

    /// <summary>The module itself runs inside a jail (security.jail.jailed).</summary>
    public bool IsJailed { get; set; }

    /// <summary>Loaded kernel files (kldstat), e.g. kernel, zfs.ko, if_bridge.ko.</summary>
    public string[] LoadedModules { get; set; } = Array.Empty<string>();

    /// <summary>if_bridge and if_epair are loaded (ifconfig create loads them when missing).</summary>
    public bool IfBridge { get; set; }
    public bool IfEpair { get; set; }

    /// <summary>Bridge members that still have LRO or TSO on ("bridge0:re0"): writes through bridge + epair crawl (seed 004).</summary>
    public string[] OffloadBridgeMember { get; set; } = Array.Empty<string>();

    /// <summary>Jail parameters the kernel knows (security.jail.param.*), e.g. allow.mount.zfs.</summary>
    public string[] SupportedParameters { get; set; } = Array.Empty<string>();

    /// <summary>What stands in the way of managing jails here, one sentence each; empty when all is well.</summary>
    public string[] Problems { get; set; } = Array.Empty<string>();

    public override string ToString() => $"{ComputerName} ({KernelVersion} {Architecture})";
}
