// CCCP-BO: the convex-concave procedure for bilevel optimisation with a convex lower level.
// H. Shen, S. Paternain, G. Liu, R. Kompella, T. Chen, "A method for bilevel optimization with convex lower-level
// problem", IEEE ICASSP 2024; Algorithm 1, Eqs. (10), (11), (15).
//
// Notation (the paper's): upper objective F (the paper's f; IBilevelKernels.UpperValue), lower objective g
// (IBilevelKernels.LowerValue), lower constraints u_j (LowerConstraintValue), z = (x, y), C the upper domain
// (ProjectUpper), Y the lower domain (ProjectLower). The lower level is assumed convex in (x, y) jointly: g and every u_j.
//   v(x)  = min_y { g(x, y) : u(x, y) <= 0, y in Y }                       (convex, Prop. 2.1)
//   (3)   y_x, gamma_x: a solution of that problem and its KKT multipliers (augmented Lagrangian, Numerics/AugmentedLagrangian.cs)
//         xi = grad_x g(x, y_x) + sum_j gamma_j grad_x u_j(x, y_x)  is a subgradient of v at x   (Prop. 2.1)
// Algorithm 1: x_1 = P_C(x0); y_1 = y0 if g(x_1, y0) - v(x_1) <= eps and u(x_1, y0) <= 0, else y_{x_1}. For k = 1, 2, ...:
//   (10)  D_k = { z : x in C, y in Y, u(z) <= 0, g(z) - v(x_k) - <xi_k, x - x_k> <= eps }
//   (11)  z_{k+1} = Proj_{D_k}( z_k - grad F(z_k) / rho )        (the projection form of sub-problem (9), Lemma 4.2)
//   (15)  g_k = rho (z_k - z_{k+1})                               (projected gradient; stop when ||g_k|| <= Tolerance)
// Theorem 4.3: for rho >= L (grad F L-Lipschitz), min_{k <= K} ||g_k||^2 <= 2 rho (F(z_1) - inf F) / K, and every iterate
// keeps the lower-level gap g(z_k) - v(x_k) <= eps (Lemma 4.1).
// Safeguards added here (not in the paper); only the first moves the answer, by the order of the inner tolerances:
//  * In D_k, eps is replaced by eps less Projection.FeasibilityTolerance and less the lower-level tolerances times
//    (1 + ||grad F(z_k)|| / rho) (never below eps / 2), so neither the projection's accepted constraint violation nor the
//    errors of v(x_k) and xi_k from the inexact lower-level solve take the gap of the next iterate above eps.
//  * Adaptive rho (optional, default on): rho starts at max(Rho, the curvature of F along grad F at z_1) and doubles (the
//    projection is redone) when the step fails the descent inequality F(z_{k+1}) <= F(z_k) + <grad F(z_k), d> + rho/2 ||d||^2
//    (d = z_{k+1} - z_k) that the proof uses in place of rho >= L; within rounding the same test is made with gradients,
//    <grad F(z_{k+1}) - grad F(z_k), d> <= rho ||d||^2. rho never decreases, so Theorem 4.3 holds with the final rho.
//  * Convexity probe: the joint Hessians of g and every u_j are probed (Hessian-vector products) along each step d and
//    each move of the lower-level solution (and once, at the start, along a fixed generic direction);
//    d'Hd / ||d||^2 < -tol * sigma, sigma the largest ||Hd|| / ||d|| seen for that function, ends the run with
//    AssumptionViolated.
//  * The lower-level gap at the returned iterate is re-measured with a fresh lower-level solve; a gap above eps (beyond
//    the solvers' tolerances) is reported as LowerLevelNotConverged, never as a solution.
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// The CCCP-BO solver (Shen et al.): projected gradient steps on the upper objective onto convex inner approximations
/// D_k of the lower level's epsilon-optimal set, built from the value function v(x) and a subgradient of it, for bilevel
/// problems whose lower level min_y g(x, y) s.t. u_j(x, y) &lt;= 0 is convex in (x, y) but need not be strongly convex
/// (or have a unique solution).
/// </summary>
/// <remarks>
/// Needs values and gradients of both levels and of the lower-level constraints (and lower-level Hessian-vector products
/// for the convexity probe only). A model with a nonsmooth level is refused unless <see cref="CccpOptions.Smoothing"/>
/// is set. Convexity of the lower level cannot be verified in general; it is probed along the directions the method
/// visits. The smoothness of [LowerConstraint] methods is not part of <see cref="ModelInfo"/> and is not checked.
/// Work arrays are allocated once per <see cref="Solve"/>; the iteration loop does not allocate.
/// </remarks>
public sealed class CccpSolver : DrivenSolver<CccpOptions>
{
    /// <inheritdoc/>
    public override string Name => "cccp";

    private const int MaxRhoDoublingsPerStep = 60;
    private const double RoundingAllowance = 64.0 * 1.1102230246251565e-16;

    /// <summary>Creates a solver with the default <see cref="CccpOptions"/>.</summary>
    public CccpSolver()
        : this(new CccpOptions())
    {
    }

    /// <summary>Creates a solver with the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
    public CccpSolver(CccpOptions options)
        : base(options, o => o.Validate())
    {
    }

    private protected override DriverSettings Settings => new DriverSettings("CCCP-BO", Options.MaxIterations, Options.RecordHistory, Options.Certificate);

    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension) => CheckAssumptions(model, Options.Smoothing);

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(Options.Smoothing > 0.0 ? model.WithSmoothing(Options.Smoothing) : model, Options, x0, y0);

    /// <summary>Null if the model suits CCCP-BO (as far as <see cref="IBilevelKernels.Info"/> tells), otherwise the reason.</summary>
    private static string? CheckAssumptions(IBilevelKernels model, double smoothing)
    {
        if (smoothing > 0.0)
        {
            return null;
        }

        ModelInfo info = model.Info;
        if (!info.Lower.IsSmooth)
        {
            return "CCCP-BO needs a differentiable lower level (it solves the lower-level problem and the projection onto D_k "
                + $"with gradients of g), but {info.Lower.Describe()}. Set CccpOptions.Smoothing = mu > 0 (the solver then runs on "
                + "model.WithSmoothing(mu), a smooth convex approximation when the nonsmooth terms are convex), or pass "
                + "model.WithSmoothing(mu) yourself; or use a method for nonsmooth lower levels.";
        }

        if (!info.Upper.IsSmooth)
        {
            return "CCCP-BO needs an upper level with a Lipschitz-continuous gradient (Assumption 2 of the method), but "
                + $"{info.Upper.Describe()}. Set CccpOptions.Smoothing = mu > 0 (the solver then runs on model.WithSmoothing(mu)), "
                + "or pass model.WithSmoothing(mu) yourself.";
        }

        return null;
    }

    /// <summary>The lower-level problem min_y g(x, y) s.t. u_j(x, y) &lt;= 0, y in Y at a fixed x (read from <see cref="X"/>).</summary>
    private sealed class CccpLowerProblem : ISmoothConvexFunction, IConvexConstraints
    {
        private readonly IBilevelKernels _model;
        private readonly double[] _gradX;

        public CccpLowerProblem(IBilevelKernels model, int m, int n, int constraintCount, bool hasLowerDomain)
        {
            _model = model;
            _gradX = new double[m];
            X = new double[m];
            Dimension = n;
            Count = constraintCount;
            HasSimpleSet = hasLowerDomain;
        }

        /// <summary>The fixed upper variable (filled in by the caller before each solve).</summary>
        public double[] X { get; }

        public int Dimension { get; }

        public int Count { get; }

        public bool HasSimpleSet { get; }

        public double ValueAndGradient(ReadOnlySpan<double> y, Span<double> gradient) => _model.LowerGradient(X, y, _gradX, gradient);

        public double ValueAndGradient(int i, ReadOnlySpan<double> y, Span<double> gradient) => _model.LowerConstraintGradient(i, X, y, _gradX, gradient);

        public void ProjectOntoSimpleSet(Span<double> z) => _model.ProjectLower(z);
    }

    /// <summary>
    /// D_k over z = (x, y): constraints u_j(x, y) &lt;= 0 (j &lt; J) and g(x, y) - v_k - &lt;xi_k, x - x_k&gt; - bound &lt;= 0
    /// (index J), simple set C x Y.
    /// </summary>
    private sealed class CccpFeasibleSet : IConvexConstraints
    {
        private readonly IBilevelKernels _model;
        private readonly int _m;
        private readonly int _constraintCount;
        private readonly bool _hasUpperDomain;
        private readonly bool _hasLowerDomain;

        public CccpFeasibleSet(IBilevelKernels model, int m, int n, int constraintCount, bool hasUpperDomain, bool hasLowerDomain)
        {
            _model = model;
            _m = m;
            _constraintCount = constraintCount;
            _hasUpperDomain = hasUpperDomain;
            _hasLowerDomain = hasLowerDomain;
            Xk = new double[m];
            Xi = new double[m];
            Dimension = m + n;
        }

        /// <summary>x_k, the point the value function is linearised at.</summary>
        public double[] Xk { get; }

        /// <summary>xi_k, the subgradient of v at x_k.</summary>
        public double[] Xi { get; }

        /// <summary>v(x_k).</summary>
        public double ValueAtXk { get; set; }

        /// <summary>The right-hand side of the value-function constraint (epsilon minus the projection's feasibility tolerance).</summary>
        public double Bound { get; set; }

        public int Dimension { get; }

        public int Count => _constraintCount + 1;

        public bool HasSimpleSet => _hasUpperDomain || _hasLowerDomain;

        public double ValueAndGradient(int i, ReadOnlySpan<double> z, Span<double> gradient)
        {
            int m = _m;
            ReadOnlySpan<double> x = z[..m];
            ReadOnlySpan<double> y = z[m..];
            if (i < _constraintCount)
            {
                return _model.LowerConstraintGradient(i, x, y, gradient[..m], gradient[m..]);
            }

            double g = _model.LowerGradient(x, y, gradient[..m], gradient[m..]);
            double linear = 0.0;
            for (int l = 0; l < m; l++)
            {
                linear += Xi[l] * (x[l] - Xk[l]);
                gradient[l] -= Xi[l];
            }

            return g - ValueAtXk - linear - Bound;
        }

        public void ProjectOntoSimpleSet(Span<double> z)
        {
            if (_hasUpperDomain)
            {
                _model.ProjectUpper(z[.._m]);
            }

            if (_hasLowerDomain)
            {
                _model.ProjectLower(z[_m..]);
            }
        }
    }

    /// <summary>The state of one solve: work arrays allocated once, then reused by every iteration.</summary>
    private sealed class Run : IterativeMethod
    {
        private readonly IBilevelKernels _model;
        private readonly CccpOptions _o;
        private double _upper;
        private CancellationToken _token;
        private double _directionNorm = double.NaN;
        private readonly int _m;
        private readonly int _n;
        private readonly int _constraints;
        private readonly double _bound;

        // Iterate z = (x, y), the next iterate, the point projected, and the gradients of F at both iterates.
        private double[] _z;
        private double[] _zNext;
        private readonly double[] _c;
        private double[] _gradF;
        private double[] _gradFNext;
        private readonly double[] _d;

        // Lower-level solve: solution estimate y_x (warm-started), its multipliers, the previous solution for the probe.
        private readonly double[] _yLower;
        private readonly double[] _yLowerPrevious;
        private readonly double[] _gamma;
        private readonly double[] _gy;
        private readonly double[] _ux;
        private readonly double[] _uy;
        private double _v;

        // Projection: multipliers (warm-started) and a saved copy for redoing a step with a larger rho.
        private readonly double[] _lambda;
        private readonly double[] _lambdaSaved;

        // Convexity probe scratch.
        private readonly double[] _hx;
        private readonly double[] _hy;
        private readonly double[] _curvatureScale;

        private readonly CccpLowerProblem _lowerProblem;
        private readonly CccpFeasibleSet _feasibleSet;
        private readonly AugmentedLagrangianSolver _lowerSolver;
        private readonly AugmentedLagrangianSolver _projector;
        private double _rho;
        private int _lowerSteps;

        public Run(IBilevelKernels model, CccpOptions options, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0)
        {
            _model = model;
            _o = options;
            _m = x0.Length;
            _n = y0.Length;
            _constraints = model.LowerConstraintCount;
            _bound = options.Epsilon - options.Projection.FeasibilityTolerance;
            int dimension = _m + _n;

            _z = new double[dimension];
            x0.CopyTo(_z);
            y0.CopyTo(_z.AsSpan(_m));
            _zNext = new double[dimension];
            _c = new double[dimension];
            _gradF = new double[dimension];
            _gradFNext = new double[dimension];
            _d = new double[dimension];

            _yLower = y0.ToArray();
            _yLowerPrevious = new double[_n];
            _gamma = new double[_constraints];
            _gy = new double[_n];
            _ux = new double[_m];
            _uy = new double[_n];

            _lambda = new double[_constraints + 1];
            _lambdaSaved = new double[_constraints + 1];
            _hx = new double[_m];
            _hy = new double[_n];
            _curvatureScale = new double[_constraints + 1];

            ModelInfo info = model.Info;
            _lowerProblem = new CccpLowerProblem(model, _m, _n, _constraints, info.HasLowerDomain);
            _feasibleSet = new CccpFeasibleSet(model, _m, _n, _constraints, info.HasUpperDomain, info.HasLowerDomain);
            _lowerSolver = new AugmentedLagrangianSolver(_n, _constraints, options.LowerLevel);
            _projector = new AugmentedLagrangianSolver(dimension, _constraints + 1, options.Projection);
            _rho = options.Rho;
        }

        public override ReadOnlySpan<double> CurrentX => _z.AsSpan(0, _m);

        public override ReadOnlySpan<double> CurrentY => _z.AsSpan(_m);

        public override double UpperStationarity => _directionNorm;

        /// <summary>CCCP-BO solves the epsilon-relaxed problem g(x, y) - v(x) &lt;= epsilon (Eq. 5 of the paper) by design.</summary>
        public override double LowerGapAllowance => _o.Epsilon + _o.LowerLevel.FeasibilityTolerance;

        private Span<double> X => _z.AsSpan(0, _m);

        private Span<double> Y => _z.AsSpan(_m);

        public override StepOutcome Step(int step, CancellationToken cancellationToken)
        {
            CccpOptions o = _o;
            int k = step + 1;
            _token = cancellationToken;
            if (step == 0)
            {
                // Algorithm 1, line 1: x_1 in C, y_1 in U(x_1) with g(x_1, y_1) - v(x_1) <= eps.
                _model.ProjectUpper(X);
                _model.ProjectLower(Y);
                _model.ProjectLower(_yLower);
                if (SolveLowerLevel(0, out string startFailure) is SolverStatus initialStatus)
                {
                    return Finish(initialStatus, startFailure, evaluate: true);
                }

                if (!StartIsFeasible())
                {
                    _yLower.AsSpan().CopyTo(Y);
                }

                _upper = UpperGradient(_z, _gradF);
                if (!double.IsFinite(_upper) || !VectorMath.AllFinite(_gradF))
                {
                    return Finish(SolverStatus.Diverged, $"Diverged at the start: F or its gradient is not finite at (x_1, y_1) (F = {InputValidation.Describe(_upper)}).", evaluate: false);
                }

                if (o.AdaptiveRho)
                {
                    EstimateRho();
                }

                // Seed every lower-level function's curvature scale with a probe along a fixed generic direction at z_1
                // (golden-angle cosines: no structure, so almost surely not in the null space of a Hessian).
                for (int i = 0; i < _d.Length; i++)
                {
                    _d[i] = Math.Cos(1.0 + (2.399963229728653 * i));
                }

                string? startCurvature = ProbeCurvature(X, Y, _d.AsSpan(0, _m), _d.AsSpan(_m), "along a fixed generic direction at the start z_1");
                if (startCurvature is not null)
                {
                    return Finish(SolverStatus.AssumptionViolated, startCurvature, evaluate: true);
                }
            }

            double upper = _upper;
            double lower = _model.LowerValue(X, Y);

            // D_k (Eq. 10) from v(x_k) and xi_k of the last lower-level solve (done at x_k).
            X.CopyTo(_feasibleSet.Xk);
            _feasibleSet.ValueAtXk = _v;
            _lambda.AsSpan().CopyTo(_lambdaSaved);
            double gradientNorm = VectorMath.Norm2(_gradF);

            double upperNext = double.NaN;
            ConstrainedSolveResult projection = default;
            for (int attempt = 0; ; attempt++)
            {
                // Eq. (11): z_{k+1} = Proj_{D_k}(z_k - grad F(z_k) / rho), started at P_{C x Y}(c).
                _feasibleSet.Bound = Bound(gradientNorm);
                VectorMath.AddScaled(_z, -1.0 / _rho, _gradF, _c);
                _c.AsSpan().CopyTo(_zNext);
                _lambdaSaved.AsSpan().CopyTo(_lambda);
                projection = _projector.Project(_c, _feasibleSet, _zNext, _lambda, cancellationToken);
                switch (projection.Status)
                {
                    case ConstrainedSolveStatus.Cancelled:
                        return Finish(SolverStatus.Cancelled, $"Cancelled in outer iteration {k} (during the projection onto D_k); X and Y are the last iterate.", evaluate: true);
                    case ConstrainedSolveStatus.NonFinite:
                        return Finish(SolverStatus.Diverged, $"Diverged in outer iteration {k}: g, a lower-level constraint or a gradient is not finite at the point projected onto D_k (rho = {Fmt.G(_rho)}); X and Y are the last finite iterate.", evaluate: true);
                    case ConstrainedSolveStatus.Infeasible:
                        return Finish(
                            SolverStatus.AssumptionViolated,
                            $"The projection onto D_k in outer iteration {k} found no point of D_k (infeasibility measure {Fmt.G(projection.Complementarity)} at the penalty limit), although D_k contains (x_k, y_x) and is convex when g and every u_j are convex in (x, y): "
                            + "the lower level is probably not convex. CCCP-BO needs a jointly convex lower level; use a method that does not (BVFIM). X and Y are the last iterate.",
                            evaluate: true);
                    case ConstrainedSolveStatus.IterationLimit:
                        return Finish(
                            SolverStatus.IterationLimit,
                            $"The projection onto D_k in outer iteration {k} stopped at its iteration limit with KKT residuals {Fmt.G(projection.Stationarity)} (stationarity) and {Fmt.G(projection.Complementarity)} (feasibility/complementarity) above the tolerances "
                            + $"({Fmt.G(o.Projection.StationarityTolerance)}, {Fmt.G(o.Projection.FeasibilityTolerance)}); raise Projection.MaxOuterIterations / MaxSubproblemSteps or loosen the tolerances. X and Y are the last accepted iterate (lower-level gap {Fmt.G(Gap())} <= epsilon).",
                            evaluate: true);
                }

                upperNext = UpperGradient(_zNext, _gradFNext);
                bool finite = double.IsFinite(upperNext) && VectorMath.AllFinite(_gradFNext);
                if (!o.AdaptiveRho)
                {
                    if (!finite)
                    {
                        return Finish(SolverStatus.Diverged, $"Diverged in outer iteration {k}: F or its gradient is not finite at the next iterate (F = {InputValidation.Describe(upperNext)}, rho = {Fmt.G(_rho)}); X and Y are the last finite iterate.", evaluate: true);
                    }

                    break;
                }

                if (finite && DescentHolds(upper, upperNext))
                {
                    break;
                }

                if (_rho >= o.MaxRho || attempt >= MaxRhoDoublingsPerStep)
                {
                    return Finish(
                        SolverStatus.AssumptionViolated,
                        $"In outer iteration {k} the step failed the descent inequality F(z+) <= F(z) + <grad F(z), z+ - z> + rho/2 ||z+ - z||^2 for every rho up to {Fmt.G(_rho)}: "
                        + "the upper level's gradient is not Lipschitz-continuous along the step (CCCP-BO's Assumption 2), or F is not finite there. X and Y are the last iterate.",
                        evaluate: true);
                }

                _rho = Math.Min(2.0 * _rho, o.MaxRho);
            }

            // Eq. (15): the projected gradient g_k = rho (z_k - z_{k+1}).
            VectorMath.AddScaled(_zNext, -1.0, _z, _d);
            double directionNorm = _rho * VectorMath.Norm2(_d);
            _directionNorm = directionNorm;
            double stepNorm = VectorMath.NormInf(_d.AsSpan(0, _m));

            // Convexity probe along the step, at z_k.
            string? curvature = ProbeCurvature(X, Y, _d.AsSpan(0, _m), _d.AsSpan(_m), "along the step z_{k+1} - z_k at z_k");
            if (curvature is not null)
            {
                return Finish(SolverStatus.AssumptionViolated, $"In outer iteration {k}: {curvature}", evaluate: true);
            }

            VectorMath.Swap(ref _z, ref _zNext);
            VectorMath.Swap(ref _gradF, ref _gradFNext);

            // The lower-level solve at x_{k+1}: v(x_{k+1}) and xi_{k+1} for the next D, and the gap of the new iterate.
            _yLower.AsSpan().CopyTo(_yLowerPrevious);
            SolverStatus? lowerStatus = SolveLowerLevel(k, out string failure);
            Complete(upper, lower, directionNorm, stepNorm, double.NaN, _lowerSteps);
            _upper = upperNext;
            if (lowerStatus is SolverStatus status)
            {
                return Finish(status, failure, evaluate: true);
            }

            // Convexity probe along the move of the lower-level solution (x_k, y_{x_k}) -> (x_{k+1}, y_{x_{k+1}}).
            for (int i = 0; i < _m; i++)
            {
                _d[i] = X[i] - _feasibleSet.Xk[i];
            }

            for (int i = 0; i < _n; i++)
            {
                _d[_m + i] = _yLower[i] - _yLowerPrevious[i];
            }

            curvature = ProbeCurvature(X, _yLower, _d.AsSpan(0, _m), _d.AsSpan(_m), "along the move of the lower-level solution at (x_{k+1}, y_x)");
            if (curvature is not null)
            {
                return Finish(SolverStatus.AssumptionViolated, $"In outer iteration {k}: {curvature}", evaluate: true);
            }

            if (directionNorm <= o.Tolerance)
            {
                return FinishChecked(
                    SolverStatus.Converged,
                    $"Converged after {k} outer iterations: the projected gradient ||rho (z_k - z_k+1)|| = {Fmt.G(directionNorm)} is within the tolerance {Fmt.G(o.Tolerance)} (rho = {Fmt.G(_rho)})");
            }

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            CccpOptions o = _o;
            _token = cancellationToken;

            return FinishChecked(
                SolverStatus.IterationLimit,
                $"Stopped at the iteration limit ({o.MaxIterations}) before ||rho (z_k - z_k+1)|| <= {Fmt.G(o.Tolerance)}; X and Y are the last iterate (rho = {Fmt.G(_rho)})");
        }

        /// <summary>
        /// The adaptive rule's first rho: at least Rho, and at least the curvature of F along its gradient at z_1,
        /// ||grad F(z_1 - t grad F) - grad F(z_1)|| / (t ||grad F||) for a small t (a lower bound on L), so that the first
        /// projected point is not absurdly far when Rho is far below L. A non-finite probe leaves rho at Rho.
        /// </summary>
        private void EstimateRho()
        {
            double gradientNorm = VectorMath.Norm2(_gradF);
            if (!(gradientNorm > 0.0) || !double.IsFinite(gradientNorm))
            {
                return;
            }

            double t = 1e-4 * (1.0 + VectorMath.Norm2(_z)) / gradientNorm;
            VectorMath.AddScaled(_z, -t, _gradF, _c);
            double probe = UpperGradient(_c, _gradFNext);
            if (!double.IsFinite(probe) || !VectorMath.AllFinite(_gradFNext))
            {
                return;
            }

            VectorMath.AddScaled(_gradFNext, -1.0, _gradF, _d);
            double curvature = VectorMath.Norm2(_d) / (t * gradientNorm);
            if (double.IsFinite(curvature))
            {
                _rho = Math.Min(Math.Max(_rho, curvature), _o.MaxRho);
            }
        }

        /// <summary>
        /// The right-hand side of D_k's value-function constraint: eps less the projection's feasibility tolerance and less
        /// the error the inexact lower-level solve can add to the gap of the next iterate, about its tolerance times
        /// (1 + ||x_{k+1} - x_k||) (errors of v(x_k) and of xi_k), where ||z_{k+1} - z_k|| &lt;= ||grad F(z_k)|| / rho because the
        /// projection is nonexpansive and z_k is in D_k. Never below eps / 2.
        /// </summary>
        private double Bound(double gradientNorm)
        {
            double lowerError = (_o.LowerLevel.StationarityTolerance + _o.LowerLevel.FeasibilityTolerance) * (1.0 + (gradientNorm / _rho));
            return Math.Max(_bound - lowerError, 0.5 * _o.Epsilon);
        }

        /// <summary>The result at the current iterate, after checking its lower-level gap g(x, y) - v(x) against epsilon.</summary>
        private StepOutcome FinishChecked(SolverStatus status, string message)
        {
            double gap = Gap();
            double allowed = _o.Epsilon + _o.LowerLevel.FeasibilityTolerance;
            double violation = MaxConstraint(X, Y);
            if (!(gap <= allowed) || !(violation <= _o.Projection.FeasibilityTolerance + _o.LowerLevel.FeasibilityTolerance))
            {
                return Finish(
                    SolverStatus.LowerLevelNotConverged,
                    $"{message}, but at the returned iterate the lower-level gap g(x, y) - v(x) = {Fmt.G(gap)} exceeds epsilon = {Fmt.G(_o.Epsilon)} or a lower-level constraint is violated (max u_j = {Fmt.G(violation)}): "
                    + "Y is not an epsilon-solution of the lower level. Tighten Projection and LowerLevel tolerances.",
                    evaluate: true);
            }

            string smoothed = _o.Smoothing > 0.0 ? $" of the mu = {Fmt.G(_o.Smoothing)} smoothed model" : string.Empty;
            return Finish(status, $"{message}. Lower-level gap g(x, y) - v(x){smoothed} = {Fmt.G(gap)} <= epsilon = {Fmt.G(_o.Epsilon)}.", evaluate: true);
        }

        /// <summary>g(x, y) - v(x) at the iterate, with v(x) from the last lower-level solve (done at the iterate's x).</summary>
        private double Gap() => _model.LowerValue(X, Y) - _v;

        private double MaxConstraint(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < _constraints; j++)
            {
                max = Math.Max(max, _model.LowerConstraintValue(j, x, y));
            }

            return _constraints == 0 ? 0.0 : max;
        }

        /// <summary>Whether (x_1, y0) already lies in the first D: u(x_1, y0) &lt;= tol and g(x_1, y0) - v(x_1) &lt;= eps'.</summary>
        private bool StartIsFeasible()
        {
            double gap = Gap();
            return gap <= _bound && MaxConstraint(X, Y) <= _o.Projection.FeasibilityTolerance;
        }

        /// <summary>
        /// Solves min_y g(x, y) s.t. u(x, y) &lt;= 0, y in Y at the iterate's x (warm-started), and sets v(x) and the subgradient
        /// xi = grad_x g + sum_j gamma_j grad_x u_j (Prop. 2.1) in the feasible set. Null on success, else the status to end
        /// the run with and its message.
        /// </summary>
        private SolverStatus? SolveLowerLevel(int k, out string message)
        {
            string Where() => k == 0 ? "at the start x_1" : $"at x_{k + 1} (after outer iteration {k})";

            message = string.Empty;
            X.CopyTo(_lowerProblem.X);
            ConstrainedSolveResult r = _lowerSolver.Minimize(_lowerProblem, _lowerProblem, _yLower, _gamma, _token);
            _lowerSteps = r.InnerSteps;
            if (r.Status == ConstrainedSolveStatus.Cancelled)
            {
                message = $"Cancelled during the lower-level solve {Where()}; X and Y are the last iterate.";
                return SolverStatus.Cancelled;
            }

            if (r.Status != ConstrainedSolveStatus.Converged)
            {
                string reason = r.Status switch
                {
                    ConstrainedSolveStatus.NonFinite => "g, a constraint or a gradient is not finite at the start of the solve",
                    ConstrainedSolveStatus.Infeasible => "the lower-level constraints u(x, y) <= 0 appear infeasible at this x (CCCP-BO assumes U(x) is nonempty for every x in C)",
                    _ => "the solver stopped at its iteration limit (is the lower level bounded below, and convex?)",
                };
                message = $"The lower-level problem min_y g(x, y) s.t. u(x, y) <= 0 was not solved {Where()}: {reason}; KKT residuals {Fmt.G(r.Stationarity)} (stationarity), "
                    + $"{Fmt.G(r.Complementarity)} (feasibility/complementarity), tolerances {Fmt.G(_o.LowerLevel.StationarityTolerance)}, {Fmt.G(_o.LowerLevel.FeasibilityTolerance)}. "
                    + "Without v(x) and its subgradient the method cannot continue; Y is not a lower-level solution.";
                return SolverStatus.LowerLevelNotConverged;
            }

            _v = r.Value;
            double v = _model.LowerGradient(X, _yLower, _feasibleSet.Xi, _gy);
            if (!double.IsFinite(v) || !VectorMath.AllFinite(_feasibleSet.Xi))
            {
                message = $"Diverged: the lower-level gradient is not finite at the lower-level solution {Where()}.";
                return SolverStatus.Diverged;
            }

            for (int j = 0; j < _constraints; j++)
            {
                if (_gamma[j] > 0.0)
                {
                    _model.LowerConstraintGradient(j, X, _yLower, _ux, _uy);
                    VectorMath.AddScaled(_feasibleSet.Xi, _gamma[j], _ux, _feasibleSet.Xi);
                }
            }

            if (!VectorMath.AllFinite(_feasibleSet.Xi))
            {
                message = $"Diverged: the subgradient xi of the value function is not finite {Where()}.";
                return SolverStatus.Diverged;
            }

            return null;
        }

        /// <summary>F(z) and its gradient over z = (x, y).</summary>
        private double UpperGradient(double[] z, double[] gradient) =>
            _model.UpperGradient(z.AsSpan(0, _m), z.AsSpan(_m), gradient.AsSpan(0, _m), gradient.AsSpan(_m));

        /// <summary>
        /// The majorisation F(z+) &lt;= F(z) + &lt;grad F(z), d&gt; + rho/2 ||d||^2 (d = z+ - z in _d), or within rounding its
        /// gradient form &lt;grad F(z+) - grad F(z), d&gt; &lt;= rho ||d||^2.
        /// </summary>
        private bool DescentHolds(double upper, double upperNext)
        {
            VectorMath.AddScaled(_zNext, -1.0, _z, _d);
            double dd = Dsl.SquaredNorm(_d);
            if (dd == 0.0)
            {
                return true;
            }

            double gd = Dsl.Dot(_gradF, _d);
            double bound = upper + gd + (0.5 * _rho * dd);
            if (upperNext <= bound)
            {
                return true;
            }

            double allowance = RoundingAllowance * (Math.Abs(upper) + Math.Abs(upperNext) + Math.Abs(gd));
            return upperNext <= bound + allowance && Dsl.Dot(_gradFNext, _d) - gd <= _rho * dd;
        }

        /// <summary>
        /// Null when the joint Hessians of g and every u_j show no negative curvature along d = (dx, dy) at (x, y) beyond
        /// the tolerance; otherwise a message naming the function. The test is d'Hd / ||d||^2 &lt; -tol * sigma, where sigma is
        /// the largest ||H d'|| / ||d'|| any probe of that function has seen (a lower bound on ||H||): negative curvature is
        /// judged against the function's own curvature scale, so the rounding-level negative eigenvalues of a computed
        /// positive semidefinite Hessian (about -1e-16 ||H||, which a direction in its null space picks up) never trigger it.
        /// </summary>
        private string? ProbeCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> dx, ReadOnlySpan<double> dy, string where)
        {
            double tolerance = _o.ConvexityTolerance;
            if (double.IsPositiveInfinity(tolerance))
            {
                return null;
            }

            double dd = Dsl.SquaredNorm(dx) + Dsl.SquaredNorm(dy);
            if (dd == 0.0 || !double.IsFinite(dd))
            {
                return null;
            }

            double dNorm = Math.Sqrt(dd);
            for (int j = -1; j < _constraints; j++)
            {
                if (j < 0)
                {
                    _model.LowerHessianVector(x, y, dx, dy, _hx, _hy);
                }
                else
                {
                    _model.LowerConstraintHessianVector(j, x, y, dx, dy, _hx, _hy);
                }

                double curvature = (Dsl.Dot(dx, _hx) + Dsl.Dot(dy, _hy)) / dd;
                double scale = Math.Sqrt(Dsl.SquaredNorm(_hx) + Dsl.SquaredNorm(_hy)) / dNorm;
                if (!double.IsFinite(curvature) || !double.IsFinite(scale))
                {
                    continue;
                }

                ref double sigma = ref _curvatureScale[j + 1];
                sigma = Math.Max(sigma, scale);
                if (curvature < 0.0 && curvature < -tolerance * sigma)
                {
                    string name = j < 0 ? $"the lower-level objective g ({_model.Info.Lower.Method})" : $"lower-level constraint u_{j} (the [LowerConstraint] method number {j}, in declaration order)";
                    return $"CCCP-BO needs a lower level that is convex in (x, y) jointly (g and every u_j; then v(x) is convex and D_k is convex), but {name} has negative curvature "
                        + $"{where}: d'Hd / ||d||^2 = {Fmt.G(curvature)}, against the curvature scale {Fmt.G(sigma)} seen so far (ratio {Fmt.G(curvature / sigma)} < -{Fmt.G(tolerance)}). "
                        + "Use a method that does not need lower-level convexity (BVFIM). X and Y are the last iterate.";
                }
            }

            return null;
        }
    }
}
