namespace BilevelDsl.Tests;

/// <summary>Measures bytes allocated on the current thread by an action, after a warm-up run (JIT, static initialisers).</summary>
internal static class AllocationMeter
{
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
