using System.Numerics.Tensors;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// The signed ratio lambda_min / |lambda|_max of the lower-level Hessian d2f/dy2 at a point (on the free directions of
/// an active lower domain), used at the end of a run to check that y is a strict local minimum of f(x, .):
/// a ratio at or below -<see cref="Threshold"/> means negative curvature (y is a maximum or saddle of the lower level), one
/// within +-<see cref="Threshold"/> a singular Hessian (not strongly convex: solutions may form a continuum).
/// </summary>
/// <remarks>
/// Power iteration gives sigma ~ |lambda|_max (50 products), then power iteration on sigma J - H gives sigma - lambda_min
/// (100 products). Power iteration approaches the top eigenvalue from below, so lambda_min can be overestimated but not
/// underestimated: a reported singularity or negative curvature is real (a positive definite Hessian is never flagged).
/// Allocates a few vectors per call: it runs once per solve.
/// </remarks>
internal static class CurvatureCheck
{
    /// <summary>|lambda_min| / |lambda|_max below which the Hessian counts as singular.</summary>
    public const double Threshold = 1e-8;

    /// <summary>
    /// lambda_min / |lambda|_max of <paramref name="hessian"/> (its <see cref="LowerHessianOperator.Jacobian"/>, if set and
    /// not the identity, restricts it to the free directions). 0 when the Hessian vanishes; NaN when a product is not finite.
    /// </summary>
    public static double Ratio(LowerHessianOperator hessian)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        int n = hessian.Dimension;
        var v = new double[n];
        var work = new double[n];
        StartVector(hessian, v);
        double sigma = PowerIteration.LargestMagnitude(hessian, v, work, 50);
        if (!double.IsFinite(sigma))
        {
            return double.NaN;
        }

        if (sigma == 0.0)
        {
            return 0.0;
        }

        var shifted = new Shifted(hessian, sigma, n);
        StartVector(hessian, v);
        double top = PowerIteration.LargestMagnitude(shifted, v, work, 100);
        return double.IsFinite(top) ? (sigma - top) / sigma : double.NaN;
    }

    private static void StartVector(LowerHessianOperator hessian, double[] v)
    {
        PowerIteration.GenericStart(v);
        if (hessian.Jacobian is { IsIdentity: false } j)
        {
            j.Apply(v, v);
        }
    }

    /// <summary>v -> sigma J v - H v (J the identity without an active domain).</summary>
    private sealed class Shifted(LowerHessianOperator hessian, double sigma, int n) : ILinearOperator
    {
        private readonly double[] _projected = new double[n];

        public int Dimension => n;

        public void Apply(ReadOnlySpan<double> v, Span<double> result)
        {
            if (hessian.Jacobian is { IsIdentity: false } j)
            {
                j.Apply(v, _projected);
            }
            else
            {
                v.CopyTo(_projected);
            }

            hessian.Apply(v, result);
            TensorPrimitives.Multiply(result, -1.0, result);
            TensorPrimitives.MultiplyAdd(_projected, sigma, result, result);
        }
    }
}
