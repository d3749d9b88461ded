using BilevelDsl.Kernels;

namespace BilevelDsl;

/// <summary>Multi-core data sums, opt-in.</summary>
public static class ParallelKernels
{
    /// <summary>
    /// A view of <paramref name="model"/> whose kernels may use <paramref name="threads"/> threads for their
    /// row-blocked data sums (generated loops over the rows of a data matrix that start with a matrix-vector
    /// product, see docs/benchmarks.md). Results are bit-identical to the model's own for every thread count:
    /// the split between threads never changes the order of the operations that compute an entry. The view
    /// holds no buffers and allocates nothing per call; the worker threads are created once per process and
    /// shared by all views (a call that finds them busy runs on its own thread, with the same results).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is outside [1, 64].</exception>
    public static IBilevelKernels WithParallelism(this IBilevelKernels model, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, KernelParallelism.MaximumDegree);
        return new ParallelView(model is ParallelView view ? view.Model : model, threads);
    }

    /// <summary>Every kernel of the model, called with <see cref="KernelParallelism.Degree"/> set for its duration; the
    /// members that run no data sums (info, projections, constraints) are forwarded by the base class.</summary>
    private sealed class ParallelView(IBilevelKernels model, int threads) : DelegatingKernels(model)
    {
        public IBilevelKernels Model => Inner;

        public override double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            using var scope = new DegreeScope(threads);
            return Inner.UpperValue(x, y);
        }

        public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            using var scope = new DegreeScope(threads);
            return Inner.LowerValue(x, y);
        }

        public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            using var scope = new DegreeScope(threads);
            return Inner.UpperGradient(x, y, gradX, gradY);
        }

        public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            using var scope = new DegreeScope(threads);
            return Inner.LowerGradient(x, y, gradX, gradY);
        }

        public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
        {
            using var scope = new DegreeScope(threads);
            Inner.UpperHessianVector(x, y, vx, vy, hx, hy);
        }

        public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
        {
            using var scope = new DegreeScope(threads);
            Inner.LowerHessianVector(x, y, vx, vy, hx, hy);
        }

        public override double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
        {
            using var scope = new DegreeScope(threads);
            return Inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
        }

        public override double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
        {
            using var scope = new DegreeScope(threads);
            return Inner.LowerValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
        }

        public override IBilevelKernels WithSmoothing(double mu) => Inner.WithSmoothing(mu).WithParallelism(threads);
    }

    /// <summary>Sets <see cref="KernelParallelism.Degree"/> until disposed, then restores the previous value.</summary>
    private readonly ref struct DegreeScope
    {
        private readonly int previous;

        public DegreeScope(int threads) => previous = KernelParallelism.Enter(threads);

        public void Dispose() => KernelParallelism.Restore(previous);
    }
}
