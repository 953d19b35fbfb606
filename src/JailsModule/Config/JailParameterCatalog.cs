using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace JailsModule.Config;

/// <summary>How a parameter's value is read.</summary>
public enum JailParameterType
{
    /// <summary>true/false, an integer, or the valueless form; the "no" prefix negates (config.c bool_param).</summary>
    Bool,
    /// <summary>One integer, read fully by strtol (check_intparams).</summary>
    Int,
    /// <summary>One string.</summary>
    String,
    /// <summary>A list of strings (mount lines, depend, vnet.interface, zfs.dataset).</summary>
    List,
    /// <summary>A list of commands, each run in turn (exec.*, command).</summary>
    CommandList,
    /// <summary>new, inherit or disable (jailsys).</summary>
    JailSys,
    /// <summary>IPv4 addresses, each optionally "iface|addr" and "/mask".</summary>
    Ip4List,
    /// <summary>IPv6 addresses, each optionally "iface|addr" and "/prefixlen".</summary>
    Ip6List,
}

/// <summary>A parameter jail(8) or the kernel knows (reference §3.1 and §3.3).</summary>
public sealed record JailParameterInfo(string Name, JailParameterType Type, bool IsPseudo, string Description, bool ReadOnly = false);

/// <summary>The outcome of checking a parameter before it is written.</summary>
public sealed record JailParameterCheck(string? Error, string? Warning)
{
    public bool IsValid => Error is null;
    public static readonly JailParameterCheck Ok = new(null, null);
}

/// <summary>
/// The catalogue of jail parameters: pseudo-parameters handled by jail(8) itself (config.c intparams[]) and the
/// kernel's security.jail.param.* (reference §3.3; the UNVERIFIED newer ones are included, as a newer kernel has them).
/// Values are checked as check_intparams()/libjail would, before anything is written.
/// </summary>
public static class JailParameterCatalog
{
    private static readonly JailParameterInfo[] All =
    {
        // §3.1 pseudo-parameters (jail(8) intparams[])
        new("exec.prepare", JailParameterType.CommandList, true, "Commands run on the host before anything else at creation."),
        new("exec.prestart", JailParameterType.CommandList, true, "Commands run on the host before the jail is created."),
        new("exec.created", JailParameterType.CommandList, true, "Commands run on the host just after the jail is created."),
        new("exec.start", JailParameterType.CommandList, true, "Commands run in the jail at start (e.g. /bin/sh /etc/rc)."),
        new("command", JailParameterType.CommandList, true, "A command run in the jail after exec.start."),
        new("exec.poststart", JailParameterType.CommandList, true, "Commands run on the host after the jail started."),
        new("exec.prestop", JailParameterType.CommandList, true, "Commands run on the host before the jail is stopped."),
        new("exec.stop", JailParameterType.CommandList, true, "Commands run in the jail at stop (e.g. /bin/sh /etc/rc.shutdown)."),
        new("exec.poststop", JailParameterType.CommandList, true, "Commands run on the host after the jail was removed."),
        new("exec.release", JailParameterType.CommandList, true, "Commands run on the host as the last step of removal."),
        new("exec.clean", JailParameterType.Bool, true, "Run commands in the jail with a clean environment."),
        new("exec.jail_user", JailParameterType.String, true, "User that runs commands in the jail."),
        new("exec.system_jail_user", JailParameterType.Bool, true, "Look exec.jail_user up in the host's password file."),
        new("exec.system_user", JailParameterType.String, true, "User that runs commands on the host."),
        new("exec.timeout", JailParameterType.Int, true, "Seconds to wait for a command to finish."),
        new("exec.consolelog", JailParameterType.String, true, "File that receives the output of the commands."),
        new("exec.fib", JailParameterType.Int, true, "Routing table (FIB) for the commands."),
        new("stop.timeout", JailParameterType.Int, true, "Seconds to wait for processes to exit before they are killed."),
        new("interface", JailParameterType.String, true, "Host interface that receives the jail's address aliases."),
        new("ip_hostname", JailParameterType.Bool, true, "Resolve host.hostname and add its addresses."),
        new("mount", JailParameterType.List, true, "fstab(5) lines mounted before the jail is created."),
        new("mount.fstab", JailParameterType.String, true, "An fstab(5) file mounted before the jail is created."),
        new("mount.devfs", JailParameterType.Bool, true, "Mount devfs on PATH/dev with devfs_ruleset."),
        new("mount.fdescfs", JailParameterType.Bool, true, "Mount fdescfs on PATH/dev/fd."),
        new("mount.procfs", JailParameterType.Bool, true, "Mount procfs on PATH/proc."),
        new("allow.dying", JailParameterType.Bool, true, "Deprecated; has no effect."),
        new("depend", JailParameterType.List, true, "Jails started before this one and stopped after it."),
        new("vnet.interface", JailParameterType.List, true, "Interfaces moved into the VNET jail."),
        new("zfs.dataset", JailParameterType.List, true, "ZFS datasets attached to the jail after creation (zfs jail)."),

        // §3.3 kernel parameters
        new("jid", JailParameterType.Int, false, "The jail identifier."),
        new("name", JailParameterType.String, false, "The jail name (parent.child for a child jail)."),
        new("path", JailParameterType.String, false, "Root directory of the jail."),
        new("ip4.addr", JailParameterType.Ip4List, false, "IPv4 addresses of the jail."),
        new("ip4.saddrsel", JailParameterType.Bool, false, "Source address selection for unbound IPv4 sockets."),
        new("ip4", JailParameterType.JailSys, false, "IPv4 virtualisation: new, inherit or disable."),
        new("ip6.addr", JailParameterType.Ip6List, false, "IPv6 addresses of the jail."),
        new("ip6.saddrsel", JailParameterType.Bool, false, "Source address selection for unbound IPv6 sockets."),
        new("ip6", JailParameterType.JailSys, false, "IPv6 virtualisation: new, inherit or disable."),
        new("vnet", JailParameterType.JailSys, false, "Own network stack (new) or the host's (inherit)."),
        new("host.hostname", JailParameterType.String, false, "Host name of the jail."),
        new("host.domainname", JailParameterType.String, false, "NIS domain name of the jail."),
        new("host.hostuuid", JailParameterType.String, false, "Host UUID of the jail."),
        new("host.hostid", JailParameterType.Int, false, "Host id of the jail."),
        new("host", JailParameterType.JailSys, false, "Host name virtualisation: new or inherit."),
        new("securelevel", JailParameterType.Int, false, "Securelevel of the jail (cannot be lower than the host's)."),
        new("devfs_ruleset", JailParameterType.Int, false, "devfs ruleset applied to the jail's /dev."),
        new("children.max", JailParameterType.Int, false, "Number of child jails allowed."),
        new("children.cur", JailParameterType.Int, false, "Number of child jails.", ReadOnly: true),
        new("enforce_statfs", JailParameterType.Int, false, "Mount points visible in the jail: 0, 1 or 2."),
        new("persist", JailParameterType.Bool, false, "Keep the jail without processes."),
        new("cpuset.id", JailParameterType.Int, false, "The jail's cpuset.", ReadOnly: true),
        new("dying", JailParameterType.Bool, false, "The jail is being removed.", ReadOnly: true),
        new("parent", JailParameterType.Int, false, "Jid of the parent jail.", ReadOnly: true),
        new("osrelease", JailParameterType.String, false, "Release string the jail reports (uname -r)."),
        new("osreldate", JailParameterType.Int, false, "__FreeBSD_version the jail reports."),
        new("allow.set_hostname", JailParameterType.Bool, false, "The jail's root may change its host name."),
        new("allow.sysvipc", JailParameterType.Bool, false, "System V IPC is shared with the host (deprecated; see sysvmsg/sysvsem/sysvshm)."),
        new("allow.raw_sockets", JailParameterType.Bool, false, "The jail's root may create raw sockets (ping, traceroute)."),
        new("allow.chflags", JailParameterType.Bool, false, "The jail's root may change system file flags."),
        new("allow.mount", JailParameterType.Bool, false, "The jail's root may mount file systems marked jail-friendly."),
        new("allow.mount.devfs", JailParameterType.Bool, false, "The jail may mount devfs."),
        new("allow.mount.fdescfs", JailParameterType.Bool, false, "The jail may mount fdescfs."),
        new("allow.mount.fusefs", JailParameterType.Bool, false, "The jail may mount fusefs."),
        new("allow.mount.linprocfs", JailParameterType.Bool, false, "The jail may mount linprocfs."),
        new("allow.mount.linsysfs", JailParameterType.Bool, false, "The jail may mount linsysfs."),
        new("allow.mount.nullfs", JailParameterType.Bool, false, "The jail may mount nullfs."),
        new("allow.mount.procfs", JailParameterType.Bool, false, "The jail may mount procfs."),
        new("allow.mount.tmpfs", JailParameterType.Bool, false, "The jail may mount tmpfs."),
        new("allow.mount.zfs", JailParameterType.Bool, false, "The jail may mount ZFS datasets delegated to it."),
        new("allow.quotas", JailParameterType.Bool, false, "The jail's root may administer quotas."),
        new("allow.socket_af", JailParameterType.Bool, false, "Sockets of any address family may be created."),
        new("allow.mlock", JailParameterType.Bool, false, "The jail may lock memory."),
        new("allow.setaudit", JailParameterType.Bool, false, "The jail's root may set audit state."),
        new("allow.reserved_ports", JailParameterType.Bool, false, "The jail's root may bind ports below 1024."),
        new("allow.read_msgbuf", JailParameterType.Bool, false, "The jail may read the kernel message buffer."),
        new("allow.unprivileged_proc_debug", JailParameterType.Bool, false, "Unprivileged processes may debug."),
        new("allow.suser", JailParameterType.Bool, false, "The jail's root keeps super-user privileges."),
        new("allow.nfsd", JailParameterType.Bool, false, "The jail may run an NFS server."),
        new("allow.extattr", JailParameterType.Bool, false, "The jail may manipulate system extended attributes."),
        new("allow.adjtime", JailParameterType.Bool, false, "The jail may adjust the clock (adjtime)."),
        new("allow.settime", JailParameterType.Bool, false, "The jail may set the clock."),
        new("allow.routing", JailParameterType.Bool, false, "The jail may change the routing table."),
        new("allow.unprivileged_parent_tampering", JailParameterType.Bool, false, "Unprivileged parent processes may tamper with the jail."),
        new("allow.vmm", JailParameterType.Bool, false, "The jail may use vmm(4) (bhyve)."),
        new("sysvmsg", JailParameterType.JailSys, false, "System V message queues: new, inherit or disable."),
        new("sysvsem", JailParameterType.JailSys, false, "System V semaphores: new, inherit or disable."),
        new("sysvshm", JailParameterType.JailSys, false, "System V shared memory: new, inherit or disable."),
        new("linux", JailParameterType.JailSys, false, "Linux emulation settings: new or inherit."),
        new("linux.osname", JailParameterType.String, false, "Linux OS name reported in the jail."),
        new("linux.osrelease", JailParameterType.String, false, "Linux release reported in the jail."),
        new("linux.oss_version", JailParameterType.Int, false, "Linux OSS version reported in the jail."),
        new("zfs.mount_snapshot", JailParameterType.Int, false, "Snapshots may be mounted in the jail (.zfs/snapshot)."),
        new("meta", JailParameterType.String, false, "Free-form metadata (FreeBSD 15.0)."),
        new("env", JailParameterType.String, false, "Free-form environment metadata (FreeBSD 15.0)."),
    };

    private static readonly Dictionary<string, JailParameterInfo> ByName = All.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public static IReadOnlyList<JailParameterInfo> Parameters => All;

    /// <summary>The parameter this name refers to, the "no" form of a boolean included (allow.nomount → allow.mount).</summary>
    public static JailParameterInfo? Find(string name)
    {
        if (ByName.TryGetValue(name, out var p)) return p;
        var canonical = NoFormOf(name);
        if (canonical != null && ByName.TryGetValue(canonical, out p) && p.Type == JailParameterType.Bool) return p;
        return null;
    }

    /// <summary>The name without a "no" at the start of its last component, or null.</summary>
    private static string? NoFormOf(string name)
    {
        int dot = name.LastIndexOf('.');
        if (string.CompareOrdinal(name, dot + 1, "no", 0, 2) != 0 || name.Length - dot - 1 <= 2) return null;
        return name[..(dot + 1)] + name[(dot + 3)..];
    }

    /// <summary>
    /// Checks a value before it is written. <paramref name="values"/> null is the valueless form (<c>persist;</c>).
    /// Unknown names give a warning (the kernel may be newer), or an error when <paramref name="hostSupported"/>
    /// (the host's security.jail.param list, <see cref="Session.JailSession.SupportedParameters"/>) is known and does not have the name.
    /// </summary>
    public static JailParameterCheck Validate(string name, IReadOnlyList<string>? values, IReadOnlyCollection<string>? hostSupported)
    {
        if (string.IsNullOrEmpty(name)) return new("A jail parameter name cannot be empty.", null);
        if (values != null)
        {
            if (values.Count == 0) return new($"Parameter '{name}': a value list cannot be empty.", null);
            foreach (var v in values)
                if (v is null || v.IndexOf('\0') >= 0)
                    return new($"Parameter '{name}': a value cannot be null or contain a NUL character.", null);
        }
        var info = Find(name);
        if (info is null)
        {
            var canonical = NoFormOf(name) ?? name;
            if (hostSupported != null)
            {
                bool known = hostSupported.Contains(name) || hostSupported.Contains(canonical)
                             || hostSupported.Any(h => h.StartsWith(name + ".", StringComparison.Ordinal));
                if (!known)
                    return new($"Unknown jail parameter '{name}': the host's kernel does not support it (security.jail.param.{canonical}).", null);
                return JailParameterCheck.Ok;
            }
            return new(null, $"Unknown jail parameter '{name}': not in the module's catalogue; it is written as given (the kernel may be newer).");
        }
        if (info.ReadOnly) return new($"Parameter '{info.Name}' is read-only; it cannot be set.", null);
        if (!info.IsPseudo && hostSupported != null && !hostSupported.Contains(info.Name)
            && !hostSupported.Any(h => h.StartsWith(info.Name + ".", StringComparison.Ordinal)))
            return new($"Jail parameter '{info.Name}' is not supported by the host's kernel.", null);
        var error = CheckValue(info, name, values);
        if (error != null) return new(error, null);
        if (info.Name == "allow.dying") return new(null, "The 'allow.dying' parameter is deprecated and has no effect.");
        return JailParameterCheck.Ok;
    }

    private static string? CheckValue(JailParameterInfo info, string name, IReadOnlyList<string>? values)
    {
        switch (info.Type)
        {
            case JailParameterType.Bool:
                if (values is null) return null;
                if (values.Count > 1) return $"Parameter '{name}' is a boolean and takes one value, not {values.Count}.";
                if (!IsBool(values[0])) return $"{name}: unknown boolean value \"{values[0]}\"";
                return null;
            case JailParameterType.Int:
                if (values is null) return $"Parameter '{name}' needs an integer value.";
                if (values.Count > 1) return $"Parameter '{name}' takes one integer, not {values.Count} values.";
                if (!IsInt(values[0])) return $"{name}: non-integer value \"{values[0]}\"";
                if (info.Name == "enforce_statfs" && JailParameterValues.StrToL(values[0], out _) is < 0 or > 2)
                    return $"Parameter 'enforce_statfs' must be 0, 1 or 2, not {values[0]}.";
                if (info.Name == "securelevel" && JailParameterValues.StrToL(values[0], out _) is < -1 or > 3)
                    return $"Parameter 'securelevel' must be between -1 and 3, not {values[0]}.";
                return null;
            case JailParameterType.String:
                if (values is null) return $"Parameter '{name}' needs a value.";
                if (values.Count > 1) return $"Parameter '{name}' takes one value, not {values.Count}.";
                if (info.Name == "path" && values[0].Length > 0 && values[0][0] != '/' && values[0].IndexOf('$') < 0)
                    return $"path {values[0]}: not an absolute pathname";
                return null;
            case JailParameterType.JailSys:
                if (values is null) return null; // "vnet;" means new
                if (values.Count > 1) return $"Parameter '{name}' takes one of new, inherit or disable, not {values.Count} values.";
                var v = values[0];
                if (v.Equals("new", StringComparison.OrdinalIgnoreCase) || v.Equals("inherit", StringComparison.OrdinalIgnoreCase)
                    || v.Equals("disable", StringComparison.OrdinalIgnoreCase) || IsBool(v))
                    return null;
                return $"Parameter '{name}' must be new, inherit or disable, not \"{v}\".";
            case JailParameterType.Ip4List:
            case JailParameterType.Ip6List:
                if (values is null) return $"Parameter '{name}' needs at least one address.";
                foreach (var raw in values)
                    foreach (var item in raw.Split(',', StringSplitOptions.TrimEntries))
                    {
                        if (item.Length == 0) return $"Parameter '{name}': empty address in \"{raw}\".";
                        if (item.IndexOf('$') >= 0) continue; // expanded by jail(8) per jail
                        var why = CheckAddress(item, info.Type == JailParameterType.Ip4List);
                        if (why != null) return $"Parameter '{name}': {why}";
                    }
                return null;
            default:
                if (values is null) return $"Parameter '{name}' needs a value.";
                return null;
        }
    }

    /// <summary>check_intparams(): "true", "false" (any case) or a number strtol reads completely.</summary>
    public static bool IsBool(string v)
        => v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase) || IsInt(v);

    public static bool IsInt(string v)
    {
        JailParameterValues.StrToL(v, out int end);
        return end > 0 && end == v.Length;
    }

    /// <summary>"[iface|]address[/mask]" as jail(8) accepts in ip4.addr / ip6.addr.</summary>
    public static string? CheckAddress(string item, bool v4)
    {
        var a = item;
        int bar = a.IndexOf('|');
        if (bar >= 0)
        {
            var iface = a[..bar];
            if (iface.Length == 0 || iface.Length > 15 || !iface.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                return $"\"{iface}\" is not an interface name.";
            a = a[(bar + 1)..];
        }
        string? mask = null;
        int slash = a.IndexOf('/');
        if (slash >= 0) { mask = a[(slash + 1)..]; a = a[..slash]; }
        int sp = a.IndexOf(' ');
        if (sp >= 0) return $"\"{item}\" is not an address.";
        if (!IPAddress.TryParse(a, out var ip) || ip.AddressFamily != (v4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6)
            || (v4 && a.Count(c => c == '.') != 3))
            return $"\"{a}\" is not an IPv{(v4 ? 4 : 6)} address.";
        if (mask != null)
        {
            if (int.TryParse(mask, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
            {
                if (bits > (v4 ? 32 : 128)) return $"\"/{mask}\" is not a valid prefix length.";
            }
            else if (!v4 || !IPAddress.TryParse(mask, out var m) || m.AddressFamily != AddressFamily.InterNetwork)
                return $"\"/{mask}\" is not a valid netmask.";
        }
        return null;
    }
}
