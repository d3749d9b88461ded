namespace BilevelDsl.Solvers.Driver;

/// <summary>
/// The wall-clock budget of a run (<see cref="SolverOptions.MaxTime"/>): a token linked to the caller's that is cancelled when
/// the budget runs out, so that a method stops where it would stop for the caller's token (between and inside its inner
/// solves); the driver then reports <see cref="SolverStatus.TimeLimit"/> with how far the run got, not
/// <see cref="SolverStatus.Cancelled"/>, which stays the caller's.
/// </summary>
internal static class TimeBudget
{
    /// <summary>The longest delay a timer takes (about 24.8 days); a longer budget is no budget.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    /// <summary>A token source cancelled when <paramref name="maxTime"/> (counted from the start of the solve) runs out or the caller cancels; null without a budget.</summary>
    public static CancellationTokenSource? Start(TimeSpan? maxTime, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        if (maxTime is not { } budget || budget >= LongestTimer)
        {
            return null;
        }

        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        TimeSpan left = budget - elapsed;
        if (left > TimeSpan.Zero)
        {
            source.CancelAfter(left);
        }
        else
        {
            source.Cancel();
        }

        return source;
    }

    /// <summary>Whether the run was stopped by the budget rather than by the caller's token.</summary>
    public static bool RanOut(CancellationTokenSource? budget, CancellationToken cancellationToken) =>
        budget is not null && budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

    /// <summary>How far the run got when the budget ran out (the driver appends the option to raise, <see cref="StatusAdvice"/>).</summary>
    public static string Message(in DriverSettings settings, RunLog log)
    {
        // The option's name is left to the advice (StatusAdvice adds it, with the value to set, to a message that lacks it).
        string budget = Seconds(settings.MaxTime!.Value);
        string iterations = settings.Name switch
        {
            // SGM runs in one driver step and records its steps; SMNBP records the penalty iterations of its rounds.
            "SGM" => $"{Fmt.I(log.Iterations)} SGM steps",
            "SMNBP" or "SPNBO" => $"{Fmt.I(log.Iterations)} recorded iterations (the rounds' limit is {StatusAdvice.BudgetOption(settings.Name)} = {Fmt.I(settings.MaxIterations)})",
            _ => $"{Fmt.I(log.Iterations)} of {StatusAdvice.BudgetOption(settings.Name)} = {Fmt.I(settings.MaxIterations)} outer iterations",
        };
        string direction = double.IsNaN(log.LastDirectionNorm) ? string.Empty : $"; the last direction norm was {Fmt.G(log.LastDirectionNorm)}";
        return $"Time limit: the time budget of {budget} ran out after {iterations} in {Seconds(log.Stopwatch.Elapsed)}{direction}. X and Y are the last iterate.";
    }

    /// <summary>One clause on the certificate of the returned point (it says whether the point may be usable as it is).</summary>
    public static string CertificateNote(SolutionCertificate certificate)
    {
        if (certificate.Passed)
        {
            return " The returned point passes the certificate (y solves the lower level, no probe found a lower F nearby).";
        }

        string failed = certificate.FailedCheck ?? "a check failed";
        int colon = failed.IndexOf(':', StringComparison.Ordinal);
        return $" The returned point does not pass the certificate ({(colon < 0 ? failed : failed[..colon])}).";
    }

    /// <summary>A duration in seconds, three significant digits ("5 s", "0.25 s").</summary>
    public static string Seconds(TimeSpan time) => Fmt.G(time.TotalSeconds) + " s";
}
