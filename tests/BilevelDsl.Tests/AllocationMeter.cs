namespace BilevelDsl.Tests;

/// <summary>Measures bytes allocated on the current thread by an action, after a warm-up run (JIT, static initialisers).</summary>
internal static class AllocationMeter
{
    /// <summary>
    /// How far two solves that differ only in their iteration count may differ in bytes. What a solve allocates outside
    /// its loop (the result's message and run log, whose lengths depend on the numbers they print) varies by a few hundred
    /// bytes between two end points (CI saw 272 and -384 bytes with a 256-byte margin). Tests compare iteration counts
    /// at least 200 apart, so one object per iteration (24 bytes at least) would exceed this margin four times over.
    /// </summary>
    public const long LoopMargin = 1024;

    public static long Measure(Action action, int repetitions = 100)
    {
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < repetitions; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>
    /// The fewest bytes one run of <paramref name="action"/> allocated in <paramref name="tries"/> runs after a warm-up.
    /// One run alone is not a stable count: the runtime can allocate a few hundred bytes on the running thread during
    /// any one run (tiered compilation: a loop's on-stack replacement is compiled on the thread that runs it; caches
    /// filled lazily), and a CI run once saw 216 bytes of that. The least of a few runs is what the code allocates.
    /// </summary>
    public static long Least(Action action, int tries = 3)
    {
        action();
        long least = long.MaxValue;
        for (int i = 0; i < tries; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
