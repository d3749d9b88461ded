// Augmented Lagrangian method for smooth convex programs with inequality constraints and a simple set:
//   min_z phi(z)  s.t.  h_i(z) <= 0 (i = 1..p),  z in S,
// in particular the Euclidean projection phi(z) = 1/2 ||z - c||^2 onto { z in S : h(z) <= 0 }.
//
// Method (Rockafellar's augmented Lagrangian for inequalities, as in Bertsekas, "Constrained Optimization and Lagrange
// Multiplier Methods", 1982, Sec. 3.1, and the safeguarded form of ALGENCAN: Andreani, Birgin, Martinez, Schuverdt,
// SIAM J. Optim. 18 (2007)), with penalty r > 0 and multipliers lambda >= 0:
//   L_r(z; lambda) = phi(z) + 1/(2r) sum_i ( max(0, lambda_i + r h_i(z))^2 - lambda_i^2 ),
//   grad L_r      = grad phi(z) + sum_i max(0, lambda_i + r h_i(z)) grad h_i(z)                  (L_r is C^1 and convex)
//   outer step k:  z_k ~ argmin_{z in S} L_r(z; lambda)   (projected-gradient residual <= omega_k)
//                  lambda_i <- max(0, lambda_i + r h_i(z_k))
//                  V_k = max_i |min(-h_i(z_k), lambda_i)|   (infeasibility and complementarity in one measure)
//                  r <- growth * r unless V_k <= RequiredDecrease * V_{k-1};   omega_{k+1} = max(tol, min(omega_k / 10, V_k))
// KKT residuals reported (and used to stop): with the updated multipliers, grad L_r(z_k) = grad phi + sum lambda_i grad h_i,
// so the inner residual ||z - P_S(z - grad L_r(z))|| is exactly the stationarity residual of the Lagrangian, and V_k
// measures feasibility (h_i <= V) and complementarity (min(-h_i, lambda_i) = 0).
// Subproblems are solved by FISTA (Beck and Teboulle 2009) with backtracking and gradient restart (O'Donoghue and
// Candes 2015); first-order information only (values and gradients of phi and h_i, and P_S). The backtracking test is the
// gradient (trapezoid) form of the majorisation (see CurvatureTest), which rounding does not swamp.
using System.Numerics.Tensors;

namespace BilevelDsl.Numerics;

/// <summary>
/// An augmented Lagrangian solver for min phi(z) s.t. h_i(z) &lt;= 0, z in S, with phi, h_i smooth and convex and S a
/// simple closed convex set, and in particular for Euclidean projections onto such sets (<see cref="Project"/>).
/// Returns the point and the KKT multipliers lambda_i of the constraints.
/// </summary>
/// <remarks>
/// An instance owns its work arrays (allocated once, for one dimension and one number of constraints) and is not
/// thread-safe; <see cref="Minimize"/> and <see cref="Project"/> do not allocate. Convergence needs convexity
/// (a strongly convex phi, as in a projection, makes the solution unique); for a nonconvex problem the method may
/// stop at a KKT point or report <see cref="ConstrainedSolveStatus.Infeasible"/> or the iteration limit.
/// </remarks>
internal sealed partial class AugmentedLagrangianSolver
{
    private const int MaxHalvings = 60;
    private const double MaxStep = 1e12;

    private readonly AugmentedLagrangianOptions _options;
    private readonly SquaredDistance _distance;

    // Subproblem state: the iterate's gradient and constraint values, the previous iterate, the extrapolated point,
    // a trial point, and the gradient of one constraint.
    private double[] _g;
    private double[] _h;
    private double[] _trialG;
    private double[] _trialH;
    private readonly double[] _previous;
    private readonly double[] _w;
    private readonly double[] _gw;
    private readonly double[] _hw;
    private readonly double[] _trial;
    private readonly double[] _d;
    private readonly double[] _constraintGradient;
    private readonly double[] _scratch;
    private double _step;

    /// <summary>Creates a solver for variables of length <paramref name="dimension"/> and <paramref name="constraintCount"/> constraints.</summary>
    /// <exception cref="ArgumentOutOfRangeException">dimension is not positive, constraintCount is negative, or an option is invalid.</exception>
    public AugmentedLagrangianSolver(int dimension, int constraintCount, AugmentedLagrangianOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegative(constraintCount);
        options ??= new AugmentedLagrangianOptions();
        options.Validate();
        _options = options;
        Dimension = dimension;
        ConstraintCount = constraintCount;
        _distance = new SquaredDistance(dimension);
        _g = new double[dimension];
        _trialG = new double[dimension];
        _previous = new double[dimension];
        _w = new double[dimension];
        _gw = new double[dimension];
        _trial = new double[dimension];
        _d = new double[dimension];
        _constraintGradient = new double[dimension];
        _scratch = new double[dimension];
        _h = new double[constraintCount];
        _trialH = new double[constraintCount];
        _hw = new double[constraintCount];
    }

    /// <summary>The length of the variable.</summary>
    public int Dimension { get; }

    /// <summary>The number of constraints.</summary>
    public int ConstraintCount { get; }

    /// <summary>The options the solver runs with.</summary>
    public AugmentedLagrangianOptions Options => _options;

    /// <summary>
    /// Computes the Euclidean projection of <paramref name="c"/> onto { z in S : h(z) &lt;= 0 }, i.e. minimises
    /// 1/2 ||z - c||^2 over it. <paramref name="z"/> holds the start on entry (any point; the projection of c onto S is a
    /// good one) and the projection on exit; <paramref name="multipliers"/> holds warm-start multipliers on entry
    /// (negative or non-finite entries are reset to 0) and the KKT multipliers on exit.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match <see cref="Dimension"/> or <see cref="ConstraintCount"/>.</exception>
    public ConstrainedSolveResult Project(ReadOnlySpan<double> c, IConvexConstraints constraints, Span<double> z, Span<double> multipliers, CancellationToken cancellationToken = default)
    {
        if (c.Length != Dimension)
        {
            throw new ArgumentException($"c has length {c.Length} but the solver was created for dimension {Dimension}.", nameof(c));
        }

        c.CopyTo(_distance.Center);
        return Minimize(_distance, constraints, z, multipliers, cancellationToken);
    }

    /// <summary>
    /// Minimises <paramref name="objective"/> over { z in S : h(z) &lt;= 0 }. <paramref name="z"/> holds the start on entry
    /// and the last iterate on exit (always in S); <paramref name="multipliers"/> holds warm-start multipliers on entry
    /// (negative or non-finite entries are reset to 0) and the multiplier estimates on exit.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match <see cref="Dimension"/> or <see cref="ConstraintCount"/>.</exception>
    public ConstrainedSolveResult Minimize(ISmoothConvexFunction objective, IConvexConstraints constraints, Span<double> z, Span<double> multipliers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(constraints);
        if (objective.Dimension != Dimension || constraints.Dimension != Dimension || z.Length != Dimension)
        {
            throw new ArgumentException(
                $"The objective has dimension {objective.Dimension}, the constraints {constraints.Dimension} and z length {z.Length}, but the solver was created for dimension {Dimension}.");
        }

        if (constraints.Count != ConstraintCount || multipliers.Length != ConstraintCount)
        {
            throw new ArgumentException(
                $"The constraint set has {constraints.Count} constraints and the multipliers length {multipliers.Length}, but the solver was created for {ConstraintCount}.");
        }

        AugmentedLagrangianOptions o = _options;
        for (int i = 0; i < multipliers.Length; i++)
        {
            if (!(multipliers[i] >= 0.0) || double.IsInfinity(multipliers[i]))
            {
                multipliers[i] = 0.0;
            }
        }

        if (constraints.HasSimpleSet)
        {
            constraints.ProjectOntoSimpleSet(z);
        }

        double penalty = o.InitialPenalty;
        double omega = ConstraintCount == 0 ? o.StationarityTolerance : Math.Max(o.StationarityTolerance, o.InitialSubproblemTolerance);
        double previousMeasure = double.PositiveInfinity;
        int innerSteps = 0;
        _step = 1.0;
        double value = EvaluateLagrangian(objective, constraints, z, multipliers, penalty, _g, _h, out double phi);
        if (!double.IsFinite(value) || !VectorMath.AllFinite(_g))
        {
            return new ConstrainedSolveResult(ConstrainedSolveStatus.NonFinite, 0, 0, phi, double.NaN, double.NaN, double.NaN, penalty);
        }

        for (int outer = 1; ; outer++)
        {
            SubproblemOutcome inner = MinimizeSubproblem(objective, constraints, z, multipliers, penalty, omega, ref value, out double stationarity, out phi, cancellationToken);
            innerSteps += inner.Steps;

            // Multiplier update lambda_i <- max(0, lambda_i + r h_i(z)); the inner gradient at z then is grad of the Lagrangian.
            double measure = 0.0;
            double violation = 0.0;
            for (int i = 0; i < multipliers.Length; i++)
            {
                double h = _h[i];
                multipliers[i] = Math.Max(0.0, multipliers[i] + (penalty * h));
                measure = Math.Max(measure, Math.Abs(Math.Min(-h, multipliers[i])));
                violation = Math.Max(violation, Math.Max(h, 0.0));
            }

            ConstrainedSolveResult Result(ConstrainedSolveStatus status) =>
                new(status, outer, innerSteps, phi, stationarity, violation, measure, penalty);

            if (inner.Cancelled)
            {
                return Result(ConstrainedSolveStatus.Cancelled);
            }

            if (stationarity <= o.StationarityTolerance && measure <= o.FeasibilityTolerance)
            {
                return Result(ConstrainedSolveStatus.Converged);
            }

            if (outer >= o.MaxOuterIterations || ConstraintCount == 0)
            {
                // Without constraints the one subproblem is the whole problem: more outer iterations would repeat it.
                return Result(ConstrainedSolveStatus.IterationLimit);
            }

            if (measure > o.FeasibilityTolerance && measure > o.RequiredDecrease * previousMeasure)
            {
                if (penalty >= o.MaxPenalty)
                {
                    return Result(ConstrainedSolveStatus.Infeasible);
                }

                penalty = Math.Min(penalty * o.PenaltyGrowth, o.MaxPenalty);
            }

            previousMeasure = measure;
            omega = Math.Max(o.StationarityTolerance, Math.Min(0.1 * omega, measure));

            // The augmented Lagrangian changed (multipliers, maybe the penalty): re-evaluate it at z.
            value = EvaluateLagrangian(objective, constraints, z, multipliers, penalty, _g, _h, out phi);
            if (!double.IsFinite(value) || !VectorMath.AllFinite(_g))
            {
                return Result(ConstrainedSolveStatus.NonFinite); // cannot happen for finite kernels: z was accepted before
            }
        }
    }

    /// <summary>phi(z) = 1/2 ||z - c||^2, the objective of a projection.</summary>
    private sealed class SquaredDistance(int dimension) : ISmoothConvexFunction
    {
        public double[] Center { get; } = new double[dimension];

        public int Dimension => Center.Length;

        public double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient)
        {
            TensorPrimitives.Subtract(z, Center, gradient);
            return 0.5 * TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)gradient);
        }
    }
}
