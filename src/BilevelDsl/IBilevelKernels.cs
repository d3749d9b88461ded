namespace BilevelDsl;

/// <summary>
/// The compiled kernels of a bilevel model: values and first-order partial gradients of the upper-level
/// objective F(x, y) and the lower-level objective f(x, y). This is the only thing solvers need from a model;
/// the source generator implements it for every <see cref="BilevelModelAttribute"/> class, and it can be
/// implemented by hand as well.
/// </summary>
/// <remarks>
/// Implementations must not allocate and must throw <see cref="ArgumentException"/> when a span has the
/// wrong length (scalar models take spans of length 1). Gradient kernels overwrite, not accumulate into,
/// the gradient spans.
/// </remarks>
public interface IBilevelKernels
{
    /// <summary>Evaluates the upper-level objective F(x, y).</summary>
    double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <summary>Evaluates the lower-level objective f(x, y).</summary>
    double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <summary>
    /// Writes dF/dx into <paramref name="gradX"/> (length of x) and dF/dy into <paramref name="gradY"/>
    /// (length of y) and returns F(x, y).
    /// </summary>
    double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

    /// <summary>
    /// Writes df/dx into <paramref name="gradX"/> (length of x) and df/dy into <paramref name="gradY"/>
    /// (length of y) and returns f(x, y).
    /// </summary>
    double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

    /// <summary>
    /// (hx, hy) = joint Hessian of F in (x, y) times (vx, vy), without forming the Hessian. With vx = 0 one call
    /// gives the yy block and the mixed xy block times vy; with vy = 0 the yx block times vx.
    /// </summary>
    void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy);

    /// <summary>(hx, hy) = joint Hessian of f in (x, y) times (vx, vy), without forming the Hessian.</summary>
    void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy);

    /// <summary>F(x, y), its gradient and its Hessian times (vx, vy) in one pass; returns F.</summary>
    double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy);

    /// <summary>f(x, y), its gradient and its Hessian times (vx, vy) in one pass; returns f.</summary>
    double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy);

    /// <summary>
    /// An immutable view whose every kernel is that of the mu-smoothed objectives (docs/ad-conventions.md);
    /// mu = 0 is the exact model. Views with different mu may be used from different threads at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">mu is negative, infinite or NaN.</exception>
    IBilevelKernels WithSmoothing(double mu);

    /// <summary>Smoothness of each level (with the nonsmooth terms and where they are), constraints and domains.</summary>
    ModelInfo Info { get; }

    /// <summary>Projects x onto the upper variable's declared domain in place (identity when none is declared).</summary>
    void ProjectUpper(Span<double> x);

    /// <summary>Projects y onto the lower variable's declared domain in place (identity when none is declared).</summary>
    void ProjectLower(Span<double> y);

    /// <summary>The number of lower-level inequality constraints u_j(x, y) &lt;= 0.</summary>
    int LowerConstraintCount { get; }

    /// <summary>u_j(x, y).</summary>
    /// <exception cref="ArgumentOutOfRangeException">j is not in [0, LowerConstraintCount).</exception>
    double LowerConstraintValue(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <summary>Writes the partial gradients of u_j and returns u_j(x, y).</summary>
    double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

    /// <summary>(hx, hy) = joint Hessian of u_j times (vx, vy).</summary>
    void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy);
}
