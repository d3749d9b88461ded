using System.Diagnostics;

namespace BilevelDsl.Solvers.Driver;

/// <summary>
/// The history and progress of one run: records are appended as iterations complete (storage grows with the
/// iterations actually run, never sized by an iteration limit) and reported to the caller's progress sink.
/// </summary>
internal sealed class RunLog
{
    /// <summary>The key marking an exception thrown by the caller's progress sink, so that no driver turns it into a status.</summary>
    internal const string ProgressFaultKey = "BilevelDsl.ProgressFault";

    private readonly List<IterationRecord>? _history;
    private readonly IProgress<SolverProgress>? _progress;
    private readonly XProjection? _recordX;
    private IterativeMethod? _method;

    public RunLog(Stopwatch stopwatch, bool recordHistory, IProgress<SolverProgress>? progress, XProjection? recordX = null)
    {
        Stopwatch = stopwatch;
        _history = recordHistory ? new List<IterationRecord>() : null;
        _progress = progress;
        _recordX = recordX;
    }

    public Stopwatch Stopwatch { get; }

    /// <summary>Whether iterations are recorded or reported (a method may skip computing a record's values otherwise).</summary>
    public bool IsObserved => _history is not null || _progress is not null;

    /// <summary>The number of completed outer iterations.</summary>
    public int Iterations { get; private set; }

    /// <summary>The direction norm of the last completed iteration (NaN before the first).</summary>
    public double LastDirectionNorm { get; private set; } = double.NaN;

    /// <summary>Counts one completed outer iteration, records it and reports progress.</summary>
    public void Complete(double upper, double lower, double directionNorm, double stepNorm, double lowerStationarity, int lowerIterations)
    {
        Iterations++;
        LastDirectionNorm = directionNorm;
        TimeSpan elapsed = Stopwatch.Elapsed;
        _history?.Add(new IterationRecord(Iterations, upper, lower, directionNorm, stepNorm, elapsed)
        {
            LowerStationarity = lowerStationarity,
            LowerIterations = lowerIterations,
            X = _recordX is null || _method is null ? null : Array.AsReadOnly(ProjectX(_recordX, _method)),
        });

        if (_progress is not null)
        {
            try
            {
                _progress.Report(new SolverProgress(Iterations, upper, lower, directionNorm, elapsed) { LowerStationarity = lowerStationarity });
            }
            catch (Exception ex)
            {
                ex.Data[ProgressFaultKey] = true; // the caller's exception propagates unchanged; no driver wraps it
                throw;
            }
        }
    }

    /// <summary>Runs the caller's <see cref="XProjection"/>, marking what it throws so that it propagates unchanged.</summary>
    private static double[] ProjectX(XProjection recordX, IterativeMethod method)
    {
        try
        {
            return recordX(method.CurrentX) ?? throw new InvalidOperationException("SolverOptions.RecordX returned null; return an array (empty to keep nothing).");
        }
        catch (Exception ex)
        {
            ex.Data[ProgressFaultKey] = true;
            throw;
        }
    }

    /// <summary>The method whose iterate <see cref="SolverOptions.RecordX"/> reads (the latest attached: SMNBP's rounds share one log).</summary>
    public void Attach(IterativeMethod method) => _method = method;

    /// <summary>Counts <paramref name="iterations"/> completed iterations that are neither recorded nor reported (a method that runs untraced).</summary>
    public void Count(int iterations) => Iterations += iterations;

    /// <summary>The history as an exactly sized read-only list.</summary>
    public IReadOnlyList<IterationRecord> History() =>
        _history is null || _history.Count == 0 ? Array.Empty<IterationRecord>() : Array.AsReadOnly(_history.ToArray());

    /// <summary>Whether <paramref name="ex"/> came from a caller's progress sink.</summary>
    public static bool IsProgressFault(Exception ex) => ex.Data.Contains(ProgressFaultKey);
}
