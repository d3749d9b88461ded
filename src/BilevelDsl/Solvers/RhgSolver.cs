// RHG / ITD / RMD: reverse-mode differentiation through T unrolled lower-level gradient steps.
// L. Franceschi, M. Donini, P. Frasconi, M. Pontil, "Forward and reverse gradient-based hyperparameter optimization",
// ICML 2017.
//
// Update rule (Franceschi et al. 2017, Algorithm 1, Reverse-HG), outer iteration k, y_0 = warm start:
//   forward:  y_{t+1} = P(y_t - s grad_y f(x, y_t)),  t = 0..T-1, storing every y_t (and z_t = y_t - s grad_y f)
//             (safeguard, not in the paper: a stable fixed-step descent never increases f; if f increases, the
//             automatic step is halved and the forward pass redone; a configured step fails the run instead)
//   backward: p = grad_y F(x, y_T), g = grad_x F(x, y_T);
//             for t = T-1 down to 0:  p <- J_t p  (J_t the projection's Jacobian at z_t; identity without a domain)
//                                     g -= s hvp_xy_f(x, y_t; p);  p -= s hvp_yy_f(x, y_t; p)
//   x_{k+1} <- optimiser step on g;  y <- y_T (warm start)                                     (shared loop)
// g is the exact gradient of x -> F(x, y_T(x)) with y_0 and s held fixed. Memory: n T doubles for the trajectory (2 n T
// with a lower domain), allocated once per solve and released with it.
using System.Numerics.Tensors;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

/// <summary>
/// RHG (reverse-mode hypergradient, Franceschi et al. 2017): unrolls T projected gradient steps of the lower level and
/// back-propagates through them with Hessian-vector products. Memory grows as n T.
/// </summary>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class RhgSolver(RhgOptions options) : HypergradientSolver<RhgOptions>(options, "rhg", "RHG")
{
    /// <summary>Creates a solver with the default <see cref="RhgOptions"/>.</summary>
    public RhgSolver()
        : this(new RhgOptions())
    {
    }

    private protected override HypergradientMethod CreateMethod(HypergradientContext context) =>
        new ReverseUnroll(context, Options.UnrollSteps, Options.UnrollSteps, Options.InnerStepSize);
}

/// <summary>The reverse pass of RHG, and of TRHG when the kept window K is below T (ring buffer of the last K iterates).</summary>
internal sealed class ReverseUnroll : HypergradientMethod
{
    /// <summary>How many times the automatic step may be halved in one outer iteration.</summary>
    private const int MaxShortenings = 40;

    private readonly int _steps;
    private readonly int _kept;
    private readonly double? _stepSize;
    private readonly double[] _trajectory;
    private readonly double[]? _preProjection;
    private readonly double[] _start;
    private readonly double[] _p;
    private readonly double[] _hx;
    private readonly double[] _hy;

    public ReverseUnroll(HypergradientContext c, int steps, int kept, double? stepSize)
        : base(c)
    {
        _steps = steps;
        _kept = kept;
        _stepSize = stepSize;
        _trajectory = new double[checked(kept * c.N)];
        _preProjection = c.HasLowerDomain ? new double[checked(kept * c.N)] : null;
        _start = new double[c.N];
        _p = new double[c.N];
        _hx = new double[c.M];
        _hy = new double[c.N];
    }

    public override bool MovesLowerVariable => true;

    public override HypergradientOutcome Compute(int k, double tolerance)
    {
        IBilevelKernels model = C.Model;
        int n = C.N;
        C.Y.AsSpan().CopyTo(_start);
        double s = 0.0;
        double fFinal = 0.0;
        for (int attempt = 0; ; attempt++)
        {
            s = C.InnerStep(_stepSize);
            if (!double.IsFinite(s))
            {
                return HypergradientOutcome.Failed("a lower-level Hessian-vector product (curvature estimate) is not finite");
            }

            // Forward: y_{t+1} = P(y_t - s grad_y f(x, y_t)), keeping the last K iterates (all T for RHG); f must not increase.
            int increasedAt = -1;
            double previous = double.NaN;
            for (int t = 0; t <= _steps; t++)
            {
                double f = model.LowerGradient(C.X, C.Y, C.LowerGradX, C.LowerGradY);
                string? bad = CheckFinite(f, C.LowerGradX, C.LowerGradY, "lower-level", t);
                if (bad is not null)
                {
                    if (t > 0 && _stepSize is null)
                    {
                        increasedAt = t; // overflow along the unroll: the automatic step is too long
                        break;
                    }

                    _start.AsSpan().CopyTo(C.Y);
                    return HypergradientOutcome.Failed(bad);
                }

                if (t > 0 && HypergradientContext.Increased(previous, f))
                {
                    increasedAt = t;
                    break;
                }

                previous = f;
                if (t == _steps)
                {
                    fFinal = f; // the gradient at y_T is in C.LowerGradY (for the stationarity)
                    break;
                }

                int slot = (t % _kept) * n;
                C.Y.AsSpan().CopyTo(_trajectory.AsSpan(slot, n));
                TensorPrimitives.MultiplyAdd(C.LowerGradY, -s, C.Y, C.Y);
                if (_preProjection is not null)
                {
                    C.Y.AsSpan().CopyTo(_preProjection.AsSpan(slot, n));
                    model.ProjectLower(C.Y);
                }
            }

            if (increasedAt < 0)
            {
                break;
            }

            _start.AsSpan().CopyTo(C.Y);
            if (attempt >= MaxShortenings || !C.ShortenAutomaticStep(_stepSize, s))
            {
                return HypergradientOutcome.Failed(HypergradientContext.UnrolledStepTooLong(_stepSize, s, increasedAt, "f"));
            }
        }

        double sigma = C.StationarityFromGradient();

        // Backward from y_T: p = dF/dy, g = dF/dx; then K reverse steps.
        double upper = model.UpperGradient(C.X, C.Y, C.G, _p);
        string? badUpper = CheckFinite(upper, C.G, _p, "upper-level");
        if (badUpper is not null)
        {
            return HypergradientOutcome.Failed(badUpper);
        }

        for (int t = _steps - 1; t >= _steps - _kept; t--)
        {
            int slot = (t % _kept) * n;
            if (_preProjection is not null && !C.Jacobian!.SetPoint(_preProjection.AsSpan(slot, n)))
            {
                C.Jacobian.Apply(_p, _p);
            }

            model.LowerHessianVector(C.X, _trajectory.AsSpan(slot, n), C.ZeroX, _p, _hx, _hy);
            TensorPrimitives.MultiplyAdd(_hx, -s, C.G, C.G);
            TensorPrimitives.MultiplyAdd(_hy, -s, _p, _p);
        }

        if (!VectorMath.AllFinite(C.G) || !VectorMath.AllFinite(_p))
        {
            return HypergradientOutcome.Failed($"the reverse pass produced a non-finite hypergradient ({VectorMath.FirstNonFinite(C.G)})");
        }

        return new HypergradientOutcome(upper, fFinal, sigma, true, _steps, null, null);
    }
}
