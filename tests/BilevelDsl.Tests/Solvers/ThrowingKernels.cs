using BilevelDsl.Kernels;

namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// Forwards to a model, but its derivative kernels throw <see cref="InvalidOperationException"/> with <see cref="Failure"/>
/// once <c>healthyCalls</c> of them have run (values stay healthy, so the start is accepted). The count is shared with the
/// smoothed copies it hands out.
/// </summary>
internal sealed class ThrowingKernels : DelegatingKernels
{
    public const string Failure = "the model's data source went away";

    private readonly Counter _counter;

    public ThrowingKernels(IBilevelKernels inner, int healthyCalls)
        : this(inner, new Counter { Remaining = healthyCalls })
    {
    }

    private ThrowingKernels(IBilevelKernels inner, Counter counter)
        : base(inner)
    {
        _counter = counter;
    }

    /// <summary>Whether a kernel has thrown.</summary>
    public bool Thrown => _counter.Remaining < 0;

    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Tick();
        return Inner.UpperGradient(x, y, gradX, gradY);
    }

    public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Tick();
        return Inner.LowerGradient(x, y, gradX, gradY);
    }

    public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Tick();
        Inner.UpperHessianVector(x, y, vx, vy, hx, hy);
    }

    public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Tick();
        Inner.LowerHessianVector(x, y, vx, vy, hx, hy);
    }

    public override double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        Tick();
        return Inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
    }

    public override double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        Tick();
        return Inner.LowerValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
    }

    public override IBilevelKernels WithSmoothing(double mu) => new ThrowingKernels(Inner.WithSmoothing(mu), _counter);

    public override double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Tick();
        return Inner.LowerConstraintGradient(j, x, y, gradX, gradY);
    }

    public override void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Tick();
        Inner.LowerConstraintHessianVector(j, x, y, vx, vy, hx, hy);
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
