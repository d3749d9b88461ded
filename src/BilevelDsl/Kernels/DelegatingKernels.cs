namespace BilevelDsl.Kernels;

/// <summary>
/// A base for wrappers of a model: every member of <see cref="IBilevelKernels"/> forwards to <see cref="Inner"/>,
/// and every one is virtual, so a wrapper overrides only what it changes. Use it to count or log kernel calls,
/// record the points a solver evaluates, time kernels, inject faults in tests, or replace one kernel, without
/// writing out every other member.
/// </summary>
/// <remarks>
/// <para>Forwarding adds one virtual call and no allocation, so a wrapper keeps the model's no-allocation contract
/// as long as its own overrides allocate nothing.</para>
/// <para><see cref="WithSmoothing"/> forwards too: it returns the inner model's smoothed view, which is
/// <em>not</em> wrapped. A wrapper that must also see the calls a solver makes on smoothed views (solvers that
/// smooth a nonsmooth model call <see cref="WithSmoothing"/>) overrides it to wrap the inner view, for example
/// <c>public override IBilevelKernels WithSmoothing(double mu) =&gt; new CountingKernels(Inner.WithSmoothing(mu));</c>.</para>
/// </remarks>
/// <example>
/// A wrapper that counts lower-level gradient calls:
/// <code>
/// sealed class CountingKernels(IBilevelKernels model) : DelegatingKernels(model)
/// {
///     public int LowerGradients { get; private set; }
///
///     public override double LowerGradient(ReadOnlySpan&lt;double&gt; x, ReadOnlySpan&lt;double&gt; y, Span&lt;double&gt; gradX, Span&lt;double&gt; gradY)
///     {
///         LowerGradients++;
///         return base.LowerGradient(x, y, gradX, gradY);
///     }
/// }
/// </code>
/// </example>
public abstract class DelegatingKernels : IBilevelKernels
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    protected DelegatingKernels(IBilevelKernels inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The wrapped model, which every member not overridden calls.</summary>
    protected IBilevelKernels Inner { get; }

    /// <inheritdoc/>
    public virtual ModelInfo Info => Inner.Info;

    /// <inheritdoc/>
    public virtual int LowerConstraintCount => Inner.LowerConstraintCount;

    /// <inheritdoc/>
    public virtual double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Inner.UpperValue(x, y);

    /// <inheritdoc/>
    public virtual double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Inner.LowerValue(x, y);

    /// <inheritdoc/>
    public virtual double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
        Inner.UpperGradient(x, y, gradX, gradY);

    /// <inheritdoc/>
    public virtual double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
        Inner.LowerGradient(x, y, gradX, gradY);

    /// <inheritdoc/>
    public virtual void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        Inner.UpperHessianVector(x, y, vx, vy, hx, hy);

    /// <inheritdoc/>
    public virtual void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        Inner.LowerHessianVector(x, y, vx, vy, hx, hy);

    /// <inheritdoc/>
    public virtual double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
        Inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);

    /// <inheritdoc/>
    public virtual double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
        Inner.LowerValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);

    /// <inheritdoc/>
    /// <remarks>Returns the inner model's smoothed view, unwrapped; override to wrap it (see the class remarks).</remarks>
    public virtual IBilevelKernels WithSmoothing(double mu) => Inner.WithSmoothing(mu);

    /// <inheritdoc/>
    public virtual void ProjectUpper(Span<double> x) => Inner.ProjectUpper(x);

    /// <inheritdoc/>
    public virtual void ProjectLower(Span<double> y) => Inner.ProjectLower(y);

    /// <inheritdoc/>
    public virtual double LowerConstraintValue(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Inner.LowerConstraintValue(j, x, y);

    /// <inheritdoc/>
    public virtual double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
        Inner.LowerConstraintGradient(j, x, y, gradX, gradY);

    /// <inheritdoc/>
    public virtual void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        Inner.LowerConstraintHessianVector(j, x, y, vx, vy, hx, hy);
}
