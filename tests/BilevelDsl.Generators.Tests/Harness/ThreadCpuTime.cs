using System.Diagnostics;
using System.Runtime.InteropServices;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>
/// The CPU time of the calling thread, for timing single-threaded work in tests that run beside others: wall time also
/// counts the time the thread waits for a core. Linux only (clock_gettime with CLOCK_THREAD_CPUTIME_ID); elsewhere the
/// wall clock.
/// </summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    private static readonly Stopwatch WallClock = Stopwatch.StartNew();

    /// <summary>Milliseconds of CPU time this thread has used (on Linux), or of wall time since the first call (elsewhere).</summary>
    public static double Milliseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out TimeSpec t) == 0)
        {
            return (t.Seconds * 1e3) + (t.Nanoseconds * 1e-6);
        }

        return WallClock.Elapsed.TotalMilliseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);
}
