// SPNBO: Smoothing and Penalty method for Non-Lipschitz Bi-level Optimization, with its stochastic constraint
// gradient (SCG) inner method: "Efficient method for bi-level optimization with non-smooth lower-level problem" (anonymous ICLR submission, OpenReview),
// Algorithms 1 and 2, stopping conditions (10).
//
// Notation: the paper's w is y here (lower variable, n entries), its lambda is x (upper variable, m entries), its upper
// objective f is F, its lower objective g + exp(lambda_1) phi(h(w)) is f, and f_mu is f with every nonsmooth term
// smoothed (model.WithSmoothing(mu)). z = (x, y).
//
// Algorithm 1, round k = 0, 1, ...: mu_k = max(mu_1 d_mu^k, mu_floor), eps_k = max(eps_1 d_eps^k, eps_floor),
//   c(z) = grad_y f_mu(x, y)                                            (the n constraints of problem (3))
//   L(z, p) = Fmt.G(z) + beta sum_i p_i c_i(z)^2 - (tau/2) ||p||^2,  p in the simplex                          (4)
//   (z, p) <- SCG on min_z max_p L from the previous round's (z, p); then beta <- min(growth beta, beta_max).
// Algorithm 2 (SCG), step t:
//   z~ = z_t - gamma A_t^-1 m_t,                  z_{t+1} = z_t + eta_t (z~ - z_t)                     (7), (8)
//   p~ = P_simplex(p_t + sigma B_t^-1 m^p_t),     p_{t+1} = p_t + eta_t (p~ - p_t)                     (9)
//   sample i ~ p_{t+1}:  g(z; i) = grad Fmt.G(z) + 2 beta c_i(z) grad c_i(z)                                 (5)
//     grad c_i(z) = ((d2 f_mu / dx dy) e_i, (d2 f_mu / dy2) e_i): one Hessian-vector product with (0, e_i)
//   sample j uniformly:  g^p(z, p; j) = n e_j (beta c_j(z)^2 - tau p_j)                                   (6)
//   m_{t+1} = g(z_{t+1}; i) + (1 - a_{t+1,1}) (m_t - g(z_t; i)),  m^p likewise with a_{t+1,2}   (momentum-based VR)
//   v_{t+1} = a^ g(z_{t+1}; i)^2 + (1 - a^) v_t,  A_{t+1} = diag(sqrt(clip(v_{t+1}, rho, b))),  B from v^p likewise
//   eta_t = min(1, k / (m0 + t)^(1/3)),  a_{t+1,1} = min(1, c1 eta_t^2),  a_{t+1,2} = min(1, c2 eta_t^2)  (Theorem 1)
//   the round ends when the conditions (10) hold for the FULL gradients, checked every CheckInterval steps:
//     ||grad_x L||^2 <= eps_k^2, ||grad_y L||^2 <= eps_k^2, ||c||^2 <= eps_k^2, where
//     (grad_x L, grad_y L) = grad F + 2 beta ((d2 f_mu/dx dy)(p.c), (d2 f_mu/dy2)(p.c))   (one HVP with (0, p.c)).
// The paper's (6) reads d e_j (c_j^2 - lambda p_j); with L as in (4) the p-gradient is beta c^2 - tau p, used here.
// Choices made here (not in the paper); none changes what a round's end certifies, which is (10) with full gradients:
//  * Batches: i_1..i_B ~ p and j_1..j_B uniform, independently, in place of the single i and j (B = 1 is the paper's
//    estimator). The batch mean of 2 beta c_i grad c_i is 2 beta J' u with u_i = (count of i / B) c_i, ONE
//    Hessian-vector product whatever B is, so a batch only lowers the variance.
//  * The clip range is per coordinate and automatic unless set: rho_j = (gamma D_j)^2, b_j = ClipRange rho_j, where
//    D = diag(2 beta J' diag(p) J) + |diag(d2F)| is the diagonal of the Gauss-Newton curvature of L in z (row k of J is
//    one Hessian-vector product with (0, e_k)), re-estimated at every (re)start and every CurvatureInterval steps. So a
//    coordinate with a small second moment moves by at most eta_t / D_j times its estimate (a Jacobi-scaled gradient
//    step: the stiff coordinates of a smoothed |t|^p get small steps, the flat ones large); one with a large second
//    moment by about gamma eta_t. For p: rho^p = (sigma tau)^2 (tau is the curvature of L in p).
//  * Every coordinate's step is capped at gamma eta_t (a trust radius: the curvature of exp(lambda)-type terms changes by
//    orders of magnitude between two estimates).
//  * At fixed beta the stationary points of L have c = O(1/beta), so ||c|| <= eps_k may be out of reach: when the two
//    gradient conditions of (10) hold but ||c|| > eps_k, beta is raised within the round (by max(growth, 2||c||/eps_k),
//    at most to beta_max) and SCG restarts (t = 0, fresh estimates) from the current (z, p).
//  * x is projected onto the upper domain after each step (when the model declares one).
// Statuses: a round that has not met (10) after MaxInnerSteps ends the run with LowerLevelNotConverged when ||c|| >
// eps_k (the smoothed lower level is not solved), otherwise IterationLimit; Converged needs (10) in a round where mu and
// eps are at their floors. Non-finite kernel results end the run with Diverged at the last finite iterate.
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// SPNBO (the paper's method) for bilevel problems whose lower level is nonsmooth, possibly non-Lipschitz
/// (|t|^p with p &lt; 1, the l1 norm, OSCAR pair terms): the lower level is smoothed with a decreasing mu, replaced by its
/// stationarity condition c = grad_y f_mu = 0, and the constrained problem is solved as the minimax problem
/// min_(x,y) max_(p in simplex) F + beta sum p_i c_i^2 - (tau/2)||p||^2 by a stochastic method that samples one
/// constraint per step (one Hessian-vector product with a unit vector) with momentum-based variance reduction and
/// clipped adaptive steps.
/// </summary>
/// <remarks>
/// <para>
/// Needs the lower level's Hessian-vector products on the smoothed model, no lower domain and no lower-level
/// constraints (the stationarity condition is then the optimality condition); other models end with
/// <see cref="SolverStatus.AssumptionViolated"/>. Result values are those of the exact (unsmoothed) model.
/// </para>
/// <para>
/// <see cref="SmoothingRoundsSolver{TOptions, TRound, TResult}.SolveDetailed"/> also returns a record per round with the full-gradient quantities of the paper's stopping
/// conditions (10) and whether they held. Work arrays are allocated once per solve; the SCG loop does not allocate
/// (each round creates one smoothed view of the model).
/// </para>
/// </remarks>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed partial class SpnboSolver(SpnboOptions options)
    : SmoothingRoundsSolver<SpnboOptions, SpnboRound, SpnboResult>(options, "spnbo", "SPNBO")
{
    /// <summary>Creates a solver with the default <see cref="SpnboOptions"/>.</summary>
    public SpnboSolver()
        : this(new SpnboOptions())
    {
    }

    private protected override int IterationLimit => Options.MaxRounds;

    private protected override double InitialSmoothing => Options.Smoothing.Initial;

    private protected override IterativeMethod CreateRounds(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, List<SpnboRound> rounds) =>
        new Run(Options, model, x0, y0, rounds);

    private protected override SpnboResult CreateResult(BilevelResult result, IReadOnlyList<SpnboRound> rounds) => new() { Result = result, Rounds = rounds };

    /// <summary>How an SCG round ended.</summary>
    private enum RoundEnd
    {
        ConditionsMet,
        StepLimit,
        Cancelled,
        Diverged,
    }

    /// <summary>The state of one solve: work arrays allocated once, then reused by every round and step.</summary>
    private sealed partial class Run : IterativeMethod
    {
        private readonly SpnboOptions _o;
        private readonly IBilevelKernels _exact;
        private readonly List<SpnboRound> _rounds;
        private readonly bool _hasUpperDomain;
        private readonly int _m;
        private readonly int _n;

        // Iterate (x, y, p), the previous one (copied, not swapped), the trial point of the p step and x at the round's start.
        private readonly double[] _x;
        private readonly double[] _y;
        private readonly double[] _p;
        private readonly double[] _xPrevious;
        private readonly double[] _yPrevious;
        private readonly double[] _pPrevious;
        private readonly double[] _pTrial;
        private readonly double[] _xRoundStart;

        // Kernel results at the iterate and at the previous iterate (swapped each step).
        private double[] _c;
        private double[] _cPrevious;
        private double[] _upperX;
        private double[] _upperXPrevious;
        private double[] _upperY;
        private double[] _upperYPrevious;
        private readonly double[] _lowerX;
        private readonly double[] _rowX;
        private readonly double[] _rowY;
        private readonly double[] _rowXPrevious;
        private readonly double[] _rowYPrevious;
        private readonly double[] _zeroX;
        private readonly double[] _cumulative;
        private readonly double[] _counts;
        private readonly double[] _dualCounts;
        private readonly double[] _weightedPrevious;

        // Estimates: m and v over z = (x, y) (x first), m^p and v^p over p.
        private readonly double[] _mz;
        private readonly double[] _vz;
        private readonly double[] _mp;
        private readonly double[] _vp;

        // Full-gradient check of the conditions (10).
        private readonly double[] _weighted;
        private readonly double[] _hx;
        private readonly double[] _hy;

        // Per-coordinate clip ranges of z (from the Gauss-Newton diagonal of L) and the unit vectors of the estimate.
        private readonly double[] _rho;
        private readonly double[] _b;
        private readonly double[] _unitX;
        private readonly double[] _unitY;
        private readonly double[] _columnX;
        private readonly double[] _columnY;

        private readonly Random _random;
        private IBilevelKernels _model;
        private double _beta;
        private double _rhoP;
        private double _bP;
        private string _divergence = string.Empty;

        // Full-gradient quantities of the last check.
        private double _gradXNorm = double.NaN;
        private double _gradYNorm = double.NaN;
        private double _constraintNorm = double.NaN;

        public Run(SpnboOptions options, IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, List<SpnboRound> rounds)
        {
            _o = options;
            _exact = model;
            _model = model;
            _rounds = rounds;
            _hasUpperDomain = model.Info.HasUpperDomain;
            _m = x0.Length;
            _n = y0.Length;
            int m = _m;
            int n = _n;
            _x = x0.ToArray();
            _y = y0.ToArray();
            _p = new double[n];
            Array.Fill(_p, 1.0 / n);
            _xPrevious = new double[m];
            _yPrevious = new double[n];
            _pPrevious = new double[n];
            _pTrial = new double[n];
            _xRoundStart = new double[m];
            _c = new double[n];
            _cPrevious = new double[n];
            _upperX = new double[m];
            _upperXPrevious = new double[m];
            _upperY = new double[n];
            _upperYPrevious = new double[n];
            _lowerX = new double[m];
            _rowX = new double[m];
            _rowY = new double[n];
            _rowXPrevious = new double[m];
            _rowYPrevious = new double[n];
            _zeroX = new double[m];
            _cumulative = new double[n];
            _counts = new double[n];
            _dualCounts = new double[n];
            _weightedPrevious = new double[n];
            _mz = new double[m + n];
            _vz = new double[m + n];
            _mp = new double[n];
            _vp = new double[n];
            _weighted = new double[n];
            _hx = new double[m];
            _hy = new double[n];
            _rho = new double[m + n];
            _b = new double[m + n];
            _unitX = new double[m];
            _unitY = new double[n];
            _columnX = new double[m];
            _columnY = new double[n];
            _random = new Random(options.Seed);
            _beta = options.PenaltyInitial;
        }

        public override ReadOnlySpan<double> CurrentX => _x;

        public override ReadOnlySpan<double> CurrentY => _y;

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            SpnboOptions o = _o;
            double mu = o.Smoothing.ValueAt(k);
            double eps = o.Tolerance.ValueAt(k);
            _model = _exact.WithSmoothing(mu);
            _x.AsSpan().CopyTo(_xRoundStart);

            RoundEnd end = RunRound(eps, out int steps, cancellationToken);
            if (end == RoundEnd.Cancelled)
            {
                return Finish(SolverStatus.Cancelled, $"Cancelled in round {k + 1} after {steps} SCG steps; X and Y are the last iterate.", evaluate: true);
            }

            if (end == RoundEnd.Diverged)
            {
                return Finish(SolverStatus.Diverged, $"Diverged in round {k + 1} (mu = {Fmt.G(mu)}, beta = {Fmt.G(_beta)}) after {steps} SCG steps: {_divergence}. X and Y are the last finite iterate; do not use them as a solution.", evaluate: false);
            }

            bool met = end == RoundEnd.ConditionsMet;
            double upper = _exact.UpperValue(_x, _y);
            double lower = _exact.LowerValue(_x, _y);
            Complete(upper, lower, _gradXNorm, VectorMath.DistanceInf(_x, _xRoundStart), _constraintNorm, steps);
            _rounds.Add(new SpnboRound(k + 1, mu, eps, _beta, steps, _gradXNorm, _gradYNorm, _constraintNorm, met, upper, Log.Stopwatch.Elapsed));

            string norms = $"||grad_x L|| = {Fmt.G(_gradXNorm)}, ||grad_y L|| = {Fmt.G(_gradYNorm)}, ||c|| = ||grad_y f_mu|| = {Fmt.G(_constraintNorm)}";
            if (!met)
            {
                return _constraintNorm > eps
                    ? Finish(
                        SolverStatus.LowerLevelNotConverged,
                        $"Lower level not converged: round {k + 1} (mu = {Fmt.G(mu)}, eps = {Fmt.G(eps)}, beta = {Fmt.G(_beta)}) did not meet the conditions (10) in {o.MaxInnerSteps} SCG steps: {norms}. "
                        + "The smoothed lower level is not solved to eps; Y is not a lower-level solution. Raise MaxInnerSteps or PenaltyMax, or stop the smoothing schedule earlier.",
                        evaluate: true)
                    : Finish(
                        SolverStatus.IterationLimit,
                        $"Round {k + 1} (mu = {Fmt.G(mu)}, eps = {Fmt.G(eps)}, beta = {Fmt.G(_beta)}) reached its step limit ({o.MaxInnerSteps} SCG steps) before the conditions (10) held: {norms}. X and Y are the last iterate.",
                        evaluate: true);
            }

            if (o.Smoothing.IsSettled(k) && o.Tolerance.IsSettled(k))
            {
                return Finish(
                    SolverStatus.Converged,
                    $"Converged after {k + 1} rounds: the conditions (10) hold at mu = {Fmt.G(mu)}, eps = {Fmt.G(eps)} (beta = {Fmt.G(_beta)}): {norms}.",
                    evaluate: true);
            }

            _beta = Math.Min(_beta * o.PenaltyGrowth, o.PenaltyMax);

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            SpnboOptions o = _o;

            return Finish(
                SolverStatus.IterationLimit,
                $"Stopped after {o.MaxRounds} rounds before mu and eps reached their floors (mu = {Fmt.G(o.Smoothing.ValueAt(o.MaxRounds - 1))}, eps = {Fmt.G(o.Tolerance.ValueAt(o.MaxRounds - 1))}); every round met the conditions (10). X and Y are the last iterate.",
                evaluate: true);
        }
    }
}
