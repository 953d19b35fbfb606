using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>One line of the mount table.</summary>
public readonly record struct MountEntry(string Special, string Node, string FsType);

/// <summary>mount(8).</summary>
public static class MountTool
{
    /// <summary>mount -p: the mount table in fstab format (special, node, type, options, 0, 0).</summary>
    public static ProcessRequest Table() => new(ToolPaths.Mount, new[] { "-p" });

    /// <summary>The output of <see cref="Table"/>: (special, node, fstype) of each line; lines with fewer fields are skipped.</summary>
    public static List<MountEntry> ParseTable(string text)
    {
        var list = new List<MountEntry>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3) list.Add(new MountEntry(f[0], f[1], f[2]));
        }
        return list;
    }

    /// <summary>A line of fstab(5) format, as jail(8)'s mount parameter takes it: SPECIAL NODE TYPE OPTIONS 0 0.</summary>
    public static string FstabLine(string special, string node, string fsType, string options) => $"{special} {node} {fsType} {options} 0 0";
}
