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
public abstract partial class HypergradientSolver : DrivenSolver<HypergradientOptions>, IHypergradientEstimator
{
    private protected HypergradientSolver(HypergradientOptions options, string name, string methodName)
        : base(options, name, methodName)
    {
    }

    /// <summary>The options shared by every hypergradient method.</summary>
    internal HypergradientOptions CommonOptions => base.Options;

    /// <summary>The name of the options record, for messages ("AidCgOptions").</summary>
    private string OptionsTypeName => CommonOptions.GetType().Name;

    /// <summary>Whether the method also differentiates F twice (BDA).</summary>
    private protected virtual bool NeedsSmoothUpper => false;

    /// <summary>
    /// Whether the method assumes a lower level that is strongly convex in y at the solution (all but BDA). Such a method
    /// checks d2f/dy2 at the point where it would report Converged, and reports AssumptionViolated if it is singular.
    /// </summary>
    private protected virtual bool AssumesStrongConvexity => true;

    private protected override int IterationLimit => CommonOptions.MaxIterations;

    private protected override LowerConvexityNeed ConvexityNeed => AssumesStrongConvexity ? LowerConvexityNeed.StronglyConvex : LowerConvexityNeed.None;

    /// <summary>Creates the per-solve hypergradient state (its work arrays are allocated here).</summary>
    private protected abstract HypergradientMethod CreateMethod(HypergradientContext context);

    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension) => Assumptions(model);

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) => new OuterLoop(this, model, x0, y0);

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
        string? violation = ModelAssumptions.Check(model, MethodName, OptionsTypeName, CommonOptions.Smoothing, NeedsSmoothUpper, allowsLowerDomain: true)
            ?? (AssumesStrongConvexity ? LowerConvexityGate.Refusal(LowerConvexityGate.Resolve(model), MethodName) : null);
        return violation is null ? null : "Assumption violated: " + violation;
    }

    /// <summary>The state of one solve.</summary>
    private sealed partial class OuterLoop : IterativeMethod
    {
        private readonly HypergradientSolver _solver;
        private readonly HypergradientOptions _o;
        private readonly HypergradientContext _c;
        private readonly HypergradientMethod _method;
        private readonly ILowerLevelSolver? _lowerSolver;
        private readonly IUpperOptimizer _optimizer;
        private readonly double[] _y0;
        private readonly double[] _xPrevious;

        private readonly double _floor;
        private readonly bool _scheduled;
        private StagnationDetector _stall;

        /// <summary>Whether the last iteration's ||grad_y f|| missed its tolerance (then this one measures it at the warm start too).</summary>
        private bool _behind;
        private int _tightenFrom = int.MaxValue;
        private double _sigma = double.NaN;
        private double _gNorm = double.NaN;
        private double _projected = double.NaN;

        public OuterLoop(HypergradientSolver solver, IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0)
        {
            _solver = solver;
            _o = solver.CommonOptions;
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

            // ||grad_y f|| at the warm start (the new x, the last y), before this iteration's lower-level work: one lower
            // gradient, only while the lower level is behind its tolerance (see the stall window below).
            double sigmaAtStart = _behind ? _c.MeasureLower().Stationarity : double.NaN;
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

            // The stall window counts only outer iterations whose lower level misses the current tolerance eps_k and whose
            // lower-level work did not at least halve ||grad_y f|| from the warm start. While sigma meets eps_k the lower level
            // is solved as far as asked; while the work contracts sigma, y is being solved and only trails a moving x (fixed
            // unrolled steps leave a lag proportional to the x step). Neither is a stall, though sigma may set no new all-time
            // minimum: on ridge, sigma grew from 1e-16 to 3.5e-9 as lambda = e^x shrank (RHG, features x 1), or stayed at
            // about 1.5e-5 |x step| while x crossed a flat phi (features x 10). A lower level unbounded below, nonsmooth or
            // stepped too long is not contracted, and its window runs out.
            _behind = sigma > eps;
            if (!_behind || sigma <= 0.5 * sigmaAtStart)
            {
                _stall.Reset();
            }
            else if (_stall.Observe(sigma))
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

/// <summary>A hypergradient method with its own options record <typeparamref name="TOptions"/>.</summary>
/// <typeparam name="TOptions">The method's options record.</typeparam>
public abstract class HypergradientSolver<TOptions> : HypergradientSolver
    where TOptions : HypergradientOptions
{
    private protected HypergradientSolver(TOptions options, string name, string methodName)
        : base(options, name, methodName)
    {
        Options = options;
    }

    /// <summary>The options this solver runs with.</summary>
    public new TOptions Options { get; }
}
