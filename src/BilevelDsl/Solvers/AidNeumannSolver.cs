// AID-Neumann: approximate implicit differentiation with a truncated Neumann series.
// J. Lorraine, P. Vicol, D. Duvenaud, "Optimizing millions of hyperparameters by implicit differentiation", AISTATS 2020, Algorithm 1 and Eq. (9).
//
// Update rule (Lorraine et al. 2020, Algorithm 1), outer iteration k:
//   y_k <- lower-level solver on f(x_k, .) to ||grad_y f|| <= eps_k                            (shared loop)
//   q   =  a * sum_{j=0..J} (I - a H)^j b,   H = hvp_yy of f at (x_k, y_k),  b = grad_y F(x_k, y_k),  a < 1/L
//          (v_0 = b; v_j = v_{j-1} - a H v_{j-1}; q = a (v_0 + ... + v_J))
//   g_k =  grad_x F(x_k, y_k) - hvp_xy(q)
//   x_k+1 <- optimiser step on g_k                                                              (shared loop)
// The truncation error is a (I - a H)^(J+1) H^-1 b: it vanishes geometrically when H is positive definite and a < 2/L.
// With a lower domain, H and b are restricted to the free directions (J H J and J b), as in AID-CG.
using System.Numerics.Tensors;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// AID-Neumann (Lorraine et al. 2020): AID whose adjoint system d2f/dy2 q = dF/dy is solved approximately by a truncated
/// Neumann series, which needs only Hessian-vector products and no inner products (no breakdown, a fixed cost).
/// </summary>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class AidNeumannSolver(AidNeumannOptions options) : HypergradientSolver<AidNeumannOptions>(options, "aid-neumann", "AID-Neumann")
{
    /// <summary>Creates a solver with the default <see cref="AidNeumannOptions"/>.</summary>
    public AidNeumannSolver()
        : this(new AidNeumannOptions())
    {
    }

    private protected override HypergradientMethod CreateMethod(HypergradientContext context) => new Method(context, Options);

    private sealed class Method(HypergradientContext c, AidNeumannOptions options) : HypergradientMethod(c)
    {
        private readonly double[] _v = new double[c.N];
        private readonly double[] _hv = new double[c.N];
        private readonly double[] _sum = new double[c.N];

        public override HypergradientOutcome Compute(int k, double tolerance)
        {
            IBilevelKernels model = C.Model;
            double upper = model.UpperGradient(C.X, C.Y, C.UpperGradX, C.UpperGradY);
            string? bad = CheckFinite(upper, C.UpperGradX, C.UpperGradY, "upper-level");
            if (bad is not null)
            {
                return HypergradientOutcome.Failed(bad);
            }

            double a = C.InnerStep(options.NeumannStepSize);
            if (!double.IsFinite(a))
            {
                return HypergradientOutcome.Failed("a lower-level Hessian-vector product (curvature estimate) is not finite");
            }

            LowerHessianOperator h = AdjointSystem(_v);

            _v.AsSpan().CopyTo(_sum);
            for (int j = 1; j <= options.NeumannTerms; j++)
            {
                h.Apply(_v, _hv);
                TensorPrimitives.MultiplyAdd(_hv, -a, _v, _v);
                TensorPrimitives.Add(_sum, _v, _sum);
            }

            TensorPrimitives.Multiply(_sum, a, _sum);
            if (!VectorMath.AllFinite(_sum))
            {
                return HypergradientOutcome.Failed("the Neumann series is not finite (a lower-level Hessian-vector product overflowed, or the step a is above 2/L)");
            }

            return ImplicitGradient(h, _sum, HypergradientOutcome.Ok(upper));
        }
    }
}
