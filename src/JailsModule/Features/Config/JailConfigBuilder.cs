using JailsModule.Config;

namespace JailsModule.Services;

/// <summary>What New-Jail puts in /etc/jail.conf.d/NAME.conf.</summary>
public sealed class NewJailConfig
{
    public string Name { get; set; } = "";
    public string HostName { get; set; } = "";
    public string Path { get; set; } = "";
    public IReadOnlyList<string> IPv4 { get; set; } = Array.Empty<string>();
    public IReadOnlyList<string> IPv6 { get; set; } = Array.Empty<string>();
    public string? Interface { get; set; }

    /// <summary>Extra parameters (-Parameter): null value = the valueless form (allow.raw_sockets;).</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>?>> Extra { get; set; } = Array.Empty<KeyValuePair<string, IReadOnlyList<string>?>>();

    /// <summary>Write the Extra values literally (single-quoted when they hold a '$'); by default jail(8) expands their $references.</summary>
    public bool Literal { get; set; }

    /// <summary>The module's comment block (uuid, template, kind): the metadata for storage without ZFS user properties.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; set; } = Array.Empty<KeyValuePair<string, string>>();
}

/// <summary>
/// Renders the standard per-jail file through the jail.conf engine (JailConfDocument), in the shape
/// of the Handbook's jail examples: exec.start/stop, consolelog, exec.clean, mount.devfs,
/// host.hostname, path, ip4.addr/ip6.addr with interface.
/// </summary>
public static class JailConfigBuilder
{
    /// <summary>Comment lines starting with this prefix carry the module's metadata ("# jailsmodule: uuid=...").</summary>
    public const string MetadataPrefix = "# jailsmodule:";

    public static string Render(string file, NewJailConfig c)
    {
        var doc = JailConfDocument.Empty(file);
        doc.AddJail(c.Name);
        void Set(string n, params string[]? v) => doc.SetParameter(c.Name, n, v);
        Set("exec.start", "/bin/sh /etc/rc");
        Set("exec.stop", "/bin/sh /etc/rc.shutdown");
        Set("exec.consolelog", $"/var/log/jail_console_{c.Name}.log");
        Set("exec.clean", null);
        Set("mount.devfs", null);
        Set("host.hostname", c.HostName);
        Set("path", c.Path);
        if (c.IPv4.Count > 0) Set("ip4.addr", c.IPv4.ToArray());
        if (c.IPv6.Count > 0) Set("ip6.addr", c.IPv6.ToArray());
        if (c.Interface != null) Set("interface", c.Interface);
        foreach (var kv in c.Extra)
            doc.SetParameter(c.Name, kv.Key, kv.Value, expand: !c.Literal);
        var header = new System.Text.StringBuilder();
        header.Append("# Created by JailsModule (New-Jail). Start with: service jail start ").Append(c.Name).Append('\n');
        foreach (var kv in c.Metadata)
            header.Append(MetadataPrefix).Append(' ').Append(kv.Key).Append('=').Append(kv.Value).Append('\n');
        var text = header + doc.ToString();
        JailConfDocument.Parse(text, file); // the result must still be a file jail(8) reads
        return text;
    }

    /// <summary>The module's metadata comments of a config file (empty when none).</summary>
    public static Dictionary<string, string> ReadMetadata(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!line.StartsWith(MetadataPrefix, StringComparison.Ordinal)) continue;
            var kv = line[MetadataPrefix.Length..].Trim();
            int eq = kv.IndexOf('=');
            if (eq > 0) map[kv[..eq]] = kv[(eq + 1)..];
        }
        return map;
    }
}
