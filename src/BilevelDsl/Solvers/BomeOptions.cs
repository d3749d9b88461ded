using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="BomeSolver"/> (BOME, Liu et al. 2022): the joint step size xi, the control weight eta, the
/// lower-level solver that produces y_T (T steps from the current y), the smoothing of nonsmooth models and the
/// stopping rule.
/// </summary>
/// <remarks>
/// The defaults (xi = 0.1, eta = 0.5, T = 10) were chosen on the two known problems of the algorithms catalogue: the lower
/// level with a continuum of solutions (min (x - y2)^2 + (y1 - 1)^2 s.t. y in argmin y1^2 - 2 x y1: x* = 1, y* = (1, 1),
/// reached to 5e-8 in about 600 iterations) and the sin toy (min (x - a)^2 + (y - a)^2 s.t. y in argmin sin(x + y): from
/// every start of the grid {-6, -4, ..., 6}^2 the run converges, within 400 iterations, to a lower-level optimal point
/// x = y = -pi/4 + k pi of the branch it is drawn to; BOME is a local method). For another model choose xi of the order of
/// 1/L, L the curvature of F; eta in (0, 1) trades progress on F (small eta) against progress towards the lower-level
/// solution set (large eta). The BOME paper's default control is phi = eta ||grad q||^2.
/// </remarks>
public sealed record BomeOptions : SolverOptions
{
    /// <summary>xi: the step of the joint update (x, y) &lt;- (x, y) - xi (grad F + lambda grad q).</summary>
    public double StepSize { get; init; } = 0.1;

    /// <summary>eta: the control phi = eta ||grad q||^2 that sets how fast q (the lower-level optimality gap) must decrease.</summary>
    public double Eta { get; init; } = 0.5;

    /// <summary>T: the lower-level gradient steps that compute y_T from the current y (fewer when y_T is exactly stationary).</summary>
    public int LowerSteps { get; init; } = 10;

    /// <summary>
    /// The first step size of the lower-level steps. Each step backtracks (halves) until the secant curvature of f along the
    /// step is at most 1/step and f does not increase beyond rounding; a step accepted at the first try doubles the next
    /// one (at most <see cref="MaxLowerStepSize"/>). The step carries over between outer iterations.
    /// </summary>
    public double LowerStepSize { get; init; } = 1.0;

    /// <summary>The largest lower-level step size.</summary>
    public double MaxLowerStepSize { get; init; } = 1e6;

    /// <summary>
    /// mu: when positive, the solver runs on model.WithSmoothing(mu) (nonsmooth terms replaced by their smoothings). With 0
    /// (the default) a model with a nonsmooth objective is refused (BOME's analysis needs smooth F and f).
    /// Result values are those of the exact model.
    /// </summary>
    public double Smoothing { get; init; }

    /// <summary>The largest number of outer iterations.</summary>
    public int MaxIterations { get; init; } = 20000;

    /// <summary>
    /// Converged when the last joint step moved no entry of x or y by more than Tolerance * (1 + max-norm of (x, y)) and the
    /// lower-level stationarity ||y - P(y - grad_y f)|| is at most <see cref="LowerTolerance"/>.
    /// </summary>
    public double Tolerance { get; init; } = 1e-9;

    /// <summary>The lower-level stationarity required for convergence (see <see cref="Tolerance"/>).</summary>
    public double LowerTolerance { get; init; } = 1e-6;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        RequirePositiveFinite(StepSize, nameof(StepSize), "xi");
        RequirePositiveFinite(Eta, nameof(Eta));
        if (LowerSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LowerSteps), LowerSteps, "LowerSteps (T) must be positive: BOME needs y_T.");
        }

        RequirePositiveFinite(LowerStepSize, nameof(LowerStepSize));
        if (!(MaxLowerStepSize >= LowerStepSize) || double.IsInfinity(MaxLowerStepSize))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLowerStepSize), MaxLowerStepSize, "MaxLowerStepSize must be finite and at least LowerStepSize.");
        }

        RequireNonNegativeFinite(Smoothing, nameof(Smoothing));
        RequirePositive(MaxIterations, nameof(MaxIterations));
        RequireNonNegativeFinite(Tolerance, nameof(Tolerance));
        RequireNonNegativeFinite(LowerTolerance, nameof(LowerTolerance));
    }
}
