// FHG / FMD: forward-mode hypergradient.
// L. Franceschi, M. Donini, P. Frasconi, M. Pontil, "Forward and reverse gradient-based hyperparameter optimization",
// ICML 2017.
//
// Update rule (Franceschi et al. 2017, Algorithm 2, Forward-HG), outer iteration k, y_0 = warm start, Z_0 = dy_0/dx = 0 (n x m):
//   for t = 0..T-1:  for each column k of Z:  Z_k <- J_t (Z_k - s (hvp_yy_f(x, y_t; Z_k) + hvp_yx_f(x, y_t; e_k)))
//                    y_{t+1} = P(y_t - s grad_y f(x, y_t))
//   (one joint Hessian-vector product with (vx, vy) = (e_k, Z_k) gives hvp_yx(e_k) + hvp_yy(Z_k) at once)
//   g = grad_x F(x, y_T) + Z_T' grad_y F(x, y_T)
// No trajectory is stored: memory is the n m matrix Z; cost m Hessian-vector products per unrolled step, so the method
// suits few upper variables. g equals RHG's for the same T, s and y_0.
using System.Numerics.Tensors;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

/// <summary>
/// FHG (forward-mode hypergradient, Franceschi et al. 2017): carries the Jacobian dy_t/dx (n x m) through T unrolled
/// lower-level steps. Memory n m, independent of T; cost m Hessian-vector products per step: the choice for few upper
/// variables and long unrolls.
/// </summary>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class FhgSolver(FhgOptions options) : HypergradientSolver<FhgOptions>(options, "fhg", "FHG")
{
    /// <summary>Creates a solver with the default <see cref="FhgOptions"/>.</summary>
    public FhgSolver()
        : this(new FhgOptions())
    {
    }

    private protected override HypergradientMethod CreateMethod(HypergradientContext context) => new Method(context, Options);

    private sealed class Method(HypergradientContext c, FhgOptions options) : HypergradientMethod(c)
    {
        private readonly double[] _z = new double[checked(c.M * c.N)]; // column k (dy/dx_k) at [k n, (k + 1) n)
        private readonly double[] _unit = new double[c.M];
        private readonly double[] _start = new double[c.N];
        private readonly double[] _hx = new double[c.M];
        private readonly double[] _hy = new double[c.N];

        public override bool MovesLowerVariable => true;

        public override HypergradientOutcome Compute(int k, double tolerance)
        {
            IBilevelKernels model = C.Model;
            int n = C.N;
            int m = C.M;
            C.Y.AsSpan().CopyTo(_start);
            double s = 0.0;
            double fFinal = 0.0;
            for (int attempt = 0; ; attempt++)
            {
                s = C.InnerStep(options.InnerStepSize);
                if (!double.IsFinite(s))
                {
                    return HypergradientOutcome.Failed("a lower-level Hessian-vector product (curvature estimate) is not finite");
                }

                Array.Clear(_z);
                int increasedAt = -1;
                double previous = double.NaN;
                for (int t = 0; t <= options.UnrollSteps; t++)
                {
                    if (t == options.UnrollSteps)
                    {
                        double fT = model.LowerGradient(C.X, C.Y, C.LowerGradX, C.LowerGradY);
                        string? badT = CheckFinite(fT, C.LowerGradX, C.LowerGradY, "lower-level", t);
                        if (badT is not null)
                        {
                            return HypergradientOutcome.Failed(badT);
                        }

                        if (HypergradientContext.Increased(previous, fT))
                        {
                            increasedAt = t;
                        }

                        fFinal = fT;
                        break;
                    }

                    for (int col = 0; col < m; col++)
                    {
                        Span<double> zk = _z.AsSpan(col * n, n);
                        _unit[col] = 1.0;
                        if (col == 0)
                        {
                            double f = model.LowerValueGradientHessianVector(C.X, C.Y, _unit, zk, C.LowerGradX, C.LowerGradY, _hx, _hy);
                            string? bad = CheckFinite(f, C.LowerGradX, C.LowerGradY, "lower-level", t);
                            if (bad is not null)
                            {
                                _unit[col] = 0.0;
                                _start.AsSpan().CopyTo(C.Y);
                                return HypergradientOutcome.Failed(bad);
                            }

                            if (t > 0 && HypergradientContext.Increased(previous, f))
                            {
                                _unit[col] = 0.0;
                                increasedAt = t;
                                break;
                            }

                            previous = f;
                        }
                        else
                        {
                            model.LowerHessianVector(C.X, C.Y, _unit, zk, _hx, _hy);
                        }

                        _unit[col] = 0.0;
                        TensorPrimitives.MultiplyAdd(_hy, -s, zk, zk);
                    }

                    if (increasedAt >= 0)
                    {
                        break;
                    }

                    TensorPrimitives.MultiplyAdd(C.LowerGradY, -s, C.Y, C.Y);
                    if (C.Jacobian is not null)
                    {
                        if (!C.Jacobian.SetPoint(C.Y))
                        {
                            for (int col = 0; col < m; col++)
                            {
                                C.Jacobian.Apply(_z.AsSpan(col * n, n), _z.AsSpan(col * n, n));
                            }
                        }

                        model.ProjectLower(C.Y);
                    }
                }

                if (increasedAt < 0)
                {
                    break;
                }

                _start.AsSpan().CopyTo(C.Y);
                if (attempt >= 40 || !C.ShortenAutomaticStep(options.InnerStepSize, s))
                {
                    return HypergradientOutcome.Failed(HypergradientContext.UnrolledStepTooLong(options.InnerStepSize, s, increasedAt, "f"));
                }
            }

            double sigma = C.StationarityFromGradient();
            if (!VectorMath.AllFinite(_z))
            {
                return HypergradientOutcome.Failed($"the forward sensitivities dy/dx became non-finite; the unrolled step s = {HypergradientSolver.Format(s)} may be too long");
            }

            // g = dF/dx + Z' dF/dy
            double upper = model.UpperGradient(C.X, C.Y, C.G, C.UpperGradY);
            string? badUpper = CheckFinite(upper, C.G, C.UpperGradY, "upper-level");
            if (badUpper is not null)
            {
                return HypergradientOutcome.Failed(badUpper);
            }

            for (int col = 0; col < m; col++)
            {
                C.G[col] += TensorPrimitives.Dot(_z.AsSpan(col * n, n), C.UpperGradY);
            }

            return new HypergradientOutcome(upper, fFinal, sigma, true, options.UnrollSteps, null, null);
        }
    }
}
