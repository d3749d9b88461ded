namespace BilevelDsl.Solvers;

// The variable scaling of NLP(t), apart from the problem's values and constraints (KktMpecSolver.Problem.cs).
internal sealed partial class KktRelaxedProblem
{
    /// <summary>How much longer than x's longest column a y column may be before y is scaled (see <see cref="SetScale"/>).</summary>
    private const double ToleratedImbalance = 10.0;

    // The variable scaling (see SetScale): the solver works on z~, z = _scale .* z~ (1 outside y); _real holds z.
    private readonly double[] _scale;
    private readonly double[] _real;
    private readonly double[] _columns;
    private bool _scaled;

    /// <summary>
    /// Scales y so that no lower variable's column of the constraint Jacobian at z (the rows of grad_(x, y) r and of the
    /// model's grad_(x, y) u_j) is longer than the longest column of x: y_l = s_l y~_l, s_l = min(1, c_x / c_(y_l)), kept
    /// for the run (Jacobi scaling of the variables, restricted to y; 1 where x reaches neither r nor u). With a stiff lower
    /// level (ridge with features scaled by 10: columns of about 100 for y against 1 for x) the augmented Lagrangian's
    /// FISTA step is set by rho ||dr/dy||^2 and x moves 1e4 times slower than y; balanced, both move at rho's pace.
    /// </summary>
    public void SetScale(ReadOnlySpan<double> z)
    {
        Array.Fill(_scale, 1.0);
        _scaled = false;
        Evaluate(z);
        int mn = _m + _n;
        Array.Clear(_columns);
        for (int row = 0; row < _n; row++)
        {
            ReadOnlySpan<double> g = Row(z, row);
            for (int l = 0; l < mn; l++)
            {
                _columns[l] += g[l] * g[l];
            }
        }

        for (int c = 0; c < _j; c++)
        {
            ReadOnlySpan<double> g = _uGrad.AsSpan(c * mn, mn);
            for (int l = 0; l < mn; l++)
            {
                _columns[l] += g[l] * g[l];
            }
        }

        double longestX = 0.0;
        for (int k = 0; k < _m; k++)
        {
            longestX = Math.Max(longestX, Math.Sqrt(_columns[k]));
        }

        for (int l = 0; l < _n; l++)
        {
            double column = Math.Sqrt(_columns[_m + l]);
            double s = longestX > 0.0 && double.IsFinite(longestX) && column > ToleratedImbalance * longestX && double.IsFinite(column) ? ToleratedImbalance * longestX / column : 1.0;
            _scale[_m + l] = s;
            _scaled |= s != 1.0;
        }
    }

    /// <summary>z~ = z ./ scale (the solver's variables).</summary>
    public void ToScaled(ReadOnlySpan<double> z, Span<double> scaled)
    {
        for (int l = 0; l < z.Length; l++)
        {
            scaled[l] = z[l] / _scale[l];
        }
    }

    /// <summary>z = scale .* z~.</summary>
    public void FromScaled(ReadOnlySpan<double> scaled, Span<double> z)
    {
        for (int l = 0; l < z.Length; l++)
        {
            z[l] = scaled[l] * _scale[l];
        }
    }

    private ReadOnlySpan<double> Real(ReadOnlySpan<double> scaled)
    {
        if (!_scaled)
        {
            return scaled;
        }

        FromScaled(scaled, _real);
        return _real;
    }

    private void ScaleGradient(Span<double> gradient)
    {
        if (_scaled)
        {
            for (int l = _m; l < _m + _n; l++)
            {
                gradient[l] *= _scale[l];
            }
        }
    }
}
