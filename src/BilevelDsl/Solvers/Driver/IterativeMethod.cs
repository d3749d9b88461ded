namespace BilevelDsl.Solvers.Driver;

/// <summary>
/// What one outer iteration of a method decided: go on, or stop with a status and a message. The driver owns everything
/// else (validation, loop, cancellation, history, progress, timing, the result and its certificate).
/// </summary>
internal readonly struct StepOutcome
{
    private StepOutcome(SolverStatus status, string message, bool evaluate)
    {
        Status = status;
        Message = message;
        Evaluate = evaluate;
        IsStop = true;
    }

    /// <summary>Whether the run ends with this step.</summary>
    public bool IsStop { get; }

    /// <summary>The final status (when <see cref="IsStop"/>).</summary>
    public SolverStatus Status { get; }

    /// <summary>The final message (when <see cref="IsStop"/>).</summary>
    public string Message { get; } = string.Empty;

    /// <summary>Whether F and f of the user's model are to be evaluated at the final iterate (false after divergence or invalid input).</summary>
    public bool Evaluate { get; }

    /// <summary>Go on with the next outer iteration.</summary>
    public static StepOutcome Continue => default;

    /// <summary>End the run with <paramref name="status"/>.</summary>
    public static StepOutcome Stop(SolverStatus status, string message, bool evaluate = true) => new(status, message, evaluate);

    /// <summary>End the run with <see cref="SolverStatus.Diverged"/> in outer iteration k (0-based): the iterate is the last finite one.</summary>
    public static StepOutcome Diverged(int k, string what) =>
        new(SolverStatus.Diverged, $"Diverged in outer iteration {k + 1}: {what}. X and Y are the last finite iterate; do not use them as a solution.", evaluate: false);
}

/// <summary>
/// A bilevel method as the driver sees it: its per-solve state (created by the solver's factory, work arrays allocated
/// there) and one <see cref="Step"/> per outer iteration. The iterate (<see cref="CurrentX"/>, <see cref="CurrentY"/>) is what the
/// result reports when the run ends.
/// </summary>
internal abstract class IterativeMethod
{
    private RunLog? _log;

    /// <summary>The current upper-level iterate.</summary>
    public abstract ReadOnlySpan<double> CurrentX { get; }

    /// <summary>The current lower-level iterate.</summary>
    public abstract ReadOnlySpan<double> CurrentY { get; }

    /// <summary>The run's history and progress sink (set by the driver before the first step).</summary>
    internal RunLog Log
    {
        get => _log ?? throw new InvalidOperationException("The method is not attached to a driver run.");
        set
        {
            _log = value;
            value.Attach(this);
        }
    }

    /// <summary>The number of outer iterations recorded so far.</summary>
    protected int Iterations => Log.Iterations;

    /// <summary>
    /// The stationarity measure of the upper level the method targets at the final iterate (e.g. the projected
    /// hypergradient norm), for the certificate; NaN when the method has none. Default: the direction norm of the last record.
    /// </summary>
    public virtual double UpperStationarity => Log.LastDirectionNorm;

    /// <summary>
    /// The lower-level optimality gap the method promises by construction (CCCP-BO: its epsilon-relaxation); the
    /// certificate accepts gaps up to the larger of this and its own tolerance. 0 for methods that target exact solutions.
    /// </summary>
    public virtual double LowerGapAllowance => 0.0;

    /// <summary>One outer iteration, 0-based <paramref name="k"/>. Records its iteration with <see cref="Complete"/>.</summary>
    public abstract StepOutcome Step(int k, CancellationToken cancellationToken);

    /// <summary>Called when <paramref name="maxIterations"/> steps ran without a stop; returns the final status.</summary>
    public abstract StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken);

    /// <summary>Ends the run with <paramref name="status"/> (F and f evaluated at the iterate when <paramref name="evaluate"/>).</summary>
    protected static StepOutcome Finish(SolverStatus status, string message, bool evaluate = true) => StepOutcome.Stop(status, message, evaluate);

    /// <summary>Ends the run with <see cref="SolverStatus.Diverged"/> in outer iteration k (0-based).</summary>
    protected static StepOutcome Diverged(int k, string what) => StepOutcome.Diverged(k, what);

    /// <summary>Records one completed outer iteration and reports progress.</summary>
    protected void Complete(double upper, double lower, double directionNorm, double stepNorm, double lowerStationarity, int lowerIterations) =>
        Log.Complete(upper, lower, directionNorm, stepNorm, lowerStationarity, lowerIterations);
}
