using System.Diagnostics;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// The bookkeeping every outer loop shares: the stopwatch, the history (storage allocated once, up front), progress
/// reports, and the construction of the <see cref="BilevelResult"/> with F and f of the user's (exact) model.
/// </summary>
internal sealed class RunRecorder
{
    private readonly List<IterationRecord> _history;
    private readonly bool _recordHistory;
    private readonly IProgress<SolverProgress>? _progress;

    public RunRecorder(Stopwatch stopwatch, bool recordHistory, int maxIterations, IProgress<SolverProgress>? progress)
    {
        Stopwatch = stopwatch;
        _recordHistory = recordHistory;
        _history = new List<IterationRecord>(recordHistory ? Math.Min(maxIterations, 1 << 20) : 0);
        _progress = progress;
    }

    public Stopwatch Stopwatch { get; }

    /// <summary>The number of completed outer iterations.</summary>
    public int Iterations { get; private set; }

    /// <summary>Counts one completed outer iteration, records it and reports progress.</summary>
    public void Complete(double upper, double lower, double directionNorm, double stepNorm, double lowerStationarity, int lowerIterations)
    {
        Iterations++;
        TimeSpan elapsed = Stopwatch.Elapsed;
        if (_recordHistory)
        {
            _history.Add(new IterationRecord(Iterations, upper, lower, directionNorm, stepNorm, elapsed)
            {
                LowerStationarity = lowerStationarity,
                LowerIterations = lowerIterations,
            });
        }

        _progress?.Report(new SolverProgress(Iterations, upper, lower, directionNorm, elapsed) { LowerStationarity = lowerStationarity });
    }

    /// <summary>
    /// Builds the result at (x, y). When <paramref name="evaluate"/> is set, F and f of <paramref name="exactModel"/> are
    /// evaluated there, and a non-finite value turns the status into <see cref="SolverStatus.Diverged"/>.
    /// </summary>
    public BilevelResult Finish(IBilevelKernels exactModel, ReadOnlySpan<double> x, ReadOnlySpan<double> y, SolverStatus status, string message, bool evaluate)
    {
        double upper = double.NaN;
        double lower = double.NaN;
        if (evaluate)
        {
            try
            {
                upper = exactModel.UpperValue(x, y);
                lower = exactModel.LowerValue(x, y);
            }
            catch (ArgumentException)
            {
                evaluate = false; // reported by the caller's own status (invalid input)
            }

            if (evaluate && (!double.IsFinite(upper) || !double.IsFinite(lower)) && status != SolverStatus.Diverged)
            {
                status = SolverStatus.Diverged;
                message = $"Diverged: at the final iterate F(x, y) = {InputValidation.Describe(upper)} and f(x, y) = {InputValidation.Describe(lower)}. ({message})";
            }
        }

        return new BilevelResult
        {
            X = x.ToArray(),
            Y = y.ToArray(),
            UpperValue = upper,
            LowerValue = lower,
            Status = status,
            Iterations = Iterations,
            Elapsed = Stopwatch.Elapsed,
            History = _history.AsReadOnly(),
            Message = message,
        };
    }

    /// <summary>The result for a start rejected before iterating.</summary>
    public static BilevelResult Rejected(ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, SolverStatus status, string message, Stopwatch stopwatch) => new()
    {
        X = x0.ToArray(),
        Y = y0.ToArray(),
        UpperValue = double.NaN,
        LowerValue = double.NaN,
        Status = status,
        Iterations = 0,
        Elapsed = stopwatch.Elapsed,
        History = Array.Empty<IterationRecord>(),
        Message = message,
    };

    /// <summary>"index 3 is NaN" for the first non-finite entry.</summary>
    public static string FirstNonFinite(ReadOnlySpan<double> v)
    {
        for (int i = 0; i < v.Length; i++)
        {
            if (!double.IsFinite(v[i]))
            {
                return $"index {i} is {InputValidation.Describe(v[i])}";
            }
        }

        return "none";
    }
}
