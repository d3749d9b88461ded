using BilevelDsl.Solvers.Inner;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="PenaltySolver"/>: the increasing penalty schedule gamma_r = min(PenaltyInitial * PenaltyGrowth^r,
/// PenaltyMax) over rounds r, the decreasing round tolerances, and the solvers for y and x.
/// </summary>
public sealed record PenaltyOptions : SolverOptions
{
    /// <summary>The largest number of outer (x) iterations over all rounds.</summary>
    public int MaxIterations { get; init; } = 5000;

    /// <summary>Converged (in the final round, gamma = PenaltyMax) when the projected x-gradient norm of the penalised problem is at most this.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>
    /// The lower-level stationarity ||grad_y f|| the final iterate must reach. At the minimiser of the penalised y
    /// sub-problem grad_y f = -(d2f/dy2)^-1 grad_y F / gamma, a residual of at most ||grad_y F|| / (gamma lambda_min), so
    /// PenaltyMax must be large enough for this tolerance.
    /// </summary>
    public double LowerTolerance { get; init; } = 1e-5;

    /// <summary>gamma_0.</summary>
    public double PenaltyInitial { get; init; } = 1.0;

    /// <summary>The factor gamma grows by between rounds (above 1).</summary>
    public double PenaltyGrowth { get; init; } = 10.0;

    /// <summary>
    /// The final gamma. The method's bias shrinks like 1/gamma, but rounding errors in grad_y f are multiplied by gamma in
    /// the x-gradient gamma hvp_xy_f(grad_y f); 1e6 balances the two in double precision for well-scaled problems
    /// (hypergradient relative error about 1e-6 on the ridge test problem; 1e8 is worse, not better).
    /// </summary>
    public double PenaltyMax { get; init; } = 1e6;

    /// <summary>
    /// eps_r of round r: the y sub-problem, normalised by the penalty (F/gamma + 1/2 ||grad_y f||^2 for gamma &gt;= 1), is
    /// solved until its gradient norm is at most eps_r, and the round ends when the projected x-gradient norm is at most
    /// max(eps_r, Tolerance). The final round uses the floor, which must stay above the rounding level of
    /// hvp_yy_f(grad_y f) (about 1e-13 times the scale of the lower-level gradient's terms).
    /// </summary>
    public DecaySchedule RoundTolerance { get; init; } = new(1e-3, 0.1, 1e-12);

    /// <summary>The largest number of x iterations in a round before gamma is raised anyway.</summary>
    public int IterationsPerRound { get; init; } = 200;

    /// <summary>The optimiser of the x steps (step size about 1 / curvature of the hyper-objective).</summary>
    public UpperOptimizerOptions Optimizer { get; init; } = new();

    /// <summary>The solver of the y sub-problem min_y F + (gamma/2) ||grad_y f||^2 (warm-started from the previous y).</summary>
    public LowerSolverOptions LowerLevel { get; init; } = new() { MaxSteps = 2000 };

    /// <summary>mu &gt; 0 runs on model.WithSmoothing(mu); with 0 a nonsmooth lower level ends with AssumptionViolated.</summary>
    public double Smoothing { get; init; }

    /// <summary>Iterations without a new minimum of ||grad_y f|| in the final round (while above LowerTolerance) after which the run ends with LowerLevelNotConverged.</summary>
    public int StallWindow { get; init; } = 50;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        RequirePositive(MaxIterations, nameof(MaxIterations));
        RequireNonNegativeFinite(Tolerance, nameof(Tolerance));
        RequireNonNegativeFinite(LowerTolerance, nameof(LowerTolerance));
        RequirePositiveFinite(PenaltyInitial, nameof(PenaltyInitial));
        if (!(PenaltyGrowth > 1.0) || double.IsInfinity(PenaltyGrowth))
        {
            throw new ArgumentOutOfRangeException(nameof(PenaltyGrowth), PenaltyGrowth, "PenaltyGrowth must be finite and above 1.");
        }

        RequirePositiveFinite(PenaltyMax, nameof(PenaltyMax));
        RequireAtLeast(PenaltyMax, nameof(PenaltyMax), PenaltyInitial, nameof(PenaltyInitial));
        RoundTolerance.Validate(nameof(RoundTolerance));
        RequirePositive(IterationsPerRound, nameof(IterationsPerRound));
        RequireSetting(Optimizer, nameof(Optimizer));
        RequireSetting(LowerLevel, nameof(LowerLevel));
        Optimizer.Validate();
        LowerLevel.Validate();
        if (LowerLevel.MaxSteps == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LowerLevel), 0, "LowerLevel.MaxSteps must be positive: the penalty method solves its y sub-problem with it.");
        }

        RequireNonNegativeFinite(Smoothing, nameof(Smoothing));
        RequirePositive(StallWindow, nameof(StallWindow));
    }
}
