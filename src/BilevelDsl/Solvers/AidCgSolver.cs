// AID-CG: approximate implicit differentiation with conjugate gradients ("Approx"/HOAG).
// F. Pedregosa, "Hyperparameter optimization with approximate gradient", ICML 2016, Algorithm 1 (HOAG).
//
// Update rule (Pedregosa 2016, Algorithm 1), outer iteration k with tolerance eps_k (summable, decreasing):
//   y_k   <- lower-level solver on f(x_k, .) from the warm start until ||grad_y f|| <= eps_k    (shared loop)
//   q_k   <- CG on  hvp_yy(q) = grad_y F(x_k, y_k)  until ||H q - b|| <= eps_k ||b||,  warm-started at q_{k-1}
//   g_k   =  grad_x F(x_k, y_k) - hvp_xy(q_k)         (Hessians of f at (x_k, y_k))
//   x_k+1 <- optimiser step on g_k                                                               (shared loop)
// With a lower domain, H and b are restricted to the free directions: CG solves J H J q = J b, J the Jacobian of the
// projection at y - grad_y f (the implicit function theorem applied to the fixed point y = P(y - grad_y f)).
// A CG direction with zero or negative curvature means d2f/dy2 is singular or indefinite at y: the lower level is not
// strongly convex there, the implicit hypergradient does not exist, and the run ends with AssumptionViolated.
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// AID-CG (Pedregosa 2016): solves the lower level approximately, then the adjoint system d2f/dy2 q = dF/dy by
/// conjugate gradients, and steps x along dF/dx - d2f/dxdy q, with tolerances that shrink over the outer iterations.
/// Needs a lower level that is smooth and strongly convex in y near the solution.
/// </summary>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class AidCgSolver(AidCgOptions options) : HypergradientSolver<AidCgOptions>(options, "aid-cg", "AID-CG")
{
    /// <summary>Creates a solver with the default <see cref="AidCgOptions"/>.</summary>
    public AidCgSolver()
        : this(new AidCgOptions())
    {
    }

    private protected override HypergradientMethod CreateMethod(HypergradientContext context) => new Method(context, Options);

    private sealed class Method(HypergradientContext c, AidCgOptions options) : HypergradientMethod(c)
    {
        private readonly ConjugateGradient _cg = new(c.N);
        private readonly double[] _q = new double[c.N];
        private readonly double[] _b = new double[c.N];

        public override bool UsesToleranceSchedule => true;

        public override HypergradientOutcome Compute(int k, double tolerance)
        {
            IBilevelKernels model = C.Model;
            double upper = model.UpperGradient(C.X, C.Y, C.UpperGradX, C.UpperGradY);
            string? bad = CheckFinite(upper, C.UpperGradX, C.UpperGradY, "upper-level");
            if (bad is not null)
            {
                return HypergradientOutcome.Failed(bad);
            }

            LowerHessianOperator h = AdjointSystem(_b);

            if (!options.WarmStartCg)
            {
                Array.Clear(_q);
            }

            ConjugateGradientResult r = _cg.Solve(h, _b, _q, tolerance, options.CgMaxIterations);
            if (r.Status == ConjugateGradientStatus.NonPositiveCurvature)
            {
                return HypergradientOutcome.Violated(
                    $"conjugate gradients met a direction p with curvature p'(d2f/dy2)p / p'p = {HypergradientSolver.Format(r.Curvature)} at the current (x, y): "
                    + "the lower-level Hessian is singular or indefinite there, so the lower level is not strongly convex in y (its solution may not be unique) "
                    + "and the implicit hypergradient AID computes does not exist. Use a method without that assumption (BDA, BVFIM, the penalty method), "
                    + "or make the lower level strongly convex (for example add a small (eps/2)||y||^2).");
            }

            if (r.Status == ConjugateGradientStatus.NonFinite || !VectorMath.AllFinite(_q))
            {
                Array.Clear(_q);
                return HypergradientOutcome.Failed("a lower-level Hessian-vector product in the conjugate-gradient solve is not finite");
            }

            return ImplicitGradient(h, _q, HypergradientOutcome.Ok(upper, accurate: r.Status == ConjugateGradientStatus.Converged));
        }
    }
}
