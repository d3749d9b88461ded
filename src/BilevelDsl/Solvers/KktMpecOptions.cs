using BilevelDsl.Numerics;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="KktMpecSolver"/>: the schedule of the Scholtes relaxation t_k of the complementarity constraints,
/// the augmented Lagrangian solver of each relaxed problem NLP(t_k), the lower-level re-solve at the end and the
/// convexity probe. The defaults suit problems whose variables, objectives and multipliers are of order 1 to 100.
/// </summary>
public sealed record KktMpecOptions : SolverOptions
{
    /// <summary>t_0, the relaxation of the first relaxed problem (-lambda_j u_j &lt;= t_0). Default 0.01.</summary>
    public double InitialRelaxation { get; init; } = 0.01;

    /// <summary>The factor t_k shrinks by per outer iteration, in (0, 1). Default 0.01.</summary>
    public double RelaxationDecrease { get; init; } = 0.01;

    /// <summary>The smallest relaxation: the run can converge only once t_k has reached it. Default 1e-10.</summary>
    public double FinalRelaxation { get; init; } = 1e-10;

    /// <summary>The largest number of outer iterations (relaxed problems solved); the last ones repeat the final relaxation. Default 10.</summary>
    public int MaxIterations { get; init; } = 10;

    /// <summary>
    /// Converged when, at the final relaxation, the relaxed problem's KKT residuals (stationarity, and feasibility with
    /// complementarity) are at most this, and the lower-level re-solve at the returned x moves f by at most this
    /// (relative to max(1, |f|)). The primal constraints are tightened to u_j + 2 Tolerance &lt;= 0, so that the answer is
    /// strictly lower-level feasible. Default 1e-8.
    /// </summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>The KKT-residual tolerance of the relaxed problems before the final relaxation (they only lead the way). Default 1e-5.</summary>
    public double CoarseTolerance { get; init; } = 1e-5;

    /// <summary>The augmented Lagrangian solver of each relaxed problem NLP(t_k) (its tolerances are set from <see cref="Tolerance"/>).</summary>
    public AugmentedLagrangianOptions Relaxed { get; init; } = new() { MaxSubproblemSteps = 2000, MaxOuterIterations = 20 };

    /// <summary>The augmented Lagrangian solver of the lower level at a fixed x (at the start, for the multipliers, and at the end).</summary>
    public AugmentedLagrangianOptions LowerLevel { get; init; } = new() { StationarityTolerance = 1e-10, FeasibilityTolerance = 1e-10, MaxSubproblemSteps = 2000, MaxOuterIterations = 30 };

    /// <summary>
    /// The convexity probe: the run ends with <see cref="SolverStatus.AssumptionViolated"/> when f(x, .) or a u_j(x, .) shows
    /// curvature d'H d / ||d||^2 &lt; -ConvexityTolerance * sigma along a probe direction d in y (sigma: the largest ||H d||/||d||
    /// seen for that function), at the start, after every outer iteration and at the end, at the iterate, four fixed points around
    /// it and the projection of 0, along two generic directions and the first four axes. Positive
    /// infinity turns the probe off. Default 1e-6.
    /// </summary>
    public double ConvexityTolerance { get; init; } = 1e-6;

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentNullException">Relaxed, LowerLevel or Certificate is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        RequirePositiveFinite(InitialRelaxation, nameof(InitialRelaxation));
        if (!(RelaxationDecrease > 0.0 && RelaxationDecrease < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(RelaxationDecrease), RelaxationDecrease, "The relaxation decrease must be in (0, 1).");
        }

        if (!(FinalRelaxation > 0.0 && FinalRelaxation <= InitialRelaxation))
        {
            throw new ArgumentOutOfRangeException(nameof(FinalRelaxation), FinalRelaxation, "The final relaxation must be positive and at most the initial one.");
        }

        RequirePositiveFinite(Tolerance, nameof(Tolerance));
        RequirePositiveFinite(CoarseTolerance, nameof(CoarseTolerance));
        RequireNonNegative(ConvexityTolerance, nameof(ConvexityTolerance), " (positive infinity turns the probe off)");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxIterations);
        ArgumentNullException.ThrowIfNull(Relaxed);
        ArgumentNullException.ThrowIfNull(LowerLevel);
        Relaxed.Validate("Relaxed.");
        LowerLevel.Validate("LowerLevel.");
        base.Validate();
    }
}
