namespace BilevelDsl.Tests.SeedSolvers.Nonsmooth;

/// <summary>
/// A model whose upper-level gradient turns NaN after a number of calls (counted across its smoothed views), to test
/// that a solver reports Diverged with the last finite iterate.
/// </summary>
public sealed class FaultyKernels : IBilevelKernels
{
    private readonly IBilevelKernels _inner;
    private readonly Counter _counter;

    public FaultyKernels(IBilevelKernels inner, int healthyCalls)
        : this(inner, new Counter { Remaining = healthyCalls })
    {
    }

    private FaultyKernels(IBilevelKernels inner, Counter counter)
    {
        _inner = inner;
        _counter = counter;
    }

    public ModelInfo Info => _inner.Info;

    public int LowerConstraintCount => _inner.LowerConstraintCount;

    public double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => _inner.UpperValue(x, y);

    public double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => _inner.LowerValue(x, y);

    public double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        double value = _inner.UpperGradient(x, y, gradX, gradY);
        if (--_counter.Remaining >= 0)
        {
            return value;
        }

        gradY.Fill(double.NaN);
        return double.NaN;
    }

    public double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) => _inner.LowerGradient(x, y, gradX, gradY);

    public void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        _inner.UpperHessianVector(x, y, vx, vy, hx, hy);

    public void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        _inner.LowerHessianVector(x, y, vx, vy, hx, hy);

    public double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
        _inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);

    public double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
        _inner.LowerValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);

    public IBilevelKernels WithSmoothing(double mu) => new FaultyKernels(_inner.WithSmoothing(mu), _counter);

    public void ProjectUpper(Span<double> x) => _inner.ProjectUpper(x);

    public void ProjectLower(Span<double> y) => _inner.ProjectLower(y);

    public double LowerConstraintValue(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y) => _inner.LowerConstraintValue(j, x, y);

    public double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
        _inner.LowerConstraintGradient(j, x, y, gradX, gradY);

    public void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        _inner.LowerConstraintHessianVector(j, x, y, vx, vy, hx, hy);

    private sealed class Counter
    {
        public int Remaining { get; set; }
    }
}
