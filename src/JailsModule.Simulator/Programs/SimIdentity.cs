using System.Text;
using System.Text.RegularExpressions;

namespace JailsModule.Simulation.Tools;

/// <summary>Shared answers about "who and what am I": hostname, releases, users and groups, as seen from the caller's jail.</summary>
public static partial class SimIdentity
{
    public const string Build = "releng/14.3-n271432-8c9ce319fef7";

    public static string HostName(SimContext ctx) => ctx.Jail is null ? ctx.State.Hostname : ctx.Jail.HostName;

    /// <summary>The kernel release a jail reports (its osrelease parameter when set).</summary>
    public static string KernelRelease(SimContext ctx)
        => ctx.Jail != null && ctx.Jail.Params.TryGetValue("osrelease", out var r) && r.Length > 0 ? r : ctx.State.KernelRelease;

    public static string KernelOsRelDate(SimContext ctx)
        => ctx.Jail != null && ctx.Jail.Params.TryGetValue("osreldate", out var r) && r != "0" ? r : ctx.State.OsRelDate.ToString();

    [GeneratedRegex("USERLAND_VERSION=\"([^\"]+)\"")]
    private static partial Regex UserlandLine();

    /// <summary>freebsd-version -u of a root: the USERLAND_VERSION baked into its /bin/freebsd-version, else the host's.</summary>
    public static string? UserlandRelease(SimContext ctx, SimJail? jail)
    {
        var file = SimExec.HostPath(jail, "/bin/freebsd-version");
        if (!ctx.Fs.FileExists(file)) return null;
        var m = UserlandLine().Match(ctx.Fs.ReadAllText(file));
        return m.Success ? m.Groups[1].Value : ctx.State.UserlandRelease;
    }

    /// <summary>Groups of a root's /etc/group: name, gid, members.</summary>
    public static List<(string Name, int Gid, string[] Members)> Groups(SimContext ctx, SimJail? jail)
    {
        var list = new List<(string, int, string[])>();
        var file = SimExec.HostPath(jail, "/etc/group");
        if (!ctx.Fs.FileExists(file)) return list;
        foreach (var raw in ctx.Fs.ReadAllText(file).Split('\n'))
        {
            var f = raw.Trim().Split(':');
            if (f.Length < 3 || raw.TrimStart().StartsWith('#') || !int.TryParse(f[2], out var gid)) continue;
            list.Add((f[0], gid, f.Length > 3 ? f[3].Split(',', StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>()));
        }
        return list;
    }
}

/// <summary>id(1): plain form, -u, -g, -G with -n and -r; "id USER".</summary>
[SimulatedTool("/usr/bin/id")]
public sealed class SimId : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        char mode = '\0';
        bool names = false;
        var g = new SimGetopt(args, "AGPagnpru");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            switch (c)
            {
                case 'u': case 'g': case 'G': mode = c; break;
                case 'n': names = true; break;
                case 'r': break;
                default: return SimResult.Fail("usage: id [user]\n       id -A\n       id -G [-n] [user]\n       id -M\n       id -P [user]\n       id -c\n       id -g [-nr] [user]\n       id -p [user]\n       id -u [-nr] [user]");
            }
        }
        SimUser user;
        if (g.OptInd < args.Count)
        {
            var u = SimExec.FindUser(ctx.Fs, ctx.Jail, args[g.OptInd]);
            if (u is null) return SimResult.Fail($"id: {args[g.OptInd]}: no such user");
            user = u;
        }
        else user = SimExec.CurrentUser(ctx);

        var groups = SimIdentity.Groups(ctx, ctx.Jail);
        string GroupName(int gid) => groups.FirstOrDefault(x => x.Gid == gid).Name ?? gid.ToString();
        var member = new List<int> { user.Gid };
        foreach (var gr in groups)
            if (gr.Members.Contains(user.Name) && !member.Contains(gr.Gid)) member.Add(gr.Gid);

        switch (mode)
        {
            case 'u': return SimResult.Ok((names ? user.Name : user.Uid.ToString()) + "\n");
            case 'g': return SimResult.Ok((names ? GroupName(user.Gid) : user.Gid.ToString()) + "\n");
            case 'G': return SimResult.Ok(string.Join(' ', member.Select(x => names ? GroupName(x) : x.ToString())) + "\n");
        }
        var sb = new StringBuilder();
        sb.Append($"uid={user.Uid}({user.Name}) gid={user.Gid}({GroupName(user.Gid)}) groups=");
        sb.Append(string.Join(',', member.Select(x => $"{x}({GroupName(x)})")));
        return SimResult.Ok(sb.Append('\n').ToString());
    }
}

/// <summary>uname(1) (FreeBSD usr.bin/uname): -s -n -r -v -m -p -i -K -U -b, -a = -snrvm; fields printed in that fixed order, space-separated.</summary>
[SimulatedTool("/usr/bin/uname")]
public sealed class SimUname : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var flags = new HashSet<char>();
        var g = new SimGetopt(args, "abiKmnoprsUv");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            if (c == '?') return SimResult.Fail("usage: uname [-abiKmnoprsUv]");
            if (c == 'a') { foreach (var x in "snrvm") flags.Add(x); continue; }
            flags.Add(c == 'o' ? 's' : c);
        }
        if (g.OptInd < args.Count) return SimResult.Fail("usage: uname [-abiKmnoprsUv]");
        if (flags.Count == 0) flags.Add('s');
        var rel = ctx.Environment.TryGetValue("UNAME_r", out var ur) ? ur : SimIdentity.KernelRelease(ctx);
        var parts = new List<string>();
        foreach (var f in "snrvmpiKUb")
        {
            if (!flags.Contains(f)) continue;
            parts.Add(f switch
            {
                's' => "FreeBSD",
                'n' => SimIdentity.HostName(ctx),
                'r' => rel,
                'v' => $"FreeBSD {ctx.State.KernelRelease} {SimIdentity.Build} GENERIC",
                'm' => ctx.State.Machine,
                'p' => ctx.State.MachineArch,
                'i' => "GENERIC",
                'K' => SimIdentity.KernelOsRelDate(ctx),
                'U' => ctx.State.OsRelDate.ToString(),
                _ => "8c9ce319fef7a8c4d0f1c3d2b6f1e0a9d8c7b6a5",
            });
        }
        return SimResult.Ok(string.Join(' ', parts) + "\n");
    }
}

/// <summary>
/// freebsd-version(1) (bin/freebsd-version/freebsd-version.sh.in): -k installed kernel (SimState.InstalledKernelRelease), -r running kernel, -u userland (of the root it runs in),
/// -j JAIL the userland of a running jail; no flag means -u. One line each, in the order k, r, u, j.
/// </summary>
[SimulatedTool("/bin/freebsd-version")]
public sealed class SimFreebsdVersion : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool k = false, r = false, u = false;
        var jails = new List<string>();
        var g = new SimGetopt(args, "kruj:");
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'k': k = true; break;
                case 'r': r = true; break;
                case 'u': u = true; break;
                case 'j': jails.Add(a!); break;
                default: return SimResult.Fail("usage: freebsd-version [-kru] [-j jail]");
            }
        }
        if (g.OptInd < args.Count) return SimResult.Fail("usage: freebsd-version [-kru] [-j jail]");
        if (!k && !r && jails.Count == 0) u = true;
        var sb = new StringBuilder();
        // kernel_version: the installed kernel file; running_version: sysctl -n kern.osrelease (freebsd-version.sh.in).
        if (k) sb.Append(ctx.State.InstalledKernelRelease ?? ctx.State.KernelRelease).Append('\n');
        if (r) sb.Append(SimIdentity.KernelRelease(ctx)).Append('\n');
        if (u) sb.Append(SimIdentity.UserlandRelease(ctx, ctx.Jail) ?? ctx.State.UserlandRelease).Append('\n');
        foreach (var name in jails)
        {
            // The script runs "jexec -- JAIL freebsd-version -u".
            var res = ctx.RunTool("/usr/sbin/jexec", new[] { "--", name, "freebsd-version", "-u" });
            if (res.ExitCode != 0) return new SimResult(1, sb.ToString(), res.StandardError);
            sb.Append(res.StandardOutput);
        }
        return SimResult.Ok(sb.ToString());
    }
}
