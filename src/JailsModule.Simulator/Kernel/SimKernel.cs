namespace JailsModule.Simulation;

/// <summary>Type of a kernel jail parameter as libjail sees it.</summary>
public enum SimParamType
{
    Bool,
    Int,
    String,
    JailSys,
    Ip4List,
    Ip6List,
}

/// <summary>One security.jail.param.* of the simulated kernel (FreeBSD 14.3 amd64 GENERIC).</summary>
public sealed record SimParam(string Name, SimParamType Type, string Default, bool ReadOnly = false);

/// <summary>The simulated kernel's jail parameters and the rules jail_set(2) applies.</summary>
public static class SimKernel
{
    /// <summary>Every parameter the kernel knows, with its default for a new jail.</summary>
    public static readonly IReadOnlyList<SimParam> Params = new SimParam[]
    {
        new("jid", SimParamType.Int, "0"),
        new("name", SimParamType.String, ""),
        new("path", SimParamType.String, "/"),
        new("parent", SimParamType.Int, "0", ReadOnly: true),
        new("dying", SimParamType.Bool, "false", ReadOnly: true),
        new("persist", SimParamType.Bool, "false"),
        new("securelevel", SimParamType.Int, "-1"),
        new("devfs_ruleset", SimParamType.Int, "0"),
        new("enforce_statfs", SimParamType.Int, "2"),
        new("osrelease", SimParamType.String, ""),
        new("osreldate", SimParamType.Int, "0"),
        new("vnet", SimParamType.JailSys, "inherit"),
        new("host", SimParamType.JailSys, "new"),
        new("ip4", SimParamType.JailSys, "disable"),
        new("ip6", SimParamType.JailSys, "disable"),
        new("linux", SimParamType.JailSys, "new"),
        new("sysvmsg", SimParamType.JailSys, "disable"),
        new("sysvsem", SimParamType.JailSys, "disable"),
        new("sysvshm", SimParamType.JailSys, "disable"),
        new("children.cur", SimParamType.Int, "0", ReadOnly: true),
        new("children.max", SimParamType.Int, "0"),
        new("cpuset.id", SimParamType.Int, "0", ReadOnly: true),
        new("host.hostname", SimParamType.String, ""),
        new("host.domainname", SimParamType.String, ""),
        new("host.hostuuid", SimParamType.String, "00000000-0000-0000-0000-000000000000"),
        new("host.hostid", SimParamType.Int, "0"),
        new("ip4.addr", SimParamType.Ip4List, ""),
        new("ip4.saddrsel", SimParamType.Bool, "true"),
        new("ip6.addr", SimParamType.Ip6List, ""),
        new("ip6.saddrsel", SimParamType.Bool, "true"),
        new("linux.osname", SimParamType.String, "Linux"),
        new("linux.osrelease", SimParamType.String, "5.15.0"),
        new("linux.oss_version", SimParamType.Int, "198144"),
        new("allow.set_hostname", SimParamType.Bool, "true"), // JAIL_DEFAULT_ALLOW (sys/kern/kern_jail.c, 14.x): set_hostname, reserved_ports, unprivileged_proc_debug, suser
        new("allow.sysvipc", SimParamType.Bool, "false"),
        new("allow.raw_sockets", SimParamType.Bool, "false"),
        new("allow.chflags", SimParamType.Bool, "false"),
        new("allow.mount", SimParamType.Bool, "false"),
        new("allow.mount.devfs", SimParamType.Bool, "false"),
        new("allow.mount.fdescfs", SimParamType.Bool, "false"),
        new("allow.mount.fusefs", SimParamType.Bool, "false"),
        new("allow.mount.linprocfs", SimParamType.Bool, "false"),
        new("allow.mount.linsysfs", SimParamType.Bool, "false"),
        new("allow.mount.nullfs", SimParamType.Bool, "false"),
        new("allow.mount.procfs", SimParamType.Bool, "false"),
        new("allow.mount.tmpfs", SimParamType.Bool, "false"),
        new("allow.mount.zfs", SimParamType.Bool, "false"),
        new("allow.quotas", SimParamType.Bool, "false"),
        new("allow.socket_af", SimParamType.Bool, "false"),
        new("allow.mlock", SimParamType.Bool, "false"),
        new("allow.reserved_ports", SimParamType.Bool, "true"),
        new("allow.read_msgbuf", SimParamType.Bool, "false"),
        new("allow.unprivileged_proc_debug", SimParamType.Bool, "true"),
        new("allow.suser", SimParamType.Bool, "true"),
        new("allow.nfsd", SimParamType.Bool, "false"),
        new("allow.extattr", SimParamType.Bool, "false"),
        new("allow.adjtime", SimParamType.Bool, "false"),
        new("allow.settime", SimParamType.Bool, "false"),
        new("allow.routing", SimParamType.Bool, "false"),
        new("allow.setaudit", SimParamType.Bool, "false"),
        new("allow.unprivileged_parent_tampering", SimParamType.Bool, "false"),
        new("allow.vmm", SimParamType.Bool, "false"),
        new("zfs.mount_snapshot", SimParamType.Int, "0"),
    };

    private static readonly Dictionary<string, SimParam> ByName = Params.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public static SimParam? Find(string name) => ByName.TryGetValue(name, out var p) ? p : null;

    /// <summary>jls's order for "all": top-level names first, then dotted ones, each group by strcmp.</summary>
    public static IEnumerable<SimParam> SortedForJls()
        => Params.OrderBy(p => p.Name.Contains('.') ? 1 : 0).ThenBy(p => p.Name, StringComparer.Ordinal);

    /// <summary>The jail's value of a parameter, or the kernel default.</summary>
    public static string Value(SimJail jail, SimParam p)
    {
        switch (p.Name)
        {
            case "jid": return jail.Jid.ToString();
            case "name": return jail.Name;
            case "parent": return jail.Parent.ToString();
            case "dying": return jail.Dying ? "true" : "false";
            case "cpuset.id": return jail.CpusetId.ToString();
            case "ip4.addr": return string.Join(",", jail.Ip4);
            case "ip6.addr": return string.Join(",", jail.Ip6);
        }
        return jail.Params.TryGetValue(p.Name, out var v) ? v : p.Default;
    }

    /// <summary>Jails visible from a context: all of them on the host, descendants inside a jail.</summary>
    public static IEnumerable<SimJail> Visible(SimState state, SimJail? from, bool includeDying)
    {
        foreach (var j in state.Jails.OrderBy(j => j.Jid))
        {
            if (j.Dying && !includeDying) continue;
            if (from is null || IsDescendant(state, j, from)) yield return j;
        }
    }

    public static bool IsDescendant(SimState state, SimJail j, SimJail ancestor)
    {
        var p = j.Parent;
        while (p != 0)
        {
            if (p == ancestor.Jid) return true;
            p = state.Jails.FirstOrDefault(x => x.Jid == p)?.Parent ?? 0;
        }
        return false;
    }

    /// <summary>libjail's lookup by jid (all digits, non-zero) or by name, relative to the caller's jail.</summary>
    public static SimJail? Lookup(SimState state, SimJail? from, string key, bool includeDying = false)
    {
        var visible = Visible(state, from, includeDying);
        if (key.Length > 0 && key.All(char.IsAsciiDigit) && int.TryParse(key, out var jid) && jid != 0)
            return visible.FirstOrDefault(j => j.Jid == jid);
        var full = from is null ? key : from.Name + "." + key;
        return visible.FirstOrDefault(j => j.Name == full);
    }

    /// <summary>The name a jail has as seen from inside <paramref name="from"/> (prefix removed).</summary>
    public static string RelativeName(SimJail j, SimJail? from)
        => from is null ? j.Name : j.Name[(from.Name.Length + 1)..];
}
