using BilevelDsl.Numerics;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="CccpSolver"/> (CCCP-BO, Shen et al.): the proximal constant rho, the lower-level relaxation
/// epsilon, the stopping rule, and the augmented Lagrangian solvers of the two convex sub-problems (the constrained
/// lower-level solve that gives v(x_k) and a subgradient, and the projection onto D_k).
/// </summary>
/// <remarks>
/// <para>
/// Theorem 4.3 of the paper: with rho &gt;= L (the Lipschitz constant of grad F in (x, y)),
/// min_{k &lt;= K} ||g_k||^2 &lt;= 2 rho (F(z_1) - inf F) / K for the projected gradient g_k = rho (z_k - z_{k+1}). When L is
/// known, set <see cref="Rho"/> to it and <see cref="AdaptiveRho"/> to false to run the method exactly as analysed. With
/// <see cref="AdaptiveRho"/> (the default) rho starts at the larger of <see cref="Rho"/> and the curvature of F along its
/// gradient at the start (a finite-difference estimate, a lower bound on L), and is doubled whenever the step fails the descent
/// inequality F(z_{k+1}) &lt;= F(z_k) + &lt;grad F(z_k), z_{k+1} - z_k&gt; + rho/2 ||z_{k+1} - z_k||^2 that the proof uses in
/// place of L-smoothness; rho never decreases, so the theorem holds with the final rho.
/// </para>
/// <para>
/// The tolerances of the two inner solvers set the accuracy of the method: the projection's KKT residuals bound the error
/// of z_{k+1} (the projection's objective is 1-strongly convex), and hence of g_k by rho times that; the lower-level
/// solve's residuals bound the errors of v(x_k) and of the subgradient xi_k. The defaults (1e-10 and 1e-9) suit problems
/// whose variables and objectives are of order 1.
/// </para>
/// </remarks>
public sealed record CccpOptions : SolverOptions
{
    /// <summary>rho: the proximal constant of sub-problem (9), the inverse step of the projected gradient step (11). With <see cref="AdaptiveRho"/>, a lower bound on the initial value.</summary>
    public double Rho { get; init; } = 1.0;

    /// <summary>Whether rho is doubled when a step fails the descent inequality (see the remarks); false keeps rho fixed, as in the paper.</summary>
    public bool AdaptiveRho { get; init; } = true;

    /// <summary>The largest rho the adaptive rule may reach; needing more ends the run (the upper level is not Lipschitz-smooth along the step).</summary>
    public double MaxRho { get; init; } = 1e12;

    /// <summary>
    /// epsilon of the relaxed value-function constraint g(x, y) - v(x) &lt;= epsilon (Eq. 6): the lower-level optimality gap the
    /// iterates keep. Must exceed <c>Projection.FeasibilityTolerance</c>. In D_k the bound is tightened by that tolerance and
    /// by the lower-level tolerances times (1 + ||grad F|| / rho) (never below epsilon / 2), so that neither the projection's
    /// constraint violation nor the errors of v(x_k) and its subgradient take the gap above epsilon.
    /// </summary>
    public double Epsilon { get; init; } = 1e-6;

    /// <summary>The largest number of outer iterations (projected gradient steps); the run ends with <see cref="SolverStatus.IterationLimit"/> after it.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Converged when the projected gradient ||g_k|| = rho ||z_k - z_{k+1}|| is at most this.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>
    /// The augmented Lagrangian solver of the lower-level problem min_y g(x_k, y) s.t. u(x_k, y) &lt;= 0, y in Y, whose solution
    /// gives v(x_k) and whose KKT multipliers give the subgradient xi_k. Its FeasibilityTolerance also bounds the accepted
    /// excess of the final gap over epsilon.
    /// </summary>
    public AugmentedLagrangianOptions LowerLevel { get; init; } = new() { StationarityTolerance = 1e-9, FeasibilityTolerance = 1e-9 };

    /// <summary>The augmented Lagrangian solver of the projection onto D_k (sub-problem (9) as Eq. 11).</summary>
    public AugmentedLagrangianOptions Projection { get; init; } = new();

    /// <summary>
    /// mu &gt;= 0: with mu &gt; 0 the solver runs on model.WithSmoothing(mu), which a model with a nonsmooth level needs (CCCP-BO
    /// uses gradients of both levels); results are reported with the exact model's F and g. 0 runs on the exact model.
    /// </summary>
    public double Smoothing { get; init; }

    /// <summary>
    /// The convexity probe: the run ends with <see cref="SolverStatus.AssumptionViolated"/> when a direction d it probes
    /// (each step z_{k+1} - z_k, and each move of the lower-level solution) shows curvature
    /// d'H d / ||d||^2 &lt; -ConvexityTolerance * sigma for the joint Hessian H of g or of a u_j, where sigma is the largest
    /// ||H d'|| / ||d'|| seen by the probes of that function (its curvature scale). Positive infinity turns the probe off.
    /// </summary>
    public double ConvexityTolerance { get; init; } = 1e-6;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    /// <exception cref="ArgumentNullException">LowerLevel or Projection is null.</exception>
    public override void Validate()
    {
        base.Validate();
        RequirePositiveFinite(Rho, nameof(Rho));
        RequirePositiveFinite(MaxRho, nameof(MaxRho));
        RequireAtLeast(MaxRho, nameof(MaxRho), Rho, nameof(Rho));
        RequirePositiveFinite(Epsilon, nameof(Epsilon));
        RequirePositive(MaxIterations, nameof(MaxIterations));
        RequireNonNegativeFinite(Tolerance, nameof(Tolerance));
        RequireNonNegativeFinite(Smoothing, nameof(Smoothing));
        RequireNonNegative(ConvexityTolerance, nameof(ConvexityTolerance), " (positive infinity turns the probe off)");
        ArgumentNullException.ThrowIfNull(LowerLevel, nameof(LowerLevel));
        ArgumentNullException.ThrowIfNull(Projection, nameof(Projection));
        LowerLevel.Validate(nameof(LowerLevel) + ".");
        Projection.Validate(nameof(Projection) + ".");
        if (!(Epsilon > Projection.FeasibilityTolerance))
        {
            throw new ArgumentOutOfRangeException(
                nameof(Epsilon),
                Epsilon,
                $"Epsilon must exceed Projection.FeasibilityTolerance ({Driver.Fmt.G(Projection.FeasibilityTolerance)}), which is subtracted from it in the projection's constraint.");
        }
    }
}
