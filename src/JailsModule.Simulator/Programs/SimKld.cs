using System.Text;

namespace JailsModule.Simulation.Tools;

/// <summary>Shared view of the loaded kernel files: ids, refs, load addresses (kldstat's columns).</summary>
internal static class SimKldTable
{
    public static IEnumerable<(int Id, int Refs, ulong Address, SimKld Kld)> Rows(SimState st)
    {
        ulong addr = 0xffffffff80200000;
        for (int i = 0; i < st.Klds.Count; i++)
        {
            var k = st.Klds[i];
            yield return (i + 1, i == 0 ? st.Klds.Count + 30 : 1, addr, k);
            addr += ((ulong)k.Size + 0xfff) & ~0xfffUL;
        }
    }

    /// <summary>kldfind: a loaded file by name, with or without .ko, or by path.</summary>
    public static SimKld? FindFile(SimState st, string name)
    {
        var file = Path.GetFileName(name);
        return st.Klds.FirstOrDefault(k => k.File == file || k.File == file + ".ko");
    }

    public static string FileName(string arg)
    {
        var f = Path.GetFileName(arg);
        return f.EndsWith(".ko", StringComparison.Ordinal) ? f : f + ".ko";
    }
}

/// <summary>
/// kldstat(8) (reference §12, sbin/kldstat/kldstat.c): the table "Id Refs Address Size Name";
/// -n FILE one loaded file (kldfind: compiled-in code is not a file), -m MODULE (modfind: finds
/// compiled-in modules too) with its own "Id  Refs Name" table, -q silent (exit status only), -v
/// lists the modules in each file.
/// </summary>
[SimulatedTool("/sbin/kldstat")]
public sealed class SimKldstat : ISimulatedTool
{
    private const string Header = "Id Refs Address                Size Name\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool quiet = false, verbose = false;
        string? file = null, module = null;
        int? id = null;
        var g = new SimGetopt(args, "dhi:m:n:qv");
        for (var (c, a) = g.Next(); c != '\0'; (c, a) = g.Next())
        {
            switch (c)
            {
                case 'q': quiet = true; break;
                case 'v': verbose = true; break;
                case 'n': file = a; break;
                case 'm': module = a; break;
                case 'i': if (!int.TryParse(a, out var n)) return SimResult.Fail($"kldstat: invalid ID: {a}"); id = n; break;
                case 'd': case 'h': break;
                default: return SimResult.Fail("usage: kldstat [-dhqv] [-i id] [-n filename]\n       kldstat [-dq] [-m modname]");
            }
        }
        if (g.OptInd < args.Count) return SimResult.Fail("usage: kldstat [-dhqv] [-i id] [-n filename]\n       kldstat [-dq] [-m modname]");
        var rows = SimKldTable.Rows(ctx.State).ToList();
        if (module != null)
        {
            int modId = 0;
            foreach (var r in rows)
                foreach (var m in r.Kld.Modules)
                {
                    modId++;
                    if (m != module) continue;
                    return quiet ? SimResult.Ok() : SimResult.Ok($"Id  Refs Name\n{modId,3} {1,7} {m}\n");
                }
            return quiet ? new SimResult(1) : SimResult.Fail($"kldstat: can't find module {module}: No such file or directory");
        }
        var sb = new StringBuilder();
        IEnumerable<(int Id, int Refs, ulong Address, SimKld Kld)> selected = rows;
        if (file != null)
        {
            var k = SimKldTable.FindFile(ctx.State, file);
            if (k is null) return quiet ? new SimResult(1) : SimResult.Fail($"kldstat: can't find file {file}: No such file or directory");
            selected = rows.Where(r => r.Kld == k);
        }
        else if (id != null)
        {
            selected = rows.Where(r => r.Id == id).ToList();
            if (!selected.Any()) return quiet ? new SimResult(1) : SimResult.Fail($"kldstat: can't stat file id {id}: No such file or directory");
        }
        if (quiet) return SimResult.Ok();
        sb.Append(Header);
        foreach (var r in selected)
        {
            sb.Append($"{r.Id,2} {r.Refs,4} 0x{r.Address:x16} {r.Kld.Size,8:x} {r.Kld.File}\n");
            if (verbose)
            {
                sb.Append("\tContains modules:\n\t\t Id Name\n");
                foreach (var m in r.Kld.Modules) sb.Append($"\t\t{r.Id,3} {m}\n");
            }
        }
        return SimResult.Ok(sb.ToString());
    }
}

/// <summary>
/// kldload(8) (reference §12): "usage: kldload [-nqv] file ...". Files come from
/// SimState.AvailableKlds; -n: no error when already loaded (or compiled in); -v: "Loaded X, id=N".
/// Loading needs root on the host (a jail cannot load modules).
/// </summary>
[SimulatedTool("/sbin/kldload")]
public sealed class SimKldload : ISimulatedTool
{
    /// <summary>Files another needs first (MODULE_DEPEND), as the simulated kernel knows them.</summary>
    private static readonly Dictionary<string, string[]> Depends = new(StringComparer.Ordinal)
    {
        ["if_bridge.ko"] = new[] { "bridgestp.ko" },
        ["linux.ko"] = new[] { "linux_common.ko" },
        ["linux64.ko"] = new[] { "linux_common.ko" },
    };

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        bool ifNotLoaded = false, quiet = false, verbose = false;
        var g = new SimGetopt(args, "nqv");
        for (var (c, _) = g.Next(); c != '\0'; (c, _) = g.Next())
        {
            switch (c)
            {
                case 'n': ifNotLoaded = true; break;
                case 'q': quiet = true; break;
                case 'v': verbose = true; break;
                default: return SimResult.Fail("usage: kldload [-nqv] file ...");
            }
        }
        if (g.OptInd >= args.Count) return SimResult.Fail("usage: kldload [-nqv] file ...");
        var sb = new StringBuilder();
        var err = new StringBuilder();
        int errors = 0;
        foreach (var arg in args.Skip(g.OptInd))
        {
            var file = SimKldTable.FileName(arg);
            var stem = file[..^3];
            bool loaded = SimKldTable.FindFile(ctx.State, file) != null || ctx.State.Klds.Any(k => k.Modules.Contains(stem));
            if (loaded)
            {
                if (ifNotLoaded) continue;
                if (!quiet) err.Append($"kldload: can't load {arg}: module already loaded or in kernel\n");
                errors++;
                continue;
            }
            if (!ctx.IsRoot || ctx.Jail != null)
            {
                if (!quiet) err.Append($"kldload: can't load {arg}: Operation not permitted\n");
                errors++;
                continue;
            }
            var avail = ctx.State.AvailableKlds.FirstOrDefault(k => k.File == file);
            if (avail is null)
            {
                if (!quiet) err.Append($"kldload: can't load {arg}: No such file or directory\n");
                errors++;
                continue;
            }
            foreach (var dep in Depends.GetValueOrDefault(file, Array.Empty<string>()))
                Load(ctx, dep);
            var id = Load(ctx, file);
            if (verbose) sb.Append($"Loaded {arg}, id={id}\n");
        }
        return new SimResult(errors == 0 ? 0 : 1, sb.ToString(), err.ToString());
    }

    private static int Load(SimContext ctx, string file)
    {
        var existing = ctx.State.Klds.FindIndex(k => k.File == file);
        if (existing >= 0) return existing + 1;
        var avail = ctx.State.AvailableKlds.FirstOrDefault(k => k.File == file);
        if (avail is null) return 0;
        ctx.State.Klds.Add(new SimKld { File = avail.File, Size = avail.Size, Modules = avail.Modules.ToList() });
        ctx.Dirty = true;
        return ctx.State.Klds.Count;
    }
}
