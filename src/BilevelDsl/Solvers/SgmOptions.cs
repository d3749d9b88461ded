using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>The step size of SGM's switching-phase steps on the lower-level objective f.</summary>
public enum SgmLowerStep
{
    /// <summary>
    /// Polyak's step h = (f(x, y) - g* + theta) / ||s||^2 (s the subgradient): onto the half-space where the linearisation of f is
    /// at most g* - theta. It returns to the 2 theta level set in one step for a sharp minimum and halves the gap per step for a
    /// quadratic one, and probes below g*, so an estimate that is too high gets corrected. The default.
    /// </summary>
    Polyak,

    /// <summary>The fixed step tau of Algorithm 1 (as in the paper).</summary>
    Fixed,
}

/// <summary>
/// Settings of <see cref="SgmSolver"/>, the switching gradient method (Algorithm 1 of Chen, Xu and Zhang,
/// arXiv:2301.00712): the step size tau, the warm-up length K0, the number of
/// switching steps K and the threshold theta.
/// </summary>
/// <remarks>
/// <para>
/// What SGM computes: for a fixed x, a point of the lower-level solution set Y*(x) = argmin_{y in Y} f(x, y) at
/// which the upper objective F(x, .) is smallest (problem P1 of the paper). It assumes that F(x, .) and f(x, .) are
/// convex in y, that Y is compact and convex (declared with [LowerBounds] or [LowerProjection]), and that f(x, .) has
/// a sharp or dominant-gradient minimum (the paper's Assumptions 5.1/5.2), under which the output is close to
/// optimal for small theta and tau and large K.
/// </para>
/// <para>
/// Accuracy: the output y is a mean of iterates whose lower-level value lies within 2 theta of the estimate of the
/// lower-level minimum, so f(x, y) - min f &lt;= 2 theta + (estimate error) for convex f. Where f(x, .) only grows quadratically
/// away from its solution set, y may be off the solution set by about sqrt(2 theta / curvature), and F(x, y) may
/// undershoot the true optimum by the corresponding amount; a sharp minimum (|.|-like) gives errors of order
/// theta. The mean of K fixed-step iterates also carries an error of order tau * |gradient| / (number of averaged
/// iterates).
/// </para>
/// <para>
/// The step size tau should be about 1/L, where L is the larger of the gradient Lipschitz constants of f(x, .) and
/// F(x, .) in y (for nonsmooth objectives: small compared with the domain's diameter divided by the subgradient
/// norm). The steps on F move y out of the 2 theta level set by about tau |dF/dy|; the smaller that is compared with
/// the level set's width, the more steps on F are averaged. The defaults suit objectives with curvature of order 1 on a
/// domain of diameter of order 1 to 10.
/// </para>
/// </remarks>
public sealed record SgmOptions : SolverOptions
{
    /// <summary>tau: the step of every projected (sub)gradient step, on f in the warm-up and on F or f in the switching phase.</summary>
    public double StepSize { get; init; } = 0.1;

    /// <summary>K0: projected (sub)gradient steps on f(x, .) that estimate the lower-level minimum g* (Algorithm 1, lines 2-5).</summary>
    public int WarmupSteps { get; init; } = 500;

    /// <summary>
    /// The warm-up halves its step after this many consecutive steps without a new smallest value of f (0: the paper's fixed
    /// tau throughout). Fixed subgradient steps circle a sharp (nonsmooth) minimum at a distance of order tau and never
    /// estimate g* better than that; halving on stagnation converges. Steps on a smooth f with tau &lt;= 1/L decrease f every
    /// time and are never halved.
    /// </summary>
    public int WarmupPatience { get; init; } = 5;

    /// <summary>K: switching steps (Algorithm 1, lines 6-12): a step on F when f(x, y) - g* &lt;= 2 theta, on f otherwise.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>theta: half the lower-level optimality gap below which a step serves the upper level.</summary>
    public double Threshold { get; init; } = 1e-8;

    /// <summary>The step size of the switching phase's steps on f (the warm-up always uses tau).</summary>
    public SgmLowerStep LowerStep { get; init; } = SgmLowerStep.Polyak;

    /// <summary>
    /// The fraction of the switching phase, at its end, whose steps on F are averaged into y_out. The paper averages all of them
    /// (1); the default 0.5 leaves out the first half, whose iterates still carry the start's transient (an error of order
    /// 1/|I| in the mean).
    /// </summary>
    public double AveragedFraction { get; init; } = 0.5;

    /// <summary>
    /// Whether to test convexity along the way, for free, from the values and gradients SGM computes anyway: a pair
    /// of consecutive iterates y, y' with &lt;grad(y') - grad(y), y' - y&gt; &lt; 0 and f(y') &lt; f(y) + &lt;grad(y), y' - y&gt;
    /// (beyond rounding) proves that the objective is not convex, and the run ends with
    /// <see cref="SolverStatus.AssumptionViolated"/>. The test can only reveal nonconvexity where the iterates go.
    /// </summary>
    public bool CheckConvexity { get; init; } = true;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        RequirePositiveFinite(StepSize, nameof(StepSize), "tau");
        if (WarmupSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "WarmupSteps (K0) must be positive: SGM needs an estimate of the lower-level minimum.");
        }

        RequireNonNegative(WarmupPatience, nameof(WarmupPatience));
        RequirePositive(Steps, nameof(Steps), "K");
        RequirePositiveFinite(Threshold, nameof(Threshold), "theta");
        RequireDefined(LowerStep, nameof(LowerStep));
        RequireFraction(AveragedFraction, nameof(AveragedFraction));
    }
}
