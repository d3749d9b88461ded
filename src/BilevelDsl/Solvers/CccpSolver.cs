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
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed partial class CccpSolver(CccpOptions options) : DrivenSolver<CccpOptions>(options, "cccp", "CCCP-BO")
{
    private const int MaxRhoDoublingsPerStep = 60;
    private const double RoundingAllowance = 64.0 * 1.1102230246251565e-16;

    /// <summary>Creates a solver with the default <see cref="CccpOptions"/>.</summary>
    public CccpSolver()
        : this(new CccpOptions())
    {
    }

    private protected override int IterationLimit => Options.MaxIterations;

    private protected override LowerConvexityNeed ConvexityNeed => LowerConvexityNeed.Convex;

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(Options.Smoothing > 0.0 ? model.WithSmoothing(Options.Smoothing) : model, Options, x0, y0);

    /// <summary>Null if the model suits CCCP-BO (as far as <see cref="IBilevelKernels.Info"/> tells), otherwise the reason.</summary>
    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension)
    {
        if (Options.Smoothing > 0.0)
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
    private sealed partial class Run : IterativeMethod
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
        private readonly LowerCurvatureProbe _curvature;

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
            _curvature = new LowerCurvatureProbe(model, _m, _n);

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
    }
}
