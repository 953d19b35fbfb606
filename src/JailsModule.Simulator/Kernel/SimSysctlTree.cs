namespace JailsModule.Simulation.Tools; // beside sysctl(8)'s front end's namespace, as the other kernel tables

/// <summary>
/// The kernel's sysctl MIB (Kernel: sysctl(8) and whoever reads OIDs share it): the OIDs a caller
/// sees (the host's, or a jail's view: security.jail.jailed, its hostname and release), the jail
/// parameter catalogue as security.jail.param.*, descriptions, which OIDs are read-only or loader
/// tunables, and setting one.
/// </summary>
public static class SimSysctlTree
{
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "kern.ostype", "kern.osrelease", "kern.osreldate", "hw.machine", "hw.machine_arch", "hw.ncpu", "security.jail.jailed",
    };

    /// <summary>Loader tunables: read-only at run time, set in /boot/loader.conf.</summary>
    private static readonly HashSet<string> Tunables = new(StringComparer.Ordinal) { "kern.racct.enable" };

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["kern.ostype"] = "Operating system type",
        ["kern.osrelease"] = "Operating system release",
        ["kern.osreldate"] = "Kernel release date",
        ["kern.hostname"] = "Hostname",
        ["hw.machine"] = "Machine class",
        ["hw.machine_arch"] = "System architecture",
        ["hw.ncpu"] = "Number of active CPUs",
        ["kern.features.vimage"] = "VIMAGE kernel virtualization",
        ["kern.features.inet"] = "Internet protocol version 4",
        ["kern.features.inet6"] = "Internet Protocol version 6",
        ["kern.racct.enable"] = "Enable RACCT/RCTL",
        ["security.jail.jailed"] = "Process in jail?",
        ["security.jail.enforce_statfs"] = "Processes in jail cannot see all mounted file systems",
        ["security.jail.param.persist"] = "Jail persistence",
        ["security.jail.param.vnet."] = "Virtual network stack",
        ["security.jail.param.path"] = "Jail root path",
        ["security.jail.param.name"] = "Jail name",
        ["security.jail.param.jid"] = "Jail ID",
    };

    public static string Description(string name) => Descriptions.GetValueOrDefault(name, "");

    /// <summary>
    /// The size a SYSCTL_JAIL_PARAM_STRING declares (kern_jail.c): MAXPATHLEN for path, OSRELEASELEN for
    /// osrelease, HOSTUUIDLEN for host.hostuuid, LINUX_MAX_UTSNAME for the linux.* strings, MAXHOSTNAMELEN otherwise.
    /// </summary>
    public static int StringLength(string param) => param switch
    {
        "path" => 1024,
        "osrelease" => 32,
        "host.hostuuid" => 64,
        "linux.osname" or "linux.osrelease" => 65,
        _ => 256,
    };

    /// <summary>
    /// An opaque OID (CTLTYPE_STRUCT without a formatter sysctl(8) knows: "S,in_addr", "S,in6_addr"): sysctl.c
    /// show_var prints it only with -o or -x, and -N lists its name anyway.
    /// </summary>
    public static bool IsOpaque(string name) => name is "security.jail.param.ip4.addr" or "security.jail.param.ip6.addr";

    /// <summary>A loader tunable: read-only at run time.</summary>
    public static bool IsTunable(string name) => Tunables.Contains(name);

    /// <summary>Read-only at run time (CTLFLAG_RD): the fixed OIDs, kern.features.*, security.jail.param.*.</summary>
    public static bool IsReadOnly(string name)
        => ReadOnly.Contains(name) || name.StartsWith("kern.features.", StringComparison.Ordinal) || name.StartsWith("security.jail.param.", StringComparison.Ordinal);

    /// <summary>Sets a writable OID (kern.hostname is also the machine's hostname).</summary>
    public static void Set(SimState state, string name, string value)
    {
        state.Sysctls[name] = value;
        if (name == "kern.hostname") state.Hostname = value;
    }

    /// <summary>Every OID the caller can see, sorted, with its current value.</summary>
    public static SortedDictionary<string, string> Table(SimContext ctx)
    {
        var t = new SortedDictionary<string, string>(ctx.State.Sysctls, StringComparer.Ordinal);
        foreach (var p in SimKernel.Params)
        {
            // SYSCTL_JAIL_PARAM_SYS_NODE (jailsys) and parameters with sub-parameters are nodes whose value leaf has an empty name.
            bool node = p.Type == SimParamType.JailSys || SimKernel.Params.Any(o => o.Name.StartsWith(p.Name + ".", StringComparison.Ordinal));
            var oid = "security.jail.param." + p.Name + (node ? "." : "");
            // kern_jail.c sysctl_jail_param: a string parameter reads as its maximum length, a number as 0,
            // a struct (ip4.addr, ip6.addr) as its size in binary, which sysctl(8) skips as opaque (IsOpaque).
            t[oid] = p.Type switch
            {
                SimParamType.String => StringLength(p.Name).ToString(System.Globalization.CultureInfo.InvariantCulture),
                SimParamType.Ip4List => "4",
                SimParamType.Ip6List => "16",
                _ => "0",
            };
        }
        if (ctx.State.Sysctls.GetValueOrDefault("kern.features.vimage") != "1")
            t.Remove("security.jail.param.vnet.");
        if (ctx.Jail != null)
        {
            t["security.jail.jailed"] = "1";
            t["kern.hostname"] = ctx.Jail.HostName;
            t["kern.osrelease"] = SimIdentity.KernelRelease(ctx);
            t["kern.osreldate"] = SimIdentity.KernelOsRelDate(ctx);
        }
        return t;
    }
}
