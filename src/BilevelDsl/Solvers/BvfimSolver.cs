// BVFIM: Bi-level Value-Function-based Interior-point Method.
// R. Liu, X. Liu, X. Yuan, S. Zeng, J. Zhang, "A Value-Function-based Interior-point Method for Non-convex
// Bi-level Optimization", ICML 2021 (Proceedings of Machine Learning Research 139, arXiv:2106.07991).
//
// Update rule (Eq. 18-21, Algorithm 1), outer iteration k with schedules (mu1, mu2, theta, tau)_k -> 0,
// tau_k ln(mu2_k) -> 0, and l = k (the paper's L = 1 inner x step per approximation level):
//   (18) z <- z - s1 (df/dy(x, z) + mu1 z)                                             T_z times
//        f* = f(x, z) + mu1/2 ||z||^2 + mu2                                  (regularised LL value, Eq. 12)
//   (19) y <- y - s2 (dF/dy(x, y) + theta y + tau df/dy(x, y) / (f* - f(x, y)))        T_y times
//   (20) g = dF/dx(x, y) + G,
//   (21) G = tau (df/dx(x, y) - df/dx(x, z)) / (f* - f(x, y))
//        x <- x - alpha g                                                    (Algorithm 1, line 5)
// Safeguards added here (not in the paper); none of them changes a fixed point of the iteration:
//  * s1 is the initial step of an Armijo backtracking (halving) line search for each z step.
//  * Each y step of Eq. (19) uses a spectral (Barzilai-Borwein) step size, at most s2, in a non-monotone
//    backtracking line search (Grippo-Lampariello-Lucidi reference over the last 5 values, as in spectral
//    projected gradient methods). A y step is only accepted strictly inside the barrier domain
//    f(x, y) < f*, so the log-barrier is always defined, and only if it decreases
//    phi(y) = F + theta/2 ||y||^2 - tau ln(f* - f) below the reference. Near the end of a run f* - f is tiny
//    and phi's rounding error (about eps |f| tau / (f* - f)) swamps the decrease; a step within that
//    rounding error of the test is accepted only if the trapezoid estimate of the decrease, computed from
//    the (exact to rounding) directional derivatives at both ends, passes a strict Armijo test (c = 0.4).
//    Plain gradient steps with one step size stall when the barrier makes y's problem stiff along grad f
//    and soft across it (a lower level with a continuum of solutions); spectral steps do not.
//  * If y is outside the barrier domain when an outer iteration starts (the start, or f* moved), it is
//    brought back inside by up to T_z Armijo gradient steps on f(x, .) (phase one; components of y that f
//    does not depend on are left alone), falling back to the segment towards z, which is strictly feasible
//    (f* - f(x, z) >= mu2 > 0).
//  * Any non-finite iterate or kernel result at an accepted point ends the run with Diverged; non-finite
//    results at trial points of a line search only shorten the step.
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// The BVFIM solver (Liu et al., ICML 2021): a first-order bilevel method that needs neither lower-level
/// convexity nor a unique lower-level solution, and uses gradients only (no Hessian-vector products).
/// </summary>
/// <remarks>
/// The lower-level constraint y in argmin f(x, .) is replaced by f(x, y) &lt; f*(x), where f* is the value
/// of the regularised, relaxed lower-level problem, and penalised with a log-barrier; the resulting smooth
/// problems are solved by alternating gradient steps on z (the regularised lower level), y (the barrier
/// problem) and x, while the regularisation and barrier weights decay (see <see cref="BvfimOptions"/>).
/// Work arrays are allocated once per <see cref="Solve"/>; the iteration loops do not allocate.
/// </remarks>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed partial class BvfimSolver(BvfimOptions options) : DrivenSolver<BvfimOptions>(options, "bvfim", "BVFIM")
{
    /// <summary>Armijo fraction of the z and phase-one line searches, and of the barrier search's rounding-level fallback test.</summary>
    private const double ArmijoFraction = 0.4;

    /// <summary>Armijo fraction of the non-monotone barrier line search (the usual SPG value).</summary>
    private const double BarrierArmijoFraction = 1e-4;

    /// <summary>How many recent barrier objective values the non-monotone line search takes the maximum of as its reference.</summary>
    private const int NonMonotoneMemory = 5;

    /// <summary>How many times a line search halves the step before giving up on the step.</summary>
    private const int MaxHalvings = 60;

    /// <summary>Multiple of the unit roundoff allowed as rounding error in the line searches' value tests.</summary>
    private const double RoundingAllowance = 64.0 * 1.1102230246251565e-16; // 64 unit roundoffs (2^-53)

    /// <summary>Creates a solver with the default <see cref="BvfimOptions"/>.</summary>
    public BvfimSolver()
        : this(new BvfimOptions())
    {
    }

    private protected override int IterationLimit => Options.MaxIterations;

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(Options.Smoothing > 0.0 ? model.WithSmoothing(Options.Smoothing) : model, Options, x0, y0);

    /// <summary>
    /// BVFIM's analysis needs continuously differentiable F and f (Liu et al. 2021, Assumption 1): at a kink its gradient
    /// steps see one side only, and on a lasso its barrier iteration drifts instead of settling. Its iteration has no
    /// projections and its log-barrier covers the value-function constraint only: lower-level constraints and declared
    /// domains would be ignored. Such models are refused with a method that handles them.
    /// </summary>
    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension)
    {
        ModelInfo info = model.Info;
        if (Options.Smoothing == 0.0 && (!info.Lower.IsSmooth || !info.Upper.IsSmooth))
        {
            LevelInfo level = info.Lower.IsSmooth ? info.Upper : info.Lower;
            const string Smoothing = "BvfimOptions.Smoothing = mu > 0 (BVFIM then solves the mu-smoothed problem model.WithSmoothing(mu))";
            string advice = info.Lower.IsSmooth
                ? $"Set {Smoothing}."
                : $"Use SPNBO or SMNBP, which drive the smoothing of a nonsmooth lower level to 0; or set {Smoothing}.";
            return $"Assumption violated: BVFIM needs continuously differentiable F and f (Liu et al. 2021, Assumption 1), but {level.Describe()}. {advice}";
        }

        if (model.LowerConstraintCount > 0)
        {
            return $"Assumption violated: BVFIM's log-barrier covers the value-function constraint f(x, y) < f*(x) only; the model's {model.LowerConstraintCount} lower-level "
                + "constraint(s) u_j(x, y) <= 0 would be ignored and the returned y could be infeasible. Use KKT-MPEC (KktMpecSolver) or CCCP-BO (CccpSolver), "
                + "which handle lower-level inequality constraints, or express a simple constraint as a [LowerBounds] box or [LowerProjection] and use AID, RHG or FHG.";
        }

        if (info.HasLowerDomain || info.HasUpperDomain)
        {
            string which = info.HasLowerDomain ? "lower" : "upper";
            return $"Assumption violated: BVFIM takes unprojected gradient steps, so the declared {which}-level domain would be ignored. "
                + "Use AID-CG, RHG or FHG, which project onto both domains (or CCCP-BO for a lower level with constraints).";
        }

        return null;
    }

    /// <summary>The state of one solve: work arrays allocated once, then reused by every iteration.</summary>
    private sealed partial class Run : IterativeMethod
    {
        private readonly IBilevelKernels _model;
        private readonly BvfimOptions _o;

        // Upper-level variable and hypergradient.
        private readonly double[] _x;
        private readonly double[] _xNext;
        private readonly double[] _g;

        // Regularised lower-level iterate z, the gradient of f at (x, z), and trial copies.
        private double[] _z;
        private double[] _zTrial;
        private double[] _fzX;
        private double[] _fzY;
        private double[] _fzXTrial;
        private double[] _fzYTrial;
        private readonly double[] _dz;

        // Barrier iterate y, the gradients of F and f at (x, y), and trial copies.
        private double[] _y;
        private double[] _yTrial;
        private readonly double[] _yPrevious;
        private double[] _FyX;
        private double[] _FyY;
        private double[] _fyX;
        private double[] _fyY;
        private double[] _FyXTrial;
        private double[] _FyYTrial;
        private double[] _fyXTrial;
        private double[] _fyYTrial;
        private readonly double[] _dy;

        // Barrier line search state: spectral step estimate and the recent barrier objective values.
        private readonly double[] _phiMemory = new double[NonMonotoneMemory];
        private double _ySpectralStep;

        public override ReadOnlySpan<double> CurrentX => _x;

        public override ReadOnlySpan<double> CurrentY => _y;

        public Run(
            IBilevelKernels model,
            BvfimOptions options,
            ReadOnlySpan<double> x0,
            ReadOnlySpan<double> y0)
        {
            _model = model;
            _o = options;

            int m = x0.Length;
            int n = y0.Length;
            _x = x0.ToArray();
            _xNext = new double[m];
            _g = new double[m];
            _z = y0.ToArray(); // z starts where y starts and is warm-started from then on
            _zTrial = new double[n];
            _fzX = new double[m];
            _fzY = new double[n];
            _fzXTrial = new double[m];
            _fzYTrial = new double[n];
            _dz = new double[n];
            _y = y0.ToArray();
            _yTrial = new double[n];
            _yPrevious = y0.ToArray();
            _FyX = new double[m];
            _FyY = new double[n];
            _fyX = new double[m];
            _fyY = new double[n];
            _FyXTrial = new double[m];
            _FyYTrial = new double[n];
            _fyXTrial = new double[m];
            _fyYTrial = new double[n];
            _dy = new double[n];
            _ySpectralStep = options.YStepSize;
        }

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            BvfimOptions o = _o;
            double mu1 = o.Mu1.ValueAt(k);
            double mu2 = o.Mu2.ValueAt(k);
            double theta = o.Theta.ValueAt(k);
            double tau = o.Tau.ValueAt(k);

            // Step 1 (Eq. 18): T_z steps on h(z) = f(x, z) + mu1/2 ||z||^2.
            double fz = _model.LowerGradient(_x, _z, _fzX, _fzY);
            string? bad = NonFinite(fz, _fzX, _fzY, "f", "z");
            if (bad is not null)
            {
                return Diverged(k, bad);
            }

            fz = DescendRegularisedLowerLevel(mu1, fz);
            double fStar = fz + (0.5 * mu1 * Dsl.SquaredNorm(_z)) + mu2;
            if (!double.IsFinite(fStar))
            {
                return Diverged(k, $"the regularised lower-level value f* became {InputValidation.Describe(fStar)}");
            }

            // Step 2 (Eq. 19): T_y steps on phi(y) = F(x, y) + theta/2 ||y||^2 - tau ln(f* - f(x, y)).
            double Fy = _model.UpperGradient(_x, _y, _FyX, _FyY);
            bad = NonFinite(Fy, _FyX, _FyY, "F", "y");
            if (bad is not null)
            {
                return Diverged(k, bad);
            }

            double fy = _model.LowerGradient(_x, _y, _fyX, _fyY);
            bad = NonFinite(fy, _fyX, _fyY, "f", "y");
            if (bad is not null)
            {
                return Diverged(k, bad);
            }

            if (!(fy < fStar))
            {
                fy = RestoreFeasibility(fStar, fy);
                Fy = _model.UpperGradient(_x, _y, _FyX, _FyY);
                bad = NonFinite(Fy, _FyX, _FyY, "F", "y") ?? NonFinite(fy, _fyX, _fyY, "f", "y");
                if (bad is not null)
                {
                    return Diverged(k, bad);
                }

                if (!(fy < fStar))
                {
                    return Diverged(
                        k,
                        $"no point strictly inside the log-barrier domain f(x, y) < f* was found (f* - f(x, z) = {Fmt.G(fStar - fz)}; mu2 may have underflowed)");
                }
            }

            (Fy, fy) = DescendBarrierProblem(theta, tau, fStar, Fy, fy);

            // Step 3 (Eq. 20-21): hypergradient estimate g and the upper-level step.
            double gap = fStar - fy;
            double weight = tau / gap;
            VectorMath.AddScaled(_FyX, weight, _fyX, _g);
            VectorMath.AddScaled(_g, -weight, _fzX, _g);
            if (!VectorMath.AllFinite(_g))
            {
                return Diverged(k, $"the hypergradient estimate g = dF/dx + tau (df/dx(x, y) - df/dx(x, z)) / (f* - f) became non-finite (f* - f = {Fmt.G(gap)})");
            }

            double directionNorm = VectorMath.Norm2(_g);
            VectorMath.AddScaled(_x, -o.XStepSize, _g, _xNext);
            if (!VectorMath.AllFinite(_xNext))
            {
                return Diverged(k, "the upper-level iterate x became non-finite (the step alpha * g overflowed)");
            }

            _xNext.AsSpan().CopyTo(_x);

            double stepNorm = o.XStepSize * VectorMath.NormInf(_g);
            double yChange = VectorMath.DistanceInf(_y, _yPrevious);
            _y.AsSpan().CopyTo(_yPrevious);
            Complete(Fy, fy, directionNorm, stepNorm, double.NaN, 0);

            bool settled = o.Mu1.IsSettled(k) && o.Mu2.IsSettled(k) && o.Theta.IsSettled(k) && o.Tau.IsSettled(k);
            if (settled
                && stepNorm <= o.Tolerance * (1.0 + VectorMath.NormInf(_x))
                && yChange <= o.Tolerance * (1.0 + VectorMath.NormInf(_y)))
            {
                return Finish(
                    SolverStatus.Converged,
                    $"Converged after {Iterations} outer iterations: the schedules reached their floors and the last x step ({Fmt.G(stepNorm)}) and y change ({Fmt.G(yChange)}) are within the tolerance {Fmt.G(o.Tolerance)}.",
                    evaluate: true);
            }

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            BvfimOptions o = _o;

            return Finish(
                SolverStatus.IterationLimit,
                $"Stopped at the iteration limit ({o.MaxIterations}) before the convergence test held; X and Y are the last iterate.",
                evaluate: true);
        }

        /// <summary>Eq. (18) with Armijo backtracking; returns f(x, z) at the final z (whose gradient is in _fzX, _fzY).</summary>
        private double DescendRegularisedLowerLevel(double mu1, double fz)
        {
            double h = fz + (0.5 * mu1 * Dsl.SquaredNorm(_z));
            for (int t = 0; t < _o.ZSteps; t++)
            {
                // d = df/dy(x, z) + mu1 z
                VectorMath.AddScaled(_fzY, mu1, _z, _dz);
                double dd = Dsl.Dot(_dz, _dz);
                if (dd == 0.0)
                {
                    break;
                }

                double allowance = RoundingAllowance * (Math.Abs(fz) + Math.Abs(h - fz));
                double step = _o.ZStepSize;
                bool accepted = false;
                double fTrial = 0.0;
                double hTrial = 0.0;
                for (int halving = 0; halving <= MaxHalvings; halving++, step *= 0.5)
                {
                    VectorMath.AddScaled(_z, -step, _dz, _zTrial);
                    fTrial = _model.LowerGradient(_x, _zTrial, _fzXTrial, _fzYTrial);
                    if (!AllFinite(fTrial, _fzXTrial, _fzYTrial))
                    {
                        continue;
                    }

                    hTrial = fTrial + (0.5 * mu1 * Dsl.SquaredNorm(_zTrial));
                    if (hTrial <= h - (ArmijoFraction * step * dd) + allowance)
                    {
                        accepted = true;
                        break;
                    }
                }

                if (!accepted)
                {
                    break; // no decrease measurable along -d: z is as good as this precision allows
                }

                VectorMath.Swap(ref _z, ref _zTrial);
                VectorMath.Swap(ref _fzX, ref _fzXTrial);
                VectorMath.Swap(ref _fzY, ref _fzYTrial);
                fz = fTrial;
                h = hTrial;
            }

            return fz;
        }
    }
}
