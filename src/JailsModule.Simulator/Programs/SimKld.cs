using System.Text;

namespace JailsModule.Simulation.Tools;

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
            bool loaded = SimKldTable.IsLoaded(ctx.State, file);
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
            if (!SimKldTable.IsAvailable(ctx.State, file))
            {
                if (!quiet) err.Append($"kldload: can't load {arg}: No such file or directory\n");
                errors++;
                continue;
            }
            var id = SimKldTable.LoadWithDependencies(ctx.State, file);
            ctx.Dirty = true;
            if (verbose) sb.Append($"Loaded {arg}, id={id}\n");
        }
        return new SimResult(errors == 0 ? 0 : 1, sb.ToString(), err.ToString());
    }
}
