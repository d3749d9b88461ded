namespace BilevelDsl.Solvers;

/// <summary>
/// A snapshot reported through <see cref="IProgress{T}"/> once per outer iteration, so that long runs can be
/// monitored (or plotted) while they are going.
/// </summary>
/// <param name="Iteration">The 1-based number of the outer iteration just finished.</param>
/// <param name="UpperValue">F(x, y) at the iteration's iterate.</param>
/// <param name="LowerValue">f(x, y) at the iteration's iterate.</param>
/// <param name="DirectionNorm">Euclidean norm of the upper-level search direction (the hypergradient estimate).</param>
/// <param name="Elapsed">Wall-clock time since the solve started.</param>
public readonly record struct SolverProgress(
    int Iteration,
    double UpperValue,
    double LowerValue,
    double DirectionNorm,
    TimeSpan Elapsed)
{
    /// <summary>Lower-level stationarity at the iteration's iterate (see <see cref="IterationRecord.LowerStationarity"/>); NaN when not measured.</summary>
    public double LowerStationarity { get; init; } = double.NaN;
}
