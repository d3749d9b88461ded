namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// Forwards to a model, but its derivative kernels throw <see cref="InvalidOperationException"/> with <see cref="Failure"/>
/// once <c>healthyCalls</c> of them have run (values stay healthy, so the start is accepted). The count is shared with the
/// smoothed copies it hands out.
/// </summary>
internal sealed class ThrowingKernels : IBilevelKernels
{
    public const string Failure = "the model's data source went away";

    private readonly IBilevelKernels _inner;
    private readonly Counter _counter;

    public ThrowingKernels(IBilevelKernels inner, int healthyCalls)
        : this(inner, new Counter { Remaining = healthyCalls })
    {
    }

    private ThrowingKernels(IBilevelKernels inner, Counter counter)
    {
        _inner = inner;
        _counter = counter;
    }

    /// <summary>Whether a kernel has thrown.</summary>
    public bool Thrown => _counter.Remaining < 0;

    public ModelInfo Info => _inner.Info;

    public int LowerConstraintCount => _inner.LowerConstraintCount;

    public double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => _inner.UpperValue(x, y);

    public double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => _inner.LowerValue(x, y);

    public double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Tick();
        return _inner.UpperGradient(x, y, gradX, gradY);
    }

    public double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Tick();
        return _inner.LowerGradient(x, y, gradX, gradY);
    }

    public void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Tick();
        _inner.UpperHessianVector(x, y, vx, vy, hx, hy);
    }

    public void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Tick();
        _inner.LowerHessianVector(x, y, vx, vy, hx, hy);
    }

    public double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        Tick();
        return _inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
    }

    public double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        Tick();
        return _inner.LowerValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
    }

    public IBilevelKernels WithSmoothing(double mu) => new ThrowingKernels(_inner.WithSmoothing(mu), _counter);

    public void ProjectUpper(Span<double> x) => _inner.ProjectUpper(x);

    public void ProjectLower(Span<double> y) => _inner.ProjectLower(y);

    public double LowerConstraintValue(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y) => _inner.LowerConstraintValue(j, x, y);

    public double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Tick();
        return _inner.LowerConstraintGradient(j, x, y, gradX, gradY);
    }

    public void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Tick();
        _inner.LowerConstraintHessianVector(j, x, y, vx, vy, hx, hy);
    }

    private void Tick()
    {
        if (--_counter.Remaining < 0)
        {
            throw new InvalidOperationException(Failure);
        }
    }

    private sealed class Counter
    {
        public int Remaining { get; set; }
    }
}
