using System.Text;

namespace JailsModule.Simulation.Tools;

// The small programs of the base system that jexec and the exec.* hooks run. Each sees the root of
// the jail it runs in (ctx.Jail) and that jail's hostname, users and files.

/// <summary>echo(1): arguments joined by a space; -n drops the newline.</summary>
[SimulatedTool("/bin/echo")]
public sealed class SimEcho : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args) => SimResult.Ok(SimShell.EchoText(args));
}

/// <summary>true(1).</summary>
[SimulatedTool("/usr/bin/true")]
public sealed class SimTrue : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args) => SimResult.Ok();
}

/// <summary>false(1).</summary>
[SimulatedTool("/usr/bin/false")]
public sealed class SimFalse : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args) => new(1);
}

/// <summary>sleep(1): checks its operand, but the simulator never waits.</summary>
[SimulatedTool("/bin/sleep")]
public sealed class SimSleep : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        if (args.Count != 1) return SimResult.Fail("usage: sleep number[unit]");
        var a = args[0].TrimEnd('s', 'm', 'h', 'd');
        if (!double.TryParse(a, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
            return SimResult.Fail($"sleep: invalid time interval: {args[0]}");
        return SimResult.Ok();
    }
}

/// <summary>pwd(1): jexec changes to the jail's "/" (or the user's home with -l), kept in $PWD.</summary>
[SimulatedTool("/bin/pwd")]
public sealed class SimPwd : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
        => SimResult.Ok((ctx.Environment.TryGetValue("PWD", out var p) && p.StartsWith('/') ? p : "/") + "\n");
}

/// <summary>
/// cat(1) of files under the current root. With no operand it copies standard input to standard
/// output; given byte streams it does so block by block (bin/cat/cat.c raw_cat: read(2)/write(2) of
/// one buffer), any bytes, without holding the input in memory.
/// </summary>
[SimulatedTool("/bin/cat")]
public sealed class SimCat : ISimulatedStreamTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        if (args.Count == 0 && ctx.Streaming) return new SimResult(0) { Pump = RawCat };
        if (args.Count == 0) return SimResult.Ok(ctx.StandardInput ?? "");
        var sb = new StringBuilder();
        var err = new StringBuilder();
        int rc = 0;
        foreach (var a in args)
        {
            if (a == "-") { sb.Append(ctx.StandardInput ?? ""); continue; }
            var real = SimExec.HostPath(ctx.Jail, a);
            if (ctx.Fs.DirectoryExists(real)) { err.Append($"cat: {a}: Is a directory\n"); rc = 1; continue; }
            if (!ctx.Fs.FileExists(real)) { err.Append($"cat: {a}: No such file or directory\n"); rc = 1; continue; }
            sb.Append(ctx.Fs.ReadAllText(real));
        }
        return new SimResult(rc, sb.ToString(), err.ToString());
    }

    /// <summary>raw_cat: one buffer, read until end of input, each block written as it was read.</summary>
    private static void RawCat(Stream input, Stream output, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            output.Write(buffer, 0, n);
            output.Flush();
        }
    }
}

/// <summary>ls(1), not on a terminal: one name per line, sorted; -a shows dot files; -d lists a folder itself.</summary>
[SimulatedTool("/bin/ls")]
public sealed class SimLs : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool all = false, dirOnly = false;
        var g = new SimGetopt(args, "1Aadl");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            if (c == 'a' || c == 'A') all = true;
            else if (c == 'd') dirOnly = true;
            else if (c == '?') return SimResult.Fail("usage: ls [-1Aadl] [file ...]");
        }
        var targets = args.Skip(g.OptInd).ToList();
        if (targets.Count == 0) targets.Add(ctx.Environment.TryGetValue("PWD", out var p) && p.StartsWith('/') ? p : "/");
        var sb = new StringBuilder();
        var err = new StringBuilder();
        int rc = 0;
        foreach (var t in targets)
        {
            var real = SimExec.HostPath(ctx.Jail, t);
            if (ctx.Fs.FileExists(real) || (dirOnly && ctx.Fs.DirectoryExists(real))) { sb.Append(t).Append('\n'); continue; }
            if (!ctx.Fs.DirectoryExists(real)) { err.Append($"ls: {t}: No such file or directory\n"); rc = 1; continue; }
            if (targets.Count > 1) sb.Append(t).Append(":\n");
            var names = Directory.EnumerateFileSystemEntries(ctx.Fs.Map(real)).Select(Path.GetFileName).Where(n => all || !n!.StartsWith('.')).ToList();
            names.Sort(StringComparer.Ordinal);
            foreach (var n in names) sb.Append(n).Append('\n');
        }
        return new SimResult(rc, sb.ToString(), err.ToString());
    }
}

/// <summary>hostname(1): prints the hostname of the jail it runs in (or the host); -s cuts the domain. Setting needs root (and allow.set_hostname in a jail).</summary>
[SimulatedTool("/bin/hostname")]
public sealed class SimHostname : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool shortName = false;
        var g = new SimGetopt(args, "fsd");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            if (c == 's') shortName = true;
            else if (c == '?') return SimResult.Fail("usage: hostname [-f] [-s | -d] [name-of-host]");
        }
        if (g.OptInd < args.Count)
        {
            var name = args[g.OptInd];
            bool allowed = ctx.IsRoot && (ctx.Jail is null || (ctx.Jail.Params.TryGetValue("allow.set_hostname", out var a) && a == "true"));
            if (!allowed) return SimResult.Fail("hostname: sethostname: Operation not permitted");
            if (ctx.Jail is null) { ctx.State.Hostname = name; ctx.State.Sysctls["kern.hostname"] = name; }
            else ctx.Jail.Params["host.hostname"] = name;
            ctx.Dirty = true;
            return SimResult.Ok();
        }
        var h = SimIdentity.HostName(ctx);
        if (shortName && h.Contains('.')) h = h[..h.IndexOf('.')];
        return SimResult.Ok(h + "\n");
    }
}

/// <summary>whoami(1).</summary>
[SimulatedTool("/usr/bin/whoami")]
public sealed class SimWhoami : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args) => SimResult.Ok(SimExec.CurrentUser(ctx).Name + "\n");
}

/// <summary>env(1): prints the environment (NAME=value per line, sorted), or runs a command with NAME=value additions; -i starts empty.</summary>
[SimulatedTool("/usr/bin/env")]
public sealed class SimEnv : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var env = SimExec.CopyEnv(ctx.Environment);
        int i = 0;
        if (i < args.Count && args[i] == "-i") { env.Clear(); i++; }
        for (; i < args.Count && args[i].Contains('=') && args[i][0] != '='; i++)
        {
            var eq = args[i].IndexOf('=');
            env[args[i][..eq]] = args[i][(eq + 1)..];
        }
        if (i < args.Count)
        {
            var r = SimExec.Run(ctx, ctx.Jail, args.Skip(i).ToList(), env, "env");
            if (r.ExitCode != 0 && r.StandardError.StartsWith("env: execvp: ", StringComparison.Ordinal))
                return new SimResult(127, "", $"env: {args[i]}: No such file or directory\n");
            return r;
        }
        return SimResult.Ok(string.Concat(env.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}\n")));
    }
}

/// <summary>
/// date(1) (bin/date/date.c) without arguments or with -u: the time in the default format "%+" of strftime(3),
/// "%a %b %e %H:%M:%S %Z %Y" (the simulated host runs on UTC); +FORMAT knows %a %b %e %d %m %Y %H %M %S %Z %s %%.
/// </summary>
[SimulatedTool("/bin/date")]
public sealed class SimDate : ISimulatedTool
{
    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var format = "%a %b %e %H:%M:%S %Z %Y";
        foreach (var a in args)
        {
            if (a == "-u") continue;
            if (a.StartsWith('+')) { format = a[1..]; continue; }
            return new SimResult(1, "", "usage: date [-jnRu] [-I[date|hours|minutes|seconds|ns]] [-f input_fmt]\n            [ -z output_zone ] [-r filename|seconds] [-v[+|-]val[y|m|w|d|H|M|S]]\n            [[[[mm]dd]HH]MM[[cc]yy][.SS] | new_date] [+output_fmt]\n");
        }
        var t = DateTimeOffset.UtcNow;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length) { sb.Append(format[i]); continue; }
            var c = format[++i];
            sb.Append(c switch
            {
                'a' => t.ToString("ddd", inv), 'b' => t.ToString("MMM", inv), 'e' => t.Day.ToString(inv).PadLeft(2),
                'd' => t.ToString("dd", inv), 'm' => t.ToString("MM", inv), 'Y' => t.ToString("yyyy", inv),
                'H' => t.ToString("HH", inv), 'M' => t.ToString("mm", inv), 'S' => t.ToString("ss", inv),
                'Z' => "UTC", 's' => t.ToUnixTimeSeconds().ToString(inv), '%' => "%", _ => "%" + c,
            });
        }
        return SimResult.Ok(sb.Append('\n').ToString());
    }
}
