// The outer loop shared by the hypergradient methods (AID-CG, AID-Neumann, RHG, TRHG, FHG, BDA); each method's own file
// holds only its hypergradient. Outer iteration k (the papers are cited in each method's file):
//   1. eps_k = max(eps_0 d^k, eps_floor)                                (Pedregosa's decreasing tolerances)
//   2. y <- warm start (previous y, or y0 without warm starts);
//      optional lower-level solve: y <- LLsolver(f(x, .), from y, to ||grad_y f|| <= eps_k)
//   3. g <- the method's hypergradient estimate at (x, y) (unrolled methods also move y to y_T)
//   4. record F, f, ||grad_y f||, ||g||, time; report progress
//   5. converged if ||x - P_X(x - g)|| <= Tolerance, ||grad_y f|| <= eps_floor, eps_k = eps_floor and the method's own
//      accuracy test (CG converged) held; lower level not converged if ||grad_y f|| set no new minimum for StallWindow
//      outer iterations while above eps_floor
//   6. x <- optimiser step (projected gradient descent or Adam on g)
// Statuses: InvalidInput (bad start, kernel rejects the lengths, missing second-order kernels), AssumptionViolated
// (nonsmooth lower level with Smoothing = 0, constraints, or the method's own test: CG meets zero curvature),
// LowerLevelNotConverged, Diverged (NaN/Inf anywhere), Cancelled, IterationLimit, Converged.
using System.Numerics.Tensors;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// The base of the hypergradient methods: x is moved by a first-order optimiser along an estimate of
/// grad phi(x), phi(x) = F(x, y*(x)), while the lower level is re-solved (or unrolled) from a warm start at every outer
/// iteration. The shared loop (validation, warm start, lower-level solve, optimiser step, history, progress,
/// cancellation, statuses) lives here; the subclasses supply the hypergradient.
/// </summary>
/// <remarks>
/// Work arrays are allocated once per <see cref="Solve"/> (or <see cref="EstimateHypergradient"/>) and released with it;
/// the iteration loops do not allocate.
/// </remarks>
public abstract class HypergradientSolver : IBilevelSolver, IHypergradientEstimator
{
    private protected HypergradientSolver(HypergradientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CommonOptions = options;
    }

    /// <inheritdoc/>
    public abstract string MethodName { get; }

    /// <summary>The options shared by every hypergradient method.</summary>
    internal HypergradientOptions CommonOptions { get; }

    /// <summary>The name of the options record, for messages ("AidCgOptions").</summary>
    private protected abstract string OptionsTypeName { get; }

    /// <summary>Whether the method also differentiates F twice (BDA).</summary>
    private protected virtual bool NeedsSmoothUpper => false;

    /// <summary>
    /// Whether the method assumes a lower level that is strongly convex in y at the solution (all but BDA). Such a method
    /// checks d2f/dy2 at the point where it would report Converged, and reports AssumptionViolated if it is singular.
    /// </summary>
    private protected virtual bool AssumesStrongConvexity => true;

    /// <summary>Creates the per-solve hypergradient state (its work arrays are allocated here).</summary>
    private protected abstract HypergradientMethod CreateMethod(HypergradientContext context);

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public BilevelResult Solve(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        HypergradientOptions o = CommonOptions;
        return SolverDriver.Solve(
            new DriverSettings(MethodName, o.MaxIterations, o.RecordHistory, o.Certificate),
            model,
            x0,
            y0,
            progress,
            cancellationToken,
            () => Assumptions(model),
            (m, x, y) => new OuterLoop(this, m, x, y));
    }

    /// <inheritdoc/>
    public HypergradientEstimate EstimateHypergradient(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        string? rejection = SolverDriver.CheckStart(model, x, y0, "x");
        if (rejection is not null)
        {
            return FailedEstimate(x.Length, y0, SolverStatus.InvalidInput, rejection);
        }

        string? violation = Assumptions(model);
        if (violation is not null)
        {
            return FailedEstimate(x.Length, y0, SolverStatus.AssumptionViolated, violation);
        }

        try
        {
            var loop = new OuterLoop(this, model, x, y0);
            return loop.EstimateOnce(cancellationToken);
        }
        catch (Exception ex) when (SolverDriver.IsModelFault(ex))
        {
            string hint = ex is NotSupportedException ? $" ({MethodName} needs Hessian-vector products)" : string.Empty;
            return FailedEstimate(x.Length, y0, SolverStatus.InvalidInput, $"Invalid input: the model threw {ex.GetType().Name}{hint}: {ex.Message}");
        }
    }

    internal static HypergradientEstimate FailedEstimate(int m, ReadOnlySpan<double> y, SolverStatus status, string message)
    {
        var gradient = new double[m];
        Array.Fill(gradient, double.NaN);
        return new HypergradientEstimate
        {
            Gradient = gradient,
            Y = y.ToArray(),
            UpperValue = double.NaN,
            LowerStationarity = double.NaN,
            Status = status,
            Message = message,
        };
    }

    private string? Assumptions(IBilevelKernels model)
    {
        string? violation = ModelAssumptions.Check(model, MethodName, OptionsTypeName, CommonOptions.Smoothing, NeedsSmoothUpper, allowsLowerDomain: true);
        return violation is null ? null : "Assumption violated: " + violation;
    }

    /// <summary>The state of one solve.</summary>
    private sealed class OuterLoop : IterativeMethod
    {
        private readonly HypergradientSolver _solver;
        private readonly HypergradientOptions _o;
        private readonly IBilevelKernels _exact;
        private readonly HypergradientContext _c;
        private readonly HypergradientMethod _method;
        private readonly ILowerLevelSolver? _lowerSolver;
        private readonly IUpperOptimizer _optimizer;
        private readonly double[] _y0;
        private readonly double[] _xPrevious;

        private readonly double _floor;
        private readonly bool _scheduled;
        private readonly StagnationDetector _stall;
        private int _tightenFrom = int.MaxValue;
        private double _sigma = double.NaN;
        private double _gNorm = double.NaN;
        private double _projected = double.NaN;

        public OuterLoop(HypergradientSolver solver, IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0)
        {
            _solver = solver;
            _o = solver.CommonOptions;
            _exact = model;
            IBilevelKernels working = _o.Smoothing > 0.0 ? model.WithSmoothing(_o.Smoothing) : model;
            _c = new HypergradientContext(working, x0, y0);
            _method = solver.CreateMethod(_c);
            _lowerSolver = _o.LowerLevel.MaxSteps > 0 ? _o.LowerLevel.Create(y0.Length) : null;
            _optimizer = _o.Optimizer.Create(x0.Length, _c.HasUpperDomain ? working.ProjectUpper : null);
            _y0 = y0.ToArray();
            _xPrevious = new double[x0.Length];
            _floor = _o.LowerTolerance.Floor;
            _scheduled = _method.UsesToleranceSchedule || _lowerSolver is not null;
            _stall = new StagnationDetector(_o.StallWindow);
        }

        public override ReadOnlySpan<double> CurrentX => _c.X;

        public override ReadOnlySpan<double> CurrentY => _c.Y;

        public override double UpperStationarity => _projected;

        private string Name => _solver.MethodName;

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            HypergradientOptions o = _o;
            double floor = _floor;
            if (!o.WarmStart && k > 0)
            {
                _y0.AsSpan().CopyTo(_c.Y);
            }

            double eps = k >= _tightenFrom ? floor : o.LowerTolerance.ValueAt(k);
            bool settled = !_scheduled || eps <= floor;
            if (!LowerSolve(eps, cancellationToken, out InnerSolveResult lower, out StepOutcome early, k))
            {
                return early;
            }

            HypergradientOutcome h = _method.Compute(k, eps);
            int lowerIterations = lower.Steps + h.LowerIterations;
            if (h.Violation is not null)
            {
                return Finish(SolverStatus.AssumptionViolated, $"Assumption violated in outer iteration {k + 1}: {h.Violation}", evaluate: true);
            }

            if (h.Failure is not null)
            {
                return Diverged(k, h.Failure);
            }

            double fValue = h.LowerValue;
            double sigma = h.LowerStationarity;
            if (double.IsNaN(sigma))
            {
                if (_lowerSolver is not null && !_method.MovesLowerVariable)
                {
                    fValue = lower.Value;
                    sigma = lower.Stationarity;
                }
                else
                {
                    (fValue, sigma) = _c.MeasureLower();
                }
            }

            _sigma = sigma;
            string? bad = NonFinite(h.UpperValue, fValue, sigma);
            if (bad is not null)
            {
                return Diverged(k, bad);
            }

            double gNorm = VectorMath.Norm2(_c.G);
            _gNorm = gNorm;
            double projected = _c.ProjectedGradientNorm();
            _projected = projected;
            bool lowerSolved = sigma <= floor;
            if (projected <= o.Tolerance && lowerSolved && h.Accurate && settled)
            {
                Complete(h.UpperValue, fValue, gNorm, 0.0, sigma, lowerIterations);
                if (SecondOrderVerdict(_c.CurvatureRatio(), Name, _solver.AssumesStrongConvexity, k + 1) is { } verdict)
                {
                    return Finish(verdict.Status, verdict.Message, evaluate: true);
                }

                return Finish(
                    SolverStatus.Converged,
                    $"{Name} converged after {k + 1} outer iterations: projected hypergradient norm {Format(projected)} <= {Format(o.Tolerance)}, lower-level stationarity {Format(sigma)} <= {Format(floor)}.",
                    evaluate: true);
            }

            if (projected <= o.Tolerance && !settled)
            {
                _tightenFrom = Math.Min(_tightenFrom, k + 1); // the hypergradient looks small: tighten the tolerances now
            }

            if (!lowerSolved && _stall.Observe(sigma))
            {
                Complete(h.UpperValue, fValue, gNorm, 0.0, sigma, lowerIterations);
                return Finish(
                    SolverStatus.LowerLevelNotConverged,
                    $"Lower level not converged: its stationarity ||grad_y f|| has not decreased for {o.StallWindow} outer iterations (now {Format(sigma)}, tolerance {Format(floor)}). "
                    + "The lower level may be unbounded below, not smooth, or the step too long; Y is not a lower-level solution.",
                    evaluate: true);
            }

            if (k == o.MaxIterations - 1)
            {
                Complete(h.UpperValue, fValue, gNorm, 0.0, sigma, lowerIterations);
                return StepOutcome.Continue; // no step after the last iteration: X and Y belong together
            }

            _c.X.AsSpan().CopyTo(_xPrevious);
            _optimizer.Step(_c.X, _c.G);
            if (!VectorMath.AllFinite(_c.X))
            {
                _xPrevious.AsSpan().CopyTo(_c.X);
                Complete(h.UpperValue, fValue, gNorm, double.PositiveInfinity, sigma, lowerIterations);
                return Diverged(k, $"the upper-level step made x non-finite (hypergradient norm {Format(gNorm)}); reduce Optimizer.StepSize");
            }

            Complete(h.UpperValue, fValue, gNorm, VectorMath.DistanceInf(_c.X, _xPrevious), sigma, lowerIterations);

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            HypergradientOptions o = _o;
            double floor = _floor;
            double sigma = _sigma;
            double gNorm = _gNorm;

            if (_lowerSolver is not null && !(sigma <= floor) && !_method.MovesLowerVariable)
            {
                // The last iteration took no x step; a final tight lower-level solve makes (X, Y) consistent.
                InnerSolveResult last = _lowerSolver.Minimize(_c.LowerObjective, _c.Y, o.LowerLevel.Rule(floor), cancellationToken);
                if (last.Status == InnerSolveStatus.NonFinite)
                {
                    return Diverged(o.MaxIterations - 1, "the lower-level objective or its gradient is not finite in the final lower-level solve");
                }

                sigma = last.Stationarity;
            }

            return sigma <= floor
                ? Finish(SolverStatus.IterationLimit, $"{Name} reached the iteration limit ({o.MaxIterations}) before converging; hypergradient norm {Format(gNorm)}, lower-level stationarity {Format(sigma)}. X and Y are the last iterate.", evaluate: true)
                : Finish(SolverStatus.LowerLevelNotConverged, $"{Name} reached the iteration limit ({o.MaxIterations}) with the lower level not solved: stationarity {Format(sigma)} > tolerance {Format(floor)}. Y is not a lower-level solution.", evaluate: true);
        }

        public HypergradientEstimate EstimateOnce(CancellationToken cancellationToken)
        {
            double floor = _o.LowerTolerance.Floor;
            if (!LowerSolve(floor, cancellationToken, out InnerSolveResult lower, out StepOutcome early, 0))
            {
                return FailedEstimate(_c.X.Length, _c.Y, early.Status, early.Message);
            }

            HypergradientOutcome h = _method.Compute(int.MaxValue, floor);
            if (h.Violation is not null)
            {
                return FailedEstimate(_c.X.Length, _c.Y, SolverStatus.AssumptionViolated, "Assumption violated: " + h.Violation);
            }

            if (h.Failure is not null)
            {
                return FailedEstimate(_c.X.Length, _c.Y, SolverStatus.Diverged, "Diverged: " + h.Failure);
            }

            double sigma = h.LowerStationarity;
            if (double.IsNaN(sigma))
            {
                sigma = _lowerSolver is not null && !_method.MovesLowerVariable ? lower.Stationarity : _c.MeasureLower().Stationarity;
            }

            bool ok = sigma <= floor && h.Accurate;
            return new HypergradientEstimate
            {
                Gradient = (double[])_c.G.Clone(),
                Y = (double[])_c.Y.Clone(),
                UpperValue = h.UpperValue,
                LowerStationarity = sigma,
                Status = !VectorMath.AllFinite(_c.G) ? SolverStatus.Diverged : ok ? SolverStatus.Converged : SolverStatus.LowerLevelNotConverged,
                Message = ok
                    ? $"{Name} hypergradient at lower-level stationarity {Format(sigma)}."
                    : $"{Name} hypergradient computed, but the lower-level stationarity {Format(sigma)} is above {Format(floor)}{(h.Accurate ? string.Empty : " and the method's inner solve did not reach its tolerance")}.",
            };
        }

        /// <summary>The optional lower-level solve of step 2; false (with the result to return) when the run must end.</summary>
        private bool LowerSolve(double eps, CancellationToken cancellationToken, out InnerSolveResult result, out StepOutcome early, int k)
        {
            early = StepOutcome.Continue;
            result = default;
            if (_lowerSolver is null)
            {
                return true;
            }

            result = _lowerSolver.Minimize(_c.LowerObjective, _c.Y, _o.LowerLevel.Rule(eps), cancellationToken);
            switch (result.Status)
            {
                case InnerSolveStatus.NonFinite:
                    early = Diverged(k, $"the lower-level objective or its gradient is not finite at (x, y) (f = {InputValidation.Describe(result.Value)})");
                    return false;
                case InnerSolveStatus.Cancelled:
                    early = Finish(SolverStatus.Cancelled, $"Cancelled in outer iteration {k + 1} (lower-level solve); X and Y are the last iterate.", evaluate: true);
                    return false;
                case InnerSolveStatus.Stalled:
                    early = Finish(
                        SolverStatus.LowerLevelNotConverged,
                        $"Lower level not converged in outer iteration {k + 1}: the {_o.LowerLevel.Kind} solver's stationarity ||grad_y f|| stopped decreasing at {Format(result.Stationarity)} "
                        + $"(tolerance {Format(eps)}) after {result.Steps} steps. The lower level may be unbounded below or not smooth, or the solver unsuited "
                        + "(Adam with a constant step has an accuracy floor); Y is not a lower-level solution.",
                        evaluate: true);
                    return false;
                default:
                    return true;
            }
        }

        private static string? NonFinite(double upper, double lower, double sigma) =>
            !double.IsFinite(upper) ? $"the upper-level value F(x, y) is {InputValidation.Describe(upper)}"
            : !double.IsFinite(lower) ? $"the lower-level value f(x, y) is {InputValidation.Describe(lower)}"
            : !double.IsFinite(sigma) ? $"the lower-level gradient grad_y f(x, y) is not finite"
            : null;
    }

    internal static string Format(double value) => Fmt.G(value);

    /// <summary>
    /// The end-of-run second-order check: null if d2f/dy2 at the final point is positive definite; otherwise the status and
    /// message. Negative curvature (y a maximum or saddle of f(x, .)) is LowerLevelNotConverged for every method; a singular
    /// Hessian is AssumptionViolated for methods that assume strong convexity.
    /// </summary>
    internal static (SolverStatus Status, string Message)? SecondOrderVerdict(double ratio, string method, bool assumesStrongConvexity, int iterations)
    {
        if (double.IsNaN(ratio))
        {
            return (SolverStatus.Diverged, $"Diverged: {method} stopped after {iterations} outer iterations, but a lower-level Hessian-vector product in the final curvature check is not finite.");
        }

        if (ratio <= -CurvatureCheck.Threshold)
        {
            return (SolverStatus.LowerLevelNotConverged,
                $"Lower level not solved: {method} stopped after {iterations} outer iterations at a point where grad_y f = 0, but d2f/dy2 has negative curvature there "
                + $"(lambda_min / |lambda|_max = {Format(ratio)}): y is a maximum or saddle point of the lower level, not a minimum. Start y elsewhere.");
        }

        if (assumesStrongConvexity && !(ratio > CurvatureCheck.Threshold))
        {
            return (SolverStatus.AssumptionViolated,
                $"Assumption violated: {method} stopped where its hypergradient vanishes (after {iterations} outer iterations), but the lower-level Hessian d2f/dy2 "
                + $"at the final (x, y) is singular (lambda_min / |lambda|_max = {Format(ratio)}): the lower level is not strongly convex in y and has a "
                + "continuum of solutions there, so this point depends on where y started along the flat directions and is in general not a solution "
                + "of the bilevel problem (the Liu et al. counterexample ends this way). Use BDA, the penalty method or BVFIM.");
        }

        return null;
    }
}

/// <summary>What one hypergradient computation produced.</summary>
/// <param name="UpperValue">F at (x, y) after the computation.</param>
/// <param name="LowerValue">f at (x, y), or NaN to let the loop evaluate it.</param>
/// <param name="LowerStationarity">The lower-level stationarity at (x, y), or NaN to let the loop measure it.</param>
/// <param name="Accurate">Whether the method's own inner accuracy test held (CG reached its tolerance).</param>
/// <param name="LowerIterations">Lower-level steps taken (unrolled steps).</param>
/// <param name="Violation">Set when the model broke the method's assumption (ends the run with AssumptionViolated).</param>
/// <param name="Failure">Set when a kernel returned NaN or an infinity (ends the run with Diverged).</param>
internal readonly record struct HypergradientOutcome(double UpperValue, double LowerValue, double LowerStationarity, bool Accurate, int LowerIterations, string? Violation, string? Failure)
{
    public static HypergradientOutcome Ok(double upper, bool accurate = true, int lowerIterations = 0) =>
        new(upper, double.NaN, double.NaN, accurate, lowerIterations, null, null);

    public static HypergradientOutcome Violated(string message) => new(double.NaN, double.NaN, double.NaN, false, 0, message, null);

    public static HypergradientOutcome Failed(string message) => new(double.NaN, double.NaN, double.NaN, false, 0, null, message);
}

/// <summary>The per-solve state of one hypergradient method (work arrays allocated at creation).</summary>
internal abstract class HypergradientMethod(HypergradientContext context)
{
    protected HypergradientContext C { get; } = context;

    /// <summary>Whether the method itself uses the tolerance eps_k (AID's linear solve).</summary>
    public virtual bool UsesToleranceSchedule => false;

    /// <summary>Whether <see cref="Compute"/> moves y (the unrolled methods end at y_T).</summary>
    public virtual bool MovesLowerVariable => false;

    /// <summary>
    /// Writes the hypergradient estimate at (C.X, C.Y) into C.G (unrolled methods first move C.Y through their T steps).
    /// <paramref name="k"/> is the outer iteration (int.MaxValue for a final estimate), <paramref name="tolerance"/> eps_k.
    /// </summary>
    public abstract HypergradientOutcome Compute(int k, double tolerance);

    /// <summary>
    /// Null if value and gradients are finite; otherwise "the {what} value is NaN" or "... gradient with respect to x has
    /// a non-finite entry (index 0 is NaN)", with " (unrolled step t)" when <paramref name="step"/> is not negative. The
    /// message is only built on failure (no allocation on the healthy path).
    /// </summary>
    protected static string? CheckFinite(double value, ReadOnlySpan<double> a, ReadOnlySpan<double> b, string what, int step = -1)
    {
        if (double.IsFinite(value) && VectorMath.AllFinite(a) && VectorMath.AllFinite(b))
        {
            return null;
        }

        string where = step < 0 ? string.Empty : $" (unrolled step {step})";
        if (!double.IsFinite(value))
        {
            return $"the {what} value{where} is {InputValidation.Describe(value)}";
        }

        return !VectorMath.AllFinite(a)
            ? $"the {what} gradient with respect to x{where} has a non-finite entry ({VectorMath.FirstNonFinite(a)})"
            : $"the {what} gradient with respect to y{where} has a non-finite entry ({VectorMath.FirstNonFinite(b)})";
    }
}

/// <summary>Everything a hypergradient method shares with the loop: the model, the iterates and common work arrays.</summary>
internal sealed class HypergradientContext
{
    private readonly double[] _curvatureVector;
    private readonly double[] _curvatureWork;
    private bool _curvatureStarted;

    public HypergradientContext(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0)
    {
        Model = model;
        M = x0.Length;
        N = y0.Length;
        X = x0.ToArray();
        Y = y0.ToArray();
        G = new double[M];
        ZeroX = new double[M];
        UpperGradX = new double[M];
        UpperGradY = new double[N];
        LowerGradX = new double[M];
        LowerGradY = new double[N];
        ScratchX = new double[M];
        ScratchY = new double[N];
        ModelInfo info = model.Info;
        HasUpperDomain = info.HasUpperDomain;
        HasLowerDomain = info.HasLowerDomain;
        Jacobian = HasLowerDomain ? new ProjectionJacobian(model, N) : null;
        LowerObjective = new LowerLevelObjective(model, X, N);
        Hessian = new LowerHessianOperator(model, X, N) { Y = Y };
        _curvatureVector = new double[N];
        _curvatureWork = new double[N];
    }

    public IBilevelKernels Model { get; }

    public int M { get; }

    public int N { get; }

    /// <summary>The upper variable (moved in place by the optimiser).</summary>
    public double[] X { get; }

    /// <summary>The lower variable (moved in place by the lower-level solver and the unrolled methods).</summary>
    public double[] Y { get; }

    /// <summary>The hypergradient estimate (written by the method).</summary>
    public double[] G { get; }

    public double[] ZeroX { get; }

    public double[] UpperGradX { get; }

    public double[] UpperGradY { get; }

    public double[] LowerGradX { get; }

    public double[] LowerGradY { get; }

    public double[] ScratchX { get; }

    public double[] ScratchY { get; }

    public bool HasUpperDomain { get; }

    public bool HasLowerDomain { get; }

    /// <summary>The lower domain's projection Jacobian (null without a lower domain).</summary>
    public ProjectionJacobian? Jacobian { get; }

    public LowerLevelObjective LowerObjective { get; }

    /// <summary>d2f/dy2 at (X, Y) as an operator (its Y is C.Y).</summary>
    public LowerHessianOperator Hessian { get; }

    /// <summary>
    /// The configured step, or min(1 / |lambda|_max of d2f/dy2 at (X, Y), <see cref="InnerStepCap"/>) by power iteration
    /// (30 products the first time, 5 warm-started ones afterwards); 1 (capped) when the Hessian vanishes there; NaN when a
    /// product is not finite.
    /// </summary>
    public double InnerStep(double? configured)
    {
        if (configured is double s)
        {
            return s;
        }

        Hessian.Y = Y;
        Hessian.Jacobian = null;
        double lambda = Hessian.LargestCurvature(_curvatureVector, _curvatureWork, _curvatureStarted ? 5 : 30);
        _curvatureStarted = true;
        return double.IsNaN(lambda) ? double.NaN : Math.Min(lambda > 0.0 ? 1.0 / lambda : 1.0, InnerStepCap);
    }

    /// <summary>
    /// The safeguard of the unrolled methods: a fixed-step descent iteration that is stable never increases the objective
    /// it descends, so an increase means the step is above 2/L somewhere on the path. With the automatic step (configured =
    /// null) the cap is set to half the step and true is returned (redo the unroll from its start); with a configured step
    /// false is returned and the caller fails with <see cref="UnrolledStepTooLong"/>.
    /// </summary>
    public bool ShortenAutomaticStep(double? configured, double step)
    {
        if (configured is not null || !(step > 1e-300))
        {
            return false;
        }

        InnerStepCap = 0.5 * step;
        return true;
    }

    /// <summary>The message for an unrolled pass whose step made the objective increase (configured, or automatic and halved to the limit).</summary>
    public static string UnrolledStepTooLong(double? configured, double step, int t, string objective) => configured is not null
        ? $"the unrolled iteration increased {objective} at step {t}: the step s = {HypergradientSolver.Format(step)} is above 2/L for this lower level, "
            + "so the unrolled iterates oscillate or diverge and their derivative is meaningless; reduce InnerStepSize (or leave it null for the automatic, safeguarded choice)"
        : $"the unrolled iteration increased {objective} at step {t} even after the automatic step was halved to s = {HypergradientSolver.Format(step)}: "
            + "the lower level is not smooth enough here, or its values are too large to compare in double precision";

    /// <summary>Whether <paramref name="next"/> exceeds <paramref name="previous"/> by more than rounding.</summary>
    public static bool Increased(double previous, double next) =>
        next > previous + (16.0 * 1.1102230246251565e-16 * (Math.Abs(previous) + Math.Abs(next)));

    /// <summary>The lower-level stationarity at (X, Y) from a gradient already in <see cref="LowerGradY"/>.</summary>
    public double StationarityFromGradient() => Stationarity.Measure(LowerObjective, Y, LowerGradY, ScratchY);

    /// <summary>The signed curvature ratio lambda_min / |lambda|_max of d2f/dy2 at (X, Y) (see <see cref="CurvatureCheck"/>).</summary>
    public double CurvatureRatio()
    {
        Hessian.Y = Y;
        Hessian.Jacobian = PrepareFixedPointJacobian() ? null : Jacobian;
        double ratio = CurvatureCheck.Ratio(Hessian);
        Hessian.Jacobian = null;
        return ratio;
    }

    /// <summary>The cap on automatic inner steps (lowered when an unrolled pass with the automatic step increased f).</summary>
    public double InnerStepCap { get; set; } = double.PositiveInfinity;

    /// <summary>f(X, Y) and the lower-level stationarity at (X, Y); one lower gradient.</summary>
    public (double Value, double Stationarity) MeasureLower()
    {
        double f = Model.LowerGradient(X, Y, LowerGradX, LowerGradY);
        if (!double.IsFinite(f) || !VectorMath.AllFinite(LowerGradY))
        {
            return (f, double.NaN);
        }

        return (f, Stationarity.Measure(LowerObjective, Y, LowerGradY, ScratchY));
    }

    /// <summary>||X - P_X(X - G)||, or ||G|| without an upper domain.</summary>
    public double ProjectedGradientNorm() => Stationarity.UpperResidual(Model, HasUpperDomain, X, G, ScratchX);

    /// <summary>
    /// With a lower domain: prepares <see cref="Jacobian"/> at z = y - grad_y f(x, y) (unit step, as in the stationarity
    /// measure) so that J is the projection's Jacobian at the lower-level fixed point y = P(y - grad_y f). One lower
    /// gradient and one projection. Returns whether J is the identity (always true without a domain).
    /// </summary>
    public bool PrepareFixedPointJacobian()
    {
        if (Jacobian is null)
        {
            return true;
        }

        Model.LowerGradient(X, Y, LowerGradX, LowerGradY);
        TensorPrimitives.Subtract(Y, LowerGradY, ScratchY);
        return Jacobian.SetPoint(ScratchY);
    }
}
