using JailsModule.Config;
using JailsModule.Host;

namespace JailsModule.Services;

/// <summary>
/// Which jail.conf file rc.d/jail gives each jail (its parse_options), from the host's rc.conf:
/// <c>${jail_JV_conf:-/etc/jail.J.conf}</c>, then <c>/etc/jail.conf.d/J.conf</c>, then <c>$jail_conf</c>
/// (default /etc/jail.conf), the first that exists. J is the jail name with '/' and '.' turned into
/// '_', JV is J with every other non-alphanumeric character turned into '_' too. Get-Jail and the
/// action cmdlets use the same file that <c>service jail start NAME</c> would, and see jails kept in
/// files named only by rc.conf.
/// </summary>
public sealed class RcJailConf
{
    public const string DefaultMainConfig = "/etc/jail.conf";

    public RcJailConf(string mainConfig, IReadOnlyDictionary<string, string> perJail)
    {
        MainConfig = mainConfig;
        PerJail = perJail;
    }

    /// <summary>$jail_conf: the file of `service jail start` with no names, and the last choice for a name.</summary>
    public string MainConfig { get; }

    /// <summary>jail_JV_conf settings: JV to file.</summary>
    public IReadOnlyDictionary<string, string> PerJail { get; }

    /// <summary>rc.conf as rc.d/jail sees it (load_rc_config jail: rc.conf.d/jail included).</summary>
    public static RcJailConf Read(IJailHost host) => From(RcConf.Read(host, "jail"));

    public static RcJailConf From(IReadOnlyDictionary<string, string> rc)
    {
        var main = rc.TryGetValue("jail_conf", out var m) && m.StartsWith('/') ? m : DefaultMainConfig;
        var perJail = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in rc)
            if (name.Length > "jail__conf".Length && name.StartsWith("jail_", StringComparison.Ordinal)
                && name.EndsWith("_conf", StringComparison.Ordinal) && value.StartsWith('/'))
                perJail[name["jail_".Length..^"_conf".Length]] = value;
        return new RcJailConf(main, perJail);
    }

    /// <summary>rc.d/jail's _j: '/' and '.' turned into '_'.</summary>
    public static string J(string name) => name.Replace('/', '_').Replace('.', '_');

    /// <summary>rc.d/jail's _jv: every character but ASCII letters and digits turned into '_' (tr -c '[:alnum:]' _).</summary>
    public static string Jv(string name) => string.Create(name.Length, name, (span, n) =>
    {
        for (int i = 0; i < n.Length; i++) span[i] = char.IsAsciiLetterOrDigit(n[i]) ? n[i] : '_';
    });

    /// <summary>The jail_JV_conf file of that jail, or null.</summary>
    public string? PerJailFile(string name) => PerJail.TryGetValue(Jv(name), out var f) ? f : null;
}
