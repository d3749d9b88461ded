// IGFM: Inexact Gradient-Free Method (Algorithm 2 of
// L. Chen, J. Xu, J. Zhang, "Bilevel optimization without lower-level strong convexity from the hyper-objective perspective", arXiv:2301.00712 (2023)),
// a zeroth-order method on the hyper-objective phi(x) = min { F(x, y) : y in Y*(x) }, Y*(x) = argmin_{y in Y} f(x, y),
// with the switching gradient method (SGM, Algorithm 1; see SgmSolver.cs) as the inexact oracle phi~(x) = F(x, SGM(x)).
//
// Update rule (Algorithm 2), iteration t = 0..T-1, d = dimension of x:
//   u_t uniform on the unit sphere of R^d
//   g_t = d / (2 delta) (phi~(x_t + delta u_t) - phi~(x_t - delta u_t)) u_t     (the two SGM calls are independent)
//   x_{t+1} = x_t - eta g_t          (then P_X when an upper domain is declared; the paper's x is unconstrained)
//   output: x_out uniformly chosen from x_0..x_{T-1} (IgfmOptions.Output; the default returns the last iterate)
// g_t is an unbiased estimate of the gradient of the delta-ball smoothing of phi~, an element of the Goldstein
// delta-subdifferential; the paper's Theorem 6.2 / Corollary 6.1 give a (delta, eps)-Goldstein stationary point in expectation.
// Assumptions: those of SGM (F(x, .) and f(x, .) convex in y; Y compact convex, declared on the model; no lower-level
// constraints) and a Lipschitz hyper-objective (a sharp or dominant-gradient lower level, Proposition 5.1).
// Additions (not in the paper): SGM is warm-started from the previous iteration's outputs; the stopping test averages the
// last W estimates (IgfmOptions.Tolerance); y at the returned x is one more SGM call, and its status is the run's status
// when it is not Converged (LowerLevelNotConverged, AssumptionViolated, ...), so a lower-level failure is never silent;
// a run whose final value ends far above its first estimate (more than twice as far from 0) is reported as Diverged
// (eta too large), although every value stayed finite.
using BilevelDsl.Kernels;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// The inexact gradient-free method (IGFM) for bilevel problems whose lower level is convex but not strongly convex:
/// zeroth-order steps on the hyper-objective, each estimated by two runs of the switching gradient method
/// (<see cref="SgmSolver"/>). Needs values and (sub)gradients only, and a compact lower domain.
/// </summary>
/// <remarks>
/// A model without a declared lower domain ([LowerBounds(lo, hi)] with finite bounds or a [LowerProjection] onto a
/// compact set), with an unbounded one, or with lower-level constraints is refused with
/// <see cref="SolverStatus.AssumptionViolated"/> and a message saying what to declare. The two SGM calls of an iteration
/// run in parallel when the model is thread-safe (<see cref="IgfmOptions.Parallelism"/>); each has its own work arrays,
/// allocated once per <see cref="Solve"/>, and the iteration loop does not allocate.
/// </remarks>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed partial class IgfmSolver(IgfmOptions options) : DrivenSolver<IgfmOptions>(options, "igfm", "IGFM")
{
    /// <summary>Creates a solver with the default <see cref="IgfmOptions"/>.</summary>
    public IgfmSolver()
        : this(new IgfmOptions())
    {
    }

    /// <summary>Whether a run on <paramref name="model"/> evaluates the two points of an iteration in parallel.</summary>
    public bool RunsInParallel(IBilevelKernels model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Options.Parallelism switch
        {
            IgfmParallelism.Always => true,
            IgfmParallelism.Never => false,
            _ => Environment.ProcessorCount > 1
                && (model is SmoothedKernels || model.GetType().IsDefined(typeof(BilevelModelAttribute), inherit: false)),
        };
    }

    private protected override int IterationLimit => Options.MaxIterations;

    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension) => SgmDomainCheck.Check(model, new double[lowerDimension], "IGFM");

    private protected override LowerConvexityNeed ConvexityNeed => LowerConvexityNeed.Convex;

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(model, Options, x0, y0, RunsInParallel(model));

    /// <summary>The state of one solve: work arrays allocated once, then reused by every iteration.</summary>
    private sealed partial class Run : IterativeMethod, IDisposable
    {
        private readonly IBilevelKernels _model;
        private readonly IgfmOptions _o;
        private CancellationToken _cancellationToken;
        private double[]? _resultX;
        private double[]? _resultY;
        private int _window;
        private double _delta;
        private bool _upperDomain;
        private double _bestEstimate = double.PositiveInfinity;
        private double _firstEstimate = double.NaN;
        private int _lowerShortfalls;
        private readonly Random _random;
        private readonly int _m;
        private readonly int _n;

        private readonly double[] _x;
        private readonly double[] _xNext;
        private readonly double[] _u;
        private readonly double[] _xPlus;
        private readonly double[] _xMinus;
        private readonly double[] _g;
        private readonly double[] _yStart;
        private readonly double[] _xBest;
        private readonly double[] _xChosen;

        // Ring buffers of the last W iterates and estimates (row-major, W x m) for the stopping test.
        private readonly double[] _windowX;
        private readonly double[] _windowG;
        private readonly double[] _meanG;

        private readonly SgmWorkspace _plus;
        private readonly SgmWorkspace _minus;
        private readonly IgfmParallelPair? _pair;
        private readonly Action _evaluatePlus;

        public Run(
            IBilevelKernels model,
            IgfmOptions options,
            ReadOnlySpan<double> x0,
            ReadOnlySpan<double> y0,
            bool parallel)
        {
            _model = model;
            _o = options;
            _random = new Random(options.Seed);
            _m = x0.Length;
            _n = y0.Length;

            _x = x0.ToArray();
            _xNext = new double[_m];
            _u = new double[_m];
            _xPlus = new double[_m];
            _xMinus = new double[_m];
            _g = new double[_m];
            _yStart = y0.ToArray();
            _xBest = new double[_m];
            _xChosen = new double[_m];
            _windowX = new double[options.StationarityWindow * _m];
            _windowG = new double[options.StationarityWindow * _m];
            _meanG = new double[_m];

            _plus = new SgmWorkspace(_m, _n);
            _minus = new SgmWorkspace(_m, _n);
            _evaluatePlus = () => _plus.Run(_model, _xPlus, _yStart, _o.Sgm, _cancellationToken, null);
            if (parallel)
            {
                _pair = new IgfmParallelPair(() => _minus.Run(_model, _xMinus, _yStart, _o.Sgm, _cancellationToken, null));
            }
        }

        public override ReadOnlySpan<double> CurrentX => _resultX ?? _x;

        public override ReadOnlySpan<double> CurrentY => _resultY ?? _yStart;

        public void Dispose() => _pair?.Dispose();

        public override StepOutcome Step(int t, CancellationToken cancellationToken)
        {
            IgfmOptions o = _o;
            int m = _m;
            _cancellationToken = cancellationToken;
            if (t == 0)
            {
                _window = o.StationarityWindow;
                // Relative to the start's scale: at |x0| = 1e14 a fixed delta = 1e-3 is lost in rounding (x +- delta u == x).
                _delta = o.SmoothingRadius * Math.Max(1.0, VectorMath.NormInf(_x));
                _upperDomain = _model.Info.HasUpperDomain;
                if (_upperDomain)
                {
                    _model.ProjectUpper(_x);
                    if (!VectorMath.AllFinite(_x))
                    {
                        return Finish(SolverStatus.InvalidInput, "Invalid input: ProjectUpper(x0) returned a non-finite entry.", evaluate: false);
                    }
                }

                _x.AsSpan().CopyTo(_xBest);
                _x.AsSpan().CopyTo(_xChosen);
            }

            int window = _window;
            double delta = _delta;
            bool upperDomain = _upperDomain;


            // Line 3: u uniform on the unit sphere (a normalised standard Gaussian vector).
            SampleDirection();
            for (int i = 0; i < m; i++)
            {
                _xPlus[i] = _x[i] + (delta * _u[i]);
                _xMinus[i] = _x[i] - (delta * _u[i]);
            }

            // Line 4: the two independent SGM estimates.
            if (_pair is not null)
            {
                _pair.Run(_evaluatePlus);
            }
            else
            {
                _evaluatePlus();
                _minus.Run(_model, _xMinus, _yStart, o.Sgm, _cancellationToken, null);
            }

            StepOutcome failed = CheckBranch(_plus, t, "x + delta u");
            if (!failed.IsStop)
            {
                failed = CheckBranch(_minus, t, "x - delta u");
            }

            if (failed.IsStop)
            {
                return failed;
            }

            if (_plus.Status == SolverStatus.LowerLevelNotConverged || _minus.Status == SolverStatus.LowerLevelNotConverged)
            {
                _lowerShortfalls++;
            }

            // Line 5: g = d / (2 delta) (phi~(x + delta u) - phi~(x - delta u)) u.
            double scale = m / (2.0 * delta) * (_plus.UpperValue - _minus.UpperValue);
            for (int i = 0; i < m; i++)
            {
                _g[i] = scale * _u[i];
            }

            if (!VectorMath.AllFinite(_g))
            {
                return Diverged(t, $"the gradient estimate became non-finite (phi~(x + delta u) = {Fmt.G(_plus.UpperValue)}, phi~(x - delta u) = {Fmt.G(_minus.UpperValue)})");
            }

            double estimate = 0.5 * (_plus.UpperValue + _minus.UpperValue);
            double lowerEstimate = 0.5 * (_plus.LowerValue + _minus.LowerValue);
            if (t == 0)
            {
                _firstEstimate = estimate;
            }
            if (estimate < _bestEstimate)
            {
                _bestEstimate = estimate;
                _x.AsSpan().CopyTo(_xBest);
            }

            // Reservoir sampling: x_t replaces the chosen iterate with probability 1/(t+1), so after t+1 iterations
            // each of x_0..x_t is the chosen one with probability 1/(t+1) (Algorithm 2, line 8).
            if (o.Output == IgfmOutput.UniformlyChosen && _random.Next(t + 1) == 0)
            {
                _x.AsSpan().CopyTo(_xChosen);
            }

            int slot = t % window;
            _x.AsSpan().CopyTo(_windowX.AsSpan(slot * m, m));
            _g.AsSpan().CopyTo(_windowG.AsSpan(slot * m, m));

            // Line 6: x <- x - eta g (projected onto the upper domain, if any).
            VectorMath.AddScaled(_x, -o.StepSize, _g, _xNext);
            if (upperDomain)
            {
                _model.ProjectUpper(_xNext);
            }

            if (!VectorMath.AllFinite(_xNext))
            {
                return Diverged(t, "the upper-level iterate x became non-finite (the step eta * g overflowed)");
            }

            double stepNorm = VectorMath.DistanceInf(_xNext, _x);
            _xNext.AsSpan().CopyTo(_x);

            if (o.WarmStart)
            {
                // The mean of two points of the convex Y lies in Y.
                double[] yp = _plus.Output;
                double[] ym = _minus.Output;
                for (int i = 0; i < _n; i++)
                {
                    _yStart[i] = 0.5 * (yp[i] + ym[i]);
                }
            }

            Complete(estimate, lowerEstimate, Math.Abs(scale), stepNorm, double.NaN, _plus.StepsTaken + _minus.StepsTaken);

            if (o.Tolerance > 0.0 && t + 1 >= window && WindowIsStationary(window, delta, o.Tolerance, out double meanNorm))
            {
                return Conclude(SolverStatus.Converged, $"Converged after {t + 1} iterations: the last {window} iterates lie within delta = {Fmt.G(delta)} of X and the mean of "
                    + $"their gradient estimates has norm {Fmt.G(meanNorm)} <= {Fmt.G(o.Tolerance)} (an estimated (delta, eps)-Goldstein stationary point).");
            }

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            IgfmOptions o = _o;
            _cancellationToken = cancellationToken;

            return Conclude(
                SolverStatus.IterationLimit,
                $"Stopped at the iteration limit ({o.MaxIterations}) before the stopping test held (IGFM has no exact stationarity test; "
                    + "the result is the chosen iterate and may still be usable).");
        }

        /// <summary>Algorithm 2, line 8: the returned iterate and SGM's lower-level point for it.</summary>
        private StepOutcome Conclude(SolverStatus loopStatus, string loopMessage)
        {
            IgfmOptions o = _o;
            int m = _m;

            // Line 8: the returned iterate, and SGM's lower-level point for it.
            double[] xOut = o.Output switch
            {
                IgfmOutput.BestEstimate => _xBest,
                IgfmOutput.UniformlyChosen => _xChosen,
                _ => _x,
            };
            string which = o.Output switch
            {
                IgfmOutput.BestEstimate => "X is the iterate with the smallest hyper-objective estimate",
                IgfmOutput.UniformlyChosen => "X is an iterate chosen uniformly at random (the paper's output rule)",
                _ => "X is the last iterate",
            };

            _plus.Run(_model, xOut, _yStart, o.Sgm, _cancellationToken, null);
            _resultX = xOut;
            _resultY = _plus.Output;
            string shortfalls = _lowerShortfalls == 0
                ? string.Empty
                : $" In {_lowerShortfalls} of {Iterations} iterations an SGM estimate reported that the lower level was not solved to its threshold (see SgmOptions).";
            if (_plus.Status != SolverStatus.Converged)
            {
                string status = _plus.Status == SolverStatus.LowerLevelNotConverged ? "Y is not a trustworthy lower-level solution" : "no usable Y";
                return Finish(_plus.Status,
                    $"{loopMessage} {which}, but the final SGM call at X ended with {_plus.Status} ({status}): {_plus.Describe(o.Sgm)}{shortfalls}",
                    evaluate: _plus.Status != SolverStatus.Diverged);
            }

            // A descent method that ends far above where it started has diverged (eta too large), even if every value is finite.
            double final = _plus.UpperValue;
            if (final > _firstEstimate + Math.Max(Math.Abs(_firstEstimate), 1e-8))
            {
                return Finish(SolverStatus.Diverged,
                    $"Diverged: the hyper-objective estimate rose from {Fmt.G(_firstEstimate)} at the start to {Fmt.G(final)} at the returned X "
                    + $"after {Iterations} iterations; the step size eta = {Fmt.G(o.StepSize)} is too large for this problem"
                    + (m > 1 ? $" (the gradient estimate's variance grows with the dimension of x: try eta / {m} or less)" : " (try a smaller eta)")
                    + $". Do not use X and Y as a solution.{shortfalls}",
                    evaluate: true);
            }

            return Finish(loopStatus, $"{loopMessage} {which}; Y is SGM's lower-level optimal point for it.{shortfalls}", evaluate: true);
        }

        /// <summary>Null unless the SGM call at <paramref name="where"/> ended the run (nonconvexity, non-finite values, cancellation).</summary>
        private StepOutcome CheckBranch(SgmWorkspace work, int t, string where)
        {
            switch (work.Status)
            {
                case SolverStatus.AssumptionViolated:
                    return Finish(SolverStatus.AssumptionViolated,
                        $"Stopped in iteration {t + 1}: the SGM estimate at {where} found that the model breaks IGFM's assumptions. {work.Describe(_o.Sgm)}", evaluate: true);
                case SolverStatus.Diverged:
                    return Diverged(t, $"the SGM estimate at {where} failed: {work.Describe(_o.Sgm)}");
                case SolverStatus.Cancelled:
                    return Finish(SolverStatus.Cancelled,
                        $"Cancelled in iteration {t + 1}; X is the last iterate and Y the last warm start (not an SGM output at X).", evaluate: true);
                default:
                    return StepOutcome.Continue;
            }
        }
    }
}
