using BilevelDsl.Tests.KnownAnswerSuite;
using BilevelDsl.Tests.SeedSolvers.Nonsmooth;

namespace BilevelDsl.Tests.Defaults;

/// <summary>One problem of the defaults acceptance (issue 12, acceptance 3) and its grid optimum.</summary>
/// <param name="Name">Row label.</param>
/// <param name="Model">The model (DSL-generated kernels).</param>
/// <param name="X0">The start x0 (a user's natural first guess, not tuned).</param>
/// <param name="N">The lower dimension (y0 = 0).</param>
/// <param name="Lo">Lower end of the x grid.</param>
/// <param name="Hi">Upper end of the x grid.</param>
/// <param name="UpperAtLowerSolution">F(x, y*(x)) with the lower level solved tightly by the test's own method.</param>
public sealed record DefaultsProblem(string Name, IBilevelKernels Model, double X0, int N, double Lo, double Hi, Func<double, double> UpperAtLowerSolution)
{
    /// <summary>argmin of F(x, y*(x)) over a 401-point grid on [Lo, Hi], refined by golden sections inside the best cell to 1e-7.</summary>
    public double GridOptimum()
    {
        const int points = 401;
        double h = (Hi - Lo) / (points - 1);
        double[] values = new double[points];
        Parallel.For(0, points, k => values[k] = UpperAtLowerSolution(Lo + (k * h)));
        int best = Array.IndexOf(values, values.Min());
        double a = Lo + (Math.Max(best - 1, 0) * h), b = Lo + (Math.Min(best + 1, points - 1) * h);
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - (ratio * (b - a)), d = a + (ratio * (b - a));
        double fc = UpperAtLowerSolution(c), fd = UpperAtLowerSolution(d);
        while (b - a > 1e-7)
        {
            if (fc <= fd)
            {
                (b, d, fd) = (d, c, fc);
                c = b - (ratio * (b - a));
                fc = UpperAtLowerSolution(c);
            }
            else
            {
                (a, c, fc) = (c, d, fd);
                d = a + (ratio * (b - a));
                fd = UpperAtLowerSolution(d);
            }
        }

        double x = 0.5 * (a + b);
        return UpperAtLowerSolution(x) <= values[best] ? x : Lo + (best * h);
    }
}

/// <summary>The problems: ridge at three feature scales, a lasso, |w|^(1/2), a ball and a budget constraint.</summary>
public static class DefaultsProblems
{
    public static IReadOnlyList<DefaultsProblem> All { get; } = Build();

    private static List<DefaultsProblem> Build()
    {
        var list = new List<DefaultsProblem>();
        double[] truth5 = [1.0, -0.5, 0.25, 0.0, 2.0];
        foreach (double scale in (double[])[0.1, 1.0, 10.0])
        {
            (Matrix a, double[] b, Matrix va, double[] vb) = Data(12, 60, truth5, 2.0, 7, scale);
            list.Add(new($"ridge (features x {scale:G})", new DefaultsRidgeModel(a, b, va, vb), 0.0, 5, -20, 12, x => Validation(va, vb, Ridge(a, b, Math.Exp(x)))));
        }

        double[] truth10 = [1.5, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0];
        (Matrix la, double[] lb, Matrix lva, double[] lvb) = Data(30, 60, truth10, 1.0, 11, 1.0);
        list.Add(new("lasso (10 features)", new DefaultsLassoModel(la, lb, lva, lvb), 0.0, 10, -10, 3, x => Validation(lva, lvb, Lasso(la, lb, Math.Exp(x)))));

        (Matrix pa, double[] pb, Matrix pva, double[] pvb) = Data(8, 60, [1.0, 0.0], 2.0, 13, 1.0);
        var half = new LpRegressionModel(pa, pb, pva, pvb);   // the |w|^(1/2) model of the SPNBO tests
        var halfReference = new LowerLevelReference(half, [-4.0, -4.0], [4.0, 4.0], fine: false);
        list.Add(new("|w|^0.5 (2 features)", half, 0.0, 2, -12, 3, x => halfReference.Solve([x]).OptimisticF));

        var ball = new DefaultsBallModel();
        var ballReference = new LowerLevelReference(ball, [-3.0, -3.0], [3.0, 3.0], fine: false);
        list.Add(new("ball ||y|| <= x", ball, 1.0, 2, 0, 3, x => ballReference.Solve([x]).OptimisticF));

        var budget = new DefaultsBudgetModel();
        var budgetReference = new LowerLevelReference(budget, [-3.0, -3.0], [3.0, 3.0], fine: false);
        list.Add(new("budget y1 + y2 <= 1", budget, 0.0, 2, -1, 1.5, x => budgetReference.Solve([x]).OptimisticF));
        return list;
    }

    /// <summary>Gaussian features g (stored times <paramref name="scale"/>), targets b = g'truth + noise: the scale changes the features only.</summary>
    private static (Matrix, double[], Matrix, double[]) Data(int train, int validation, double[] truth, double noise, int seed, double scale)
    {
        var rng = new Random(seed);
        (Matrix, double[]) Sample(int rows)
        {
            int d = truth.Length;
            double[] data = new double[rows * d];
            double[] b = new double[rows];
            for (int i = 0; i < rows; i++)
            {
                double s = 0;
                for (int j = 0; j < d; j++)
                {
                    double g = Gaussian(rng);
                    s += g * truth[j];
                    data[(i * d) + j] = scale * g;
                }

                b[i] = s + (noise * Gaussian(rng));
            }

            return (new Matrix(rows, d, data), b);
        }

        (Matrix a, double[] b) = Sample(train);
        (Matrix va, double[] vb) = Sample(validation);
        return (a, b, va, vb);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double Validation(Matrix a, double[] b, double[] w)
    {
        double s = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double r = Dot(a, i, w) - b[i];
            s += r * r;
        }

        return 0.5 * s / a.Rows;
    }

    private static double Dot(Matrix a, int row, double[] w)
    {
        double s = 0;
        for (int j = 0; j < w.Length; j++)
        {
            s += a.Row(row)[j] * w[j];
        }

        return s;
    }

    /// <summary>(A'A / n + lambda I) w = A'b / n by Gaussian elimination with partial pivoting.</summary>
    private static double[] Ridge(Matrix a, double[] b, double lambda)
    {
        int d = a.Columns, n = a.Rows;
        double[,] m = new double[d, d + 1];
        for (int p = 0; p < d; p++)
        {
            for (int q = 0; q < d; q++)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += a.Row(i)[p] * a.Row(i)[q];
                }

                m[p, q] = (s / n) + (p == q ? lambda : 0);
            }

            double r = 0;
            for (int i = 0; i < n; i++)
            {
                r += a.Row(i)[p] * b[i];
            }

            m[p, d] = r / n;
        }

        for (int c = 0; c < d; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < d; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                {
                    pivot = r;
                }
            }

            for (int k = 0; k <= d; k++)
            {
                (m[c, k], m[pivot, k]) = (m[pivot, k], m[c, k]);
            }

            for (int r = 0; r < d; r++)
            {
                if (r != c)
                {
                    double f = m[r, c] / m[c, c];
                    for (int k = c; k <= d; k++)
                    {
                        m[r, k] -= f * m[c, k];
                    }
                }
            }
        }

        double[] w = new double[d];
        for (int c = 0; c < d; c++)
        {
            w[c] = m[c, d] / m[c, c];
        }

        return w;
    }

    /// <summary>The lasso by exact coordinate descent (soft-thresholding), to a change below 1e-13 per sweep.</summary>
    private static double[] Lasso(Matrix a, double[] b, double lambda)
    {
        int d = a.Columns, n = a.Rows;
        double[] w = new double[d];
        double[] residual = (double[])b.Clone();
        double[] norms = new double[d];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++)
            {
                norms[j] += a.Row(i)[j] * a.Row(i)[j] / n;
            }
        }

        for (int sweep = 0; sweep < 100_000; sweep++)
        {
            double change = 0;
            for (int j = 0; j < d; j++)
            {
                double rho = 0;
                for (int i = 0; i < n; i++)
                {
                    rho += a.Row(i)[j] * (residual[i] + (a.Row(i)[j] * w[j])) / n;
                }

                double next = Math.Sign(rho) * Math.Max(Math.Abs(rho) - lambda, 0) / norms[j];
                for (int i = 0; i < n; i++)
                {
                    residual[i] -= a.Row(i)[j] * (next - w[j]);
                }

                change = Math.Max(change, Math.Abs(next - w[j]));
                w[j] = next;
            }

            if (change < 1e-13)
            {
                break;
            }
        }

        return w;
    }
}
