using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

public sealed partial class CccpSolver
{
    private sealed partial class Run
    {
        /// <summary>How many x axes the start probes (the generic direction alone can miss a coupling term in x).</summary>
        private const int StartAxisProbes = 16;

        /// <summary>
        /// Null when the joint Hessians of g and every u_j show no negative curvature along d = (dx, dy) at (x, y) beyond
        /// the tolerance (<see cref="LowerCurvatureProbe"/>); otherwise a message naming the function.
        /// </summary>
        private string? ProbeCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> dx, ReadOnlySpan<double> dy, string where)
        {
            double tolerance = _o.ConvexityTolerance;
            if (_curvature.FindNegative(x, y, dx, dy, tolerance, inYOnly: false, out double curvature, out double sigma) is int j)
            {
                string name = j < 0 ? $"the lower-level objective g ({_model.Info.Lower.Method})" : $"lower-level constraint u_{j} (the [LowerConstraint] method number {j}, in declaration order)";
                return $"CCCP-BO needs a lower level that is convex in (x, y) jointly (g and every u_j; then v(x) is convex and D_k is convex), but {name} has negative curvature "
                    + $"{where}: d'Hd / ||d||^2 = {Fmt.G(curvature)}, against the curvature scale {Fmt.G(sigma)} seen so far (ratio {Fmt.G(curvature / sigma)} < -{Fmt.G(tolerance)}). "
                    + "If the lower level is convex in y for each fixed x (only its coupling with x is not jointly convex), use KKT-MPEC (KktMpecSolver), which needs convexity in y only; "
                    + "otherwise a method that does not need lower-level convexity (BVFIM, for a lower level without constraints or declared domains; none of the methods here handles a lower level nonconvex in y with constraints). X and Y are the last iterate.";
            }

            return null;
        }
    }
}
