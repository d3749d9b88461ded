namespace BilevelDsl.Kernels;

/// <summary>
/// A base for kernels written by hand with values and gradients only. Second-order kernels throw
/// <see cref="NotSupportedException"/> unless overridden (never a guessed derivative); the model declares
/// itself smooth (override <see cref="Info"/> otherwise), has no constraints and no domains.
/// Generated models implement <see cref="IBilevelKernels"/> completely and do not use this class.
/// </summary>
public abstract class FirstOrderKernels : IBilevelKernels
{
    private static readonly ModelInfo SmoothInfo = new(
        new LevelInfo("Upper", Array.Empty<NonsmoothTerm>()),
        new LevelInfo("Lower", Array.Empty<NonsmoothTerm>()),
        0,
        false,
        false);

    /// <inheritdoc/>
    public virtual ModelInfo Info => SmoothInfo;

    /// <inheritdoc/>
    public virtual int LowerConstraintCount => 0;

    /// <inheritdoc/>
    public abstract double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <inheritdoc/>
    public abstract double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <inheritdoc/>
    public abstract double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

    /// <inheritdoc/>
    public abstract double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

    /// <inheritdoc/>
    public virtual void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        throw NotImplemented(nameof(UpperHessianVector));

    /// <inheritdoc/>
    public virtual void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        throw NotImplemented(nameof(LowerHessianVector));

    /// <inheritdoc/>
    public virtual double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        UpperHessianVector(x, y, vx, vy, hx, hy);
        return UpperGradient(x, y, gradX, gradY);
    }

    /// <inheritdoc/>
    public virtual double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
    {
        LowerHessianVector(x, y, vx, vy, hx, hy);
        return LowerGradient(x, y, gradX, gradY);
    }

    /// <inheritdoc/>
    public virtual IBilevelKernels WithSmoothing(double mu)
    {
        SmoothedKernels.RequireValidMu(mu);
        return this; // declared smooth: the smoothed model is the model
    }

    /// <inheritdoc/>
    public virtual void ProjectUpper(Span<double> x)
    {
    }

    /// <inheritdoc/>
    public virtual void ProjectLower(Span<double> y)
    {
    }

    /// <inheritdoc/>
    public virtual double LowerConstraintValue(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y) => throw NoConstraint(j);

    /// <inheritdoc/>
    public virtual double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) => throw NoConstraint(j);

    /// <inheritdoc/>
    public virtual void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        throw NoConstraint(j);

    private NotSupportedException NotImplemented(string kernel) =>
        new($"{GetType().Name} implements only values and gradients; override {kernel} or write the model as a [BilevelModel] class to get generated second-order kernels.");

    private static ArgumentOutOfRangeException NoConstraint(int j) =>
        new(nameof(j), j, "The model has no lower-level constraints.");
}
