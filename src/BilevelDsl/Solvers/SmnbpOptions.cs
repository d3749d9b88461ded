using BilevelDsl.Solvers.Inner;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="SmnbpSolver"/>: the mu and epsilon schedules of the smoothing method, and the penalty method
/// (<see cref="PenaltySolver"/>, Mehra and Hamm) that solves each smoothed problem.
/// </summary>
/// <remarks>
/// Round k runs the penalty method on the model smoothed with mu_k, warm-started from the previous round, with its
/// x-gradient tolerance and its lower-level tolerance set to eps_k and the floor of its y sub-problem tolerance to
/// <see cref="SubproblemTolerance"/> eps_k; the
/// rest of <see cref="Penalty"/> (penalty schedule, optimiser, lower-level solver, iteration limit per round) is used as
/// given. The defaults were tuned with those of <see cref="SpnboOptions"/> on the same two problems
/// (docs/solvers.md, "SPNBO and SMNBP results").
/// </remarks>
public sealed record SmnbpOptions : SolverOptions
{
    /// <summary>mu_k = max(mu_1 d_mu^k, floor): the smoothing parameter of round k. The floor must be positive.</summary>
    public DecaySchedule Smoothing { get; init; } = new(0.1, 0.5, 1e-2);

    /// <summary>eps_k = max(eps_1 d_eps^k, floor): the tolerances of round k's penalty solve.</summary>
    public DecaySchedule Tolerance { get; init; } = new(1e-2, 0.5, 1e-3);

    /// <summary>The largest number of rounds; the run converges once a round at the floors of both schedules converges.</summary>
    public int MaxRounds { get; init; } = 40;

    /// <summary>
    /// The penalty method of each round. Its Smoothing, Tolerance, LowerTolerance, the floor of its RoundTolerance and
    /// RecordHistory are set by the solver; MaxIterations is per round.
    /// </summary>
    /// <remarks>
    /// The default x optimiser is gradient descent with step 1 (about 1 / curvature of the hyper-objective). The paper's
    /// experiments use Adam; Adam with a constant step settles at a gradient-norm floor instead of reaching the round's
    /// tolerance, so a run with it ends at the iteration limit (UpperOptimizerKind.Adam selects it all the same).
    /// </remarks>
    public PenaltyOptions Penalty { get; init; } = new()
    {
        PenaltyInitial = 1.0,
        PenaltyGrowth = 10.0,
        PenaltyMax = 1e4,
        MaxIterations = 5000,
        IterationsPerRound = 100,
        RoundTolerance = new(1e-1, 0.1, 1e-3),
        Optimizer = new UpperOptimizerOptions { Kind = UpperOptimizerKind.GradientDescent, StepSize = 1.0 },
    };

    /// <summary>
    /// The floor of the y sub-problem tolerance of round k as a fraction of eps_k. The penalty method measures that
    /// tolerance on its gradient divided by gamma, ||grad_y F / gamma + (d2f/dy2) c||, which bounds ||c|| only through the
    /// smallest curvature of f, so it must be well below eps_k for ||c|| &lt;= eps_k to follow.
    /// </summary>
    public double SubproblemTolerance { get; init; } = 0.01;

    /// <summary>
    /// Whether rounds after the first start the penalty at its final value (PenaltyMax) instead of PenaltyInitial: the
    /// warm start is already nearly feasible, so the small penalties of the first rounds only cost iterations.
    /// </summary>
    public bool WarmStartPenalty { get; init; } = true;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        Smoothing.ValidatePositiveFloor(nameof(Smoothing), "at mu = 0 the lower level of a non-Lipschitz model has no Hessian");
        Tolerance.Validate(nameof(Tolerance));
        RequirePositive(MaxRounds, nameof(MaxRounds));
        RequireSetting(Penalty, nameof(Penalty));
        Penalty.Validate();
        RequireFraction(SubproblemTolerance, nameof(SubproblemTolerance));
    }

    /// <summary>The penalty method's settings for a round with smoothing mu and tolerance eps.</summary>
    internal PenaltyOptions PenaltyFor(double mu, double eps, bool warm)
    {
        DecaySchedule rounds = Penalty.RoundTolerance;
        return Penalty with
        {
            Smoothing = mu,
            Tolerance = eps,
            LowerTolerance = eps,
            RoundTolerance = new DecaySchedule(Math.Max(rounds.Initial, eps * SubproblemTolerance), rounds.Decay, eps * SubproblemTolerance),
            PenaltyInitial = warm ? Penalty.PenaltyMax : Penalty.PenaltyInitial,
            RecordHistory = RecordHistory,
            Certificate = CertificateOptions.Off, // a round solves the smoothed problem; SMNBP certifies its final answer
        };
    }
}
