namespace BilevelDsl.Numerics;

/// <summary>
/// The momentum of FISTA (A. Beck and M. Teboulle, "A fast iterative shrinkage-thresholding algorithm for linear inverse
/// problems", SIAM J. Imaging Sciences 2(1), 2009, Eq. (4.2)-(4.3)): t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2 and the
/// extrapolated point w = v_k + ((t_k - 1) / t_{k+1}) (v_k - v_{k-1}). Shared by the lower-level
/// <c>NesterovSolver</c> and the subproblems of <see cref="AugmentedLagrangianSolver"/>; t = 1 is a restart.
/// </summary>
internal static class Fista
{
    /// <summary>t_{k+1} from t_k, and the extrapolation weight beta = (t_k - 1) / t_{k+1} (0 right after a restart).</summary>
    public static double NextT(double t, out double beta)
    {
        double tNext = 0.5 * (1.0 + Math.Sqrt(1.0 + (4.0 * t * t)));
        beta = (t - 1.0) / tNext;
        return tNext;
    }

    /// <summary>w = v + beta (v - previous).</summary>
    public static void Extrapolate(ReadOnlySpan<double> v, ReadOnlySpan<double> previous, double beta, Span<double> w)
    {
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = v[i] + (beta * (v[i] - previous[i]));
        }
    }
}
