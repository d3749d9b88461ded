using System.Diagnostics;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers.Driver;

/// <summary>How the driver runs a method: its name for messages, its iteration limit, history and certificate settings,
/// whether it needs a lower level convex in y (<see cref="LowerConvexityNeed"/>: then the compile-time verdict is checked first
/// and the result says what it was), its wall-clock budget (<see cref="SolverOptions.MaxTime"/>, null for none) and what the
/// history keeps of x (<see cref="SolverOptions.RecordX"/>).</summary>
internal readonly record struct DriverSettings(string Name, int MaxIterations, bool RecordHistory, CertificateOptions Certificate, LowerConvexityNeed Convexity = LowerConvexityNeed.None, TimeSpan? MaxTime = null, XProjection? RecordX = null);

/// <summary>What a method assumes of the lower level's convexity in y.</summary>
internal enum LowerConvexityNeed
{
    None,
    Convex,
    StronglyConvex,
}

/// <summary>Creates a method's per-solve state at the start (x0, y0) on the user's model.</summary>
internal delegate IterativeMethod MethodFactory(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0);

/// <summary>
/// The one iteration driver of every solver (in the spirit of jaxopt's IterativeSolver): it validates the start
/// (finite, non-empty, lengths accepted by the model's kernels before the method's first kernel call), checks the
/// method's assumptions, runs the loop with cancellation, keeps the history (growing with the iterations run) and
/// reports progress, turns any exception a kernel throws into <see cref="SolverStatus.InvalidInput"/> (exceptions of the
/// caller's progress sink propagate unchanged), builds the <see cref="BilevelResult"/> in one place and attaches the
/// independent certificate (<see cref="SolutionCertificate"/>). A method supplies its state and one step.
/// </summary>
internal static class SolverDriver
{
    public static BilevelResult Solve(
        in DriverSettings settings,
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress,
        CancellationToken cancellationToken,
        Func<string?>? assumptions,
        MethodFactory create,
        RunLog? sharedLog = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stopwatch = Stopwatch.StartNew();
        string? refusal = CheckStart(model, x0, y0, "x0");
        if (refusal is not null)
        {
            return Rejected(x0, y0, SolverStatus.InvalidInput, refusal, stopwatch);
        }

        string? violation;
        try
        {
            violation = assumptions?.Invoke();
        }
        catch (Exception ex) when (IsModelFault(ex))
        {
            return Rejected(x0, y0, SolverStatus.InvalidInput, ModelThrew(settings.Name, ex, -1, x0.Length, y0.Length), stopwatch);
        }

        if (violation is not null)
        {
            return Rejected(x0, y0, SolverStatus.AssumptionViolated, violation, stopwatch);
        }

        string? convexityNote = null;
        if (settings.Convexity != LowerConvexityNeed.None)
        {
            LowerConvexity verdict = LowerConvexityGate.Resolve(model);
            if (LowerConvexityGate.Refusal(verdict, settings.Name) is { } nonconvex)
            {
                return Rejected(x0, y0, SolverStatus.AssumptionViolated, nonconvex, stopwatch);
            }

            convexityNote = LowerConvexityGate.Note(verdict, settings.Convexity == LowerConvexityNeed.StronglyConvex);
        }

        RunLog log = sharedLog ?? new RunLog(stopwatch, settings.RecordHistory, progress, settings.RecordX);
        IterativeMethod? method = null;
        StepOutcome end;

        // The time budget cancels the method through the token it already watches (every method ends Cancelled promptly when
        // its token is signalled, inside its inner solves too); the driver then tells the budget from the caller's token.
        using CancellationTokenSource? budget = TimeBudget.Start(settings.MaxTime, stopwatch.Elapsed, cancellationToken);
        try
        {
            method = create(model, x0, y0);
            method.Log = log;
            end = Loop(method, settings.MaxIterations, log, budget, settings.MaxTime, budget?.Token ?? cancellationToken);
        }
        catch (Exception ex) when (IsModelFault(ex))
        {
            end = StepOutcome.Stop(SolverStatus.InvalidInput, ModelThrew(settings.Name, ex, method is null ? -1 : log.Iterations, x0.Length, y0.Length), evaluate: false);
        }

        if (end.Status == SolverStatus.Cancelled && TimeBudget.RanOut(budget, cancellationToken))
        {
            end = StepOutcome.Stop(SolverStatus.TimeLimit, TimeBudget.Message(settings, log), end.Evaluate);
        }

        try
        {
            return Finish(settings, model, method is null ? x0 : method.CurrentX, method is null ? y0 : method.CurrentY, y0, end, log, method, cancellationToken, convexityNote);
        }
        finally
        {
            (method as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Null if (x, y) is a valid start for <paramref name="model"/>: finite, non-empty, and accepted by its value kernels
    /// (a kernel that reads past the end of a span, or rejects its length, is caught here, before any method runs).
    /// </summary>
    public static string? CheckStart(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y, string xName)
    {
        string? invalid = InputValidation.CheckStart(x, "x0")?.Replace("x0", xName, StringComparison.Ordinal) ?? InputValidation.CheckStart(y, "y0");
        if (invalid is not null)
        {
            return "Invalid input: " + invalid;
        }

        try
        {
            model.UpperValue(x, y);
            model.LowerValue(x, y);
        }
        catch (Exception ex) when (IsModelFault(ex))
        {
            return $"Invalid input: the model rejected the start ({xName} has length {x.Length}, y0 has length {y.Length}; check them against the model's dimensions): "
                + $"its value kernel threw {ex.GetType().Name}: {ex.Message}";
        }

        return null;
    }

    /// <summary>Whether an exception thrown during a run is the model's (a status) rather than the caller's or cancellation (propagated).</summary>
    public static bool IsModelFault(Exception ex) =>
        ex is not OperationCanceledException and not OutOfMemoryException && !RunLog.IsProgressFault(ex);

    private static StepOutcome Loop(IterativeMethod method, int maxIterations, RunLog log, CancellationTokenSource? budget, TimeSpan? maxTime, CancellationToken cancellationToken)
    {
        for (int k = 0; k < maxIterations; k++)
        {
            // The budget's timer fires on a thread-pool thread, which a busy process can starve for hundreds of milliseconds;
            // the clock read here bounds the overrun to one iteration whatever the timer does.
            if (budget is not null && log.Stopwatch.Elapsed >= maxTime)
            {
                budget.Cancel();
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return StepOutcome.Stop(SolverStatus.Cancelled, $"Cancelled after {log.Iterations} outer iterations; X and Y are the last iterate.");
            }

            StepOutcome outcome = method.Step(k, cancellationToken);
            if (outcome.IsStop)
            {
                return outcome;
            }
        }

        return method.AtIterationLimit(maxIterations, cancellationToken);
    }

    private static string ModelThrew(string name, Exception ex, int iterations, int m, int n)
    {
        string where = iterations < 0 ? " before the first iteration" : $" in outer iteration {iterations + 1}";
        string hint = ex is NotSupportedException ? $" ({name} needs kernels, e.g. Hessian-vector products, that the model does not provide)" : string.Empty;
        return $"Invalid input: the model threw {ex.GetType().Name}{where}{hint} (x0 has length {m}, y0 has length {n}): {ex.Message}";
    }

    private static BilevelResult Finish(
        in DriverSettings settings,
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        ReadOnlySpan<double> y0,
        StepOutcome end,
        RunLog log,
        IterativeMethod? method,
        CancellationToken cancellationToken,
        string? convexityNote = null)
    {
        SolverStatus status = end.Status;
        string message = end.Message;
        bool evaluate = end.Evaluate;
        double upper = double.NaN;
        double lower = double.NaN;
        if (evaluate)
        {
            try
            {
                upper = model.UpperValue(x, y);
                lower = model.LowerValue(x, y);
            }
            catch (Exception ex) when (IsModelFault(ex))
            {
                evaluate = false;
            }

            if (evaluate && (!double.IsFinite(upper) || !double.IsFinite(lower)) && status != SolverStatus.Diverged)
            {
                status = SolverStatus.Diverged;
                message = $"Diverged: at the final iterate F(x, y) = {InputValidation.Describe(upper)} and f(x, y) = {InputValidation.Describe(lower)}. ({message})";
            }
        }

        SolutionCertificate? certificate = null;
        if (evaluate && settings.Certificate.Enabled && status is SolverStatus.Converged or SolverStatus.IterationLimit or SolverStatus.TimeLimit && !cancellationToken.IsCancellationRequested)
        {
            certificate = CertificateBuilder.Build(model, x, y, y0, lower, method?.UpperStationarity ?? double.NaN, method?.LowerGapAllowance ?? 0.0, settings.Certificate, log.Stopwatch.Elapsed, cancellationToken);
            if (status == SolverStatus.Converged && !certificate.Passed)
            {
                status = SolverStatus.NotCertified;
                message = $"Not certified: {certificate.FailedCheck} (the method reported: {message})";
            }
            else if (status == SolverStatus.TimeLimit)
            {
                message += TimeBudget.CertificateNote(certificate);
            }
        }

        // One concatenation for the advice and the convexity note (a message's length varies with its numbers; a second
        // copy of it would double that variation in the allocation tests).
        string? advice = StatusAdvice.For(settings, status, message);
        if (advice is not null || convexityNote is not null)
        {
            message = advice is null ? message.TrimEnd() + " " + convexityNote
                : convexityNote is null ? message.TrimEnd() + " " + advice
                : string.Concat(message.TrimEnd(), " ", advice, " ", convexityNote);
        }

        return new BilevelResult
        {
            X = x.ToArray(),
            Y = y.ToArray(),
            UpperValue = upper,
            LowerValue = lower,
            Status = status,
            Iterations = log.Iterations,
            Elapsed = log.Stopwatch.Elapsed,
            History = log.History(),
            Message = message,
            Certificate = certificate,
        };
    }

    /// <summary>The result for a start or model rejected before iterating.</summary>
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
}
