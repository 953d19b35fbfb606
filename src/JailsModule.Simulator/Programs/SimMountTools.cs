using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>mount(8): no arguments lists the table; -p as fstab; -t TYPE [-o OPTS] SPECIAL NODE; -a [-F fstab].</summary>
[SimulatedTool("/sbin/mount")]
public sealed class SimMountTool : ISimulatedTool
{
    private const string Usage = "usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]\n       mount [-dfpruvw] special | node\n       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "adF:fLlno:prt:uvw");
        bool all = false, fstabFormat = false, readOnly = false;
        string? type = null, fstab = null;
        var options = new List<string>();
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'a': all = true; break;
                case 'F': fstab = a; break;
                case 'p': fstabFormat = true; break;
                case 'r': readOnly = true; break;
                case 't': type = a; break;
                case 'o': options.AddRange(a!.Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case '?': return new SimResult(1, "", Usage);
            }
        }
        if (readOnly) options.Add("ro");
        var rest = args.Skip(g.OptInd).ToList();
        var visible = ctx.Jail is null ? ctx.State.Mounts : ctx.State.Mounts.Where(m => SimZfsPool.IsPathAtOrBelow(m.Node, ctx.Jail.Path)).ToList();
        if (rest.Count == 0 && !all)
            return SimResult.Ok(fstabFormat ? SimMountTable.FormatFstab(visible) : SimMountTable.Format(visible));
        if (!ctx.IsRoot) return SimResult.Fail("mount: only root can do that");
        if (all)
        {
            var file = fstab ?? "/etc/fstab";
            if (!ctx.Fs.FileExists(file)) return SimResult.Fail($"mount: {file}: No such file or directory");
            var err = new StringBuilder();
            int rc = 0;
            foreach (var raw in ctx.Fs.ReadAllText(file).Split('\n'))
            {
                var line = raw.Split('#')[0].Trim();
                if (line.Length == 0) continue;
                var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 4) continue;
                var opts = f[3].Split(',').ToList();
                if (opts.Contains("noauto") || (type != null && f[2] != type)) continue;
                if (ctx.State.Mounts.Any(m => m.Node == SimFileSystem.Normalize(f[1]) && m.FsType == f[2])) continue;
                if (SimMountTable.Mount(ctx, f[2], f[0], f[1], opts) is { } e) { err.Append(e).Append('\n'); rc = 1; }
            }
            return new SimResult(rc, "", err.ToString());
        }
        if (rest.Count != 2) return new SimResult(1, "", Usage);
        var error = SimMountTable.Mount(ctx, type ?? "ufs", rest[0], rest[1], options);
        return error is null ? SimResult.Ok() : SimResult.Fail(error);
    }
}

/// <summary>umount(8) (sbin/umount/umount.c): umount [-fNnv] special | node ...; umount -a [-F fstab] [-t type].</summary>
[SimulatedTool("/sbin/umount")]
public sealed class SimUmountTool : ISimulatedTool
{
    private const string Usage = "usage: umount [-fNnv] special ... | node ... | fsid ...\n       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var g = new SimGetopt(args, "AaF:fh:Nnt:v");
        bool force = false, all = false;
        string? type = null;
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'f': force = true; break;
                case 'a': case 'A': all = true; break;
                case 't': type = a; break;
                case '?': return new SimResult(1, "", Usage);
            }
        }
        var rest = args.Skip(g.OptInd).ToList();
        if (!ctx.IsRoot) return SimResult.Fail("umount: only root can do that");
        if (all)
        {
            var err = new StringBuilder();
            foreach (var m in ctx.State.Mounts.AsEnumerable().Reverse().Where(m => m.Node != "/" && (type is null || m.FsType == type)).ToList())
                if (SimMountTable.Unmount(ctx, m.Node, force) is { } e) err.Append(e).Append('\n');
            return new SimResult(err.Length > 0 ? 1 : 0, "", err.ToString());
        }
        if (rest.Count == 0) return new SimResult(1, "", Usage);
        var errors = new StringBuilder();
        int rc = 0;
        foreach (var name in rest)
            if (SimMountTable.Unmount(ctx, name, force) is { } e) { errors.Append(e).Append('\n'); rc = 1; }
        return new SimResult(rc, "", errors.ToString());
    }
}
