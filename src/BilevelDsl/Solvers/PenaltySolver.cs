// Penalty method: penalised lower-level stationarity with an increasing penalty.
// A. Mehra, J. Hamm, "Penalty method for inversion-free deep bilevel optimization", ACML 2021 (arXiv 1911.03432, 2019).
//
// Update rule (Mehra and Hamm, Algorithm 1): replace the lower level by its stationarity condition and penalise it,
//   min_{x,y} P_gamma(x, y) = F(x, y) + (gamma/2) ||grad_y f(x, y)||^2,   gamma_r increasing over rounds r;
//   grad_x P = grad_x F + gamma hvp_xy_f(grad_y f),   grad_y P = grad_y F + gamma hvp_yy_f(grad_y f).
// Outer iteration (x step) in round r, gamma = gamma_r, eps = eps_r:
//   y <- inner solver on P_gamma(x, .) / max(1, gamma) from the warm start until its gradient norm <= eps
//                                                                                          ("T steps on y")
//   g =  grad_x F(x, y) + gamma hvp_xy_f(x, y; grad_y f(x, y))                            (one lower HVP)
//   x <- optimiser step on g                                                               ("a step on x")
//   the round ends when ||x - P_X(x - g)|| <= max(eps_r, Tolerance) or after IterationsPerRound steps; then
//   gamma_{r+1} = min(growth gamma_r, gamma_max), eps_{r+1} = max(eps_0 d^(r+1), eps_floor) ("raise gamma and tighten").
// Solving the y sub-problem before each x step makes g the gradient of the value function min_y P_gamma(x, y)
// (Danskin), whose curvature stays that of the hyper-objective as gamma grows; alternating single steps would need
// x steps of order 1/gamma. The stationarity condition is the lower level's optimality condition only without a
// lower domain or constraints, so such models are refused (AssumptionViolated).
using System.Numerics.Tensors;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// The penalty method of Mehra and Hamm: minimises F + (gamma/2) ||grad_y f||^2 jointly over (x, y) with gamma increased
/// round by round; no linear systems, one lower-level Hessian-vector product per gradient. Needs a smooth lower level
/// without a domain; it picks the lower-level solution the upper level prefers when there are several.
/// </summary>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed partial class PenaltySolver(PenaltyOptions options) : DrivenSolver<PenaltyOptions>(options, "penalty", "Penalty"), IHypergradientEstimator
{
    /// <summary>Creates a solver with the default <see cref="PenaltyOptions"/>.</summary>
    public PenaltySolver()
        : this(new PenaltyOptions())
    {
    }

    private protected override int IterationLimit => Options.MaxIterations;

    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension) => Assumptions(model);

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(Options, model, x0, y0);

    /// <summary>A solve whose iterations are recorded in (and reported through) an enclosing run's log (SMNBP's rounds).</summary>
    internal BilevelResult Solve(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, RunLog log, CancellationToken cancellationToken) =>
        Drive(model, x0, y0, null, cancellationToken, Create, log);

    /// <summary>
    /// The penalty method's hypergradient at x with the final penalty gamma = PenaltyMax: y minimises
    /// F(x, .) + (gamma/2) ||grad_y f(x, .)||^2 (from <paramref name="y0"/>, to the floor of the round tolerance), and
    /// g = grad_x F + gamma hvp_xy_f(grad_y f). It differs from grad phi(x) by O(1/gamma).
    /// </summary>
    public HypergradientEstimate EstimateHypergradient(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        string? rejection = SolverDriver.CheckStart(model, x, y0, "x") ?? Assumptions(model);
        if (rejection is not null)
        {
            return HypergradientSolver.FailedEstimate(x.Length, y0, rejection.StartsWith("Invalid", StringComparison.Ordinal) ? SolverStatus.InvalidInput : SolverStatus.AssumptionViolated, rejection);
        }

        try
        {
            return new Run(Options, model, x, y0).EstimateOnce(cancellationToken);
        }
        catch (Exception ex) when (SolverDriver.IsModelFault(ex))
        {
            return HypergradientSolver.FailedEstimate(x.Length, y0, SolverStatus.InvalidInput, $"Invalid input: the model threw {ex.GetType().Name}: {ex.Message}");
        }
    }

    private string? Assumptions(IBilevelKernels model)
    {
        string? violation = ModelAssumptions.Check(model, MethodName, nameof(PenaltyOptions), Options.Smoothing, needsSmoothUpper: false, allowsLowerDomain: false);
        return violation is null ? null : "Assumption violated: " + violation;
    }

    /// <summary>
    /// The y sub-problem P_gamma(x, .) / s with s = max(1, gamma): F(x, .)/s + (gamma/(2 s)) ||grad_y f(x, .)||^2, as an
    /// inner objective over y. Dividing by gamma keeps its gradient, (grad_y F + gamma hvp_yy_f(grad_y f)) / s, on the
    /// scale of hvp_yy_f(grad_y f) whatever gamma is, so one absolute tolerance means the same at every penalty (the
    /// unscaled gradient's rounding floor grows like gamma).
    /// </summary>
    private sealed class PenalisedObjective : IInnerObjective
    {
        private readonly IBilevelKernels _model;
        private readonly double[] _x;
        private readonly double[] _zeroX;
        private readonly double[] _upperX;
        private readonly double[] _upperY;
        private readonly double[] _lowerX;
        private double _gamma;
        private double _scale = 1.0;

        public PenalisedObjective(IBilevelKernels model, double[] x, int n)
        {
            _model = model;
            _x = x;
            _zeroX = new double[x.Length];
            _upperX = new double[x.Length];
            _upperY = new double[n];
            _lowerX = new double[x.Length];
            LowerY = new double[n];
            MixedX = new double[x.Length];
            HessianY = new double[n];
            Dimension = n;
        }

        public double Gamma
        {
            get => _gamma;
            set
            {
                _gamma = value;
                _scale = Math.Max(1.0, value);
            }
        }

        public int Dimension { get; }

        public bool HasDomain => false;

        /// <summary>grad_y f at the last evaluated point.</summary>
        public double[] LowerY { get; }

        /// <summary>hvp_xy_f(grad_y f) at the last point evaluated with a gradient.</summary>
        public double[] MixedX { get; }

        public double[] HessianY { get; }

        /// <summary>F at the last point evaluated with a gradient, and grad_x F there.</summary>
        public double Upper { get; private set; }

        public ReadOnlySpan<double> UpperX => _upperX;

        public double LowerValue { get; private set; }

        public double Value(ReadOnlySpan<double> v)
        {
            double upper = _model.UpperValue(_x, v);
            LowerValue = _model.LowerGradient(_x, v, _lowerX, LowerY);
            return (upper / _scale) + (0.5 * (_gamma / _scale) * TensorPrimitives.SumOfSquares(LowerY));
        }

        public double ValueAndGradient(ReadOnlySpan<double> v, Span<double> gradient)
        {
            Upper = _model.UpperGradient(_x, v, _upperX, _upperY);
            LowerValue = _model.LowerGradient(_x, v, _lowerX, LowerY);
            _model.LowerHessianVector(_x, v, _zeroX, LowerY, MixedX, HessianY);
            TensorPrimitives.MultiplyAdd(HessianY, _gamma, _upperY, gradient);
            TensorPrimitives.Multiply(gradient, 1.0 / _scale, gradient);
            return (Upper / _scale) + (0.5 * (_gamma / _scale) * TensorPrimitives.SumOfSquares(LowerY));
        }

        public void Project(Span<double> v)
        {
        }
    }

    /// <summary>The state of one solve.</summary>
    private sealed partial class Run : IterativeMethod
    {
        private readonly PenaltyOptions _o;
        private readonly IBilevelKernels _model;
        private readonly double[] _x;
        private readonly double[] _y;
        private readonly double[] _g;
        private readonly double[] _gy;
        private readonly double[] _scratch;
        private readonly double[] _xPrevious;
        private readonly bool _hasUpperDomain;
        private readonly PenalisedObjective _objective;
        private readonly ILowerLevelSolver _solver;
        private readonly IUpperOptimizer _optimizer;

        private StagnationDetector _stall;
        private int _round;
        private int _inRound;
        private double _sigma = double.NaN;
        private double _gNorm = double.NaN;
        private double _projected = double.NaN;

        public Run(PenaltyOptions options, IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0)
        {
            _o = options;
            _model = options.Smoothing > 0.0 ? model.WithSmoothing(options.Smoothing) : model;
            _x = x0.ToArray();
            _y = y0.ToArray();
            _g = new double[x0.Length];
            _gy = new double[y0.Length];
            _scratch = new double[x0.Length];
            _xPrevious = new double[x0.Length];
            _hasUpperDomain = _model.Info.HasUpperDomain;
            _objective = new PenalisedObjective(_model, _x, y0.Length);
            _solver = options.LowerLevel.Create(y0.Length);
            _optimizer = options.Optimizer.Create(x0.Length, _hasUpperDomain ? _model.ProjectUpper : null);
            _stall = new StagnationDetector(options.StallWindow);
        }

        public override ReadOnlySpan<double> CurrentX => _x;

        public override ReadOnlySpan<double> CurrentY => _y;

        public override double UpperStationarity => _projected;

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            PenaltyOptions o = _o;
            double gamma = Gamma(_round);
            int round = _round;
            bool finalRound = gamma >= o.PenaltyMax;
            double eps = finalRound ? o.RoundTolerance.Floor : o.RoundTolerance.ValueAt(round);
            _objective.Gamma = gamma;
            InnerSolveResult inner = _solver.Minimize(_objective, _y, o.LowerLevel.Rule(eps), cancellationToken);
            switch (inner.Status)
            {
                case InnerSolveStatus.NonFinite:
                    return Diverged(k, $"the penalised objective F + (gamma/2)||grad_y f||^2 or its gradient is not finite at (x, y) (gamma = {HypergradientSolver.Format(gamma)})");
                case InnerSolveStatus.Cancelled:
                    return Finish(SolverStatus.Cancelled, $"Cancelled in outer iteration {k + 1}; X and Y are the last iterate.", evaluate: true);
                case InnerSolveStatus.Stalled:
                    return Finish(
                        SolverStatus.LowerLevelNotConverged,
                        $"Lower level not converged in outer iteration {k + 1}: the {o.LowerLevel.Kind} solver on the penalised y sub-problem (gamma = {HypergradientSolver.Format(gamma)}) stopped decreasing its gradient norm at "
                        + $"{HypergradientSolver.Format(inner.Stationarity)} (tolerance {HypergradientSolver.Format(eps)}) after {inner.Steps} steps. The lower level may be unbounded below or not smooth, "
                        + "or the tolerance below the sub-problem's rounding level (raise RoundTolerance.Floor); Y is not a solution.",
                        evaluate: true);
            }

            string? bad = Gradient(out double upper, out double lower);
            if (bad is not null)
            {
                return Diverged(k, bad);
            }

            double sigma = VectorMath.Norm2(_objective.LowerY);
            double gNorm = VectorMath.Norm2(_g);
            double projected = ProjectedNorm();
            (_sigma, _gNorm, _projected) = (sigma, gNorm, projected);
            bool innerOk = inner.Status == InnerSolveStatus.Converged;
            _inRound++;
            if (finalRound && projected <= o.Tolerance && innerOk)
            {
                Complete(upper, lower, gNorm, 0.0, sigma, inner.Steps);
                if (sigma <= o.LowerTolerance
                    && HypergradientSolver.SecondOrderVerdict(CurvatureCheck.Ratio(new LowerHessianOperator(_model, _x, _y.Length) { Y = _y }), "Penalty", assumesStrongConvexity: false, k + 1) is { } verdict)
                {
                    return Finish(verdict.Status, verdict.Message, evaluate: true);
                }

                return sigma <= o.LowerTolerance
                    ? Finish(SolverStatus.Converged, $"Penalty converged after {k + 1} outer iterations ({round + 1} rounds, gamma = {HypergradientSolver.Format(gamma)}): projected gradient norm {HypergradientSolver.Format(projected)}, lower-level stationarity {HypergradientSolver.Format(sigma)} <= {HypergradientSolver.Format(o.LowerTolerance)}.", evaluate: true)
                    : Finish(SolverStatus.LowerLevelNotConverged, UnsolvedLowerLevel(gamma, sigma), evaluate: true);
            }

            if (finalRound && sigma > o.LowerTolerance && _stall.Observe(sigma))
            {
                Complete(upper, lower, gNorm, 0.0, sigma, inner.Steps);
                return Finish(
                    SolverStatus.LowerLevelNotConverged,
                    $"Lower level not converged: at the final penalty gamma = {HypergradientSolver.Format(gamma)} the stationarity ||grad_y f|| has not decreased for {o.StallWindow} iterations (now {HypergradientSolver.Format(sigma)}, tolerance {HypergradientSolver.Format(o.LowerTolerance)}).",
                    evaluate: true);
            }

            if (k == o.MaxIterations - 1)
            {
                Complete(upper, lower, gNorm, 0.0, sigma, inner.Steps);
                return StepOutcome.Continue;
            }

            if (!finalRound && (projected <= Math.Max(eps, o.Tolerance) || _inRound >= o.IterationsPerRound))
            {
                _round++; // raise gamma, tighten the tolerance
                _inRound = 0;
            }

            _x.AsSpan().CopyTo(_xPrevious);
            _optimizer.Step(_x, _g);
            if (!VectorMath.AllFinite(_x))
            {
                _xPrevious.AsSpan().CopyTo(_x);
                Complete(upper, lower, gNorm, double.PositiveInfinity, sigma, inner.Steps);
                return Diverged(k, $"the x step made x non-finite (gradient norm {HypergradientSolver.Format(gNorm)}); reduce Optimizer.StepSize");
            }

            Complete(upper, lower, gNorm, VectorMath.DistanceInf(_x, _xPrevious), sigma, inner.Steps);

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            PenaltyOptions o = _o;
            double sigma = _sigma;
            double gNorm = _gNorm;
            int round = _round;

            return sigma <= o.LowerTolerance
                ? Finish(SolverStatus.IterationLimit, $"Penalty reached the iteration limit ({o.MaxIterations}) before converging (gamma = {HypergradientSolver.Format(Gamma(round))}, gradient norm {HypergradientSolver.Format(gNorm)}). X and Y are the last iterate.", evaluate: true)
                : Finish(SolverStatus.LowerLevelNotConverged, $"Penalty reached the iteration limit ({o.MaxIterations}) with the lower level not solved: ||grad_y f|| = {HypergradientSolver.Format(sigma)} > {HypergradientSolver.Format(o.LowerTolerance)}.", evaluate: true);
        }

        public HypergradientEstimate EstimateOnce(CancellationToken cancellationToken)
        {
            _objective.Gamma = _o.PenaltyMax;
            double floor = _o.RoundTolerance.Floor;
            InnerSolveResult inner = _solver.Minimize(_objective, _y, _o.LowerLevel.Rule(floor), cancellationToken);
            if (inner.Status is InnerSolveStatus.NonFinite or InnerSolveStatus.Cancelled)
            {
                return HypergradientSolver.FailedEstimate(_x.Length, _y, inner.Status == InnerSolveStatus.Cancelled ? SolverStatus.Cancelled : SolverStatus.Diverged, $"The penalised y sub-problem ended with {inner.Status}.");
            }

            string? bad = Gradient(out double upper, out _);
            if (bad is not null)
            {
                return HypergradientSolver.FailedEstimate(_x.Length, _y, SolverStatus.Diverged, "Diverged: " + bad);
            }

            double sigma = VectorMath.Norm2(_objective.LowerY);
            bool ok = inner.Status == InnerSolveStatus.Converged && sigma <= _o.LowerTolerance;
            return new HypergradientEstimate
            {
                Gradient = (double[])_g.Clone(),
                Y = (double[])_y.Clone(),
                UpperValue = upper,
                LowerStationarity = sigma,
                Status = ok ? SolverStatus.Converged : SolverStatus.LowerLevelNotConverged,
                Message = ok
                    ? $"Penalty hypergradient with gamma = {HypergradientSolver.Format(_o.PenaltyMax)}; y sub-problem solved to {HypergradientSolver.Format(inner.Stationarity)}."
                    : $"Penalty hypergradient computed, but the y sub-problem ended with {inner.Status} (gradient norm {HypergradientSolver.Format(inner.Stationarity)}) and ||grad_y f|| = {HypergradientSolver.Format(sigma)}.",
            };
        }
    }
}
