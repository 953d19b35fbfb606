using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>
/// What Test-JailHost reads, from five processes (reference §12, §17.5, §17.11): freebsd-version -k -r -u,
/// sysctl for values, sysctl -N for the jail parameter names, id -u, kldstat.
/// </summary>
public static class HostProbeTool
{
    public const string VimageOid = "kern.features.vimage";
    public const string RacctOid = "kern.racct.enable";
    public const string ArchOid = "hw.machine_arch";
    public const string JailedOid = "security.jail.jailed";
    public const string ParamNode = "security.jail.param";

    /// <summary>freebsd-version -k -r -u: the installed kernel, the running kernel, the userland, one line each in that order.</summary>
    public static ProcessRequest FreebsdVersion() => new(ToolPaths.FreebsdVersion, new[] { "-k", "-r", "-u" });

    /// <summary>freebsd-version -r -u: for a host whose installed kernel cannot be found (-k fails the whole script: set -e).</summary>
    public static ProcessRequest FreebsdVersionRunning() => new(ToolPaths.FreebsdVersion, new[] { "-r", "-u" });

    /// <summary>sysctl -i -e: missing OIDs (no VIMAGE, no RACCT) are skipped silently, every line says which OID it is.</summary>
    public static ProcessRequest Sysctl() => new(ToolPaths.Sysctl, new[] { "-i", "-e", ArchOid, VimageOid, RacctOid, JailedOid });

    /// <summary>
    /// sysctl -N security.jail.param: the jail parameter names. The value form is no use here: sysctl.c skips
    /// the opaque struct OIDs ip4.addr and ip6.addr and kern_jail.c reports string parameters as their length.
    /// </summary>
    public static ProcessRequest JailParameters() => new(ToolPaths.Sysctl, new[] { "-N", ParamNode });

    /// <summary>id -u (<see cref="IdTool"/>).</summary>
    public static ProcessRequest Id() => IdTool.EffectiveUid();

    public static ProcessRequest Kldstat() => new(ToolPaths.Kldstat, Array.Empty<string>());

    /// <summary>The lines of freebsd-version -k -r -u (or -r -u): one version per line, in the order asked.</summary>
    public static string[] ParseFreebsdVersion(string stdout)
        => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>sysctl -N output: one OID name per line.</summary>
    public static IEnumerable<string> ParseNames(string stdout)
        => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>sysctl -e output: "name=value" per line (a value may itself contain '=').</summary>
    public static Dictionary<string, string> ParseSysctlE(string stdout)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            int eq = line.IndexOf('=');
            if (eq <= 0) continue;
            d[line[..eq]] = line[(eq + 1)..];
        }
        return d;
    }

    /// <summary>
    /// Jail parameter names from security.jail.param.* OIDs. A parameter that is also a node (allow.mount,
    /// the jailsys ones such as vnet) is listed with a trailing dot, which libjail strips; so does this.
    /// </summary>
    public static string[] JailParameterNames(IEnumerable<string> oids)
    {
        var prefix = ParamNode + ".";
        return oids.Where(o => o.StartsWith(prefix, StringComparison.Ordinal))
            .Select(o => o[prefix.Length..].TrimEnd('.'))
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>kldstat's table (Id Refs Address Size Name): the Name column of each row.</summary>
    public static string[] ParseKldstat(string stdout)
    {
        var list = new List<string>();
        foreach (var raw in stdout.Split('\n'))
        {
            var f = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5 || !int.TryParse(f[0], out _)) continue;
            list.Add(f[4]);
        }
        return list.ToArray();
    }
}
