using System.Diagnostics;
using BilevelDsl.Solvers;

namespace BilevelDsl.Experiments.Running;

/// <summary>One solver run of an experiment: the model, the start, the solver and how to measure the iterates.</summary>
public sealed record RunSpec
{
    public required string Method { get; init; }
    public required string Label { get; init; }
    public required int Seed { get; init; }
    public required IBilevelKernels Model { get; init; }
    public required double[] X0 { get; init; }
    public required double[] Y0 { get; init; }
    public required IBilevelSolver Solver { get; init; }

    /// <summary>The outer-iteration budget (for the progress bar).</summary>
    public required int Outer { get; init; }

    /// <summary>The experiment's own history columns (metrics and hyperparameter-path projections of x).</summary>
    public IReadOnlyList<string> ExtraColumns { get; init; } = [];

    /// <summary>Values of <see cref="ExtraColumns"/> at an iterate (x, y).</summary>
    public Func<double[], double[], double[]>? Evaluate { get; init; }

    /// <summary>Evaluate every this many outer iterations (and at the first); NaN in history.csv elsewhere.</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>The column shown in the progress display.</summary>
    public string? PrimaryMetric { get; init; }

    /// <summary>Final metrics at the returned point (camelCase names).</summary>
    public Func<double[], double[], IReadOnlyDictionary<string, double>>? FinalMetrics { get; init; }
}

/// <summary>
/// Runs a <see cref="RunSpec"/>, timing its outer iterations (wall and CPU, without the metric evaluations and without
/// what the solver does after the last iteration: its certificate, timed separately) and collecting its history.
/// </summary>
public static class ExperimentRunner
{
    public static RunOutcome Execute(RunSpec spec, IRunDisplay display, CancellationToken cancellationToken)
    {
        var snapshot = new IterateSnapshot();
        var profile = new KernelProfile();
        var model = new RecordingKernels(spec.Model, snapshot, profile);
        var extras = new Dictionary<int, (double[] Values, double EvaluationSeconds)>();
        int primary = spec.PrimaryMetric is null ? -1 : spec.ExtraColumns.ToList().IndexOf(spec.PrimaryMetric);
        IRunProgress handle = display.Start(spec.Label, spec.Outer);
        double evaluationSeconds = 0;
        TimeSpan evaluationCpu = TimeSpan.Zero;
        double lastMetric = double.NaN;

        // Wall time, process CPU time and kernel CPU time at the latest progress report, after its metric evaluation. They
        // split the solve into its outer iterations (the timed seconds) and what the solver does after the last one (the
        // certificate's re-solve, the final values), which is reported on its own.
        TimeSpan wallAtLastReport = TimeSpan.Zero;
        double evaluationSecondsAtLastReport = 0;
        TimeSpan cpuAtLastReport = TimeSpan.Zero;
        TimeSpan evaluationCpuAtLastReport = TimeSpan.Zero;
        double kernelCpuAtLastReport = 0;
        long[] callsAtLastReport = KernelProfile.NewCounts();
        bool reported = false;

        var progress = new SynchronousProgress<SolverProgress>(p =>
        {
            if (spec.Evaluate is not null && snapshot.HasValue && (p.Iteration == 1 || p.Iteration % spec.EvaluateEvery == 0))
            {
                long start = Stopwatch.GetTimestamp();
                TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
                (double[] x, double[] y) = snapshot.Copy();
                double[] values = spec.Evaluate(x, y);
                evaluationSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                evaluationCpu += Environment.CpuUsage.TotalTime - cpuStart;
                if (primary >= 0)
                {
                    lastMetric = values[primary];
                }

                extras[p.Iteration] = (values, evaluationSeconds);
            }

            handle.Update(p.Iteration, p.UpperValue, spec.PrimaryMetric, lastMetric, p.Elapsed - TimeSpan.FromSeconds(evaluationSeconds));
            reported = true;
            wallAtLastReport = p.Elapsed;
            evaluationSecondsAtLastReport = evaluationSeconds;
            evaluationCpuAtLastReport = evaluationCpu;
            kernelCpuAtLastReport = profile.CpuSeconds;
            profile.CopyCalls(callsAtLastReport);
            cpuAtLastReport = Environment.CpuUsage.TotalTime;
        });

        TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
        BilevelResult result = spec.Solver.Solve(model, spec.X0, spec.Y0, progress, cancellationToken);
        TimeSpan cpuEnd = Environment.CpuUsage.TotalTime;
        handle.Finish(result.Status.ToString());
        if (!reported)
        {
            // No iteration completed (the start was rejected or the first iteration failed): everything counts.
            (wallAtLastReport, cpuAtLastReport, kernelCpuAtLastReport) = (result.Elapsed, cpuEnd, profile.CpuSeconds);
            profile.CopyCalls(callsAtLastReport);
            (evaluationSecondsAtLastReport, evaluationCpuAtLastReport) = (evaluationSeconds, evaluationCpu);
        }

        TimeSpan iterationsCpu = cpuAtLastReport - cpu0 - evaluationCpuAtLastReport;

        var history = new List<HistoryRow>(result.History.Count);
        double subtracted = 0;
        foreach (IterationRecord record in result.History)
        {
            double[] values;
            if (extras.TryGetValue(record.Iteration, out var entry))
            {
                values = entry.Values;
                subtracted = entry.EvaluationSeconds;
            }
            else
            {
                values = Enumerable.Repeat(double.NaN, spec.ExtraColumns.Count).ToArray();
            }

            history.Add(new HistoryRow(
                record.Iteration, record.Elapsed.TotalSeconds - subtracted, record.UpperValue, record.LowerValue,
                record.DirectionNorm, record.StepNorm, record.LowerStationarity, record.LowerIterations, values, record.X));
        }

        IReadOnlyDictionary<string, double> metrics = spec.FinalMetrics?.Invoke(result.X, result.Y) ?? new Dictionary<string, double>();
        return new RunOutcome
        {
            Method = spec.Method,
            Label = spec.Label,
            Seed = spec.Seed,
            Status = result.Status,
            Message = result.Message,
            Iterations = result.Iterations,
            WallSeconds = Math.Max(0, wallAtLastReport.TotalSeconds - evaluationSecondsAtLastReport),
            CpuSeconds = Math.Max(0, iterationsCpu.TotalSeconds),
            CpuSecondsAfterLastIteration = Math.Max(0, (cpuEnd - cpuAtLastReport).TotalSeconds),
            CertificateSeconds = result.Certificate?.Elapsed.TotalSeconds ?? 0,
            KernelCalls = profile.Calls(),
            KernelCallsInIterations = KernelProfile.Named(callsAtLastReport),
            KernelCpuSeconds = profile.CpuSeconds,
            KernelCpuSecondsByKind = profile.CpuSecondsByKind(),
            KernelCpuSecondsAfterLastIteration = Math.Max(0, profile.CpuSeconds - kernelCpuAtLastReport),
            UpperValue = result.UpperValue,
            LowerValue = result.LowerValue,
            X = result.X,
            Y = result.Y,
            Metrics = metrics,
            ExtraColumns = spec.ExtraColumns,
            History = history,
        };
    }

    /// <summary>An <see cref="IProgress{T}"/> that runs the handler on the reporting (solver) thread, in order.</summary>
    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
