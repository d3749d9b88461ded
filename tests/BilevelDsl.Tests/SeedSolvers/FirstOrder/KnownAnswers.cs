using BilevelDsl.Solvers;

namespace BilevelDsl.Tests.SeedSolvers.FirstOrder;

/// <summary>
/// Known answers derived by hand (closed forms) or by brute force (grids), independently of the solvers under test,
/// and the synthetic data set of the IGFM seed's Example 5.4.
/// </summary>
internal static class KnownAnswers
{
    /// <summary>
    /// A synthetic regression set for Example 5.4: A (n x d) and x_true standard normal, b = A x_true + 0.5 noise, and the
    /// seed's M: half the diagonal (the even rows) evenly spaced in [1e-9, 1], the other half zero. Seeded.
    /// </summary>
    public static (Matrix A, double[] B, double[] Weights) AdversarialData(int n, int d, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
        var a = new double[n * d];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = Normal();
        }

        var xTrue = new double[d];
        for (int j = 0; j < d; j++)
        {
            xTrue[j] = Normal();
        }

        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0.0;
            for (int j = 0; j < d; j++)
            {
                s += a[(i * d) + j] * xTrue[j];
            }

            b[i] = s + (0.5 * Normal());
        }

        var weights = new double[n];
        int half = n / 2;
        for (int k = 0; k < half; k++)
        {
            weights[2 * k] = 1e-9 + ((1.0 - 1e-9) * k / (half - 1));
        }

        return (new Matrix(n, d, a), b, weights);
    }

    /// <summary>
    /// The hyper-objective of Example 5.4 in closed form. For w_i &gt; 0 the lower level pins y_i = (a_i x + lambda b_i) / (1 + lambda),
    /// so a_i x - y_i = lambda (a_i x - b_i) / (1 + lambda); for w_i = 0, y_i is free and F chooses y_i = a_i x (inside the box for the
    /// data used here), contributing 0. phi(x) = 1/(2n) sum_{w_i &gt; 0} (lambda (a_i x - b_i) / (1 + lambda))^2.
    /// </summary>
    public static double AdversarialPhi(Matrix a, double[] b, double[] weights, double lambda, ReadOnlySpan<double> x)
    {
        double s = 0.0;
        for (int i = 0; i < b.Length; i++)
        {
            if (weights[i] <= 0.0)
            {
                continue;
            }

            double r = 0.0;
            for (int j = 0; j < x.Length; j++)
            {
                r += a[i, j] * x[j];
            }

            r = lambda * (r - b[i]) / (1.0 + lambda);
            s += r * r;
        }

        return s / (2.0 * b.Length);
    }

    /// <summary>argmin phi of Example 5.4: least squares over the rows with w_i &gt; 0 (normal equations, Gaussian elimination).</summary>
    public static double[] AdversarialMinimizer(Matrix a, double[] b, double[] weights)
    {
        int d = a.Columns;
        var m = new double[d, d + 1];
        for (int i = 0; i < b.Length; i++)
        {
            if (weights[i] <= 0.0)
            {
                continue;
            }

            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k < d; k++)
                {
                    m[j, k] += a[i, j] * a[i, k];
                }

                m[j, d] += a[i, j] * b[i];
            }
        }

        for (int c = 0; c < d; c++)
        {
            for (int r = c + 1; r < d; r++)
            {
                double factor = m[r, c] / m[c, c];
                for (int k = c; k <= d; k++)
                {
                    m[r, k] -= factor * m[c, k];
                }
            }
        }

        var x = new double[d];
        for (int r = d - 1; r >= 0; r--)
        {
            double s = m[r, d];
            for (int k = r + 1; k < d; k++)
            {
                s -= m[r, k] * x[k];
            }

            x[r] = s / m[r, r];
        }

        return x;
    }

    /// <summary>
    /// The minimum-norm solution of C y = x c for a 2 x 4 C: y = x C^T (C C^T)^{-1} c, with the 2 x 2 inverse written out.
    /// </summary>
    public static double[] MinimumNorm(Matrix c, double[] rhs, double x)
    {
        double g00 = 0, g01 = 0, g11 = 0;
        for (int k = 0; k < c.Columns; k++)
        {
            g00 += c[0, k] * c[0, k];
            g01 += c[0, k] * c[1, k];
            g11 += c[1, k] * c[1, k];
        }

        double det = (g00 * g11) - (g01 * g01);
        double z0 = ((g11 * rhs[0]) - (g01 * rhs[1])) / det;
        double z1 = ((g00 * rhs[1]) - (g01 * rhs[0])) / det;
        var y = new double[c.Columns];
        for (int k = 0; k < c.Columns; k++)
        {
            y[k] = x * ((c[0, k] * z0) + (c[1, k] * z1));
        }

        return y;
    }

    /// <summary>
    /// The disc model's hyper-objective phi(x) = (sqrt(4 - x^2) - 3)^2 + (x - 1)^2 (|x| &lt;= 2) minimised on a grid of step 1e-6
    /// (phi is smooth and has a single minimum on [-2, 2]; the grid error is below 1e-6).
    /// </summary>
    public static (double X, double Phi) DiscMinimum()
    {
        double bestX = 0.0;
        double bestPhi = double.PositiveInfinity;
        for (int k = -2_000_000; k <= 2_000_000; k++)
        {
            double x = k * 1e-6;
            double s = Math.Sqrt(4.0 - (x * x));
            double phi = ((s - 3.0) * (s - 3.0)) + ((x - 1.0) * (x - 1.0));
            if (phi < bestPhi)
            {
                bestPhi = phi;
                bestX = x;
            }
        }

        return (bestX, bestPhi);
    }
}

/// <summary>Collects progress reports (synchronously, unlike <see cref="Progress{T}"/>).</summary>
internal sealed class RecordingProgress : IProgress<SolverProgress>
{
    public List<SolverProgress> Reports { get; } = [];

    public void Report(SolverProgress value) => Reports.Add(value);
}

/// <summary>Cancels a token once a given number of reports has arrived.</summary>
internal sealed class CancelAfter(CancellationTokenSource source, int reports) : IProgress<SolverProgress>
{
    public int Count { get; private set; }

    public void Report(SolverProgress value)
    {
        if (++Count >= reports)
        {
            source.Cancel();
        }
    }
}
