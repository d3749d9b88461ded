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
}
