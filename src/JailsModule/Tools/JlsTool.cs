using System.Text.Json;
using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>One running jail as jls reports it (libxo JSON, parameter mode: the parameters asked for).</summary>
public sealed class JlsRecord
{
    public int Jid { get; init; }
    public string Name { get; init; } = "";
    public string Path { get; init; } = "";
    public string HostName { get; init; } = "";
    public bool Dying { get; init; }
    public string[] IPv4 { get; init; } = Array.Empty<string>();
    public string[] IPv6 { get; init; } = Array.Empty<string>();

    /// <summary>The parameters jls printed, as text; booleans as "true"/"false"; address lists comma-joined.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}

/// <summary>jls(8): argv builders and parsers for its output formats (reference §4).</summary>
public static class JlsTool
{
    /// <summary>
    /// The kernel parameters the module reads from running jails, by name: none can be empty (jls.c's
    /// quoted_print emits an empty string through a format without an argument, undefined behaviour,
    /// reference §17.4), jid is a number, dying a boolean, vnet a jailsys word, and ip4.addr/ip6.addr are
    /// lists in JSON (emit_ip_addr_list). jls.c refuses a name the kernel does not know ("jls: unknown
    /// parameter: vnet" without VIMAGE): <see cref="Optional"/> names may be dropped and asked again.
    /// </summary>
    public static readonly string[] Parameters = { "jid", "name", "dying", "path", "host.hostname", "vnet", "ip4.addr", "ip6.addr" };

    /// <summary>Parameters a kernel may lack (VIMAGE, INET, INET6 options).</summary>
    public static readonly string[] Optional = { "vnet", "ip4.addr", "ip6.addr" };

    /// <summary>jls --libxo json -d PARAM...: all jails (dying too) with the <see cref="Parameters"/>. One process for the whole host.</summary>
    public static ProcessRequest ListAll(IEnumerable<string>? without = null)
        => new(ToolPaths.Jls, new[] { "--libxo", "json", "-d" }.Concat(Parameters.Except(without ?? Array.Empty<string>())).ToArray());

    /// <summary>The parameter a failed <see cref="ListAll"/> names as unknown ("jls: unknown parameter: vnet"), when it is an optional one.</summary>
    public static string? UnknownOptional(string stderr)
    {
        const string marker = "unknown parameter: ";
        int i = stderr.IndexOf(marker, StringComparison.Ordinal);
        if (i < 0) return null;
        var name = stderr[(i + marker.Length)..].Trim();
        return Optional.Contains(name) ? name : null;
    }

    /// <summary>jls -j NAME jid: what rc.d/jail writes into /var/run/jail_NAME.id after a start.</summary>
    public static ProcessRequest Jid(string name) => new(ToolPaths.Jls, new[] { "-j", name, "jid" });

    /// <summary>The output of <see cref="Jid"/>: one decimal number on one line; null otherwise.</summary>
    public static int? ParseJid(string stdout)
    {
        var t = stdout.Trim();
        return t.Length > 0 && t.All(char.IsAsciiDigit) && int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var jid) ? jid : null;
    }

    /// <summary>Parses libxo JSON from any jls mode. Tolerant: jid as number or string, address lists as arrays, no reliance on whitespace.</summary>
    public static IReadOnlyList<JlsRecord> ParseJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<JlsRecord>();
        if (!doc.RootElement.TryGetProperty("jail-information", out var info) ||
            !info.TryGetProperty("jail", out var jails) || jails.ValueKind != JsonValueKind.Array)
            throw new FormatException("jls output has no jail-information.jail list.");

        foreach (var j in jails.EnumerateArray())
        {
            var p = new Dictionary<string, string>(StringComparer.Ordinal);
            string[] ip4 = Array.Empty<string>(), ip6 = Array.Empty<string>();
            foreach (var prop in j.EnumerateObject())
            {
                switch (prop.Name)
                {
                    case "ip4.addr":
                    case "ipv4_addrs":
                        ip4 = Strings(prop.Value);
                        p["ip4.addr"] = string.Join(",", ip4);
                        continue;
                    case "ip6.addr":
                    case "ipv6_addrs":
                        ip6 = Strings(prop.Value);
                        p["ip6.addr"] = string.Join(",", ip6);
                        continue;
                    case "ipv4":
                        var first = Text(prop.Value);
                        if (first.Length > 0) ip4 = new[] { first };
                        continue;
                }
                p[prop.Name] = Text(prop.Value);
            }

            var name = Get(p, "name");
            var hostname = p.TryGetValue("host.hostname", out var hh) ? hh : Get(p, "hostname");
            bool dying = (p.TryGetValue("dying", out var d) && d == "true") ||
                         (p.TryGetValue("state", out var st) && st == "DYING");
            int.TryParse(Get(p, "jid"), out var jid);
            list.Add(new JlsRecord
            {
                Jid = jid,
                Name = name.Length > 0 ? name : jid.ToString(),
                Path = Get(p, "path"),
                HostName = hostname,
                Dying = dying,
                IPv4 = ip4,
                IPv6 = ip6,
                Parameters = p,
            });
        }
        return list;
    }

    private static string Get(Dictionary<string, string> p, string key) => p.TryGetValue(key, out var v) ? v : "";

    private static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "",
        JsonValueKind.Array => string.Join(",", e.EnumerateArray().Select(Text)),
        _ => e.GetRawText(),
    };

    private static string[] Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => e.EnumerateArray().Select(Text).Where(s => s.Length > 0).ToArray(),
        JsonValueKind.String => (e.GetString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        _ => Array.Empty<string>(),
    };
}
