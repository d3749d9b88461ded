namespace BilevelDsl.Solvers;

/// <summary>One round of <see cref="SmnbpSolver"/>: one penalty-method solve of the problem smoothed with mu.</summary>
/// <param name="Round">The 1-based round number k.</param>
/// <param name="Mu">mu_k, the smoothing parameter of the round.</param>
/// <param name="Epsilon">eps_k, the round's tolerance (projected x-gradient, y sub-problem and ||grad_y f_mu||).</param>
/// <param name="Status">How the round's penalty solve ended; Converged means its tolerances all held.</param>
/// <param name="Iterations">The penalty method's outer (x) iterations in the round.</param>
/// <param name="ConstraintNorm">||c|| = ||grad_y f_mu(x, y)|| at the round's last iterate.</param>
/// <param name="ConditionsMet">Whether the round's penalty solve converged: the penalty analogue of the SPNBO conditions (10).</param>
/// <param name="UpperValue">F(x, y) of the exact model at the round's last iterate.</param>
/// <param name="Elapsed">Wall-clock time since the solve started, at the end of the round.</param>
public readonly record struct SmnbpRound(
    int Round,
    double Mu,
    double Epsilon,
    SolverStatus Status,
    int Iterations,
    double ConstraintNorm,
    bool ConditionsMet,
    double UpperValue,
    TimeSpan Elapsed);

/// <summary>The outcome of <see cref="SmoothingRoundsSolver{TOptions, TRound, TResult}.SolveDetailed"/> for SMNBP: the usual result and one record per round.</summary>
public sealed record SmnbpResult : RoundsResult<SmnbpRound>;
