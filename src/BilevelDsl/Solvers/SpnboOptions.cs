using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="SpnboSolver"/>: the mu and epsilon schedules and the penalty parameter beta of Algorithm 1 of
/// the SPNBO paper, and the step sizes, momentum and clipping constants of its stochastic constraint gradient method
/// (Algorithm 2). Names follow the paper: gamma (<see cref="StepSize"/>), sigma (<see cref="DualStepSize"/>),
/// [rho, b] (<see cref="ClipLower"/>, <see cref="ClipUpper"/>), a^ (<see cref="SecondMomentWeight"/>), c1 and c2
/// (<see cref="MomentumConstant"/>, <see cref="DualMomentumConstant"/>), tau (<see cref="Tau"/>).
/// </summary>
/// <remarks>
/// <para>
/// The defaults were tuned on the two problems of the paper's experiments at small sizes (docs/solvers.md, "SPNBO and
/// SMNBP results"): lp-regularised (p = 1/2) regression with a sparse truth and OSCAR data re-weighting. The smoothing
/// floor sets how far the final point is from a stationary point of the nonsmooth problem; its Hessian grows like
/// mu^(p - 2) near zero entries of |t|^p, and the stochastic method slows down accordingly.
/// </para>
/// <para>
/// With the automatic clip range (ClipLower and ClipUpper null, the default) the steps are scale-free: coordinate j of
/// z = (x, y) is clipped to [(gamma D_j)^2, (gamma D_j)^2 ClipRange], with D_j the diagonal of the Gauss-Newton curvature
/// of L, so a coordinate with a small second moment takes at most the Jacobi-scaled step eta_t / D_j times its gradient
/// estimate, and one with a large second moment about gamma eta_t. Every step is also capped at gamma eta_t: gamma is a
/// trust radius in the units of the variables. The same rule with sigma and tau sets the range of p.
/// </para>
/// <para>
/// The batch size trades variance for nothing: a batch of any size costs one Hessian-vector product per point. At a fixed
/// beta the estimate's noise near a solution does not vanish (it is about |multiplier| |Hessian| / sqrt(B n)), and the
/// momentum weight a_t = c1 eta_t^2 only shrinks like t^(-2/3), so the smallest eps the conditions (10) can be met with in
/// a given number of steps falls with B. B = 1 is the paper's estimator.
/// </para>
/// </remarks>
public sealed record SpnboOptions : SolverOptions
{
    /// <summary>mu_k = max(mu_1 d_mu^k, floor): the smoothing parameter of round k (Algorithm 1, line 3). The floor must be positive.</summary>
    public DecaySchedule Smoothing { get; init; } = new(0.1, 0.5, 1e-2);

    /// <summary>
    /// eps_k = max(eps_1 d_eps^k, floor): the tolerance of the stopping conditions (10) in round k (Algorithm 1, line 4).
    /// The conditions compare gradient norms with eps, so choose it relative to the size of grad F.
    /// </summary>
    public DecaySchedule Tolerance { get; init; } = new(1e-2, 0.5, 1e-3);

    /// <summary>
    /// K: the largest number of rounds (Algorithm 1's outer loop). The run converges once a round at the floors of both
    /// schedules meets the conditions (10); if that has not happened after MaxRounds rounds it ends with IterationLimit.
    /// </summary>
    public int MaxRounds { get; init; } = 40;

    /// <summary>beta_1: the penalty parameter of the first round.</summary>
    public double PenaltyInitial { get; init; } = 1.0;

    /// <summary>
    /// The factor beta grows by after each round (the paper enlarges beta once the conditions (10) hold), and at least the
    /// factor it grows by within a round when the gradient conditions of (10) hold but ||c|| &gt; eps_k.
    /// </summary>
    public double PenaltyGrowth { get; init; } = 2.0;

    /// <summary>The largest beta.</summary>
    public double PenaltyMax { get; init; } = 1e8;

    /// <summary>tau: weight of the strongly concave regulariser -(tau/2) ||p||^2 of the minimax problem (4).</summary>
    public double Tau { get; init; } = 1.0;

    /// <summary>gamma: step size of the (x, y) updates (7), (8), and the largest move of one coordinate in one step (times eta_t).</summary>
    public double StepSize { get; init; } = 0.05;

    /// <summary>sigma: step size of the p update (9); with the automatic clip range, a per-coordinate trust radius for p.</summary>
    public double DualStepSize { get; init; } = 0.1;

    /// <summary>rho: lower clip bound of the second-moment estimates; null (with <see cref="ClipUpper"/> null) for the automatic range.</summary>
    public double? ClipLower { get; init; }

    /// <summary>b: upper clip bound of the second-moment estimates; null (with <see cref="ClipLower"/> null) for the automatic range.</summary>
    public double? ClipUpper { get; init; }

    /// <summary>b / rho of the automatic clip range (at least 1).</summary>
    public double ClipRange { get; init; } = 1e8;

    /// <summary>
    /// SCG steps between two estimates of the curvature diagonal D of the automatic clip range (0: only when a round starts
    /// or beta changes). An estimate costs n lower and m + n upper Hessian-vector products.
    /// </summary>
    public int CurvatureInterval { get; init; } = 200;

    /// <summary>a^: weight of the newest squared stochastic gradient in the second-moment estimate (0.9 in the paper's experiments).</summary>
    public double SecondMomentWeight { get; init; } = 0.9;

    /// <summary>k of eta_t = k / (m0 + t)^(1/3) (Theorem 1's step schedule; eta_t is kept at most 1).</summary>
    public double EtaScale { get; init; } = 2.0;

    /// <summary>m0 of eta_t = k / (m0 + t)^(1/3).</summary>
    public double EtaOffset { get; init; } = 8.0;

    /// <summary>c1 of the momentum weight a_{t+1,1} = min(1, c1 eta_t^2) of the (x, y) estimate (Theorem 1 asks c1 &gt; 5/2).</summary>
    public double MomentumConstant { get; init; } = 3.0;

    /// <summary>c2 of the momentum weight a_{t+1,2} = min(1, c2 eta_t^2) of the p estimate.</summary>
    public double DualMomentumConstant { get; init; } = 3.0;

    /// <summary>
    /// B: constraints sampled (independently, by p) per step, and uniform samples for the p-gradient. B = 1 is the paper's
    /// method. The batch mean of 2 beta c_i grad c_i is one Hessian-vector product whatever B is, so a batch costs no
    /// more kernel work than a single sample and only reduces the variance.
    /// </summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>SCG steps between two checks of the conditions (10) with full gradients (the paper checks "after several iterations to save time").</summary>
    public int CheckInterval { get; init; } = 10;

    /// <summary>The largest number of SCG steps in one round; a round that has not met the conditions (10) by then ends the run.</summary>
    public int MaxInnerSteps { get; init; } = 50_000;

    /// <summary>Seed of the random number generator that samples the constraints (runs are reproducible).</summary>
    public int Seed { get; init; } = 12345;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        Smoothing.ValidatePositiveFloor(nameof(Smoothing), "at mu = 0 the lower level of a non-Lipschitz model has no Hessian");
        Tolerance.ValidatePositiveFloor(nameof(Tolerance), "the stochastic method cannot meet the conditions (10) with eps = 0");
        RequirePositive(MaxRounds, nameof(MaxRounds));
        RequirePositiveFinite(PenaltyInitial, nameof(PenaltyInitial));
        RequireFiniteAtLeastOne(PenaltyGrowth, nameof(PenaltyGrowth));
        RequirePositiveFinite(PenaltyMax, nameof(PenaltyMax));
        RequireAtLeast(PenaltyMax, nameof(PenaltyMax), PenaltyInitial, nameof(PenaltyInitial));
        RequirePositiveFinite(Tau, nameof(Tau));
        RequirePositiveFinite(StepSize, nameof(StepSize));
        RequirePositiveFinite(DualStepSize, nameof(DualStepSize));
        if (ClipLower.HasValue != ClipUpper.HasValue)
        {
            throw new ArgumentOutOfRangeException(nameof(ClipLower), ClipLower, "ClipLower and ClipUpper must be both set or both null (automatic range).");
        }

        if (ClipLower is double rho && ClipUpper is double b)
        {
            RequirePositiveFinite(rho, nameof(ClipLower));
            RequirePositiveFinite(b, nameof(ClipUpper));
            RequireAtLeast(b, nameof(ClipUpper), rho, nameof(ClipLower));
        }

        RequireFiniteAtLeastOne(ClipRange, nameof(ClipRange));
        RequireFraction(SecondMomentWeight, nameof(SecondMomentWeight));
        RequirePositiveFinite(EtaScale, nameof(EtaScale));
        RequireNonNegativeFinite(EtaOffset, nameof(EtaOffset));
        RequirePositiveFinite(MomentumConstant, nameof(MomentumConstant));
        RequirePositiveFinite(DualMomentumConstant, nameof(DualMomentumConstant));
        RequirePositive(BatchSize, nameof(BatchSize));
        RequireNonNegative(CurvatureInterval, nameof(CurvatureInterval));
        RequirePositive(CheckInterval, nameof(CheckInterval));
        RequirePositive(MaxInnerSteps, nameof(MaxInnerSteps));
    }
}
