namespace BilevelDsl.Solvers;

/// <summary>One outer iteration of a solver run, kept in <see cref="BilevelResult.History"/> for diagnostics and plots.</summary>
/// <param name="Iteration">The 1-based number of the outer iteration.</param>
/// <param name="UpperValue">F(x, y) at the iteration's iterate (before the upper-level step).</param>
/// <param name="LowerValue">f(x, y) at the iteration's iterate (before the upper-level step).</param>
/// <param name="DirectionNorm">Euclidean norm of the upper-level search direction (the hypergradient estimate).</param>
/// <param name="StepNorm">Largest absolute change of an entry of x in this iteration's upper-level step.</param>
/// <param name="Elapsed">Wall-clock time since the solve started, at the end of this iteration.</param>
public readonly record struct IterationRecord(
    int Iteration,
    double UpperValue,
    double LowerValue,
    double DirectionNorm,
    double StepNorm,
    TimeSpan Elapsed)
{
    /// <summary>
    /// Lower-level stationarity at the iteration's iterate: ||grad_y f(x, y)|| (with a lower domain, the norm of the
    /// projected-gradient step y - P(y - grad_y f)). NaN when the solver does not measure it.
    /// </summary>
    public double LowerStationarity { get; init; } = double.NaN;

    /// <summary>Lower-level steps taken in this iteration (inner solver steps, plus unrolled steps); 0 when not counted.</summary>
    public int LowerIterations { get; init; }

    /// <summary>
    /// What <see cref="SolverOptions.RecordX"/> kept of x at the end of this iteration (after its upper-level step, when it
    /// took one); null when <see cref="SolverOptions.RecordX"/> is null.
    /// </summary>
    public IReadOnlyList<double>? X { get; init; }
}
