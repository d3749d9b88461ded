using BilevelDsl.Kernels;
using BilevelDsl.Solvers;
using Xunit;

namespace BilevelDsl.Tests.Solvers;

/// <summary>A synchronous IProgress (Progress&lt;T&gt; posts to a thread pool).</summary>
internal sealed class RecordingProgress(Action<SolverProgress>? onReport = null) : IProgress<SolverProgress>
{
    public List<SolverProgress> Reports { get; } = [];

    public void Report(SolverProgress value)
    {
        Reports.Add(value);
        onReport?.Invoke(value);
    }
}

/// <summary>Casts a generated model to its kernels, failing clearly if the generator emitted nothing.</summary>
internal static class Generated
{
    public static IBilevelKernels Kernels(object model)
    {
        var kernels = model as IBilevelKernels;
        Assert.True(kernels is not null, $"{model.GetType().Name} does not implement IBilevelKernels: the generator did not run.");
        return kernels!;
    }
}

/// <summary>
/// Delegates to a model and, from a chosen call on, makes one kernel return NaN (to test the Diverged paths);
/// also counts kernel calls by kind.
/// </summary>
public sealed class FaultyKernels(IBilevelKernels inner) : DelegatingKernels(inner)
{
    public enum Kernel { None, LowerGradient, UpperGradient, LowerHessianVector }

    public Kernel Faulty { get; init; } = Kernel.None;

    public int HealthyCalls { get; init; }

    public int LowerGradients { get; private set; }

    public int UpperGradients { get; private set; }

    public int LowerHvps { get; private set; }

    public int UpperHvps { get; private set; }

    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        double v = Inner.UpperGradient(x, y, gradX, gradY);
        if (Faulty == Kernel.UpperGradient && ++UpperGradients > HealthyCalls)
        {
            gradX[0] = double.NaN;
        }
        else if (Faulty != Kernel.UpperGradient)
        {
            UpperGradients++;
        }

        return v;
    }

    public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        double v = Inner.LowerGradient(x, y, gradX, gradY);
        if (Faulty == Kernel.LowerGradient && ++LowerGradients > HealthyCalls)
        {
            return double.NaN;
        }
        else if (Faulty != Kernel.LowerGradient)
        {
            LowerGradients++;
        }

        return v;
    }

    public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        UpperHvps++;
        Inner.UpperHessianVector(x, y, vx, vy, hx, hy);
    }

    public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Inner.LowerHessianVector(x, y, vx, vy, hx, hy);
        if (++LowerHvps > HealthyCalls && Faulty == Kernel.LowerHessianVector)
        {
            hy[0] = double.NaN;
        }
    }

    public override double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        UpperHessianVector(x, y, vx, vy, hx, hy);
        return UpperGradient(x, y, gradX, gradY);
    }

    public override double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        LowerHessianVector(x, y, vx, vy, hx, hy);
        return LowerGradient(x, y, gradX, gradY);
    }
}
