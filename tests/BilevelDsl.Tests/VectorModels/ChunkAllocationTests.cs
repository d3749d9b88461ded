using Xunit;

namespace BilevelDsl.Tests.VectorModels;

/// <summary>Tests that count every thread's allocations (the kernel workers' included): alone in the process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideAllocationCollection
{
    public const string Name = "Process-wide allocation counts";
}

/// <summary>
/// The chunked data loops allocate nothing per call once warm: exactly 0 bytes on the calling thread, and nothing
/// per call on any thread (the worker threads take their
/// chunk buffers from their own KernelWorkspace). Counted through the process's total, the least of five runs of
/// 30 calls; the test runner's own threads may allocate a few hundred bytes meanwhile (168 B seen), so the bound
/// is one 24-byte object per call: a run that allocated anything per call, on any thread, would exceed it.
/// (KernelTiming in tests/BilevelDsl.Benchmarks, alone in its process, counts 0 B.)
/// </summary>
[Collection(ProcessWideAllocationCollection.Name)]
public sealed class ChunkAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ChunkedKernelsAllocateNothingOnAnyThreadOnceWarm(int threads)
    {
        var m = RowBlockKernelTests.LargerHyperCleaning(1100);
        IBilevelKernels k = m.Model.WithParallelism(threads);
        double[] gx = new double[m.X.Length], gy = new double[m.Y.Length], hx = new double[m.X.Length], hy = new double[m.Y.Length];
        double[] fx = new double[m.X.Length], fy = new double[m.Y.Length];
        void Calls()
        {
            for (int i = 0; i < 10; i++)
            {
                k.LowerGradient(m.X, m.Y, gx, gy);
                k.LowerHessianVector(m.X, m.Y, m.X, m.Y, hx, hy);
                k.LowerValueGradientHessianVector(m.X, m.Y, m.X, m.Y, fx, fy, hx, hy);
            }
        }

        Assert.Equal(0, AllocationMeter.Least(Calls)); // the calling thread, exactly
        Calls();
        long least = long.MaxValue;
        for (int run = 0; run < 5; run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            Calls();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.True(least < 30 * 24, $"{least} bytes allocated by all threads in 30 calls");
    }
}
