// BOME: Bilevel Optimization Made Easy, a first-order value-function method.
// B. Liu, M. Ye, S. Wright, P. Stone, Q. Liu, "BOME! Bilevel Optimization Made Easy: A Simple First-Order Approach",
// NeurIPS 2022, Algorithm 1.
//
// Update rule, outer iteration k (F upper, f lower objective):
//   y_T  <- T steps of a lower-level solver on f(x_k, .) started at y_k                 (held constant below)
//   q(x, y) = f(x, y) - f(x, y_T)                          (the value-function gap, >= 0 up to the inner accuracy)
//   grad q  = (grad_x f(x_k, y_k) - grad_x f(x_k, y_T),  grad_y f(x_k, y_k))
//   lambda  = max(eta ||grad q||^2 - <grad F, grad q>, 0) / ||grad q||^2      (0 when grad q = 0)
//   d       = grad F(x_k, y_k) + lambda grad q
//   (x, y)  <- (x, y) - xi d              (then P_X and P_Y when domains are declared)
// lambda is the smallest multiplier for which the step decreases q at least at the rate eta ||grad q||^2 (the paper's
// control phi = eta ||grad q||^2); the fixed points are KKT points of min F s.t. q <= 0.
// Assumptions (refused otherwise): differentiable F and f (or BomeOptions.Smoothing > 0), no lower-level constraints.
// BOME needs neither lower-level convexity nor a unique lower-level solution.
// Choices not fixed by the paper (which uses T plain gradient steps with a fixed step):
//  * The T lower-level steps are projected gradient steps whose step size backtracks until the secant curvature of f
//    along the step is at most 1/step and f does not increase beyond rounding (a first-try success doubles the next
//    step). The curvature test is what keeps y_T accurate to the gradient's precision: near a minimum f is flat to
//    rounding over a width of about sqrt(eps), where a value-only (Armijo) test accepts any step, and an error e in
//    y_T tilts grad q by about e / ||grad q||, which lambda (of order 1 / ||grad q||) turns into a bias of the joint step.
//  * With a declared lower domain Y the y-parts of grad F and grad q are the generalized gradients
//    (y - P_Y(y - xi g)) / xi (Definition 3.2 of Chen, Xu and Zhang, arXiv:2301.00712), and lambda is computed from them: at the boundary of Y
//    the raw gradients' outward parts are undone by the projection, so a lambda computed from them does not make q
//    decrease, and the iteration settles at points that are not lower-level optimal. In the interior of Y nothing changes.
//  * The stopping test is in BomeOptions.Tolerance.
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// The BOME solver (Liu et al., NeurIPS 2022): a first-order bilevel method that replaces the lower level by the
/// value-function constraint q(x, y) = f(x, y) - min f(x, .) &lt;= 0, estimates min f by T inner steps, and takes joint
/// steps on (x, y) along grad F + lambda grad q with the dynamic multiplier lambda. Gradients only; no lower-level
/// convexity or uniqueness needed.
/// </summary>
/// <remarks>Work arrays are allocated once per <see cref="Solve"/>; the iteration loop does not allocate.</remarks>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed partial class BomeSolver(BomeOptions options) : DrivenSolver<BomeOptions>(options, "bome", "BOME")
{
    /// <summary>Creates a solver with the default <see cref="BomeOptions"/>.</summary>
    public BomeSolver()
        : this(new BomeOptions())
    {
    }

    private protected override int IterationLimit => Options.MaxIterations;

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(Options.Smoothing > 0.0 ? model.WithSmoothing(Options.Smoothing) : model, Options, x0, y0);

    /// <summary>Null if BOME's assumptions checkable from the model hold; otherwise the reason and what to do.</summary>
    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension)
    {
        ModelInfo info = model.Info;
        if (Options.Smoothing == 0.0)
        {
            foreach ((LevelInfo level, string which) in new[] { (info.Lower, "lower"), (info.Upper, "upper") })
            {
                if (!level.IsSmooth)
                {
                    return $"BOME needs a differentiable {which} level (it steps along the gradients of F and f, and its analysis assumes both "
                        + $"smooth), but {level.Describe()}. Set BomeOptions.Smoothing = mu > 0 (the solver then runs on model.WithSmoothing(mu)), "
                        + "or pass model.WithSmoothing(mu) yourself; for a convex nonsmooth lower level over a compact domain, SGM and IGFM use "
                        + "subgradients directly.";
                }
            }
        }

        if (model.LowerConstraintCount > 0)
        {
            return $"BOME handles a lower level min f(x, y) over y in a simple domain only, but the model has {model.LowerConstraintCount} "
                + "[LowerConstraint] inequality constraint(s) u_j(x, y) <= 0, which it would ignore. Use a method for constrained lower levels "
                + "(KKT-MPEC or CCCP-BO), or express the constraint as a [LowerBounds] box or a [LowerProjection].";
        }

        return null;
    }

    /// <summary>How many times a lower-level step is halved before y_T is left where it is.</summary>
    private const int MaxHalvings = 60;

    /// <summary>
    /// The curvature test accepts a step h when the secant curvature is at most CurvatureSlack / h. Steps are powers of 2 times
    /// the initial one, so h = 1/L exactly is common (integer curvatures), and without slack rounding would reject it half of
    /// the time; 1/L &lt; h &lt;= 1.001/L still contracts by 1e-3 per step.
    /// </summary>
    private const double CurvatureSlack = 1.001;

    /// <summary>Multiple of the unit roundoff allowed as rounding error in the lower-level steps' value test.</summary>
    private const double RoundingAllowance = 16.0 * 1.1102230246251565e-16;

    /// <summary>The state of one solve: work arrays allocated once, then reused by every iteration.</summary>
    private sealed partial class Run : IterativeMethod
    {
        private readonly IBilevelKernels _model;
        private readonly BomeOptions _o;

        private readonly double[] _x;
        private readonly double[] _y;
        private readonly double[] _xNext;
        private readonly double[] _yNext;
        private double[] _yT;
        private readonly double[] _Fx;
        private readonly double[] _Fy;
        private readonly double[] _fx;
        private readonly double[] _fy;
        private double[] _fxT;
        private double[] _fyT;
        private readonly double[] _qx;
        private readonly double[] _qy;
        private readonly double[] _Gy;
        private readonly double[] _scratchY;

        private double[] _yTrial;
        private double[] _fxTrial;
        private double[] _fyTrial;
        private readonly double[] _d;
        private readonly bool _lowerDomain;
        private double _lowerStep;

        public Run(
            IBilevelKernels model,
            BomeOptions options,
            ReadOnlySpan<double> x0,
            ReadOnlySpan<double> y0)
        {
            _model = model;
            _o = options;

            int m = x0.Length;
            int n = y0.Length;
            _x = x0.ToArray();
            _y = y0.ToArray();
            _xNext = new double[m];
            _yNext = new double[n];
            _yT = new double[n];
            _Fx = new double[m];
            _Fy = new double[n];
            _fx = new double[m];
            _fy = new double[n];
            _fxT = new double[m];
            _fyT = new double[n];
            _qx = new double[m];
            _qy = new double[n];
            _Gy = new double[n];
            _scratchY = new double[n];

            _yTrial = new double[n];
            _fxTrial = new double[m];
            _fyTrial = new double[n];
            _d = new double[n];
            _lowerDomain = model.Info.HasLowerDomain;
            _lowerStep = options.LowerStepSize;
        }

        public override ReadOnlySpan<double> CurrentX => _x;

        public override ReadOnlySpan<double> CurrentY => _y;

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            BomeOptions o = _o;
            IBilevelKernels model = _model;
            bool upperDomain = model.Info.HasUpperDomain;
            bool lowerDomain = _lowerDomain;
            if (k == 0)
            {
                if (upperDomain)
                {
                    model.ProjectUpper(_x);
                }

                if (lowerDomain)
                {
                    model.ProjectLower(_y);
                }

                if (!VectorMath.AllFinite(_x) || !VectorMath.AllFinite(_y))
                {
                    return Finish(SolverStatus.InvalidInput, "Invalid input: projecting the start onto the declared domains gave a non-finite entry.", evaluate: false);
                }
            }

            double F = model.UpperGradient(_x, _y, _Fx, _Fy);
            double f = model.LowerGradient(_x, _y, _fx, _fy);
            string? bad = NonFinite(F, _Fx, "F", "y") ?? NonFinite(F, _Fy, "F", "y") ?? NonFinite(f, _fx, "f", "y") ?? NonFinite(f, _fy, "f", "y");
            if (bad is not null)
            {
                return Diverged(k, bad);
            }

            // y_T: T lower-level steps from y (y_T is held constant in the derivative of q); df/dx at y_T in _fxT.
            (double fT, int lowerSteps) = LowerSteps(f);

            // grad q = (df/dx(x, y) - df/dx(x, y_T), df/dy(x, y)); lambda; d = grad F + lambda grad q. With a lower domain the
            // y-parts are generalized gradients (y - P_Y(y - xi g)) / xi (see the header).
            VectorMath.AddScaled(_fx, -1.0, _fxT, _qx);
            ReadOnlySpan<double> Fy = lowerDomain ? GeneralizedGradient(_Fy, _Gy) : _Fy;
            ReadOnlySpan<double> qy = lowerDomain ? GeneralizedGradient(_fy, _qy) : _fy;
            double qq = Dsl.Dot(_qx, _qx) + Dsl.Dot(qy, qy);
            double Fq = Dsl.Dot(_Fx, _qx) + Dsl.Dot(Fy, qy);
            double lambda = qq > 0.0 ? Math.Max((o.Eta * qq) - Fq, 0.0) / qq : 0.0;
            double directionNorm = 0.0;
            for (int i = 0; i < _x.Length; i++)
            {
                double d = _Fx[i] + (lambda * _qx[i]);
                directionNorm += d * d;
                _xNext[i] = _x[i] - (o.StepSize * d);
            }

            for (int i = 0; i < _y.Length; i++)
            {
                double d = Fy[i] + (lambda * qy[i]);
                directionNorm += d * d;
                _yNext[i] = _y[i] - (o.StepSize * d);
            }

            directionNorm = Math.Sqrt(directionNorm);
            if (upperDomain)
            {
                model.ProjectUpper(_xNext);
            }

            if (lowerDomain)
            {
                model.ProjectLower(_yNext);
            }

            if (!VectorMath.AllFinite(_xNext) || !VectorMath.AllFinite(_yNext))
            {
                return Diverged(k, $"the iterate became non-finite (the step xi * d overflowed: ||d|| = {Fmt.G(directionNorm)}, lambda = {Fmt.G(lambda)})");
            }

            double stationarity = LowerStationarity();
            double stepNorm = Math.Max(VectorMath.DistanceInf(_xNext, _x), VectorMath.DistanceInf(_yNext, _y));
            _xNext.AsSpan().CopyTo(_x);
            _yNext.AsSpan().CopyTo(_y);
            Complete(F, f, directionNorm, stepNorm, stationarity, lowerSteps);

            double scale = 1.0 + Math.Max(VectorMath.NormInf(_x), VectorMath.NormInf(_y));
            if (stepNorm <= o.Tolerance * scale && stationarity <= o.LowerTolerance)
            {
                return Finish(SolverStatus.Converged,
                    $"Converged after {Iterations} outer iterations: the last joint step ({Fmt.G(stepNorm)}) is within the tolerance "
                    + $"{Fmt.G(o.Tolerance)} (relative) and the lower-level stationarity ({Fmt.G(stationarity)}) within {Fmt.G(o.LowerTolerance)}.",
                    evaluate: true);
            }

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            BomeOptions o = _o;

            return Finish(SolverStatus.IterationLimit,
                $"Stopped at the iteration limit ({o.MaxIterations}) before the convergence test held; X and Y are the last iterate.", evaluate: true);
        }

        /// <summary>
        /// T projected gradient steps on f(x, .) from y (whose value and gradient are in <paramref name="f"/>, _fx, _fy) into
        /// _yT; returns f(x, y_T) (with df/dx there in _fxT) and the number of steps taken.
        /// </summary>
        private (double Value, int Steps) LowerSteps(double f)
        {
            _y.AsSpan().CopyTo(_yT);
            _fx.AsSpan().CopyTo(_fxT);
            _fy.AsSpan().CopyTo(_fyT);
            int steps = 0;
            for (int t = 0; t < _o.LowerSteps; t++)
            {
                double h = _lowerStep;
                bool accepted = false;
                bool stationary = false;
                double fTrial = 0.0;
                int halvings = 0;
                for (; halvings <= MaxHalvings; halvings++, h *= 0.5)
                {
                    VectorMath.AddScaled(_yT, -h, _fyT, _yTrial);
                    if (_lowerDomain)
                    {
                        _model.ProjectLower(_yTrial);
                    }

                    double gd = 0.0;
                    double dd = 0.0;
                    for (int i = 0; i < _d.Length; i++)
                    {
                        _d[i] = _yTrial[i] - _yT[i];
                        gd += _fyT[i] * _d[i];
                        dd += _d[i] * _d[i];
                    }

                    if (dd == 0.0)
                    {
                        stationary = true; // y_T is a fixed point of the projected step: exactly stationary
                        break;
                    }

                    fTrial = _model.LowerGradient(_x, _yTrial, _fxTrial, _fyTrial);
                    if (!double.IsFinite(fTrial) || !VectorMath.AllFinite(_fxTrial) || !VectorMath.AllFinite(_fyTrial))
                    {
                        continue;
                    }

                    double curvature = Dsl.Dot(_fyTrial, _d) - gd;
                    double allowance = RoundingAllowance * (Math.Abs(f) + Math.Abs(fTrial) + Math.Abs(gd));
                    if (curvature <= CurvatureSlack * dd / h && fTrial <= f + gd + (0.5 * dd / h) + allowance)
                    {
                        accepted = true;
                        break;
                    }
                }

                if (stationary || !accepted)
                {
                    break;
                }

                VectorMath.Swap(ref _yT, ref _yTrial);
                VectorMath.Swap(ref _fxT, ref _fxTrial);
                VectorMath.Swap(ref _fyT, ref _fyTrial);
                f = fTrial;
                steps++;
                _lowerStep = halvings == 0 ? Math.Min(2.0 * h, _o.MaxLowerStepSize) : h;
            }

            return (f, steps);
        }

        /// <summary>(y - P_Y(y - xi g)) / xi into <paramref name="destination"/>, which it returns.</summary>
        private double[] GeneralizedGradient(double[] g, double[] destination)
        {
            double xi = _o.StepSize;
            VectorMath.AddScaled(_y, -xi, g, destination);
            _model.ProjectLower(destination);
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = (_y[i] - destination[i]) / xi;
            }

            return destination;
        }
    }
}
