using BilevelDsl;

namespace BilevelDsl.Tests.Solvers;

/// <summary>Small dense linear algebra for the known answers (independent of the code under test).</summary>
internal static class Dense
{
    /// <summary>Solves S z = r for a symmetric positive definite S (n x n, row-major) by Cholesky.</summary>
    public static double[] SolveSpd(double[,] s, double[] r)
    {
        int n = r.Length;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = s[i, j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                if (i == j)
                {
                    if (!(sum > 0.0))
                    {
                        throw new InvalidOperationException("matrix not positive definite");
                    }

                    l[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i, j] = sum / l[j, j];
                }
            }
        }

        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = r[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[i, k] * z[k];
            }

            z[i] = sum / l[i, i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = z[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= l[k, i] * z[k];
            }

            z[i] = sum / l[i, i];
        }

        return z;
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0.0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>A deterministic generator (64-bit LCG, Box-Muller), so the data do not depend on System.Random's algorithm.</summary>
    public sealed class Gaussian(ulong seed)
    {
        private ulong _state = seed;

        public double Uniform()
        {
            _state = (_state * 6364136223846793005UL) + 1442695040888963407UL;
            return ((_state >> 11) + 0.5) * (1.0 / 9007199254740992.0);
        }

        public double Next() => Math.Sqrt(-2.0 * Math.Log(Uniform())) * Math.Cos(2.0 * Math.PI * Uniform());
    }
}

/// <summary>
/// Ridge regression with a log-regulariser, in closed form: H(x) = A'A + e^x I, w*(x) = H^-1 A'b,
/// phi(x) = 1/2 ||V w*(x) - c||^2, phi'(x) = -e^x (V'(V w* - c))' H^-1 w*  (differentiate H w* = A'b: H dw/dx = -e^x w*).
/// </summary>
internal sealed class RidgeClosedForm
{
    public RidgeClosedForm(int features, int trainRows, int validationRows, double noise, ulong seed)
    {
        var g = new Dense.Gaussian(seed);
        Features = features;
        double[] truth = new double[features];
        for (int j = 0; j < features; j++)
        {
            truth[j] = g.Next();
        }

        (Train, TrainTargets) = Data(g, trainRows, truth, noise);
        (Validation, ValidationTargets) = Data(g, validationRows, truth, noise);
        Gram = new double[features, features];
        for (int i = 0; i < trainRows; i++)
        {
            for (int j = 0; j < features; j++)
            {
                for (int k = 0; k < features; k++)
                {
                    Gram[j, k] += Train[i, j] * Train[i, k];
                }
            }
        }

        Correlation = new double[features];
        for (int i = 0; i < trainRows; i++)
        {
            for (int j = 0; j < features; j++)
            {
                Correlation[j] += Train[i, j] * TrainTargets[i];
            }
        }
    }

    public int Features { get; }

    public Matrix Train { get; }

    public double[] TrainTargets { get; }

    public Matrix Validation { get; }

    public double[] ValidationTargets { get; }

    public double[,] Gram { get; }

    public double[] Correlation { get; }

    public IBilevelKernels Kernels() => new RidgeTuning(Train, TrainTargets, Validation, ValidationTargets);

    public IBilevelKernels BoundedKernels() => new BoundedRidgeTuning(Train, TrainTargets, Validation, ValidationTargets);

    public double[,] Hessian(double x)
    {
        var h = (double[,])Gram.Clone();
        for (int j = 0; j < Features; j++)
        {
            h[j, j] += Math.Exp(x);
        }

        return h;
    }

    public double[] LowerSolution(double x) => Dense.SolveSpd(Hessian(x), Correlation);

    /// <summary>V'(V w - c).</summary>
    public double[] ValidationGradient(double[] w)
    {
        var grad = new double[Features];
        for (int i = 0; i < Validation.Rows; i++)
        {
            double r = -ValidationTargets[i];
            for (int j = 0; j < Features; j++)
            {
                r += Validation[i, j] * w[j];
            }

            for (int j = 0; j < Features; j++)
            {
                grad[j] += r * Validation[i, j];
            }
        }

        return grad;
    }

    public double Phi(double x)
    {
        double[] w = LowerSolution(x);
        double s = 0.0;
        for (int i = 0; i < Validation.Rows; i++)
        {
            double r = -ValidationTargets[i];
            for (int j = 0; j < Features; j++)
            {
                r += Validation[i, j] * w[j];
            }

            s += r * r;
        }

        return 0.5 * s;
    }

    public double Hypergradient(double x)
    {
        double[] w = LowerSolution(x);
        double[] v = Dense.SolveSpd(Hessian(x), w);
        return -Math.Exp(x) * Dense.Dot(ValidationGradient(w), v);
    }

    /// <summary>The best point of the grid lo, lo + step, ..., hi on the closed-form phi.</summary>
    public (double X, double Phi) GridOptimum(double lo, double hi, double step)
    {
        double bestX = lo;
        double best = double.PositiveInfinity;
        int count = (int)Math.Round((hi - lo) / step);
        for (int i = 0; i <= count; i++)
        {
            double x = lo + (i * step);
            double p = Phi(x);
            if (p < best)
            {
                best = p;
                bestX = x;
            }
        }

        return (bestX, best);
    }

    private (Matrix, double[]) Data(Dense.Gaussian g, int rows, double[] truth, double noise)
    {
        var a = new double[rows * Features];
        var t = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double s = 0.0;
            for (int j = 0; j < Features; j++)
            {
                a[(i * Features) + j] = g.Next();
                s += a[(i * Features) + j] * truth[j];
            }

            t[i] = s + (noise * g.Next());
        }

        return (new Matrix(rows, Features, a), t);
    }
}

/// <summary>
/// The bilevel quadratic in closed form: y*(x) = M x + e with M = Q^-1 B, e = Q^-1 d;
/// phi(x) = 1/2 ||x - a||^2 + 1/2 ||M x + e - c||^2 + k x_0 (M_2 x + e_2) = 1/2 x'Px + p'x + const, with
/// P = I + M'M + k (e_0 M_2' + M_2' e_0'), p = -a + M'(e - c) + k e_2 e_0 (e_0 the first unit vector); x* = -P^-1 p.
/// </summary>
internal static class QuadraticClosedForm
{
    public static readonly double[,] Q = { { 3.0, 1.0, 0.5 }, { 1.0, 2.0, 0.3 }, { 0.5, 0.3, 1.5 } };
    public static readonly double[,] B = { { 1.0, 0.5 }, { -0.5, 1.0 }, { 0.3, -0.7 } };
    public static readonly double[] D = [0.2, -0.1, 0.4];
    public static readonly double[] A = [1.0, -0.5];
    public static readonly double[] C = [0.5, 0.2, -0.3];
    public const double K = 0.3;

    public static IBilevelKernels Kernels() => new BilevelQuadratic(
        new Matrix(3, 3, [.. Flatten(Q)]), new Matrix(3, 2, [.. Flatten(B)]), D, A, C, K);

    public static double[] LowerSolution(double[] x)
    {
        var r = new double[3];
        for (int i = 0; i < 3; i++)
        {
            r[i] = (B[i, 0] * x[0]) + (B[i, 1] * x[1]) + D[i];
        }

        return Dense.SolveSpd(Q, r);
    }

    public static double Phi(double[] x)
    {
        double[] y = LowerSolution(x);
        double s = 0.0;
        for (int i = 0; i < 2; i++)
        {
            s += 0.5 * (x[i] - A[i]) * (x[i] - A[i]);
        }

        for (int i = 0; i < 3; i++)
        {
            s += 0.5 * (y[i] - C[i]) * (y[i] - C[i]);
        }

        return s + (K * x[0] * y[2]);
    }

    /// <summary>x*, y*, F* from P x* = -p.</summary>
    public static (double[] X, double[] Y, double F) Solution()
    {
        // columns of M and e
        double[] m0 = Dense.SolveSpd(Q, [B[0, 0], B[1, 0], B[2, 0]]);
        double[] m1 = Dense.SolveSpd(Q, [B[0, 1], B[1, 1], B[2, 1]]);
        double[] e = Dense.SolveSpd(Q, D);
        double[][] m = [m0, m1];
        var p = new double[2, 2];
        var lin = new double[2];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                p[i, j] = (i == j ? 1.0 : 0.0) + Dense.Dot(m[i], m[j]);
            }

            lin[i] = -A[i];
            for (int r = 0; r < 3; r++)
            {
                lin[i] += m[i][r] * (e[r] - C[r]);
            }
        }

        // k x_0 (M_2 x + e_2): Hessian k (e_0 M_2' + M_2 e_0'), linear k e_2 e_0
        p[0, 0] += 2.0 * K * m0[2];
        p[0, 1] += K * m1[2];
        p[1, 0] += K * m1[2];
        lin[0] += K * e[2];
        double[] x = Dense.SolveSpd(p, [-lin[0], -lin[1]]);
        return (x, LowerSolution(x), Phi(x));
    }

    private static IEnumerable<double> Flatten(double[,] a)
    {
        foreach (double v in a)
        {
            yield return v;
        }
    }
}
