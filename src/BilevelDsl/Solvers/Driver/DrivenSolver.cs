using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// The public face of a solver that runs on the iteration driver: its options (validated once, at construction) and
/// <see cref="Solve"/>, which hands the method's settings, assumption check and per-solve state to the driver.
/// </summary>
/// <typeparam name="TOptions">The solver's options record.</typeparam>
public abstract class DrivenSolver<TOptions> : IBilevelSolver
    where TOptions : class
{
    private protected DrivenSolver(TOptions options, Action<TOptions> validate)
    {
        ArgumentNullException.ThrowIfNull(options);
        validate(options);
        Options = options;
    }

    /// <summary>The options this solver runs with.</summary>
    public TOptions Options { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>The driver's settings: the method's display name, iteration limit, history and certificate options.</summary>
    private protected abstract DriverSettings Settings { get; }

    /// <inheritdoc/>
    public BilevelResult Solve(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = y0.Length;
        return SolverDriver.Solve(Settings, model, x0, y0, progress, cancellationToken, () => Assumptions(model, n), Create);
    }

    /// <summary>Null if the model suits the method; otherwise the AssumptionViolated message (what breaks, what to use instead).</summary>
    private protected virtual string? Assumptions(IBilevelKernels model, int lowerDimension) => null;

    /// <summary>The method's per-solve state at the start (x0, y0).</summary>
    private protected abstract IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0);
}
