using BilevelDsl.Kernels;

namespace BilevelDsl.Tests.SeedSolvers.Nonsmooth;

/// <summary>
/// A model whose upper-level gradient turns NaN after a number of calls (counted across its smoothed views), to test
/// that a solver reports Diverged with the last finite iterate.
/// </summary>
public sealed class FaultyKernels : DelegatingKernels
{
    private readonly Counter _counter;

    public FaultyKernels(IBilevelKernels inner, int healthyCalls)
        : this(inner, new Counter { Remaining = healthyCalls })
    {
    }

    private FaultyKernels(IBilevelKernels inner, Counter counter)
        : base(inner)
    {
        _counter = counter;
    }

    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        double value = Inner.UpperGradient(x, y, gradX, gradY);
        if (--_counter.Remaining >= 0)
        {
            return value;
        }

        gradY.Fill(double.NaN);
        return double.NaN;
    }

    public override IBilevelKernels WithSmoothing(double mu) => new FaultyKernels(Inner.WithSmoothing(mu), _counter);

    private sealed class Counter
    {
        public int Remaining { get; set; }
    }
}
