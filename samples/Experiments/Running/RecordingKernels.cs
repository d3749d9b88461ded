using BilevelDsl.Kernels;

namespace BilevelDsl.Experiments.Running;

/// <summary>
/// The latest (x, y) a solver evaluated the upper gradient at: what the progress handler computes test metrics and
/// hyperparameter paths from, since <see cref="BilevelDsl.Solvers.SolverProgress"/> carries no iterate. Copies into
/// buffers allocated once (no allocation per kernel call); a lock because IGFM may call from two threads.
/// </summary>
public sealed class IterateSnapshot
{
    private readonly object _gate = new();
    private double[] _x = [];
    private double[] _y = [];

    /// <summary>True once a point was recorded.</summary>
    public bool HasValue { get; private set; }

    internal void Record(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        lock (_gate)
        {
            if (_x.Length != x.Length)
            {
                _x = new double[x.Length];
            }

            if (_y.Length != y.Length)
            {
                _y = new double[y.Length];
            }

            x.CopyTo(_x);
            y.CopyTo(_y);
            HasValue = true;
        }
    }

    /// <summary>Copies of the latest point.</summary>
    public (double[] X, double[] Y) Copy()
    {
        lock (_gate)
        {
            return ((double[])_x.Clone(), (double[])_y.Clone());
        }
    }
}

/// <summary>
/// A pass-through <see cref="IBilevelKernels"/> that records where the upper gradient was evaluated (also in its smoothed
/// views) and counts and times every kernel call (<see cref="KernelProfile"/>).
/// </summary>
public sealed class RecordingKernels(IBilevelKernels inner, IterateSnapshot snapshot, KernelProfile profile) : DelegatingKernels(inner)
{
    /// <inheritdoc/>
    public override double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.UpperValue(x, y);
        profile.Stop(KernelKind.UpperValue, start);
        return value;
    }

    /// <inheritdoc/>
    public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.LowerValue(x, y);
        profile.Stop(KernelKind.LowerValue, start);
        return value;
    }

    /// <inheritdoc/>
    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        snapshot.Record(x, y);
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.UpperGradient(x, y, gradX, gradY);
        profile.Stop(KernelKind.UpperGradient, start);
        return value;
    }

    /// <inheritdoc/>
    public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.LowerGradient(x, y, gradX, gradY);
        profile.Stop(KernelKind.LowerGradient, start);
        return value;
    }

    /// <inheritdoc/>
    public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        Inner.UpperHessianVector(x, y, vx, vy, hx, hy);
        profile.Stop(KernelKind.UpperHessianVector, start);
    }

    /// <inheritdoc/>
    public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        Inner.LowerHessianVector(x, y, vx, vy, hx, hy);
        profile.Stop(KernelKind.LowerHessianVector, start);
    }

    /// <inheritdoc/>
    public override double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        snapshot.Record(x, y);
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
        profile.Stop(KernelKind.UpperFused, start);
        return value;
    }

    /// <inheritdoc/>
    public override double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.LowerValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
        profile.Stop(KernelKind.LowerFused, start);
        return value;
    }

    /// <inheritdoc/>
    public override IBilevelKernels WithSmoothing(double mu) => new RecordingKernels(Inner.WithSmoothing(mu), snapshot, profile);

    /// <inheritdoc/>
    public override double LowerConstraintValue(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.LowerConstraintValue(j, x, y);
        profile.Stop(KernelKind.Constraint, start);
        return value;
    }

    /// <inheritdoc/>
    public override double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        double value = Inner.LowerConstraintGradient(j, x, y, gradX, gradY);
        profile.Stop(KernelKind.Constraint, start);
        return value;
    }

    /// <inheritdoc/>
    public override void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        KernelProfile.Mark start = KernelProfile.Start();
        Inner.LowerConstraintHessianVector(j, x, y, vx, vy, hx, hy);
        profile.Stop(KernelKind.Constraint, start);
    }
}
