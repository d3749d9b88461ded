using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// The public face of a solver that runs on the iteration driver: its options (validated once, at construction) and
/// <see cref="Solve"/>, which hands the method's settings, assumption check and per-solve state to the driver.
/// </summary>
/// <typeparam name="TOptions">The solver's options record.</typeparam>
public abstract class DrivenSolver<TOptions> : IBilevelSolver
    where TOptions : SolverOptions
{
    private protected DrivenSolver(TOptions options, string name, string methodName)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Name = name;
        MethodName = methodName;
    }

    /// <summary>The options this solver runs with.</summary>
    public TOptions Options { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The method's name as messages and tables print it ("BOME", "CCCP-BO", ...).</summary>
    public string MethodName { get; }

    /// <summary>The driver's iteration limit (the method's MaxIterations).</summary>
    private protected abstract int IterationLimit { get; }

    /// <summary>The driver's settings: the method's display name, iteration limit, history and certificate options, time budget, x in the history.</summary>
    private DriverSettings Settings => new(MethodName, IterationLimit, Options.RecordHistory, Options.Certificate, ConvexityNeed, Options.MaxTime, Options.RecordX);

    /// <summary>What the method assumes of the lower level's convexity in y: the driver refuses a provably nonconvex lower
    /// level and says in the result whether convexity was proven at compile time (docs/convexity.md).</summary>
    private protected virtual LowerConvexityNeed ConvexityNeed => LowerConvexityNeed.None;

    /// <inheritdoc/>
    public BilevelResult Solve(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Drive(model, x0, y0, progress, cancellationToken, Create);

    /// <summary>
    /// Runs the driver with the method state <paramref name="create"/> makes (a method that also collects per-round records
    /// passes its own); with <paramref name="sharedLog"/>, the iterations go into an enclosing run's log (SMNBP's rounds).
    /// </summary>
    private protected BilevelResult Drive(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress,
        CancellationToken cancellationToken,
        MethodFactory create,
        RunLog? sharedLog = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = y0.Length;
        return SolverDriver.Solve(Settings, model, x0, y0, progress, cancellationToken, () => Assumptions(model, n), create, sharedLog);
    }

    /// <summary>Null if the model suits the method; otherwise the AssumptionViolated message (what breaks, what to use instead).</summary>
    private protected virtual string? Assumptions(IBilevelKernels model, int lowerDimension) => null;

    /// <summary>The method's per-solve state at the start (x0, y0).</summary>
    private protected abstract IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0);
}
