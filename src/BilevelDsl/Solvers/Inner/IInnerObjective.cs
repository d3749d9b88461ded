namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// A smooth objective of one vector variable over a closed convex domain (possibly all of R^n): what a
/// <see cref="ILowerLevelSolver"/> minimises. The lower level f(x, .) at fixed x is one (<see cref="LowerLevelObjective"/>);
/// the penalty method's penalised objective is another.
/// </summary>
internal interface IInnerObjective
{
    /// <summary>The length of the variable.</summary>
    int Dimension { get; }

    /// <summary>Whether the variable has a domain; when false, <see cref="Project"/> is the identity and solvers skip it.</summary>
    bool HasDomain { get; }

    /// <summary>The objective's value at <paramref name="v"/>.</summary>
    double Value(ReadOnlySpan<double> v);

    /// <summary>Writes the gradient at <paramref name="v"/> into <paramref name="gradient"/> (overwriting it) and returns the value.</summary>
    double ValueAndGradient(ReadOnlySpan<double> v, Span<double> gradient);

    /// <summary>Projects <paramref name="v"/> onto the domain in place.</summary>
    void Project(Span<double> v);
}

/// <summary>The lower-level objective f(x, .) at a fixed x, as an <see cref="IInnerObjective"/> over y (with the model's lower domain).</summary>
/// <remarks>
/// The objective reads x from the array passed to the constructor every time it is evaluated, so a solver can move x
/// in place and reuse the objective. The gradient with respect to x, computed by the same kernel call, is kept in
/// <see cref="GradientX"/>.
/// </remarks>
internal sealed class LowerLevelObjective : IInnerObjective
{
    private readonly IBilevelKernels _model;
    private readonly double[] _x;
    private readonly double[] _gradX;

    /// <summary>Creates f(x, .) for the model's kernels, reading x from <paramref name="x"/> (not copied).</summary>
    /// <exception cref="ArgumentOutOfRangeException">dimension is not positive.</exception>
    public LowerLevelObjective(IBilevelKernels model, double[] x, int dimension)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _model = model;
        _x = x;
        _gradX = new double[x.Length];
        Dimension = dimension;
        HasDomain = model.Info.HasLowerDomain;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public bool HasDomain { get; }

    /// <summary>df/dx at the point of the last <see cref="ValueAndGradient"/> call.</summary>
    public ReadOnlySpan<double> GradientX => _gradX;

    /// <inheritdoc/>
    public double Value(ReadOnlySpan<double> v) => _model.LowerValue(_x, v);

    /// <inheritdoc/>
    public double ValueAndGradient(ReadOnlySpan<double> v, Span<double> gradient) => _model.LowerGradient(_x, v, _gradX, gradient);

    /// <inheritdoc/>
    public void Project(Span<double> v)
    {
        if (HasDomain)
        {
            _model.ProjectLower(v);
        }
    }
}
