using System.Diagnostics;

namespace BilevelDsl.Experiments.Running;

/// <summary>The kernels of <see cref="BilevelDsl.IBilevelKernels"/> a solver calls, as counted by <see cref="KernelProfile"/>.</summary>
public enum KernelKind
{
    UpperValue,
    LowerValue,
    UpperGradient,
    LowerGradient,
    UpperHessianVector,
    LowerHessianVector,
    UpperFused,
    LowerFused,
    Constraint,
}

/// <summary>
/// Calls, process CPU time and wall time per kernel kind, as the pass-through <see cref="RecordingKernels"/> measures them:
/// what tells the kernels' share of a run's time from the solver's own work (bookkeeping, allocation, the certificate).
/// CPU time is the process's (<see cref="Environment.CpuUsage"/>, about 5 microseconds per reading here: 0.2% of a 5 ms
/// kernel); the tool runs each solver on one thread, so it is the kernel's own time plus whatever the runtime's background
/// threads (tiered JIT, GC) did meanwhile. Thread-safe (IGFM calls kernels from two threads; their CPU intervals then overlap).
/// </summary>
public sealed class KernelProfile
{
    private static readonly int Kinds = Enum.GetValues<KernelKind>().Length;
    private readonly long[] _calls = new long[Kinds];
    private readonly long[] _cpuTicks = new long[Kinds];
    private readonly long[] _wallTicks = new long[Kinds];

    /// <summary>The start of a timed call.</summary>
    public readonly record struct Mark(long Wall, long Cpu);

    public static Mark Start() => new(Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime.Ticks);

    public void Stop(KernelKind kind, Mark start)
    {
        long cpu = Environment.CpuUsage.TotalTime.Ticks - start.Cpu;
        long wall = Stopwatch.GetTimestamp() - start.Wall;
        int k = (int)kind;
        Interlocked.Increment(ref _calls[k]);
        Interlocked.Add(ref _cpuTicks[k], cpu);
        Interlocked.Add(ref _wallTicks[k], wall);
    }

    /// <summary>Calls of each kind made so far (kinds never called are left out).</summary>
    public IReadOnlyDictionary<string, long> Calls()
    {
        long[] calls = NewCounts();
        CopyCalls(calls);
        return Named(calls);
    }

    /// <summary>Copies the calls of each kind made so far into <paramref name="calls"/> (indexed by <see cref="KernelKind"/>; no allocation).</summary>
    public void CopyCalls(long[] calls)
    {
        for (int k = 0; k < Kinds; k++)
        {
            calls[k] = Volatile.Read(ref _calls[k]);
        }
    }

    /// <summary>Calls per kind from counts that <see cref="CopyCalls"/> wrote (kinds never called are left out).</summary>
    public static IReadOnlyDictionary<string, long> Named(long[] calls) =>
        Enum.GetValues<KernelKind>().Where(k => calls[(int)k] > 0).ToDictionary(k => Name(k), k => calls[(int)k]);

    /// <summary>An array for <see cref="CopyCalls"/>.</summary>
    public static long[] NewCounts() => new long[Kinds];

    /// <summary>Process CPU seconds spent inside kernel calls of each kind (kinds never called are left out).</summary>
    public IReadOnlyDictionary<string, double> CpuSecondsByKind() =>
        Enum.GetValues<KernelKind>().Where(k => Volatile.Read(ref _calls[(int)k]) > 0)
            .ToDictionary(k => Name(k), k => TimeSpan.FromTicks(Volatile.Read(ref _cpuTicks[(int)k])).TotalSeconds);

    /// <summary>Process CPU seconds inside all kernel calls.</summary>
    public double CpuSeconds => TimeSpan.FromTicks(Sum(_cpuTicks)).TotalSeconds;

    /// <summary>Wall seconds inside all kernel calls.</summary>
    public double WallSeconds => Sum(_wallTicks) / (double)Stopwatch.Frequency;

    private static long Sum(long[] values)
    {
        long total = 0;
        for (int i = 0; i < values.Length; i++)
        {
            total += Volatile.Read(ref values[i]);
        }

        return total;
    }

    private static string Name(KernelKind kind) => char.ToLowerInvariant(kind.ToString()[0]) + kind.ToString()[1..];
}
