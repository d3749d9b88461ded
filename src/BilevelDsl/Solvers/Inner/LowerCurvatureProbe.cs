namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// Looks for negative curvature of the lower-level objective and of every [LowerConstraint] along a direction d, by one
/// Hessian-vector product each. The test is d'Hd / ||d||^2 &lt; -tolerance * sigma, where sigma is the largest ||H d'|| / ||d'||
/// any probe of that function has seen (a lower bound on ||H||): negative curvature is judged against the function's own
/// curvature scale, so the rounding-level negative eigenvalues of a computed positive semidefinite Hessian (about
/// -1e-16 ||H||, which a direction in its null space picks up) never trigger it. Used by the methods that need a convex
/// lower level (CCCP-BO: jointly in (x, y); KKT-MPEC: in y).
/// </summary>
internal sealed class LowerCurvatureProbe
{
    private readonly IBilevelKernels _model;
    private readonly double[] _hx;
    private readonly double[] _hy;
    private readonly double[] _scale;

    public LowerCurvatureProbe(IBilevelKernels model, int upperDimension, int lowerDimension)
    {
        _model = model;
        _hx = new double[upperDimension];
        _hy = new double[lowerDimension];
        _scale = new double[model.LowerConstraintCount + 1];
    }

    /// <summary>
    /// The first function with negative curvature along (dx, dy) at (x, y): -1 for the objective, j for constraint j;
    /// null when none has. With <paramref name="inYOnly"/>, d = (0, dy) and the scale is that of the y-block
    /// (||H_yy dy|| / ||dy||); otherwise the scale of the joint Hessian.
    /// </summary>
    public int? FindNegative(
        ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> dx, ReadOnlySpan<double> dy, double tolerance, bool inYOnly,
        out double curvature, out double sigma)
    {
        curvature = double.NaN;
        sigma = double.NaN;
        double dd = Dsl.SquaredNorm(dy) + (inYOnly ? 0.0 : Dsl.SquaredNorm(dx));
        if (double.IsPositiveInfinity(tolerance) || dd == 0.0 || !double.IsFinite(dd))
        {
            return null;
        }

        for (int j = -1; j < _model.LowerConstraintCount; j++)
        {
            if (j < 0)
            {
                _model.LowerHessianVector(x, y, dx, dy, _hx, _hy);
            }
            else
            {
                _model.LowerConstraintHessianVector(j, x, y, dx, dy, _hx, _hy);
            }

            double c = (Dsl.Dot(dy, _hy) + (inYOnly ? 0.0 : Dsl.Dot(dx, _hx))) / dd;
            double scale = Math.Sqrt((Dsl.SquaredNorm(_hy) + (inYOnly ? 0.0 : Dsl.SquaredNorm(_hx))) / dd);
            if (!double.IsFinite(c) || !double.IsFinite(scale))
            {
                continue;
            }

            ref double s = ref _scale[j + 1];
            s = Math.Max(s, scale);
            if (c < 0.0 && c < -tolerance * s)
            {
                curvature = c;
                sigma = s;
                return j;
            }
        }

        return null;
    }
}
