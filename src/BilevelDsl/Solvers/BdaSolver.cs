// BDA: Bi-level Descent Aggregation.
// R. Liu, P. Mu, X. Yuan, S. Zeng, J. Zhang, "A generic first-order algorithmic framework for bi-level programming
// beyond lower-level singleton", ICML 2020.
//
// Update rule (Liu et al. 2020, Algorithm 1), outer iteration k with aggregation weight mu_k, y_0 = warm start:
//   forward:  a_t = mu_k / (t + 1),  y_{t+1} = P(y_t - (a_t s_u grad_y F(x, y_t) + (1 - a_t) s_l grad_y f(x, y_t))),
//             t = 0..T-1, storing every y_t
//   backward (reverse differentiation through this iteration; Hessian-vector products of F and of f):
//             p = grad_y F(x, y_T), g = grad_x F(x, y_T);
//             for t = T-1 down to 0:  p <- J_t p;
//                                     g -= a_t s_u hvp_xy_F(x, y_t; p) + (1 - a_t) s_l hvp_xy_f(x, y_t; p)
//                                     p -= a_t s_u hvp_yy_F(x, y_t; p) + (1 - a_t) s_l hvp_yy_f(x, y_t; p)
//   x_{k+1} <- optimiser step on g;  y <- y_T                                                 (shared loop)
// The upper-level term steers y towards the lower-level solution the upper level prefers, which is what lets BDA solve
// problems whose lower level has many solutions (the Liu et al. counterexample), where AID and RHG stop short.
// mu_k decays over the outer iterations (BdaOptions.Aggregation); once it reaches the schedule's floor the aggregation
// is switched off (mu = 0: RHG), which removes the bias a_T s_u grad_y F of the finite unroll, and only then may the run
// report Converged. (Liu et al. keep mu fixed; a fixed mu converges only as T -> infinity.)
using System.Numerics.Tensors;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

/// <summary>
/// BDA (Liu et al. 2020): unrolls a lower-level iteration that aggregates descent on F and on f, and back-propagates
/// through it. Does not need a unique lower-level solution; needs Hessian-vector products of both levels and n T memory.
/// </summary>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class BdaSolver(BdaOptions options) : HypergradientSolver<BdaOptions>(options, "bda", "BDA")
{
    /// <summary>Creates a solver with the default <see cref="BdaOptions"/>.</summary>
    public BdaSolver()
        : this(new BdaOptions())
    {
    }

    private protected override bool NeedsSmoothUpper => true;

    private protected override bool AssumesStrongConvexity => false;

    private protected override HypergradientMethod CreateMethod(HypergradientContext context) => new Method(context, Options);

    private sealed class Method(HypergradientContext c, BdaOptions options) : HypergradientMethod(c)
    {
        private readonly double[] _trajectory = new double[checked(options.UnrollSteps * c.N)];
        private readonly double[]? _preProjection = c.HasLowerDomain ? new double[checked(options.UnrollSteps * c.N)] : null;
        private readonly double[] _p = new double[c.N];
        private readonly double[] _start = new double[c.N];
        private readonly double[] _fx = new double[c.M];
        private readonly double[] _fy = new double[c.N];
        private readonly double[] _hx = new double[c.M];
        private readonly double[] _hy = new double[c.N];

        public override bool MovesLowerVariable => true;

        public override HypergradientOutcome Compute(int k, double tolerance)
        {
            IBilevelKernels model = C.Model;
            int n = C.N;
            int steps = options.UnrollSteps;
            // Once mu_k has decayed to the floor the aggregation is switched off (plain RHG), which removes its selection bias.
            bool settled = options.Aggregation.IsSettled(k);
            double mu = settled ? 0.0 : options.Aggregation.ValueAt(k);
            C.Y.AsSpan().CopyTo(_start);
            double sl = 0.0;
            double su = 0.0;
            double fFinal = 0.0;
            for (int attempt = 0; ; attempt++)
            {
                sl = C.InnerStep(options.InnerStepSize);
                if (!double.IsFinite(sl))
                {
                    return HypergradientOutcome.Failed("a lower-level Hessian-vector product (curvature estimate) is not finite");
                }

                su = options.UpperInnerStepSize ?? sl;

                // Forward; step t descends psi_t = a_t s_u F + (1 - a_t) s_l f with unit step, so psi_t must not increase.
                int increasedAt = -1;
                double previousF = double.NaN;
                double previousf = double.NaN;
                for (int t = 0; t <= steps; t++)
                {
                    double upperT = model.UpperGradient(C.X, C.Y, C.UpperGradX, C.UpperGradY);
                    string? bad = CheckFinite(upperT, C.UpperGradX, C.UpperGradY, "upper-level", t);
                    double lowerT = model.LowerGradient(C.X, C.Y, C.LowerGradX, C.LowerGradY);
                    bad ??= CheckFinite(lowerT, C.LowerGradX, C.LowerGradY, "lower-level", t);
                    if (bad is not null)
                    {
                        _start.AsSpan().CopyTo(C.Y);
                        return HypergradientOutcome.Failed(bad);
                    }

                    if (t > 0)
                    {
                        double aPrevious = mu / t;
                        double before = (aPrevious * su * previousF) + ((1.0 - aPrevious) * sl * previousf);
                        double after = (aPrevious * su * upperT) + ((1.0 - aPrevious) * sl * lowerT);
                        if (HypergradientContext.Increased(before, after))
                        {
                            increasedAt = t;
                            break;
                        }
                    }

                    previousF = upperT;
                    previousf = lowerT;
                    if (t == steps)
                    {
                        fFinal = lowerT;
                        break;
                    }

                    int slot = t * n;
                    C.Y.AsSpan().CopyTo(_trajectory.AsSpan(slot, n));
                    double a = mu / (t + 1);
                    TensorPrimitives.MultiplyAdd(C.UpperGradY, -a * su, C.Y, C.Y);
                    TensorPrimitives.MultiplyAdd(C.LowerGradY, -(1.0 - a) * sl, C.Y, C.Y);
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
                if (attempt >= 40 || !C.ShortenAutomaticStep(options.InnerStepSize, sl))
                {
                    return HypergradientOutcome.Failed(HypergradientContext.UnrolledStepTooLong(options.InnerStepSize, sl, increasedAt, "the aggregated objective a_t s_u F + (1 - a_t) s_l f"));
                }
            }

            double sigma = C.StationarityFromGradient();
            double upper = model.UpperGradient(C.X, C.Y, C.G, _p);
            string? badUpper = CheckFinite(upper, C.G, _p, "upper-level");
            if (badUpper is not null)
            {
                return HypergradientOutcome.Failed(badUpper);
            }

            for (int t = steps - 1; t >= 0; t--)
            {
                int slot = t * n;
                if (_preProjection is not null && !C.Jacobian!.SetPoint(_preProjection.AsSpan(slot, n)))
                {
                    C.Jacobian.Apply(_p, _p);
                }

                double a = mu / (t + 1);
                ReadOnlySpan<double> yt = _trajectory.AsSpan(slot, n);
                model.UpperHessianVector(C.X, yt, C.ZeroX, _p, _hx, _hy);
                model.LowerHessianVector(C.X, yt, C.ZeroX, _p, _fx, _fy);
                TensorPrimitives.MultiplyAdd(_hx, -a * su, C.G, C.G);
                TensorPrimitives.MultiplyAdd(_fx, -(1.0 - a) * sl, C.G, C.G);
                TensorPrimitives.MultiplyAdd(_hy, -a * su, _p, _p);
                TensorPrimitives.MultiplyAdd(_fy, -(1.0 - a) * sl, _p, _p);
            }

            if (!VectorMath.AllFinite(C.G) || !VectorMath.AllFinite(_p))
            {
                return HypergradientOutcome.Failed($"the reverse pass produced a non-finite hypergradient ({VectorMath.FirstNonFinite(C.G)}); the unrolled steps may be too long");
            }

            // The shared loop may only report Converged once mu_k has settled (Accurate = false before).
            return new HypergradientOutcome(upper, fFinal, sigma, settled, steps, null, null);
        }
    }
}
