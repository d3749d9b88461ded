// KKT-MPEC: a bilevel problem with a convex lower level with inequality constraints, solved through the lower level's
// KKT conditions (an MPEC) with the Scholtes relaxation of the complementarity constraints driven to zero.
//   S. Scholtes, "Convergence properties of a regularization scheme for mathematical programs with complementarity
//   constraints", SIAM J. Optim. 11(4) (2001) 918-936: the regularised problem Reg(t) (the products G_i(z) H_i(z) <= t,
//   G, H >= 0) and the convergence results of its Section 3 (limits of KKT points of Reg(t_k), t_k -> 0, are C-stationary for the MPEC; B-stationary
//   under MPEC-LICQ and upper-level strict complementarity).
//   The reformulation: S. Dempe and J. Dutta, "Is bilevel programming a special case of a mathematical program with
//   complementarity constraints?", Math. Program. 131 (2012) 37-48: for a lower level convex in y with Slater's condition,
//   global solutions of the bilevel problem and of its KKT reformulation (in (x, y), for every multiplier) coincide.
//
// Problem (u_j: the model's [LowerConstraint]s and the finite bounds of y's box; G = -u, H = lambda):
//   min_{x in X, y, lambda}  F(x, y)  s.t.  grad_y f(x, y) + sum_j lambda_j grad_y u_j(x, y) = 0,
//                                           u(x, y) <= 0,  lambda >= 0,  -lambda_j u_j(x, y) <= t_k.
// Outer iteration k solves Reg(t_k), t_k = t_0 theta^k (down to FinalRelaxation), by the augmented Lagrangian method of
// Numerics/AugmentedLagrangian.cs, warm-started at the previous point and multipliers (KktMpecSolver.Problem.cs). The
// start is (P_X(x0), y*(x0), lambda*(x0)) from a lower-level solve at x0. At the final relaxation the lower level is
// re-solved at the returned x from the returned y; the re-solved y replaces it when it lowers f beyond the tolerance.
// Safeguards (not in the papers): the model's domain of y must be a box (read by probing ProjectLower: the kernel contract
// has no bounds); f(x, .) and every u_j(x, .) are probed for negative curvature (Hessian-vector products) at the start and
// the end, at the iterate and four points around it; a run ends Converged only at the final relaxation with the relaxed
// problem's KKT residuals and the lower-level re-solve within the tolerance, and then the driver's certificate re-checks it.
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// KKT-MPEC (Scholtes relaxation): for bilevel problems whose lower level min_y f(x, y) s.t. u_j(x, y) &lt;= 0, y in a box,
/// is convex in y and smooth, with few lower-level variables (the classical test problems). It replaces the lower level by
/// its KKT conditions and drives the relaxation of the complementarity constraints to zero; it finds the optimistic
/// solution when the lower-level solution is not unique.
/// </summary>
/// <remarks>
/// Needs values, gradients and Hessian-vector products of f and of the u_j, and values and gradients of F. Refuses
/// (<see cref="SolverStatus.AssumptionViolated"/>) a nonsmooth level, a lower domain that is not a box, and a lower level
/// that its curvature probe finds nonconvex in y. Convexity is probed, not proven: the result's message says so. The
/// cost of one point is n (1 + J) Hessian-vector products (n lower variables, J constraints).
/// </remarks>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed partial class KktMpecSolver(KktMpecOptions options) : DrivenSolver<KktMpecOptions>(options, "kkt-mpec", "KKT-MPEC")
{
    /// <summary>Creates a solver with the default <see cref="KktMpecOptions"/>.</summary>
    public KktMpecSolver()
        : this(new KktMpecOptions())
    {
    }

    private protected override int IterationLimit => Options.MaxIterations;

    private protected override LowerConvexityNeed ConvexityNeed => LowerConvexityNeed.Convex;

    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension)
    {
        ModelInfo info = model.Info;
        if (!info.Lower.IsSmooth)
        {
            return "KKT-MPEC replaces the lower level by its KKT conditions, which need a differentiable lower level, but "
                + $"{info.Lower.Describe()}. Use CCCP-BO with CccpOptions.Smoothing = mu > 0 (constrained, nonsmooth convex lower levels).";
        }

        if (!info.Upper.IsSmooth)
        {
            return $"KKT-MPEC needs a differentiable upper level (it minimises F with gradients), but {info.Upper.Describe()}. "
                + "Pass model.WithSmoothing(mu), or use CCCP-BO with CccpOptions.Smoothing = mu > 0.";
        }

        return info.HasLowerDomain && ReadLowerBox(model, lowerDimension, out _, out _) is string notABox ? notABox : null;
    }

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(model, Options, x0, y0);

    /// <summary>
    /// Reads the box of the lower domain from <see cref="IBilevelKernels.ProjectLower"/> (the kernel contract exposes the
    /// projection, not the bounds): the bounds are the projections of -/+1e30 e_i, and the projection must then act as the
    /// coordinate-wise clamp at fixed points around the origin. Null when it does; otherwise the refusal.
    /// </summary>
    internal static string? ReadLowerBox(IBilevelKernels model, int n, out double[] lower, out double[] upper)
    {
        const double Far = 1e30;
        lower = new double[n];
        upper = new double[n];
        var probe = new double[n];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(probe);
            probe[i] = -Far;
            model.ProjectLower(probe);
            lower[i] = probe[i] <= -Far ? double.NegativeInfinity : probe[i];
            Array.Clear(probe);
            probe[i] = Far;
            model.ProjectLower(probe);
            upper[i] = probe[i] >= Far ? double.PositiveInfinity : probe[i];
        }

        for (int s = 0; s < 6; s++)
        {
            for (int i = 0; i < n; i++)
            {
                probe[i] = 3.0 * (s + 1) * Math.Cos(1.0 + (2.399963229728653 * ((s * n) + i)));
            }

            var clamped = new double[n];
            for (int i = 0; i < n; i++)
            {
                clamped[i] = Math.Clamp(probe[i], lower[i], upper[i]);
            }

            model.ProjectLower(probe);
            if (VectorMath.DistanceInf(probe, clamped) > 1e-12 * (1.0 + VectorMath.NormInf(clamped)))
            {
                return "KKT-MPEC writes the lower domain's normal cone with bound multipliers, so the domain of y must be a box "
                    + "([LowerBounds]), but the model's ProjectLower is not a coordinate-wise clamp. Use CCCP-BO, which projects onto "
                    + "any declared lower domain, or write the set as [LowerConstraint]s.";
            }
        }

        return null;
    }
}
