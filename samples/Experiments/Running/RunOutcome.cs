using BilevelDsl.Solvers;

namespace BilevelDsl.Experiments.Running;

/// <summary>One row of history.csv: the solver's record of an outer iteration plus the experiment's own columns.</summary>
public sealed record HistoryRow(
    int Iteration,
    double Seconds,
    double Upper,
    double Lower,
    double DirectionNorm,
    double StepNorm,
    double LowerStationarity,
    int LowerIterations,
    double[] Extra);

/// <summary>Everything one solver run produced: what result.json and history.csv hold.</summary>
public sealed record RunOutcome
{
    public required string Method { get; init; }
    public required string Label { get; init; }
    public required int Seed { get; init; }
    public required SolverStatus Status { get; init; }
    public required string Message { get; init; }
    public required int Iterations { get; init; }
    public required double WallSeconds { get; init; }
    public required double CpuSeconds { get; init; }
    public required double UpperValue { get; init; }
    public required double LowerValue { get; init; }
    public required double[] X { get; init; }
    public required double[] Y { get; init; }

    /// <summary>Final metrics at the returned (X, Y), e.g. testAccuracy, f1 (camelCase keys, as in result.json).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>The names of <see cref="HistoryRow.Extra"/>, in order.</summary>
    public required IReadOnlyList<string> ExtraColumns { get; init; }

    public required IReadOnlyList<HistoryRow> History { get; init; }

    /// <summary>True when the status is Converged or IterationLimit (the requested budget ran and the run is usable).</summary>
    public bool Succeeded => Status is SolverStatus.Converged or SolverStatus.IterationLimit;

    public double SecondsPerOuterIteration => Iterations > 0 ? WallSeconds / Iterations : double.NaN;

    public double CpuSecondsPerOuterIteration => Iterations > 0 ? CpuSeconds / Iterations : double.NaN;
}
