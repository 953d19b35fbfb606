using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>sysrc(8): the rc.conf writer (reference §9). Values are single argv words: never a shell string.</summary>
public static class SysrcTool
{
    /// <summary>sysrc NAME=VALUE (in the file given, else rc.conf).</summary>
    public static ProcessRequest Set(string name, string value, string? file = null) => Make(file, $"{name}={value}");

    /// <summary>sysrc NAME+=WORD: adds a word to a space-separated list (no duplicate).</summary>
    public static ProcessRequest Append(string name, string word, string? file = null) => Make(file, $"{name}+={word}");

    /// <summary>sysrc NAME-=WORD: takes a word out of a list.</summary>
    public static ProcessRequest RemoveWord(string name, string word, string? file = null) => Make(file, $"{name}-={word}");

    /// <summary>sysrc -x NAME: deletes the variable.</summary>
    public static ProcessRequest Delete(string name, string? file = null)
        => file is null ? new(ToolPaths.Sysrc, new[] { "-x", name }) : new(ToolPaths.Sysrc, new[] { "-f", file, "-x", name });

    private static ProcessRequest Make(string? file, string assignment)
        => file is null ? new(ToolPaths.Sysrc, new[] { assignment }) : new(ToolPaths.Sysrc, new[] { "-f", file, assignment });

    /// <summary>rc.conf's variable for an interface: ifconfig_NAME with '.' and '-' as '_' (network.subr ltr).</summary>
    public static string IfconfigVariable(string ifname) => "ifconfig_" + ifname.Replace('.', '_').Replace('-', '_');
}
