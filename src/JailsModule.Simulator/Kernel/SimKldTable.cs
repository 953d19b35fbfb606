namespace JailsModule.Simulation.Tools; // kept from when it lived beside kldstat(8)'s front end

/// <summary>
/// The kernel linker (Kernel: kldstat, kldload and jail(8)'s checks share it): the loaded files with
/// their ids, refs and load addresses (kldstat's columns), kldfind/modfind, and loading a file
/// after the files it depends on (MODULE_DEPEND).
/// </summary>
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

    /// <summary>Files another needs first (MODULE_DEPEND), as the simulated kernel knows them.</summary>
    private static readonly Dictionary<string, string[]> Depends = new(StringComparer.Ordinal)
    {
        ["if_bridge.ko"] = new[] { "bridgestp.ko" },
        ["linux.ko"] = new[] { "linux_common.ko" },
        ["linux64.ko"] = new[] { "linux_common.ko" },
    };

    /// <summary>True when the file is loaded, or its module is (compiled into the kernel or another file).</summary>
    public static bool IsLoaded(SimState st, string file)
        => FindFile(st, file) != null || st.Klds.Any(k => k.Modules.Contains(file[..^3]));

    /// <summary>True when /boot/kernel holds the file.</summary>
    public static bool IsAvailable(SimState st, string file) => st.AvailableKlds.Any(k => k.File == file);

    /// <summary>kldload(2): the file's dependencies first, then the file; returns the file's id (0 when it is not available).</summary>
    public static int LoadWithDependencies(SimState st, string file)
    {
        foreach (var dep in Depends.GetValueOrDefault(file, Array.Empty<string>()))
            Load(st, dep);
        return Load(st, file);
    }

    private static int Load(SimState st, string file)
    {
        var existing = st.Klds.FindIndex(k => k.File == file);
        if (existing >= 0) return existing + 1;
        var avail = st.AvailableKlds.FirstOrDefault(k => k.File == file);
        if (avail is null) return 0;
        st.Klds.Add(new SimKld { File = avail.File, Size = avail.Size, Modules = avail.Modules.ToList() });
        return st.Klds.Count;
    }

    public static string FileName(string arg)
    {
        var f = Path.GetFileName(arg);
        return f.EndsWith(".ko", StringComparison.Ordinal) ? f : f + ".ko";
    }
}
