using System.ComponentModel;
using System.Diagnostics;

namespace BilevelDsl.Kernels;

/// <summary>
/// How many threads the data-sum kernels of generated code (<see cref="RowBlockKernels"/>) may use on the
/// calling thread, and the persistent worker threads that run the parts. Opt-in: the default is 1 (no other
/// thread is touched); <see cref="ParallelKernels.WithParallelism"/> sets it around each kernel call of a view.
/// Results do not depend on the thread count: a block is split between threads along entries whose values
/// are computed by the same operations whichever thread computes them (see <see cref="RowBlockKernels"/>).
/// Steady state allocates nothing: the workers, their wake-up events and the job records are created once.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class KernelParallelism
{
    /// <summary>The most threads a kernel call may use.</summary>
    public const int MaximumDegree = 64;

    [ThreadStatic]
    private static int degree;

    /// <summary>The number of threads kernels called on this thread may use (at least 1).</summary>
    public static int Degree => Math.Max(degree, 1);

    /// <summary>Sets <see cref="Degree"/> for this thread; returns the previous value, to restore with <see cref="Restore"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is outside [1, <see cref="MaximumDegree"/>].</exception>
    public static int Enter(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, MaximumDegree);
        int previous = degree;
        degree = threads;
        return previous;
    }

    /// <summary>Restores the value <see cref="Enter"/> returned.</summary>
    public static void Restore(int previous) => degree = previous;
}

/// <summary>The worker threads: part p of a job runs on worker p - 1 while the caller runs part 0.</summary>
internal static unsafe class WorkerPool
{
    private static readonly object Gate = new();
    private static Worker[] workers = [];
    private static int pending;

    /// <summary>Runs <paramref name="work"/>(job, p) for p in [0, parts); in parallel when the pool is free,
    /// on the caller otherwise (another thread's kernel is using it; the results are the same).</summary>
    public static void Run(delegate*<in RowBlockJob, int, void> work, in RowBlockJob job, int parts)
    {
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            for (int p = 0; p < parts; p++)
            {
                work(job, p);
            }

            return;
        }

        try
        {
            EnsureWorkers(parts - 1);
            Volatile.Write(ref pending, parts - 1);
            for (int p = 1; p < parts; p++)
            {
                workers[p - 1].Start(work, job, p);
            }

            work(job, 0);
            var spin = new SpinWait();
            while (Volatile.Read(ref pending) != 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (workers.Length >= count)
        {
            return;
        }

        var grown = new Worker[count];
        Array.Copy(workers, grown, workers.Length);
        for (int i = workers.Length; i < count; i++)
        {
            grown[i] = new Worker(i);
        }

        workers = grown;
    }

    private sealed class Worker
    {
        // A worker spins this long for the next part before it sleeps: the parts of one kernel call come a few
        // microseconds apart (one block's per-row work), so spinning avoids a kernel wake-up per block.
        private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

        private readonly ManualResetEventSlim wake = new(false, spinCount: 1);
        private delegate*<in RowBlockJob, int, void> work;
        private RowBlockJob job;
        private int part;
        private int sequence;
        private int sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "BilevelDsl kernel worker " + (index + 1) };
            thread.Start();
        }

        public void Start(delegate*<in RowBlockJob, int, void> work, in RowBlockJob job, int part)
        {
            this.work = work;
            this.job = job;
            this.part = part;
            Interlocked.Increment(ref sequence);
            if (Volatile.Read(ref sleeping) == 1)
            {
                wake.Set();
            }
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref sequence) == seen)
                {
                    if (Stopwatch.GetTimestamp() < deadline)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }

                    Interlocked.Exchange(ref sleeping, 1);
                    if (Volatile.Read(ref sequence) == seen)
                    {
                        wake.Wait();
                        wake.Reset();
                    }

                    Volatile.Write(ref sleeping, 0);
                    deadline = Stopwatch.GetTimestamp() + SpinTicks;
                }

                seen = Volatile.Read(ref sequence);
                work(job, part);
                Interlocked.Decrement(ref pending);
            }
        }
    }
}
