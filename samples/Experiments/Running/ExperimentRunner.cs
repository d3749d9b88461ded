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

/// <summary>Runs a <see cref="RunSpec"/>, timing it (wall and CPU, without the metric evaluations) and collecting its history.</summary>
public static class ExperimentRunner
{
    public static RunOutcome Execute(RunSpec spec, IRunDisplay display, CancellationToken cancellationToken)
    {
        var snapshot = new IterateSnapshot();
        var model = new RecordingKernels(spec.Model, snapshot);
        var extras = new Dictionary<int, (double[] Values, double EvaluationSeconds)>();
        int primary = spec.PrimaryMetric is null ? -1 : spec.ExtraColumns.ToList().IndexOf(spec.PrimaryMetric);
        IRunProgress handle = display.Start(spec.Label, spec.Outer);
        double evaluationSeconds = 0;
        TimeSpan evaluationCpu = TimeSpan.Zero;
        double lastMetric = double.NaN;

        var progress = new SynchronousProgress<SolverProgress>(p =>
        {
            if (spec.Evaluate is not null && snapshot.HasValue && (p.Iteration == 1 || p.Iteration % spec.EvaluateEvery == 0))
            {
                long start = Stopwatch.GetTimestamp();
                TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                (double[] x, double[] y) = snapshot.Copy();
                double[] values = spec.Evaluate(x, y);
                evaluationSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                evaluationCpu += Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
                if (primary >= 0)
                {
                    lastMetric = values[primary];
                }

                extras[p.Iteration] = (values, evaluationSeconds);
            }

            handle.Update(p.Iteration, p.UpperValue, spec.PrimaryMetric, lastMetric, p.Elapsed - TimeSpan.FromSeconds(evaluationSeconds));
        });

        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        BilevelResult result = spec.Solver.Solve(model, spec.X0, spec.Y0, progress, cancellationToken);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0 - evaluationCpu;
        handle.Finish(result.Status.ToString());

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
                record.DirectionNorm, record.StepNorm, record.LowerStationarity, record.LowerIterations, values));
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
            WallSeconds = Math.Max(0, result.Elapsed.TotalSeconds - evaluationSeconds),
            CpuSeconds = Math.Max(0, cpu.TotalSeconds),
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
