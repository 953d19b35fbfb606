using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>jail(8) command lines, the way rc.d/jail runs them (reference §1 and §6).</summary>
public static class JailTool
{
    /// <summary>rc.d/jail's per-name start: jail -i -f CONF -c NAME (prints the new jid).</summary>
    public static ProcessRequest Start(string name, string configFile)
        => new(ToolPaths.Jail, new[] { "-i", "-f", configFile, "-c", name });

    /// <summary>rc.d/jail's stop: jail -q -f CONF -r NAME. Without a config file: jail -q -r NAME.</summary>
    public static ProcessRequest Stop(string name, string? configFile)
        => configFile is null
            ? new(ToolPaths.Jail, new[] { "-q", "-r", name })
            : new(ToolPaths.Jail, new[] { "-q", "-f", configFile, "-r", name });

    /// <summary>jail -f CONF -rc NAME: restart in one jail(8) run.</summary>
    public static ProcessRequest Restart(string name, string configFile)
        => new(ToolPaths.Jail, new[] { "-f", configFile, "-rc", name });

    /// <summary>jail -f CONF -e SEP: the config oracle.</summary>
    public static ProcessRequest Show(string configFile, string separator)
        => new(ToolPaths.Jail, new[] { "-f", configFile, "-e", separator });
}
