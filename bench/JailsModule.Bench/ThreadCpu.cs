using System.Runtime.InteropServices;

namespace JailsModule.Bench;

/// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID): "one core" figures that other load on the machine does not inflate.</summary>
public static class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Sec; public long Nsec; }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clk, out Timespec tp);

    private const int ClockThreadCputimeId = 3;

    public static bool Available => OperatingSystem.IsLinux();

    public static double Seconds()
    {
        if (!Available) return 0;
        clock_gettime(ClockThreadCputimeId, out var t);
        return t.Sec + t.Nsec / 1e9;
    }
}
