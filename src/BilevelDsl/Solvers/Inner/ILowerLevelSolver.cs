namespace BilevelDsl.Solvers.Inner;

/// <summary>How an inner solve ended.</summary>
internal enum InnerSolveStatus
{
    /// <summary>The stationarity measure reached the tolerance.</summary>
    Converged,

    /// <summary>The step limit came first while the stationarity measure was still decreasing.</summary>
    StepLimit,

    /// <summary>
    /// The stationarity measure stopped decreasing (no new minimum in the stall window), or no step of any length
    /// decreased the objective: the variable is not a solution to the requested tolerance.
    /// </summary>
    Stalled,

    /// <summary>
    /// The objective or its gradient was NaN or infinite at the start, or (for a method without a line search, Adam) at
    /// the next iterate; the variable is the last point where they were finite.
    /// </summary>
    NonFinite,

    /// <summary>The cancellation token was signalled; the variable is the last iterate.</summary>
    Cancelled,
}

/// <summary>The outcome of <see cref="ILowerLevelSolver.Minimize"/>.</summary>
/// <param name="Status">How the solve ended.</param>
/// <param name="Steps">Steps taken (accepted iterates).</param>
/// <param name="Value">The objective at the returned point.</param>
/// <param name="Stationarity">The stationarity measure at the returned point (see <see cref="Inner.Stationarity.Measure"/>).</param>
/// <param name="Evaluations">Value-and-gradient evaluations spent (the cost, in gradient evaluations).</param>
/// <param name="StepSize">The last step size tried or used (a local inverse-curvature scale; NaN for Adam).</param>
internal readonly record struct InnerSolveResult(InnerSolveStatus Status, int Steps, double Value, double Stationarity, int Evaluations, double StepSize);

/// <summary>
/// A first-order method that minimises an <see cref="IInnerObjective"/> over its domain, in place. Instances own their
/// work arrays (allocated once, for one dimension) and keep adaptive state such as the step size between calls
/// (a warm start); <see cref="Minimize"/> does not allocate.
/// </summary>
internal interface ILowerLevelSolver
{
    /// <summary>The dimension of the variables this instance minimises over.</summary>
    int Dimension { get; }

    /// <summary>
    /// Minimises <paramref name="objective"/> starting from <paramref name="v"/>, which holds the final iterate on exit
    /// (always a point where the objective was finite, projected onto the domain once a step was taken).
    /// </summary>
    /// <exception cref="ArgumentException">A length differs from <see cref="Dimension"/>.</exception>
    InnerSolveResult Minimize(IInnerObjective objective, Span<double> v, InnerStoppingRule rule, CancellationToken cancellationToken = default);

    /// <summary>Forgets adaptive state (step size, moments), as for a fresh instance.</summary>
    void Reset();
}
