using BilevelDsl.Solvers.Inner;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings shared by the hypergradient methods (AID-CG, AID-Neumann, RHG, TRHG, FHG, BDA): the outer loop's limits and
/// stopping rule, the upper-level optimiser, the lower-level solver and its tolerance schedule, warm starts and
/// smoothing. Each method's own options record derives from this one.
/// </summary>
public abstract record HypergradientOptions : SolverOptions
{
    /// <summary>The largest number of outer (upper-level) iterations; the run then ends with IterationLimit (or LowerLevelNotConverged).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>
    /// Converged when the norm of the projected hypergradient, ||x - P_X(x - g)|| (||g|| without an upper domain), is at
    /// most this, the lower level is solved to <see cref="LowerTolerance"/>.Floor, and the method's own accuracy test held.
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>The upper-level optimiser (projected gradient descent or Adam) and its step size.</summary>
    public UpperOptimizerOptions Optimizer { get; init; } = new();

    /// <summary>
    /// The lower-level solver run at the start of each outer iteration from the warm start, to the tolerance of
    /// <see cref="LowerTolerance"/>. AID runs it by default; the unrolled methods (RHG, TRHG, FHG, BDA) default to
    /// MaxSteps = 0, since their unrolled iteration is their lower-level solver.
    /// </summary>
    public LowerSolverOptions LowerLevel { get; init; } = new();

    /// <summary>
    /// Pedregosa's decreasing tolerances: eps_k = max(Initial * Decay^k, Floor) for the lower-level solve (on the
    /// stationarity ||grad_y f||) and for AID-CG's linear system (relative residual). Floor is also the lower-level
    /// stationarity every method must reach before it may report Converged. When the hypergradient test holds before
    /// the schedule has settled, the schedule jumps to its floor.
    /// </summary>
    public DecaySchedule LowerTolerance { get; init; } = new(1e-2, 0.8, 1e-9);

    /// <summary>Whether each outer iteration starts the lower level from the previous one's y (true) or from y0 (false).</summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>
    /// mu: when positive, the solver runs on model.WithSmoothing(mu) (nonsmooth terms replaced by their smoothings).
    /// With 0 (the default) a model whose lower level is nonsmooth ends with <see cref="SolverStatus.AssumptionViolated"/>.
    /// Result values are always those of the exact model.
    /// </summary>
    public double Smoothing { get; init; }

    /// <summary>
    /// Outer iterations without a new minimum of the lower-level stationarity (while it is above the floor) after which
    /// the run ends with <see cref="SolverStatus.LowerLevelNotConverged"/>.
    /// </summary>
    public int StallWindow { get; init; } = 50;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        RequirePositive(MaxIterations, nameof(MaxIterations));
        RequireNonNegativeFinite(Tolerance, nameof(Tolerance));
        RequireSetting(Optimizer, nameof(Optimizer));
        RequireSetting(LowerLevel, nameof(LowerLevel));
        Optimizer.Validate();
        LowerLevel.Validate();
        base.Validate();
        LowerTolerance.Validate(nameof(LowerTolerance));
        RequireNonNegativeFinite(Smoothing, nameof(Smoothing));
        RequirePositive(StallWindow, nameof(StallWindow));
    }
}

/// <summary>
/// Settings shared by the unrolled methods (RHG, TRHG, FHG, BDA): the number of unrolled lower-level steps and their
/// step size. Their <see cref="HypergradientOptions.LowerLevel"/> solve is off by default (MaxSteps = 0).
/// </summary>
public abstract record UnrolledOptions : HypergradientOptions
{
    /// <summary>Creates the settings with the unrolled methods' defaults.</summary>
    protected UnrolledOptions()
    {
        LowerLevel = new LowerSolverOptions { MaxSteps = 0 };
    }

    /// <summary>T: lower-level gradient steps unrolled per outer iteration (from the warm start).</summary>
    public int UnrollSteps { get; init; } = 100;

    /// <summary>
    /// s: the step of the unrolled iteration y &lt;- P(y - s grad_y f). Null (the default) chooses s = 1 / |lambda|_max of
    /// d2f/dy2 at the iteration's start point, estimated by power iteration with Hessian-vector products (30 products
    /// the first time, 5 warm-started ones per outer iteration after that); s = 1 if the Hessian vanishes there.
    /// </summary>
    public double? InnerStepSize { get; init; }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequirePositive(UnrollSteps, nameof(UnrollSteps));
        RequirePositiveOrNull(InnerStepSize, nameof(InnerStepSize));
    }
}
