using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>uname(1).</summary>
public static class UnameTool
{
    /// <summary>uname -m: the machine (hardware platform: amd64, arm64...).</summary>
    public static ProcessRequest Machine() => new(ToolPaths.Uname, new[] { "-m" });

    /// <summary>The output of <see cref="Machine"/>: its one line.</summary>
    public static string ParseMachine(string stdout) => stdout.Trim();

    /// <summary>
    /// uname -m -p: hw.machine and hw.machine_arch in one line, in that order whatever the flag order
    /// (usr.bin/uname/uname.c): "amd64 amd64", "arm64 aarch64", "arm armv7", "riscv riscv64".
    /// Release mirrors are laid out as MACHINE/MACHINE_ARCH (reference §17.10).
    /// </summary>
    public static ProcessRequest MachineAndArch() => new(ToolPaths.Uname, new[] { "-m", "-p" });

    /// <summary>The output of <see cref="MachineAndArch"/>; null when it is not two words.</summary>
    public static (string Machine, string Arch)? ParseMachineAndArch(string stdout)
    {
        var w = stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return w.Length == 2 ? (w[0], w[1]) : null;
    }
}
