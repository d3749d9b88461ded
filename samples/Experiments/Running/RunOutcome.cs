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
    double[] Extra,
    IReadOnlyList<double>? X = null);

/// <summary>Everything one solver run produced: what result.json and history.csv hold.</summary>
public sealed record RunOutcome
{
    public required string Method { get; init; }
    public required string Label { get; init; }
    public required int Seed { get; init; }
    public required SolverStatus Status { get; init; }
    public required string Message { get; init; }
    public required int Iterations { get; init; }
    /// <summary>Wall seconds from the start of the solve to the end of its last outer iteration, metric evaluations excluded.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Process CPU seconds from the start of the solve to the end of its last outer iteration, metric evaluations excluded.</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>Process CPU seconds after the last outer iteration (not in <see cref="CpuSeconds"/>): the certificate and the final values.</summary>
    public double CpuSecondsAfterLastIteration { get; init; }

    /// <summary>The solver's own timing of its certificate (wall seconds; 0 without one).</summary>
    public double CertificateSeconds { get; init; }

    /// <summary>Kernel calls per kind over the whole solve (the certificate's included).</summary>
    public IReadOnlyDictionary<string, long> KernelCalls { get; init; } = new Dictionary<string, long>();

    /// <summary>Kernel calls per kind up to the end of the last outer iteration (the certificate's not included).</summary>
    public IReadOnlyDictionary<string, long> KernelCallsInIterations { get; init; } = new Dictionary<string, long>();

    /// <summary>Process CPU seconds inside kernel calls over the whole solve (the certificate's included).</summary>
    public double KernelCpuSeconds { get; init; }

    /// <summary><see cref="KernelCpuSeconds"/> per kernel kind.</summary>
    public IReadOnlyDictionary<string, double> KernelCpuSecondsByKind { get; init; } = new Dictionary<string, double>();

    /// <summary>Of <see cref="KernelCpuSeconds"/>, the part after the last outer iteration's progress report (the certificate's kernels).</summary>
    public double KernelCpuSecondsAfterLastIteration { get; init; }
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
