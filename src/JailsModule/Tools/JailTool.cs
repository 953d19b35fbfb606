using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>jail(8) command lines, the way rc.d/jail runs them (reference §1 and §6).</summary>
public static class JailTool
{
    /// <summary>
    /// rc.d/jail's per-name start: $command $rc_flags -i -f CONF -c NAME (jail -i prints the new jid, before
    /// exec.start's output). <paramref name="program"/> and <paramref name="flags"/> come from rc.conf
    /// (Services.RcJailCommand); by default /usr/sbin/jail without flags.
    /// </summary>
    public static ProcessRequest Start(string name, string configFile, string? program = null, IReadOnlyList<string>? flags = null)
        => new(program ?? ToolPaths.Jail, (flags ?? Array.Empty<string>()).Concat(new[] { "-i", "-f", configFile, "-c", name }).ToArray());

    /// <summary>rc.d/jail's stop: $command -q -f CONF -r NAME (no flags). Without a config file: -q -r NAME.</summary>
    public static ProcessRequest Stop(string name, string? configFile, string? program = null, IReadOnlyList<string>? programArgs = null)
        => new(program ?? ToolPaths.Jail, (programArgs ?? Array.Empty<string>())
            .Concat(configFile is null ? new[] { "-q", "-r", name } : new[] { "-q", "-f", configFile, "-r", name }).ToArray());

    /// <summary>jail -f CONF -rc NAME: restart in one jail(8) run.</summary>
    public static ProcessRequest Restart(string name, string configFile)
        => new(ToolPaths.Jail, new[] { "-f", configFile, "-rc", name });

    /// <summary>jail -f CONF -e SEP: the config oracle.</summary>
    public static ProcessRequest Show(string configFile, string separator)
        => new(ToolPaths.Jail, new[] { "-f", configFile, "-e", separator });
}
