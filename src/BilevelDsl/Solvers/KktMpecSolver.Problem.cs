using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

/// <summary>
/// NLP(t), the Scholtes relaxation of the KKT (MPEC) reformulation of a bilevel problem with a convex constrained lower
/// level, over z = (x, y, lambda): minimise F(x, y) subject to
///   r(x, y, lambda) = grad_y f(x, y) + sum_j lambda_j grad_y u_j(x, y) = 0   (written as r &lt;= 0 and -r &lt;= 0),
///   u_j(x, y) + delta &lt;= 0,   -lambda_j (u_j(x, y) + delta) &lt;= t,   x in X, y in the box of the lower domain, lambda &gt;= 0 (the simple set).
/// The constraints u_j are the model's [LowerConstraint]s followed by the finite bounds of the lower domain's box
/// (lo_i - y_i &lt;= 0, y_i - hi_i &lt;= 0), which need multipliers of their own in the stationarity condition.
/// </summary>
/// <remarks>
/// The gradient of r_i is row i of the Hessian of the Lagrangian f + sum_j lambda_j u_j in (x, y), one Hessian-vector product
/// with (0, e_i) per function with curvature: n(1 + J) products per point, cached per point (the augmented Lagrangian solver
/// asks for every constraint at the same z in turn). That is why the method is meant for small lower levels.
/// </remarks>
internal sealed partial class KktRelaxedProblem : ISmoothConvexFunction, IConvexConstraints
{
    private readonly IBilevelKernels _model;
    private readonly int _m;
    private readonly int _n;
    private readonly int _j;
    private readonly int _q;
    private readonly int[] _boundCoordinate;
    private readonly double[] _boundValue;
    private readonly double[] _boundSign;
    private readonly bool _hasUpperDomain;
    private readonly bool _hasLowerDomain;

    // The point the caches describe, and the caches: grad_y f, u_j and their (x, y)-gradients, r, the rows of grad r.
    private readonly double[] _at;
    private bool _cached;
    private readonly double[] _gradX;
    private readonly double[] _gradY;
    private readonly double[] _u;
    private readonly double[] _uGrad;
    private readonly double[] _r;
    private readonly double[] _rowGrad;
    private readonly bool[] _rowReady;
    private readonly double[] _zeroX;
    private readonly double[] _unit;
    private readonly double[] _hx;
    private readonly double[] _hy;

    public KktRelaxedProblem(IBilevelKernels model, int m, int n, double[] lowerBox, double[] upperBox)
    {
        _model = model;
        _m = m;
        _n = n;
        _j = model.LowerConstraintCount;
        var coordinates = new List<int>();
        var values = new List<double>();
        var signs = new List<double>();
        for (int i = 0; i < n; i++)
        {
            if (double.IsFinite(lowerBox[i]))
            {
                coordinates.Add(i);
                values.Add(lowerBox[i]);
                signs.Add(-1.0);
            }

            if (double.IsFinite(upperBox[i]))
            {
                coordinates.Add(i);
                values.Add(upperBox[i]);
                signs.Add(1.0);
            }
        }

        _boundCoordinate = [.. coordinates];
        _boundValue = [.. values];
        _boundSign = [.. signs];
        _q = _j + _boundCoordinate.Length;
        _hasUpperDomain = model.Info.HasUpperDomain;
        _hasLowerDomain = model.Info.HasLowerDomain;
        Dimension = m + n + _q;
        _at = new double[Dimension];
        _gradX = new double[m];
        _gradY = new double[n];
        _u = new double[_q];
        _uGrad = new double[_q * (m + n)];
        _r = new double[n];
        _rowGrad = new double[n * (m + n)];
        _rowReady = new bool[n];
        _zeroX = new double[m];
        _unit = new double[n];
        _hx = new double[m];
        _hy = new double[n];
        _scale = new double[Dimension];
        Array.Fill(_scale, 1.0);
        _real = new double[Dimension];
        _columns = new double[m + n];
    }

    /// <summary>The relaxation t of the complementarity constraints -lambda_j u_j &lt;= t.</summary>
    public double Relaxation { get; set; } = 1.0;

    /// <summary>
    /// delta &gt;= 0 in the primal constraints u_j + delta &lt;= 0: a margin above the solver's feasibility tolerance keeps the
    /// answer strictly feasible, which matters where the lower-level feasible set at the solution is a single point.
    /// </summary>
    public double Margin { get; set; }

    /// <summary>The number of lower-level constraints in the KKT system: the model's and the finite bounds of y.</summary>
    public int MultiplierCount => _q;

    public int Dimension { get; }

    public int Count => (2 * _n) + (2 * _q);

    public bool HasSimpleSet => true;

    /// <summary>F(x, y) and its gradient (zero in lambda).</summary>
    public double ValueAndGradient(ReadOnlySpan<double> scaled, Span<double> gradient)
    {
        ReadOnlySpan<double> z = Real(scaled);
        gradient[(_m + _n)..].Clear();
        double value = _model.UpperGradient(z[.._m], z.Slice(_m, _n), gradient[.._m], gradient.Slice(_m, _n));
        ScaleGradient(gradient);
        return value;
    }

    public double ValueAndGradient(int i, ReadOnlySpan<double> scaled, Span<double> gradient)
    {
        double value = ConstraintValueAndGradient(i, Real(scaled), gradient);
        ScaleGradient(gradient);
        return value;
    }

    private double ConstraintValueAndGradient(int i, ReadOnlySpan<double> z, Span<double> gradient)
    {
        Evaluate(z);
        int mn = _m + _n;
        gradient.Clear();
        if (i < 2 * _n)
        {
            int row = i % _n;
            double sign = i < _n ? 1.0 : -1.0;
            ReadOnlySpan<double> rowGradient = Row(z, row);
            for (int l = 0; l < mn; l++)
            {
                gradient[l] = sign * rowGradient[l];
            }

            for (int c = 0; c < _q; c++)
            {
                gradient[mn + c] = sign * _uGrad[(c * mn) + _m + row];
            }

            return sign * _r[row];
        }

        int k = i - (2 * _n);
        if (k < _q)
        {
            _uGrad.AsSpan(k * mn, mn).CopyTo(gradient);
            return _u[k] + Margin;
        }

        // Complementarity of lambda with the shifted constraint u + delta (with u alone, u &lt;= -delta would force lambda &lt;= t / delta).
        k -= _q;
        double lambda = z[mn + k];
        for (int l = 0; l < mn; l++)
        {
            gradient[l] = -lambda * _uGrad[(k * mn) + l];
        }

        gradient[mn + k] = -(_u[k] + Margin);
        return (-lambda * (_u[k] + Margin)) - Relaxation;
    }

    public void ProjectOntoSimpleSet(Span<double> z)
    {
        if (_hasUpperDomain)
        {
            _model.ProjectUpper(z[.._m]);
        }

        if (_hasLowerDomain)
        {
            // The lower domain is a box (KKT-MPEC refuses others), so projecting the real y and scaling back is exact.
            for (int l = _m; l < _m + _n; l++)
            {
                z[l] *= _scale[l];
            }

            _model.ProjectLower(z.Slice(_m, _n));
            for (int l = _m; l < _m + _n; l++)
            {
                z[l] /= _scale[l];
            }
        }

        for (int c = _m + _n; c < z.Length; c++)
        {
            z[c] = Math.Max(0.0, z[c]);
        }
    }

    /// <summary>Writes the constraint values u (the model's, then the bounds') at (x, y) into <paramref name="u"/>.</summary>
    public void ConstraintValues(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> u)
    {
        for (int c = 0; c < _q; c++)
        {
            u[c] = c < _j ? _model.LowerConstraintValue(c, x, y) : BoundValue(c - _j, y);
        }
    }

    /// <summary>
    /// Multipliers of the bounds at a lower-level solution y of the model's constraints with multipliers
    /// lambda[..J]: the part of -r the box must balance (r without the bounds), at active bounds only.
    /// </summary>
    public void BoundMultipliers(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> lambda)
    {
        _model.LowerGradient(x, y, _gradX, _gradY);
        for (int c = 0; c < _j; c++)
        {
            if (lambda[c] != 0.0)
            {
                _model.LowerConstraintGradient(c, x, y, _gradX, _hy);
                for (int i = 0; i < _n; i++)
                {
                    _gradY[i] += lambda[c] * _hy[i];
                }
            }
        }

        for (int b = 0; b < _boundCoordinate.Length; b++)
        {
            int i = _boundCoordinate[b];
            bool active = Math.Abs(y[i] - _boundValue[b]) <= 1e-8 * (1.0 + Math.Abs(_boundValue[b]));
            lambda[_j + b] = active ? Math.Max(0.0, -_boundSign[b] * _gradY[i]) : 0.0;
        }

        _cached = false;
    }

    private double BoundValue(int b, ReadOnlySpan<double> y) => _boundSign[b] * (y[_boundCoordinate[b]] - _boundValue[b]);

    /// <summary>Fills the caches at z unless they already describe it.</summary>
    private void Evaluate(ReadOnlySpan<double> z)
    {
        if (_cached && z.SequenceEqual(_at))
        {
            return;
        }

        z.CopyTo(_at);
        int mn = _m + _n;
        ReadOnlySpan<double> x = z[.._m];
        ReadOnlySpan<double> y = z.Slice(_m, _n);
        ReadOnlySpan<double> lambda = z[mn..];
        _model.LowerGradient(x, y, _gradX, _r);
        for (int c = 0; c < _q; c++)
        {
            Span<double> g = _uGrad.AsSpan(c * mn, mn);
            if (c < _j)
            {
                _u[c] = _model.LowerConstraintGradient(c, x, y, g[.._m], g[_m..]);
            }
            else
            {
                int b = c - _j;
                g.Clear();
                g[_m + _boundCoordinate[b]] = _boundSign[b];
                _u[c] = BoundValue(b, y);
            }

            if (lambda[c] != 0.0)
            {
                for (int i = 0; i < _n; i++)
                {
                    _r[i] += lambda[c] * g[_m + i];
                }
            }
        }

        Array.Clear(_rowReady);
        _cached = true;
    }

    /// <summary>grad_(x, y) r_i: the Hessian of the Lagrangian times (0, e_i) (the bounds are linear).</summary>
    private ReadOnlySpan<double> Row(ReadOnlySpan<double> z, int row)
    {
        int mn = _m + _n;
        Span<double> target = _rowGrad.AsSpan(row * mn, mn);
        if (_rowReady[row])
        {
            return target;
        }

        ReadOnlySpan<double> x = z[.._m];
        ReadOnlySpan<double> y = z.Slice(_m, _n);
        _unit[row] = 1.0;
        _model.LowerHessianVector(x, y, _zeroX, _unit, target[.._m], target[_m..]);
        for (int c = 0; c < _j; c++)
        {
            double lambda = z[mn + c];
            if (lambda != 0.0)
            {
                _model.LowerConstraintHessianVector(c, x, y, _zeroX, _unit, _hx, _hy);
                VectorMath.AddScaled(target[.._m], lambda, _hx, target[.._m]);
                VectorMath.AddScaled(target[_m..], lambda, _hy, target[_m..]);
            }
        }

        _unit[row] = 0.0;
        _rowReady[row] = true;
        return target;
    }
}
