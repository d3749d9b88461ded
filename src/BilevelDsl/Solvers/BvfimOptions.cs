using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="BvfimSolver"/>: the (mu1, mu2, theta, tau) schedules of BVFIM (Liu et al. 2021),
/// the inner iteration counts T_z and T_y, the step sizes s1, s2 and alpha, and the stopping rule.
/// </summary>
/// <remarks>
/// <para>
/// The defaults were tuned on the paper's toy problem, min (x-a)^2 + (y-a)^2 s.t. y in argmin sin(x+y)
/// (a in {0, 2}): from every start on the grid {-6, -4, ..., 6}^2, including the paper's (0, 0) and (3, 3),
/// they reach the known optima to within 3e-5 in about 400 outer iterations (a few milliseconds). They also
/// solve the lower level with a continuum of solutions, min (x - y2)^2 + (y1 - 1)^2 s.t. y in argmin
/// y1^2 - 2 x y1, to within 1e-5. The paper's own default schedule lives in its supplementary material,
/// which is not part of this repository; these defaults are this library's.
/// </para>
/// <para>
/// How the defaults work: mu2 starts above the lower level's range of values (3 &gt; max sin - min sin), so the
/// barrier domain f(x, y) &lt; f* is the whole space at first and x, y move freely towards the upper
/// level's preference. As mu2 decays the domain splits into neighbourhoods of the lower-level solution
/// set and y stays in the one it is in. For another model, choose <c>Mu2.Initial</c> of the order of the
/// lower-level objective's variation over the region of interest. The floors trade accuracy for
/// conditioning: the final lower-level infeasibility is about |dF/dy| * Mu2.Floor / Tau.Floor (5e-5 with the
/// defaults), while the barrier problem's stiffness grows like Tau.Floor / Mu2.Floor.
/// </para>
/// </remarks>
public sealed record BvfimOptions : SolverOptions
{
    /// <summary>mu1: weight of the regulariser mu1/2 ||z||^2 of the lower-level problem (Eq. 12) that makes its value function smooth.</summary>
    public DecaySchedule Mu1 { get; init; } = new(1.0, 0.90, 1e-12);

    /// <summary>mu2: the relaxation added to the regularised lower-level value, f* = f(x, z) + mu1/2 ||z||^2 + mu2, keeping f(x, y) &lt; f* feasible.</summary>
    public DecaySchedule Mu2 { get; init; } = new(3.0, 0.96, 1e-6);

    /// <summary>theta: weight of the regulariser theta/2 ||y||^2 of the barrier sub-problem (Eq. 13).</summary>
    public DecaySchedule Theta { get; init; } = new(1.0, 0.96, 1e-7);

    /// <summary>tau: weight of the log-barrier -tau ln(f* - f(x, y)) (Eq. 13). Decays as sqrt of the others, so tau ln(mu2) -> 0.</summary>
    public DecaySchedule Tau { get; init; } = new(1.0, 0.98, 3e-2);

    /// <summary>T_z: gradient steps (Eq. 18) on the regularised lower-level problem per outer iteration (warm-started).</summary>
    public int ZSteps { get; init; } = 20;

    /// <summary>T_y: gradient steps (Eq. 19) on the barrier sub-problem per outer iteration (warm-started).</summary>
    public int YSteps { get; init; } = 20;

    /// <summary>s1: the initial (largest) step size of each z step; halved until the step decreases the objective (Armijo).</summary>
    public double ZStepSize { get; init; } = 1.0;

    /// <summary>s2: the initial (largest) step size of each y step; halved until the step stays inside the barrier domain and decreases the barrier objective.</summary>
    public double YStepSize { get; init; } = 1.0;

    /// <summary>alpha: the fixed step size of the upper-level step x &lt;- x - alpha g (Algorithm 1, line 5).</summary>
    public double XStepSize { get; init; } = 0.1;

    /// <summary>
    /// mu: when positive, the solver runs on model.WithSmoothing(mu) (nonsmooth terms replaced by their smoothings) and
    /// solves the mu-smoothed problem. With 0 (the default) a model with a nonsmooth F or f is refused: BVFIM's analysis
    /// (Liu et al. 2021, Assumption 1) needs continuously differentiable F and f. Result values are those of the exact model.
    /// </summary>
    public double Smoothing { get; init; }

    /// <summary>The largest number of outer iterations; the run ends with <see cref="SolverStatus.IterationLimit"/> after it.</summary>
    public int MaxIterations { get; init; } = 5000;

    /// <summary>
    /// Convergence tolerance: once every schedule has reached its floor, the run has converged when the x step
    /// and the change of y in an outer iteration are both at most Tolerance * (1 + max-norm of the variable).
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        Mu1.Validate(nameof(Mu1));
        Mu2.Validate(nameof(Mu2));
        Theta.Validate(nameof(Theta));
        Tau.Validate(nameof(Tau));
        RequirePositive(ZSteps, nameof(ZSteps));
        RequirePositive(YSteps, nameof(YSteps));
        RequirePositive(MaxIterations, nameof(MaxIterations));
        RequirePositiveFinite(ZStepSize, nameof(ZStepSize));
        RequirePositiveFinite(YStepSize, nameof(YStepSize));
        RequirePositiveFinite(XStepSize, nameof(XStepSize));
        RequireNonNegativeFinite(Tolerance, nameof(Tolerance));
        RequireNonNegativeFinite(Smoothing, nameof(Smoothing));
    }
}
