using System.Collections.Specialized;
using JailsModule.Config;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>
/// Builds the list of jails from ONE jls call joined in memory with the parsed configuration
/// ($jail_conf, /etc/jail.conf by default, with its includes, /etc/jail.*.conf, /etc/jail.conf.d/*.conf
/// and the files rc.conf names in jail_NAME_conf).
/// No process per jail.
/// </summary>
public sealed class JailInventory
{
    public const string MainConfig = "/etc/jail.conf";
    public const string ConfigDirectory = "/etc/jail.conf.d";

    public JailInventory(IReadOnlyList<Jail> jails, IReadOnlyList<ConfDiagnostic> configErrors)
    {
        _jails = jails;
        ConfigErrors = configErrors;
    }

    /// <summary>The joined list is built when first asked for; <see cref="Find"/> alone builds only the one jail.</summary>
    private JailInventory(IJailHost host, IReadOnlyList<JlsRecord> running, List<(ConfJail Jail, string ConfigPath)> configured, IReadOnlyList<ConfDiagnostic> configErrors)
    {
        _host = host;
        _running = running;
        _configured = configured;
        ConfigErrors = configErrors;
    }

    private IReadOnlyList<Jail>? _jails;
    private readonly IJailHost? _host;
    private readonly IReadOnlyList<JlsRecord>? _running;
    private readonly List<(ConfJail Jail, string ConfigPath)>? _configured;

    public IReadOnlyList<Jail> Jails => _jails ??= Join(_host!.ComputerName, _running!, _configured!);

    /// <summary>Files that did not parse; their jails are missing from the list.</summary>
    public IReadOnlyList<ConfDiagnostic> ConfigErrors { get; }

    /// <summary>The jail of that name: the same object <c>Jails.FirstOrDefault(j => j.Name == name)</c> describes.</summary>
    public Jail? Find(string name)
    {
        if (_jails != null) return _jails.FirstOrDefault(j => j.Name == name);
        // Join's rules for one name: a configured jail takes the LAST jls record of its name (the
        // dictionary keeps the last); otherwise the FIRST running record of that name comes first.
        JlsRecord? first = null, last = null;
        foreach (var r in _running!)
            if (r.Name == name) { first ??= r; last = r; }
        foreach (var (cj, path) in _configured!)
            if (cj.Name == name)
                return last != null ? FromRunning(_host!.ComputerName, last, path, cj) : FromConfig(_host!.ComputerName, cj, path);
        return first is null ? null : FromRunning(_host!.ComputerName, first, null);
    }

    public static JailInventory Read(IJailHost host, CancellationToken ct, Action<ProcessRequest>? onCommand = null, ConfFileCache? cache = null)
    {
        var running = ReadRunning(host, ct, onCommand);
        var (configured, errors) = ReadConfigured(host, cache);
        return new JailInventory(host, running, configured, errors);
    }

    /// <summary>The running jails: one jls --libxo json run.</summary>
    public static IReadOnlyList<JlsRecord> ReadRunning(IJailHost host, CancellationToken ct, Action<ProcessRequest>? onCommand = null)
    {
        // One jls; a kernel without VIMAGE (or INET/INET6) lacks a parameter, which jls.c refuses: ask again without it.
        var without = new List<string>();
        while (true)
        {
            string? missing = null;
            try
            {
                return JlsTool.ParseJson(CommandRunner.Run(host, JlsTool.ListAll(without), ct, onCommand).StandardOutput);
            }
            catch (NativeCommandException e) when ((missing = JlsTool.UnknownOptional(e.Result.StandardError)) != null && !without.Contains(missing))
            {
                without.Add(missing);
            }
        }
    }

    /// <summary>Every configured jail with the file rc.d/jail would start it from.</summary>
    /// <remarks><paramref name="cache"/> is the session's parsed files (<see cref="Session.JailSession.ConfFiles"/>); without one every file is parsed.</remarks>
    public static (List<(ConfJail Jail, string ConfigPath)> Jails, List<ConfDiagnostic> Errors) ReadConfigured(IJailHost host, ConfFileCache? cache = null)
    {
        var source = new HostConfSource(host);
        cache ??= new ConfFileCache();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<ConfDiagnostic>();
        var found = new Dictionary<string, (ConfJail Jail, string Path, int Rank)>(StringComparer.Ordinal);
        var order = new List<string>();
        var readFiles = new HashSet<string>(StringComparer.Ordinal);

        void LoadFile(string path, HostFileInfo? info, Func<ConfJail, int> rank)
        {
            if (readFiles.Contains(path)) return;
            var result = cache.Load(host, path, source, info);
            foreach (var f in result.Files) readFiles.Add(f);
            if (!result.Success)
            {
                errors.AddRange(result.Errors);
                return;
            }
            foreach (var j in result.Jails)
            {
                var r = rank(j);
                if (found.TryGetValue(j.Name, out var prev) && prev.Rank <= r) continue;
                if (!found.ContainsKey(j.Name)) order.Add(j.Name);
                found[j.Name] = (j, path, r);
            }
        }

        // rc.d/jail's choice for "service jail start NAME" (RcJailConf): ${jail_JV_conf:-/etc/jail.J.conf},
        // then /etc/jail.conf.d/J.conf, then $jail_conf. Lower rank wins; 3 is a jail found in a file
        // rc.d would not pick for it. One walk per folder: each file's stamp for the cache, folders skipped.
        var rc = RcJailConf.Read(host);
        foreach (var (jv, f) in rc.PerJail)
        {
            var info = host.GetFileInfo(f);
            if (info is null || info.IsDirectory) continue;
            listed.Add(f);
            LoadFile(f, info, j => RcJailConf.Jv(j.Name) == jv ? 0 : 3);
        }
        foreach (var info in host.ListFiles("/etc", "jail.*.conf"))
        {
            var f = info.Path;
            var stem = f["/etc/jail.".Length..^".conf".Length];
            listed.Add(f);
            LoadFile(f, info, j => RcJailConf.J(j.Name) == stem && rc.PerJailFile(j.Name) is null ? 0 : 3);
        }
        foreach (var info in host.ListFiles(ConfigDirectory, "*.conf"))
        {
            var f = info.Path;
            var stem = f[(ConfigDirectory.Length + 1)..^".conf".Length];
            listed.Add(f);
            LoadFile(f, info, j => RcJailConf.J(j.Name) == stem ? 1 : 3);
        }
        var main = rc.MainConfig;
        var mainInfo = host.GetFileInfo(main);
        if (mainInfo is { IsDirectory: false })
        {
            readFiles.Remove(main);
            listed.Add(main);
            var result = cache.Load(host, main, source, mainInfo);
            if (!result.Success) errors.AddRange(result.Errors);
            else
                foreach (var j in result.Jails)
                {
                    if (found.TryGetValue(j.Name, out var prev) && prev.Rank <= 2) continue;
                    if (!found.ContainsKey(j.Name)) order.Add(j.Name);
                    found[j.Name] = (j, main, 2);
                }
        }
        cache.Retain(listed);
        return (order.Select(n => (found[n].Jail, found[n].Path)).ToList(), errors);
    }

    private static List<Jail> Join(string computer, IReadOnlyList<JlsRecord> running, List<(ConfJail Jail, string ConfigPath)> configured)
    {
        var result = new List<Jail>(configured.Count + running.Count);
        var byName = new Dictionary<string, JlsRecord>(StringComparer.Ordinal);
        foreach (var r in running) byName[r.Name] = r;

        foreach (var (cj, path) in configured)
        {
            byName.TryGetValue(cj.Name, out var r);
            if (r != null) byName.Remove(cj.Name);
            result.Add(r != null ? FromRunning(computer, r, path, cj) : FromConfig(computer, cj, path));
        }
        foreach (var r in running)
            if (byName.ContainsKey(r.Name)) result.Add(FromRunning(computer, r, null));
        return result;
    }

    /// <summary>
    /// A running jail: the kernel's values of the parameters jls was asked for (<see cref="JlsTool.Parameters"/>),
    /// and for every other parameter its configured value (from <paramref name="cj"/>, when the jail is configured).
    /// </summary>
    private static Jail FromRunning(string computer, JlsRecord r, string? configPath, ConfJail? cj = null)
    {
        var p = new OrderedDictionary(StringComparer.Ordinal);
        if (cj != null)
            foreach (var prm in cj.Parameters) p[prm.Name] = prm.Values is null ? "true" : prm.Value;
        foreach (var kv in r.Parameters) p[kv.Key] = kv.Value;
        return new Jail
        {
            Name = r.Name,
            Jid = r.Jid,
            State = r.Dying ? JailState.Dying : JailState.Running,
            HostName = r.HostName,
            Path = r.Path,
            IPv4Address = r.IPv4,
            IPv6Address = r.IPv6,
            Vnet = r.Parameters.TryGetValue("vnet", out var v) && v == "new",
            ConfigPath = configPath,
            Parameters = p,
            ComputerName = computer,
        };
    }

    internal static Jail FromConfig(string computer, ConfJail cj, string configPath)
    {
        var p = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var prm in cj.Parameters) p[prm.Name] = prm.Values is null ? "true" : prm.Value;
        string Get(string n) => cj.Find(n)?.Value ?? "";
        var vnet = cj.Find("vnet");
        bool isVnet = vnet != null && (vnet.Values is null || vnet.Value == "new" || (vnet.Name == "vnet" && vnet.Value is "1" or "true"));
        return new Jail
        {
            Name = cj.Name,
            Jid = null,
            State = JailState.Stopped,
            HostName = Get("host.hostname"),
            Path = Get("path"),
            IPv4Address = AddressList(cj.Find("ip4.addr")),
            IPv6Address = AddressList(cj.Find("ip6.addr")),
            Vnet = isVnet,
            ConfigPath = configPath,
            Parameters = p,
            ComputerName = computer,
        };
    }

    /// <summary>Addresses from a configured ip4.addr/ip6.addr list: drops the "iface|" prefix and the "/mask" suffix.</summary>
    internal static string[] AddressList(ConfParameter? p)
    {
        if (p?.Values is null) return Array.Empty<string>();
        var list = new List<string>();
        foreach (var raw in p.Values)
            foreach (var item in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var a = item;
                int bar = a.IndexOf('|');
                if (bar >= 0) a = a[(bar + 1)..];
                int sp = a.IndexOf(' ');
                if (sp >= 0) a = a[..sp];
                int slash = a.IndexOf('/');
                if (slash >= 0) a = a[..slash];
                if (a.Length > 0) list.Add(a);
            }
        return list.ToArray();
    }
}

/// <summary>A native command that failed: carries the argv, exit code and the tool's stderr.</summary>
public sealed class NativeCommandException : Exception
{
    public NativeCommandException(ProcessRequest request, ProcessResult result)
        : base($"'{request.DisplayText}' failed with exit code {result.ExitCode}: {result.ErrorText}")
    {
        Request = request;
        Result = result;
    }

    public ProcessRequest Request { get; }
    public ProcessResult Result { get; }
}
