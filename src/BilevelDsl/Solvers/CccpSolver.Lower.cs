using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

public sealed partial class CccpSolver
{
    private sealed partial class Run
    {
        /// <summary>
        /// Null when the joint Hessians of g and every u_j show no negative curvature along d = (dx, dy) at (x, y) beyond
        /// the tolerance; otherwise a message naming the function. The test is d'Hd / ||d||^2 &lt; -tol * sigma, where sigma is
        /// the largest ||H d'|| / ||d'|| any probe of that function has seen (a lower bound on ||H||): negative curvature is
        /// judged against the function's own curvature scale, so the rounding-level negative eigenvalues of a computed
        /// positive semidefinite Hessian (about -1e-16 ||H||, which a direction in its null space picks up) never trigger it.
        /// </summary>
        private string? ProbeCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> dx, ReadOnlySpan<double> dy, string where)
        {
            double tolerance = _o.ConvexityTolerance;
            if (double.IsPositiveInfinity(tolerance))
            {
                return null;
            }

            double dd = Dsl.SquaredNorm(dx) + Dsl.SquaredNorm(dy);
            if (dd == 0.0 || !double.IsFinite(dd))
            {
                return null;
            }

            double dNorm = Math.Sqrt(dd);
            for (int j = -1; j < _constraints; j++)
            {
                if (j < 0)
                {
                    _model.LowerHessianVector(x, y, dx, dy, _hx, _hy);
                }
                else
                {
                    _model.LowerConstraintHessianVector(j, x, y, dx, dy, _hx, _hy);
                }

                double curvature = (Dsl.Dot(dx, _hx) + Dsl.Dot(dy, _hy)) / dd;
                double scale = Math.Sqrt(Dsl.SquaredNorm(_hx) + Dsl.SquaredNorm(_hy)) / dNorm;
                if (!double.IsFinite(curvature) || !double.IsFinite(scale))
                {
                    continue;
                }

                ref double sigma = ref _curvatureScale[j + 1];
                sigma = Math.Max(sigma, scale);
                if (curvature < 0.0 && curvature < -tolerance * sigma)
                {
                    string name = j < 0 ? $"the lower-level objective g ({_model.Info.Lower.Method})" : $"lower-level constraint u_{j} (the [LowerConstraint] method number {j}, in declaration order)";
                    return $"CCCP-BO needs a lower level that is convex in (x, y) jointly (g and every u_j; then v(x) is convex and D_k is convex), but {name} has negative curvature "
                        + $"{where}: d'Hd / ||d||^2 = {Fmt.G(curvature)}, against the curvature scale {Fmt.G(sigma)} seen so far (ratio {Fmt.G(curvature / sigma)} < -{Fmt.G(tolerance)}). "
                        + "Use a method that does not need lower-level convexity (BVFIM, for a lower level without constraints or declared domains; none of the methods here handles a nonconvex lower level with constraints). X and Y are the last iterate.";
                }
            }

            return null;
        }
    }
}
