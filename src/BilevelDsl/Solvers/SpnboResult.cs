namespace BilevelDsl.Solvers;

/// <summary>
/// One round of <see cref="SpnboSolver"/> (an outer iteration of the paper's Algorithm 1): the smoothing, tolerance and
/// penalty it ran with, how many SCG steps it took, and the full-gradient quantities of the stopping conditions (10)
/// at its last iterate.
/// </summary>
/// <param name="Round">The 1-based round number k.</param>
/// <param name="Mu">mu_k, the smoothing parameter of the round.</param>
/// <param name="Epsilon">eps_k, the tolerance of the conditions (10) in the round.</param>
/// <param name="Beta">The penalty parameter beta at the end of the round (raised within the round when only ||c|| failed).</param>
/// <param name="Steps">SCG steps taken in the round (Algorithm 2's iterations).</param>
/// <param name="GradientXNorm">||grad_x L(x, y, p)|| (the full gradient) at the round's last iterate.</param>
/// <param name="GradientYNorm">||grad_y L(x, y, p)|| at the round's last iterate.</param>
/// <param name="ConstraintNorm">||c(x, y; mu_k)|| = ||grad_y f_mu(x, y)|| at the round's last iterate.</param>
/// <param name="ConditionsMet">
/// Whether the conditions (10), ||grad_x L||^2 &lt;= eps_k^2, ||grad_y L||^2 &lt;= eps_k^2 and ||c||^2 &lt;= eps_k^2, held at the
/// end of the round. A round that ends without them ends the run (it is then the last round).
/// </param>
/// <param name="UpperValue">F(x, y) of the exact model at the round's last iterate.</param>
/// <param name="Elapsed">Wall-clock time since the solve started, at the end of the round.</param>
public readonly record struct SpnboRound(
    int Round,
    double Mu,
    double Epsilon,
    double Beta,
    int Steps,
    double GradientXNorm,
    double GradientYNorm,
    double ConstraintNorm,
    bool ConditionsMet,
    double UpperValue,
    TimeSpan Elapsed);

/// <summary>The outcome of <see cref="SmoothingRoundsSolver{TOptions, TRound, TResult}.SolveDetailed"/> for SPNBO: the usual result and the per-round record of the conditions (10).</summary>
public sealed record SpnboResult : RoundsResult<SpnboRound>;
