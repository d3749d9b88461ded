namespace BilevelDsl.Tests.SecondOrder;

// Models that together use every construct of the differentiable subset; their Hessian-vector products are
// checked against differences of their generated gradients at points away from kinks and branch boundaries.

/// <summary>Scalar model: every Math function, if/else, ?:, early return, compound assignment, helpers.</summary>
[BilevelModel]
public partial class ScalarMathZoo
{
    public double Shift { get; init; } = 0.25;

    [Differentiable]
    public static double Bump(double a, double b) => (a * Math.Exp(0.5 * b)) + Math.Sin(a * b);

    [Differentiable]
    public static double Series(double t, int terms)
    {
        double s = 0;
        for (int k = 1; k <= terms; k++)
        {
            s += Math.Pow(t, k) / k;
        }

        return s;
    }

    [Differentiable]
    public static double Nested(double a) => Bump(a, a) * 2 - Series(a, 3);

    [UpperLevel]
    public double Upper(double x, double y)
    {
        double s = Math.Sin(x * y) + Math.Cos(x - y) + Math.Tan(0.3 * x) + Math.Exp(0.5 * y);
        s += Math.Log(1 + (x * x) + (y * y));
        s += Math.Sqrt(2 + (x * y));
        s += Math.Pow(1.5 + x, y) + Math.Pow(y, 3) + Math.Pow(2 + y, 0.5);
        s += Math.Tanh(x * y) + Math.Atan(x + (2 * y));
        s += Math.Abs(x - y) + Math.Max(x, y * y) + Math.Min(x * y, y);
        if (x > Shift)
        {
            s += x * x * y;
        }
        else
        {
            s -= Math.Sin(y) * x;
        }

        double t = y > x ? Math.Exp(x - y) : Math.Cos(x + y);
        s *= 0.5;
        s /= 1.5;
        return s + t + (Math.PI * x * y) + Math.E;
    }

    [LowerLevel]
    public double Lower(double x, double y)
    {
        if (y < -0.5)
        {
            return (y * y * x) + Bump(x, y);
        }

        double u = Nested(x + y);
        u -= Series(x * y, 4);
        double v = x * y;
        v = v * v;
        v = (x > 0 && y > 0) || !(x < -0.8) ? v + Math.Atan(v) : v - Math.Tanh(y);
        return u + v;
    }
}

/// <summary>Scalar model: the Dsl scalar intrinsics, smooth and nonsmooth (evaluated away from kinks).</summary>
[BilevelModel]
public partial class ScalarDslZoo
{
    [Differentiable]
    public static double Kinky(double a, double b) => Dsl.Abs(a - b) + Dsl.Max(a, 2 * b) * Dsl.Min(a * b, a);

    [UpperLevel]
    public double Upper(double x, double y) =>
        (Dsl.Sigmoid(x * y) * Dsl.Softplus(x - y)) + Dsl.Abs(x * y) + (Dsl.Max(x, y) * Dsl.Min(x, y * y)) + Kinky(x, y);

    [LowerLevel]
    public double Lower(double x, double y)
    {
        double s = Dsl.Relu(x + y) * Dsl.Relu(x - y) + (Dsl.Hinge(x * y) * y);
        s += Dsl.PowAbs(x - y, 0.5) * Dsl.PowAbs(x * y, 1.0) + Dsl.PowAbs(y, 0.75) * x;
        s += Dsl.OscarPair(x, y) * Dsl.OscarPair(x * y, y - x);
        return s + Dsl.Softplus(-x * y) * Dsl.Sigmoid(y);
    }
}

/// <summary>
/// Span model: loops with += and -= accumulation (nested), Dot, SquaredNorm, Sum, LogSumExp, Norm1, matrix
/// rows and elements, double[] and int[] data, span locals, int arithmetic, branches inside loops, helpers
/// with int arguments, early return.
/// </summary>
[BilevelModel]
public partial class SpanZoo(Matrix M, double[] c, int[] pick)
{
    private static readonly double Scale = 0.75;

    [Differentiable]
    public static double Pair(double a, double b, int k) => k % 2 == 0 ? a * Math.Sin(b) : Math.Exp(0.3 * a) * b;

    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        ReadOnlySpan<double> w = y;
        double s = 0;
        for (int i = 0; i < M.Rows; i++)
        {
            double r = Dsl.Dot(M.Row(i), w) - c[i];
            s += r * r * x[i % x.Length];
            for (int j = 0; j < M.Columns; j++)
            {
                s -= 0.1 * M[i, j] * Math.Sin(w[j] * x[0]);
            }
        }

        for (int k = 0; k < pick.Length; k++)
        {
            double a = y[pick[k]];
            if (a > 0)
            {
                s += Pair(a, x[1], k);
            }
            else
            {
                s -= a * a * x[1];
            }
        }

        return s + (Scale * Dsl.SquaredNorm(x) * Dsl.Sum(y)) + Dsl.LogSumExp(y) + Dsl.LogSumExp(c) * x[0];
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x[0] > 10)
        {
            return Dsl.SquaredNorm(y);
        }

        ReadOnlySpan<double> row = M.Row(0);
        double s = Dsl.Norm1(y) * x[1] + Dsl.Dot(row, y) * x[0];
        int n = y.Length;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double d = y[i] - y[j];
                s += d * d * Math.Exp(x[0] * 0.1 * (i + j));
            }

            s += i % 2 == 1 ? Math.Cos(y[i] * x[1]) : Math.Sqrt(1 + (y[i] * y[i]));
        }

        return s + Dsl.LogSumExp(x) * Dsl.Sum(y);
    }
}
