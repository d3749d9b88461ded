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

/// <summary>A pass-through <see cref="IBilevelKernels"/> that records where the upper gradient was evaluated (also in
/// its smoothed views).</summary>
public sealed class RecordingKernels(IBilevelKernels inner, IterateSnapshot snapshot) : DelegatingKernels(inner)
{
    /// <inheritdoc/>
    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        snapshot.Record(x, y);
        return Inner.UpperGradient(x, y, gradX, gradY);
    }

    /// <inheritdoc/>
    public override double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        snapshot.Record(x, y);
        return Inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
    }

    /// <inheritdoc/>
    public override IBilevelKernels WithSmoothing(double mu) => new RecordingKernels(Inner.WithSmoothing(mu), snapshot);
}
