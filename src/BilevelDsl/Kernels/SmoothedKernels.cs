namespace BilevelDsl.Kernels;

/// <summary>
/// An immutable view of a model whose objectives' nonsmooth terms are replaced by their mu-smoothed forms
/// (see docs/ad-conventions.md). Holds only the model and mu, so views with different mu can be used from
/// different threads at once (the generated kernels keep no state). Constraints and projections are the
/// model's own (forwarded to the exact model by <see cref="DelegatingKernels"/>).
/// </summary>
public sealed class SmoothedKernels : DelegatingKernels
{
    private readonly ISmoothedKernelSource source;

    /// <summary>Creates the view; generated <c>WithSmoothing</c> calls this.</summary>
    /// <exception cref="ArgumentOutOfRangeException">mu is negative, infinite or NaN.</exception>
    public SmoothedKernels(IBilevelKernels exact, ISmoothedKernelSource source, double mu)
        : base(exact ?? throw new ArgumentNullException(nameof(exact)))
    {
        ArgumentNullException.ThrowIfNull(source);
        RequireValidMu(mu);
        this.source = source;
        Mu = mu;
    }

    /// <summary>The smoothing parameter of this view.</summary>
    public double Mu { get; }

    /// <summary>Throws unless mu is finite and nonnegative.</summary>
    public static void RequireValidMu(double mu)
    {
        if (!(mu >= 0.0) || double.IsInfinity(mu))
        {
            throw new ArgumentOutOfRangeException(nameof(mu), mu, "The smoothing parameter mu must be finite and nonnegative.");
        }
    }

    /// <inheritdoc/>
    public override double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => source.SmoothedUpperValue(Mu, x, y);

    /// <inheritdoc/>
    public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => source.SmoothedLowerValue(Mu, x, y);

    /// <inheritdoc/>
    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
        source.SmoothedUpperGradient(Mu, x, y, gradX, gradY);

    /// <inheritdoc/>
    public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
        source.SmoothedLowerGradient(Mu, x, y, gradX, gradY);

    /// <inheritdoc/>
    public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        source.SmoothedUpperHessianVector(Mu, x, y, vx, vy, hx, hy);

    /// <inheritdoc/>
    public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        source.SmoothedLowerHessianVector(Mu, x, y, vx, vy, hx, hy);

    /// <inheritdoc/>
    public override double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
        source.SmoothedUpperValueGradientHessianVector(Mu, x, y, vx, vy, gradX, gradY, hx, hy);

    /// <inheritdoc/>
    public override double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
        source.SmoothedLowerValueGradientHessianVector(Mu, x, y, vx, vy, gradX, gradY, hx, hy);
}
