using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>Which iterate <see cref="IgfmSolver"/> returns.</summary>
public enum IgfmOutput
{
    /// <summary>The last iterate x_T (the default: the usual practical choice).</summary>
    LastIterate,

    /// <summary>
    /// The iterate with the smallest estimate of the hyper-objective, (phi~(x + delta u) + phi~(x - delta u)) / 2,
    /// which is within O(delta) of phi(x) for Lipschitz phi.
    /// </summary>
    BestEstimate,

    /// <summary>An iterate chosen uniformly at random from x_0..x_{T-1} (Algorithm 2, line 8: the rule of the paper's guarantee).</summary>
    UniformlyChosen,
}

/// <summary>When <see cref="IgfmSolver"/> evaluates phi~(x + delta u) and phi~(x - delta u) in parallel.</summary>
public enum IgfmParallelism
{
    /// <summary>
    /// In parallel when the model is known to be thread-safe: a generated [BilevelModel] class or a smoothing view of one
    /// (generated kernels keep no state); sequentially for kernels written by hand.
    /// </summary>
    Auto,

    /// <summary>Always in parallel (the caller vouches that the model's kernels may run on two threads at once).</summary>
    Always,

    /// <summary>Always on the calling thread.</summary>
    Never,
}

/// <summary>
/// Settings of <see cref="IgfmSolver"/>, the inexact gradient-free method (Algorithm 2 of Chen, Xu and Zhang (arXiv:2301.00712)): the step size
/// eta, the smoothing radius delta, the number of iterations T, the SGM sub-routine's settings, the random seed, the
/// output rule and the stopping test.
/// </summary>
/// <remarks>
/// <para>
/// The paper's Theorem 6.2 sets T = O(d^(3/2) (C^4/eps^4 + Delta C^3/(delta eps^4))) and eta = Theta(sqrt(delta (Delta + delta C) /
/// (d^(3/2) C^3 T))), with C the Lipschitz constant of the hyper-objective and Delta its initial gap: constants that are
/// rarely known. The defaults are practical ones: eta = 0.1 suits hyper-objectives with curvature up to about 10 / d
/// (the estimate's variance grows with the dimension d of x, so scale eta by about 1/d), and delta = 1e-3 is the paper's
/// experimental value.
/// </para>
/// <para>
/// The estimate phi~ is an SGM output, so the zeroth-order differences divide SGM's error by 2 delta: SGM must be accurate
/// to a small fraction of delta times the hyper-gradient. Both evaluations of an iteration start SGM from the same point
/// (the previous iteration's outputs, averaged), so most of SGM's error is common to both and cancels in the difference.
/// </para>
/// </remarks>
public sealed record IgfmOptions : SolverOptions
{
    /// <summary>eta: the step x &lt;- x - eta g of Algorithm 2, line 6 (then projected onto the upper domain, if one is declared).</summary>
    public double StepSize { get; init; } = 0.1;

    /// <summary>
    /// delta: the radius of the two-point estimate g = d/(2 delta) (phi~(x + delta u) - phi~(x - delta u)) u, relative to the
    /// start: the run uses SmoothingRadius * max(1, ||x0||_inf) (a fixed radius is lost in rounding at large |x0|).
    /// </summary>
    public double SmoothingRadius { get; init; } = 1e-3;

    /// <summary>T: the largest number of iterations.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>
    /// The settings of each SGM call (two per iteration and one for the returned x). SGM is warm-started from the previous
    /// iteration's outputs, so short runs suffice; the defaults are K0 = 50, K = 200.
    /// </summary>
    public SgmOptions Sgm { get; init; } = new() { WarmupSteps = 50, Steps = 200, RecordHistory = false };

    /// <summary>Whether each iteration's SGM calls start from the previous iteration's outputs (otherwise always from y0).</summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>The seed of the random directions u (uniform on the unit sphere) and of the uniformly chosen output.</summary>
    public int Seed { get; init; }

    /// <summary>Which iterate to return (the lower variable returned is SGM's output at that x).</summary>
    public IgfmOutput Output { get; init; } = IgfmOutput.LastIterate;

    /// <summary>
    /// epsilon of the stopping test: the run has converged (a (delta, epsilon)-Goldstein stationary point, estimated) when
    /// the last <see cref="StationarityWindow"/> iterates lie within delta of the current one and the mean of their
    /// gradient estimates has norm at most Tolerance (each estimate is an unbiased estimate of the gradient of the
    /// delta-smoothed hyper-objective, an element of the Goldstein delta-subdifferential). 0 turns the test off.
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>How many recent gradient estimates the stopping test averages (at least 1).</summary>
    public int StationarityWindow { get; init; } = 20;

    /// <summary>Whether the two SGM calls of an iteration run in parallel.</summary>
    public IgfmParallelism Parallelism { get; init; } = IgfmParallelism.Auto;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    /// <exception cref="ArgumentNullException"><see cref="Sgm"/> is null.</exception>
    public override void Validate()
    {
        base.Validate();
        RequirePositiveFinite(StepSize, nameof(StepSize), "eta");
        RequirePositiveFinite(SmoothingRadius, nameof(SmoothingRadius), "delta");
        RequirePositive(MaxIterations, nameof(MaxIterations), "T");
        ArgumentNullException.ThrowIfNull(Sgm, nameof(Sgm));
        Sgm.Validate();
        RequireDefined(Output, nameof(Output));
        RequireDefined(Parallelism, nameof(Parallelism));
        RequireNonNegativeFinite(Tolerance, nameof(Tolerance));
        RequirePositive(StationarityWindow, nameof(StationarityWindow));
    }
}
