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
//   L(z, p) = F(z) + beta sum_i p_i c_i(z)^2 - (tau/2) ||p||^2,  p in the simplex                          (4)
//   (z, p) <- SCG on min_z max_p L from the previous round's (z, p); then beta <- min(growth beta, beta_max).
// Algorithm 2 (SCG), step t:
//   z~ = z_t - gamma A_t^-1 m_t,                  z_{t+1} = z_t + eta_t (z~ - z_t)                     (7), (8)
//   p~ = P_simplex(p_t + sigma B_t^-1 m^p_t),     p_{t+1} = p_t + eta_t (p~ - p_t)                     (9)
//   sample i ~ p_{t+1}:  g(z; i) = grad F(z) + 2 beta c_i(z) grad c_i(z)                                 (5)
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
using BilevelDsl.Solvers.Inner;

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
/// <see cref="SolveDetailed"/> also returns a record per round with the full-gradient quantities of the paper's stopping
/// conditions (10) and whether they held. Work arrays are allocated once per solve; the SCG loop does not allocate
/// (each round creates one smoothed view of the model).
/// </para>
/// </remarks>
public sealed class SpnboSolver : IBilevelSolver
{
    /// <inheritdoc/>
    public string Name => "spnbo";

    /// <summary>The method's name, as used in messages.</summary>
    public const string MethodName = "SPNBO";

    private readonly SpnboOptions _options;

    /// <summary>Creates a solver with the default <see cref="SpnboOptions"/>.</summary>
    public SpnboSolver()
        : this(new SpnboOptions())
    {
    }

    /// <summary>Creates a solver with the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
    public SpnboSolver(SpnboOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The options this solver runs with.</summary>
    public SpnboOptions Options => _options;

    /// <inheritdoc />
    public BilevelResult Solve(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        SolveDetailed(model, x0, y0, progress, cancellationToken).Result;

    /// <summary>
    /// As <see cref="Solve"/>, and also returns one <see cref="SpnboRound"/> per round: mu, eps, beta, the SCG steps, and
    /// whether the conditions (10) held at the round's end.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public SpnboResult SolveDetailed(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rounds = new List<SpnboRound>();
        BilevelResult result = SolverDriver.Solve(
            new DriverSettings(MethodName, _options.MaxRounds, _options.RecordHistory, _options.Certificate),
            model,
            x0,
            y0,
            progress,
            cancellationToken,
            () => ModelAssumptions.Check(model, MethodName, nameof(SpnboOptions), _options.Smoothing.Initial, needsSmoothUpper: false, allowsLowerDomain: false) is { } v ? "Assumption violated: " + v : null,
            (m, x, y) => new Run(_options, m, x, y, rounds));
        return new SpnboResult { Result = result, Rounds = rounds.AsReadOnly() };
    }

    private static string F(double value) => Fmt.G(value);

    /// <summary>How an SCG round ended.</summary>
    private enum RoundEnd
    {
        ConditionsMet,
        StepLimit,
        Cancelled,
        Diverged,
    }

    /// <summary>The state of one solve: work arrays allocated once, then reused by every round and step.</summary>
    private sealed class Run : IterativeMethod
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
                return Finish(SolverStatus.Diverged, $"Diverged in round {k + 1} (mu = {F(mu)}, beta = {F(_beta)}) after {steps} SCG steps: {_divergence}. X and Y are the last finite iterate; do not use them as a solution.", evaluate: false);
            }

            bool met = end == RoundEnd.ConditionsMet;
            double upper = _exact.UpperValue(_x, _y);
            double lower = _exact.LowerValue(_x, _y);
            Complete(upper, lower, _gradXNorm, VectorMath.DistanceInf(_x, _xRoundStart), _constraintNorm, steps);
            _rounds.Add(new SpnboRound(k + 1, mu, eps, _beta, steps, _gradXNorm, _gradYNorm, _constraintNorm, met, upper, Log.Stopwatch.Elapsed));

            string norms = $"||grad_x L|| = {F(_gradXNorm)}, ||grad_y L|| = {F(_gradYNorm)}, ||c|| = ||grad_y f_mu|| = {F(_constraintNorm)}";
            if (!met)
            {
                return _constraintNorm > eps
                    ? Finish(
                        SolverStatus.LowerLevelNotConverged,
                        $"Lower level not converged: round {k + 1} (mu = {F(mu)}, eps = {F(eps)}, beta = {F(_beta)}) did not meet the conditions (10) in {o.MaxInnerSteps} SCG steps: {norms}. "
                        + "The smoothed lower level is not solved to eps; Y is not a lower-level solution. Raise MaxInnerSteps or PenaltyMax, or stop the smoothing schedule earlier.",
                        evaluate: true)
                    : Finish(
                        SolverStatus.IterationLimit,
                        $"Round {k + 1} (mu = {F(mu)}, eps = {F(eps)}, beta = {F(_beta)}) reached its step limit ({o.MaxInnerSteps} SCG steps) before the conditions (10) held: {norms}. X and Y are the last iterate.",
                        evaluate: true);
            }

            if (o.Smoothing.IsSettled(k) && o.Tolerance.IsSettled(k))
            {
                return Finish(
                    SolverStatus.Converged,
                    $"Converged after {k + 1} rounds: the conditions (10) hold at mu = {F(mu)}, eps = {F(eps)} (beta = {F(_beta)}): {norms}.",
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
                $"Stopped after {o.MaxRounds} rounds before mu and eps reached their floors (mu = {F(o.Smoothing.ValueAt(o.MaxRounds - 1))}, eps = {F(o.Tolerance.ValueAt(o.MaxRounds - 1))}); every round met the conditions (10). X and Y are the last iterate.",
                evaluate: true);
        }

        /// <summary>Algorithm 2 from the current (x, y, p) until the conditions (10) hold with tolerance eps, or the step limit.</summary>
        private RoundEnd RunRound(double eps, out int steps, CancellationToken cancellationToken)
        {
            SpnboOptions o = _o;
            steps = 0;
            if (!Evaluate(_x, _y, _c, _upperX, _upperY))
            {
                return RoundEnd.Diverged;
            }

            double eps2 = eps * eps;
            while (true)
            {
                // (Re)start of Algorithm 2: clip ranges, fresh estimates, and the conditions (10) at the start point.
                if (!SetClipRange() || !StartEstimates() || !CheckConditions())
                {
                    return RoundEnd.Diverged;
                }

                int t = 0;
                int sinceScaling = 0;
                while (!Met(eps2))
                {
                    if (GradientsMet(eps2) && _beta < o.PenaltyMax)
                    {
                        // Only ||c|| fails: c = O(1/beta) at the stationary points of L, so raise beta and restart.
                        double factor = Math.Max(o.PenaltyGrowth, 2.0 * _constraintNorm / eps);
                        _beta = Math.Min(_beta * factor, o.PenaltyMax);
                        break;
                    }

                    if (steps >= o.MaxInnerSteps)
                    {
                        return RoundEnd.StepLimit;
                    }

                    for (int s = 0; s < o.CheckInterval && steps < o.MaxInnerSteps; s++)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            return RoundEnd.Cancelled;
                        }

                        if (!Step(t))
                        {
                            return RoundEnd.Diverged;
                        }

                        t++;
                        steps++;
                        sinceScaling++;
                    }

                    if (o.CurvatureInterval > 0 && sinceScaling >= o.CurvatureInterval)
                    {
                        sinceScaling = 0;
                        if (!SetClipRange())
                        {
                            return RoundEnd.Diverged;
                        }
                    }

                    if (!CheckConditions())
                    {
                        return RoundEnd.Diverged;
                    }
                }

                if (Met(eps2))
                {
                    return RoundEnd.ConditionsMet;
                }
            }
        }

        private bool Met(double eps2) => GradientsMet(eps2) && (_constraintNorm * _constraintNorm) <= eps2;

        private bool GradientsMet(double eps2) => (_gradXNorm * _gradXNorm) <= eps2 && (_gradYNorm * _gradYNorm) <= eps2;

        /// <summary>One SCG step from (z_t, p_t) with estimates m_t, v_t to (z_{t+1}, p_{t+1}) with m_{t+1}, v_{t+1}.</summary>
        private bool Step(int t)
        {
            SpnboOptions o = _o;
            int m = _m;
            int n = _n;
            double eta = Math.Min(1.0, o.EtaScale / Math.Cbrt(o.EtaOffset + t));
            double a1 = Math.Min(1.0, o.MomentumConstant * eta * eta);
            double a2 = Math.Min(1.0, o.DualMomentumConstant * eta * eta);
            double keep1 = 1.0 - a1;
            double keep2 = 1.0 - a2;
            double aHat = o.SecondMomentWeight;

            _x.AsSpan().CopyTo(_xPrevious);
            _y.AsSpan().CopyTo(_yPrevious);
            _p.AsSpan().CopyTo(_pPrevious);
            VectorMath.Swap(ref _c, ref _cPrevious);
            VectorMath.Swap(ref _upperX, ref _upperXPrevious);
            VectorMath.Swap(ref _upperY, ref _upperYPrevious);

            // (7), (8): z_{t+1} = z_t - eta gamma A^-1 m.
            double zStep = eta * o.StepSize;
            for (int i = 0; i < m; i++)
            {
                _x[i] -= Math.Clamp(zStep * _mz[i] / Math.Sqrt(Math.Clamp(_vz[i], _rho[i], _b[i])), -zStep, zStep);
            }

            for (int i = 0; i < n; i++)
            {
                _y[i] -= Math.Clamp(zStep * _mz[m + i] / Math.Sqrt(Math.Clamp(_vz[m + i], _rho[m + i], _b[m + i])), -zStep, zStep);
            }

            if (_hasUpperDomain)
            {
                _model.ProjectUpper(_x);
            }

            // (9): p_{t+1} = p_t + eta (P_simplex(p_t + sigma B^-1 m^p) - p_t).
            for (int i = 0; i < n; i++)
            {
                _pTrial[i] = _p[i] + (o.DualStepSize * _mp[i] / Math.Sqrt(Math.Clamp(_vp[i], _rhoP, _bP)));
            }

            if (!VectorMath.AllFinite(_x) || !VectorMath.AllFinite(_y) || !VectorMath.AllFinite(_pTrial))
            {
                Restore();
                _divergence = "the SCG step made the iterate non-finite";
                return false;
            }

            Projections.Simplex(_pTrial);
            for (int i = 0; i < n; i++)
            {
                _p[i] += eta * (_pTrial[i] - _p[i]);
            }

            // (5) at z_{t+1} and z_t with the same samples i_1..i_B ~ p_{t+1}: the batch mean of 2 beta c_i grad c_i is
            // 2 beta J' u with u_i = (count of i / B) c_i, one Hessian-vector product with (0, u) at each point.
            SampleConstraints();
            double lower = _model.LowerGradient(_x, _y, _lowerX, _c);
            double upper = _model.UpperGradient(_x, _y, _upperX, _upperY);
            for (int i = 0; i < n; i++)
            {
                _weighted[i] = _counts[i] * _c[i];
                _weightedPrevious[i] = _counts[i] * _cPrevious[i];
            }

            _model.LowerHessianVector(_x, _y, _zeroX, _weighted, _rowX, _rowY);
            _model.LowerHessianVector(_xPrevious, _yPrevious, _zeroX, _weightedPrevious, _rowXPrevious, _rowYPrevious);
            if (!double.IsFinite(upper) || !double.IsFinite(lower) || !VectorMath.AllFinite(_c) || !VectorMath.AllFinite(_upperX) || !VectorMath.AllFinite(_upperY)
                || !VectorMath.AllFinite(_rowX) || !VectorMath.AllFinite(_rowY) || !VectorMath.AllFinite(_rowXPrevious) || !VectorMath.AllFinite(_rowYPrevious))
            {
                Restore();
                _divergence = $"F, f_mu, their gradients or a Jacobian-vector product of c = grad_y f_mu is not finite at the new iterate (F = {F(upper)}, f_mu = {F(lower)})";
                return false;
            }

            double twoBeta = 2.0 * _beta;
            for (int i = 0; i < m; i++)
            {
                double gNew = _upperX[i] + (twoBeta * _rowX[i]);
                double gOld = _upperXPrevious[i] + (twoBeta * _rowXPrevious[i]);
                _mz[i] = gNew + (keep1 * (_mz[i] - gOld));
                _vz[i] = (aHat * gNew * gNew) + ((1.0 - aHat) * _vz[i]);
            }

            for (int i = 0; i < n; i++)
            {
                double gNew = _upperY[i] + (twoBeta * _rowY[i]);
                double gOld = _upperYPrevious[i] + (twoBeta * _rowYPrevious[i]);
                _mz[m + i] = gNew + (keep1 * (_mz[m + i] - gOld));
                _vz[m + i] = (aHat * gNew * gNew) + ((1.0 - aHat) * _vz[m + i]);
            }

            // (6) with j_1..j_B uniform, at (z_{t+1}, p_{t+1}) and (z_t, p_t): g^p = n sum_b e_(j_b) (beta c_j^2 - tau p_j) / B.
            SampleUniform();
            for (int i = 0; i < n; i++)
            {
                double share = n * _dualCounts[i];
                double gpNew = share * ((_beta * _c[i] * _c[i]) - (o.Tau * _p[i]));
                double gpOld = share * ((_beta * _cPrevious[i] * _cPrevious[i]) - (o.Tau * _pPrevious[i]));
                _mp[i] = gpNew + (keep2 * (_mp[i] - gpOld));
                _vp[i] = (aHat * gpNew * gpNew) + ((1.0 - aHat) * _vp[i]);
            }

            return true;
        }

        /// <summary>Back to the previous iterate (after a non-finite step).</summary>
        private void Restore()
        {
            _xPrevious.AsSpan().CopyTo(_x);
            _yPrevious.AsSpan().CopyTo(_y);
            _pPrevious.AsSpan().CopyTo(_p);
            VectorMath.Swap(ref _c, ref _cPrevious);
            VectorMath.Swap(ref _upperX, ref _upperXPrevious);
            VectorMath.Swap(ref _upperY, ref _upperYPrevious);
        }

        /// <summary>_counts_i = (number of draws of i) / B for B independent draws i ~ p (binary search in the cumulative sums).</summary>
        private void SampleConstraints()
        {
            int n = _n;
            double total = 0.0;
            for (int i = 0; i < n; i++)
            {
                total += _p[i];
                _cumulative[i] = total;
                _counts[i] = 0.0;
            }

            int batch = _o.BatchSize;
            double share = 1.0 / batch;
            for (int b = 0; b < batch; b++)
            {
                double u = _random.NextDouble() * total;
                int lo = 0;
                int hi = n - 1;
                while (lo < hi)
                {
                    int mid = (lo + hi) >> 1;
                    if (_cumulative[mid] > u)
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid + 1;
                    }
                }

                while (lo > 0 && _p[lo] <= 0.0)
                {
                    lo--; // u at the very top of the range: the last index with mass
                }

                _counts[lo] += share;
            }
        }

        /// <summary>_dualCounts_j = (number of draws of j) / B for B independent uniform draws.</summary>
        private void SampleUniform()
        {
            Array.Clear(_dualCounts);
            int batch = _o.BatchSize;
            double share = 1.0 / batch;
            for (int b = 0; b < batch; b++)
            {
                _dualCounts[_random.Next(_n)] += share;
            }
        }

        /// <summary>c = grad_y f_mu and grad F at (x, y); false (with the reason set) if anything is not finite.</summary>
        private bool Evaluate(double[] x, double[] y, double[] c, double[] upperX, double[] upperY)
        {
            double lower = _model.LowerGradient(x, y, _lowerX, c);
            double upper = _model.UpperGradient(x, y, upperX, upperY);
            if (double.IsFinite(lower) && double.IsFinite(upper) && VectorMath.AllFinite(c) && VectorMath.AllFinite(upperX) && VectorMath.AllFinite(upperY))
            {
                return true;
            }

            _divergence = $"F, f_mu or their gradients are not finite at the iterate (F = {F(upper)}, f_mu = {F(lower)})";
            return false;
        }

        /// <summary>m_0 = g(z_0) with a batch i ~ p_0 and v_0 = m_0^2; m^p_0 = g^p(z_0, p_0) with a uniform batch, v^p_0 = (m^p_0)^2.</summary>
        private bool StartEstimates()
        {
            int m = _m;
            int n = _n;
            SampleConstraints();
            for (int i = 0; i < n; i++)
            {
                _weighted[i] = _counts[i] * _c[i];
            }

            _model.LowerHessianVector(_x, _y, _zeroX, _weighted, _rowX, _rowY);
            if (!VectorMath.AllFinite(_rowX) || !VectorMath.AllFinite(_rowY))
            {
                _divergence = "a Jacobian-vector product of c = grad_y f_mu is not finite";
                return false;
            }

            double twoBeta = 2.0 * _beta;
            for (int i = 0; i < m; i++)
            {
                _mz[i] = _upperX[i] + (twoBeta * _rowX[i]);
                _vz[i] = _mz[i] * _mz[i];
            }

            for (int i = 0; i < n; i++)
            {
                _mz[m + i] = _upperY[i] + (twoBeta * _rowY[i]);
                _vz[m + i] = _mz[m + i] * _mz[m + i];
            }

            SampleUniform();
            for (int i = 0; i < n; i++)
            {
                _mp[i] = n * _dualCounts[i] * ((_beta * _c[i] * _c[i]) - (_o.Tau * _p[i]));
                _vp[i] = _mp[i] * _mp[i];
            }

            return true;
        }

        /// <summary>
        /// [rho_j, b_j] for each coordinate j of z, and [rho, b] for p: the options' values, or the automatic ranges
        /// rho_j = (gamma D_j)^2, b_j = ClipRange rho_j, with D_j the diagonal of the Gauss-Newton curvature
        /// of L in z, D = diag(2 beta J' diag(p) J) + |diag(d2F)|. Row k of J = dc/dz is the lower Hessian times (0, e_k),
        /// so the estimate costs n lower and m + n upper Hessian-vector products.
        /// </summary>
        private bool SetClipRange()
        {
            SpnboOptions o = _o;
            int m = _m;
            int n = _n;
            if (o.ClipLower is double rho && o.ClipUpper is double b)
            {
                Array.Fill(_rho, rho);
                Array.Fill(_b, b);
                _rhoP = rho;
                _bP = b;
                return true;
            }

            Array.Clear(_rho);
            double twoBeta = 2.0 * _beta;
            for (int k = 0; k < n; k++)
            {
                if (_p[k] <= 0.0)
                {
                    continue;
                }

                _unitY[k] = 1.0;
                _model.LowerHessianVector(_x, _y, _unitX, _unitY, _columnX, _columnY); // row k of J
                _unitY[k] = 0.0;
                double weight = twoBeta * _p[k];
                for (int j = 0; j < m; j++)
                {
                    _rho[j] += weight * _columnX[j] * _columnX[j];
                }

                for (int j = 0; j < n; j++)
                {
                    _rho[m + j] += weight * _columnY[j] * _columnY[j];
                }
            }

            for (int j = 0; j < m + n; j++)
            {
                if (j < m)
                {
                    _unitX[j] = 1.0;
                }
                else
                {
                    _unitY[j - m] = 1.0;
                }

                _model.UpperHessianVector(_x, _y, _unitX, _unitY, _columnX, _columnY);
                _rho[j] += Math.Abs(j < m ? _columnX[j] : _columnY[j - m]);
                if (j < m)
                {
                    _unitX[j] = 0.0;
                }
                else
                {
                    _unitY[j - m] = 0.0;
                }
            }

            if (!VectorMath.AllFinite(_rho))
            {
                _divergence = "the curvature estimate (Hessian-vector products of F and f_mu) is not finite";
                return false;
            }

            double largest = VectorMath.NormInf(_rho);
            double floor = largest > 0.0 ? largest * 1e-12 : 1.0; // a coordinate L does not curve along still gets a finite range
            for (int j = 0; j < m + n; j++)
            {
                double scale = o.StepSize * Math.Max(_rho[j], floor);
                _rho[j] = scale * scale;
                _b[j] = _rho[j] * o.ClipRange;
            }

            double dual = o.DualStepSize * o.Tau;
            _rhoP = dual * dual;
            _bP = _rhoP * o.ClipRange;
            return true;
        }

        /// <summary>The full gradients of L and ||c|| at (z, p) (one HVP with (0, p.c)); false if not finite.</summary>
        private bool CheckConditions()
        {
            for (int i = 0; i < _n; i++)
            {
                _weighted[i] = _p[i] * _c[i];
            }

            _model.LowerHessianVector(_x, _y, _zeroX, _weighted, _hx, _hy);
            double twoBeta = 2.0 * _beta;
            double sx = 0.0;
            for (int i = 0; i < _m; i++)
            {
                double g = _upperX[i] + (twoBeta * _hx[i]);
                sx += g * g;
            }

            double sy = 0.0;
            for (int i = 0; i < _n; i++)
            {
                double g = _upperY[i] + (twoBeta * _hy[i]);
                sy += g * g;
            }

            _gradXNorm = Math.Sqrt(sx);
            _gradYNorm = Math.Sqrt(sy);
            _constraintNorm = VectorMath.Norm2(_c);
            if (double.IsFinite(_gradXNorm) && double.IsFinite(_gradYNorm) && double.IsFinite(_constraintNorm))
            {
                return true;
            }

            _divergence = "the full gradient of L is not finite";
            return false;
        }
    }
}
