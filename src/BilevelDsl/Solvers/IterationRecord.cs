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
    TimeSpan Elapsed);
