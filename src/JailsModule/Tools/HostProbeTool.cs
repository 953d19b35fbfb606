using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>What Test-JailHost reads, from four processes (reference §12): freebsd-version -k -u, one sysctl, id -u, kldstat.</summary>
public static class HostProbeTool
{
    public const string VimageOid = "kern.features.vimage";
    public const string RacctOid = "kern.racct.enable";
    public const string ArchOid = "hw.machine_arch";
    public const string JailedOid = "security.jail.jailed";
    public const string ParamNode = "security.jail.param";

    public static ProcessRequest FreebsdVersion() => new(ToolPaths.FreebsdVersion, new[] { "-k", "-u" });

    /// <summary>sysctl -i -e: missing OIDs (no VIMAGE, no RACCT) are skipped silently, every line says which OID it is.</summary>
    public static ProcessRequest Sysctl() => new(ToolPaths.Sysctl, new[] { "-i", "-e", ArchOid, VimageOid, RacctOid, JailedOid, ParamNode });

    /// <summary>id -u (<see cref="IdTool"/>).</summary>
    public static ProcessRequest Id() => IdTool.EffectiveUid();

    public static ProcessRequest Kldstat() => new(ToolPaths.Kldstat, Array.Empty<string>());

    /// <summary>freebsd-version -k -u prints the kernel line, then the userland line.</summary>
    public static (string Kernel, string Userland) ParseFreebsdVersion(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines.Length > 0 ? lines[0] : "", lines.Length > 1 ? lines[1] : "");
    }

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
