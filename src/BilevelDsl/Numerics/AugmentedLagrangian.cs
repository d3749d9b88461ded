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

/// <summary>A smooth convex function of one vector variable, given by a value-and-gradient callback.</summary>
internal interface ISmoothConvexFunction
{
    /// <summary>The length of the variable.</summary>
    int Dimension { get; }

    /// <summary>Writes the gradient at <paramref name="z"/> into <paramref name="gradient"/> (overwriting it) and returns the value.</summary>
    double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient);
}

/// <summary>
/// A closed convex set { z in S : h_i(z) &lt;= 0, i = 0..Count-1 } given by smooth convex constraint functions h_i
/// (value-and-gradient callbacks) and an optional simple set S with a Euclidean projection.
/// </summary>
internal interface IConvexConstraints
{
    /// <summary>The length of the variable.</summary>
    int Dimension { get; }

    /// <summary>The number of inequality constraints h_i(z) &lt;= 0 (may be 0).</summary>
    int Count { get; }

    /// <summary>Writes the gradient of h_i at <paramref name="z"/> into <paramref name="gradient"/> (overwriting it) and returns h_i(z).</summary>
    double ValueAndGradient(int i, ReadOnlySpan<double> z, Span<double> gradient);

    /// <summary>Whether there is a simple set S; when false, <see cref="ProjectOntoSimpleSet"/> is the identity and is not called.</summary>
    bool HasSimpleSet { get; }

    /// <summary>Projects <paramref name="z"/> onto S in place (the Euclidean projection).</summary>
    void ProjectOntoSimpleSet(Span<double> z);
}

/// <summary>How an <see cref="AugmentedLagrangianSolver"/> run ended.</summary>
internal enum ConstrainedSolveStatus
{
    /// <summary>Both KKT residuals (stationarity and feasibility/complementarity) are within their tolerances.</summary>
    Converged,

    /// <summary>The outer-iteration limit came first (or a subproblem hit its step limit at the last outer iteration); the point is the last iterate.</summary>
    IterationLimit,

    /// <summary>
    /// The penalty reached its maximum while the infeasibility measure stopped decreasing: the constraints are
    /// (numerically) infeasible, or not convex. The point is not a solution.
    /// </summary>
    Infeasible,

    /// <summary>The objective, a constraint or a gradient was NaN or infinite at the start; the point is the (projected) start.</summary>
    NonFinite,

    /// <summary>The cancellation token was signalled; the point is the last iterate.</summary>
    Cancelled,
}

/// <summary>The outcome of <see cref="AugmentedLagrangianSolver.Minimize"/> or <see cref="AugmentedLagrangianSolver.Project"/>.</summary>
/// <param name="Status">How the run ended.</param>
/// <param name="OuterIterations">Multiplier updates done.</param>
/// <param name="InnerSteps">Accepted FISTA steps over all subproblems.</param>
/// <param name="Value">phi at the returned point.</param>
/// <param name="Stationarity">KKT stationarity residual ||z - P_S(z - (grad phi(z) + sum_i lambda_i grad h_i(z)))|| (the gradient norm without S).</param>
/// <param name="Violation">max_i max(h_i(z), 0): how far the point is outside the constraint set.</param>
/// <param name="Complementarity">max_i |min(-h_i(z), lambda_i)|: 0 exactly when z is feasible and lambda_i h_i(z) = 0, lambda &gt;= 0.</param>
/// <param name="Penalty">The penalty parameter r at the end.</param>
internal readonly record struct ConstrainedSolveResult(
    ConstrainedSolveStatus Status,
    int OuterIterations,
    int InnerSteps,
    double Value,
    double Stationarity,
    double Violation,
    double Complementarity,
    double Penalty);

/// <summary>Settings of <see cref="AugmentedLagrangianSolver"/>. Tolerances are absolute: scale the problem, or them.</summary>
public sealed record AugmentedLagrangianOptions
{
    /// <summary>Converged when the stationarity residual (see <see cref="ConstrainedSolveResult.Stationarity"/>) is at most this ...</summary>
    public double StationarityTolerance { get; init; } = 1e-10;

    /// <summary>... and max_i |min(-h_i, lambda_i)| (so in particular every h_i) is at most this.</summary>
    public double FeasibilityTolerance { get; init; } = 1e-10;

    /// <summary>The penalty r of the first outer iteration.</summary>
    public double InitialPenalty { get; init; } = 10.0;

    /// <summary>The factor r grows by when the infeasibility measure did not decrease enough (greater than 1).</summary>
    public double PenaltyGrowth { get; init; } = 10.0;

    /// <summary>The largest penalty; reaching it with the infeasibility measure still not decreasing ends the run as <see cref="ConstrainedSolveStatus.Infeasible"/>.</summary>
    public double MaxPenalty { get; init; } = 1e12;

    /// <summary>The penalty is kept when the infeasibility measure fell to at most this fraction of its previous value, in (0, 1).</summary>
    public double RequiredDecrease { get; init; } = 0.25;

    /// <summary>The projected-gradient tolerance of the first subproblem (then divided by at least 10 per outer iteration, and at most the last infeasibility measure, down to the stationarity tolerance).</summary>
    public double InitialSubproblemTolerance { get; init; } = 1e-2;

    /// <summary>The largest number of multiplier updates.</summary>
    public int MaxOuterIterations { get; init; } = 100;

    /// <summary>The largest number of FISTA steps per subproblem.</summary>
    public int MaxSubproblemSteps { get; init; } = 20000;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public void Validate() => Validate(string.Empty);

    /// <summary>As <see cref="Validate()"/>, with <paramref name="prefix"/> (e.g. "Projection.") before each setting's name.</summary>
    internal void Validate(string prefix)
    {
        RequireNonNegativeFinite(StationarityTolerance, prefix + nameof(StationarityTolerance));
        RequireNonNegativeFinite(FeasibilityTolerance, prefix + nameof(FeasibilityTolerance));
        RequirePositiveFinite(InitialPenalty, prefix + nameof(InitialPenalty));
        RequirePositiveFinite(MaxPenalty, prefix + nameof(MaxPenalty));
        RequirePositiveFinite(InitialSubproblemTolerance, prefix + nameof(InitialSubproblemTolerance));
        if (!(PenaltyGrowth > 1.0) || double.IsInfinity(PenaltyGrowth))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(PenaltyGrowth), PenaltyGrowth, $"{prefix}{nameof(PenaltyGrowth)} must be finite and greater than 1.");
        }

        if (!(MaxPenalty >= InitialPenalty))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(MaxPenalty), MaxPenalty, $"{prefix}{nameof(MaxPenalty)} must be at least {prefix}{nameof(InitialPenalty)}.");
        }

        if (!(RequiredDecrease > 0.0 && RequiredDecrease < 1.0))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(RequiredDecrease), RequiredDecrease, $"{prefix}{nameof(RequiredDecrease)} must be in (0, 1).");
        }

        if (MaxOuterIterations <= 0)
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(MaxOuterIterations), MaxOuterIterations, $"{prefix}{nameof(MaxOuterIterations)} must be positive.");
        }

        if (MaxSubproblemSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(MaxSubproblemSteps), MaxSubproblemSteps, $"{prefix}{nameof(MaxSubproblemSteps)} must be positive.");
        }
    }

    private static void RequireNonNegativeFinite(double value, string name)
    {
        if (!(value >= 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative and finite.");
        }
    }

    private static void RequirePositiveFinite(double value, string name)
    {
        if (!(value > 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
        }
    }
}

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
internal sealed class AugmentedLagrangianSolver
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

    private readonly record struct SubproblemOutcome(int Steps, bool Cancelled);

    /// <summary>
    /// FISTA with backtracking and gradient restart on L_r(.; lambda) over S, from z (where value, _g and _h hold L_r, its
    /// gradient and the constraint values). Stops when the projected-gradient residual is at most omega, at the step limit,
    /// or when no step of any length passes the backtracking test (rounding level). On exit z, value, _g, _h describe the
    /// last iterate.
    /// </summary>
    private SubproblemOutcome MinimizeSubproblem(
        ISmoothConvexFunction objective,
        IConvexConstraints constraints,
        Span<double> z,
        ReadOnlySpan<double> multipliers,
        double penalty,
        double omega,
        ref double value,
        out double stationarity,
        out double phi,
        CancellationToken cancellationToken)
    {
        z.CopyTo(_previous);
        double t = 1.0;
        for (int steps = 0; ; )
        {
            stationarity = Residual(constraints, z, _g);
            if (stationarity <= omega || steps >= _options.MaxSubproblemSteps)
            {
                phi = objective.ValueAndGradient(z, _scratch);
                return new SubproblemOutcome(steps, false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                phi = objective.ValueAndGradient(z, _scratch);
                return new SubproblemOutcome(steps, true);
            }

            double tNext = Fista.NextT(t, out double beta);
            if (beta == 0.0)
            {
                z.CopyTo(_w);
                _g.AsSpan().CopyTo(_gw);
            }
            else
            {
                Fista.Extrapolate(z, _previous, beta, _w);
                if (constraints.HasSimpleSet)
                {
                    constraints.ProjectOntoSimpleSet(_w);
                }

                double fw = EvaluateLagrangian(objective, constraints, _w, multipliers, penalty, _gw, _hw, out _);
                if (!double.IsFinite(fw) || !VectorMath.AllFinite(_gw))
                {
                    t = 1.0; // the extrapolated point left the functions' domain of definition: restart
                    continue;
                }
            }

            double s = _step;
            bool accepted = false;
            double fTrial = 0.0;
            int halvings = 0;
            for (; halvings <= MaxHalvings; halvings++, s *= 0.5)
            {
                VectorMath.AddScaled(_w, -s, _gw, _trial);
                if (constraints.HasSimpleSet)
                {
                    constraints.ProjectOntoSimpleSet(_trial);
                }

                fTrial = EvaluateLagrangian(objective, constraints, _trial, multipliers, penalty, _trialG, _trialH, out _);
                if (double.IsFinite(fTrial) && VectorMath.AllFinite(_trialG) && CurvatureTest(_gw, _trialG, _w, _trial, _d, s))
                {
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                if (beta != 0.0)
                {
                    t = 1.0;
                    continue;
                }

                // No step from z passes the test: z is as stationary as this precision allows.
                phi = objective.ValueAndGradient(z, _scratch);
                return new SubproblemOutcome(steps, false);
            }

            _step = halvings == 0 ? Math.Min(s * 2.0, MaxStep) : s;

            // Gradient restart (O'Donoghue and Candes): drop the momentum when the step's gradient mapping
            // (w - trial) / s makes an acute angle with the move trial - z, i.e. the momentum points uphill.
            double uphill = 0.0;
            for (int i = 0; i < _trial.Length; i++)
            {
                uphill += (_w[i] - _trial[i]) * (_trial[i] - z[i]);
            }

            t = uphill > 0.0 ? 1.0 : tNext;
            z.CopyTo(_previous);
            _trial.AsSpan().CopyTo(z);
            VectorMath.Swap(ref _g, ref _trialG);
            VectorMath.Swap(ref _h, ref _trialH);
            value = fTrial;
            steps++;
        }
    }

    /// <summary>||z - P_S(z - g)||, or ||g|| without a simple set.</summary>
    private double Residual(IConvexConstraints constraints, ReadOnlySpan<double> z, ReadOnlySpan<double> g)
    {
        if (!constraints.HasSimpleSet)
        {
            return VectorMath.Norm2(g);
        }

        VectorMath.AddScaled(z, -1.0, g, _scratch);
        constraints.ProjectOntoSimpleSet(_scratch);
        return VectorMath.Distance(z, _scratch);
    }

    /// <summary>
    /// L_r(z; lambda) and its gradient (into <paramref name="gradient"/>), the constraint values (into <paramref name="h"/>)
    /// and phi(z) (out). NaN if anything is not finite.
    /// </summary>
    private double EvaluateLagrangian(
        ISmoothConvexFunction objective,
        IConvexConstraints constraints,
        ReadOnlySpan<double> z,
        ReadOnlySpan<double> multipliers,
        double penalty,
        Span<double> gradient,
        Span<double> h,
        out double phi)
    {
        phi = objective.ValueAndGradient(z, gradient);
        double value = phi;
        for (int i = 0; i < h.Length; i++)
        {
            double hi = constraints.ValueAndGradient(i, z, _constraintGradient);
            h[i] = hi;
            if (!double.IsFinite(hi))
            {
                return double.NaN;
            }

            double lambda = multipliers[i];
            double shifted = lambda + (penalty * hi);
            if (shifted > 0.0)
            {
                value += ((shifted * shifted) - (lambda * lambda)) / (2.0 * penalty);
                TensorPrimitives.MultiplyAdd(_constraintGradient, shifted, gradient, gradient);
            }
            else
            {
                value -= lambda * lambda / (2.0 * penalty);
            }
        }

        return value;
    }

    /// <summary>
    /// The backtracking test (gT - g)'(t - w) &lt;= ||t - w||^2 / s, with <paramref name="d"/> receiving t - w: the majorisation
    /// f(t) &lt;= f(w) + g'(t - w) + ||t - w||^2 / (2 s) that FISTA needs, with f(t) - f(w) - g'(t - w) replaced by its
    /// trapezoid estimate (gT - g)'(t - w) / 2, which is exact for quadratics and second-order accurate otherwise. Unlike
    /// the value test it is not swamped by rounding: near a solution a value computed as a sum of large terms that cancel
    /// carries an absolute error far above the predicted decrease (which limits a value test to a gradient of about the
    /// square root of that error), while gradients stay accurate to a relative precision.
    /// </summary>
    private static bool CurvatureTest(ReadOnlySpan<double> g, ReadOnlySpan<double> gTrial, ReadOnlySpan<double> w, ReadOnlySpan<double> trial, Span<double> d, double s)
    {
        TensorPrimitives.Subtract(trial, w, d);
        double dd = TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)d);
        if (dd == 0.0)
        {
            return true; // the projection maps the step back onto w
        }

        return TensorPrimitives.Dot(gTrial, d) - TensorPrimitives.Dot(g, d) <= dd / s;
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
