using Xunit;

namespace BilevelDsl.Tests.SecondOrder;

/// <summary>Which objective (or constraint) of a model a check is about.</summary>
public enum Level
{
    Upper,
    Lower,
}

/// <summary>
/// One scalar function of (x, y) with its kernels, so the same numeric checks run on the upper objective,
/// the lower objective and each lower-level constraint.
/// </summary>
public sealed class Objective
{
    private readonly Func<double[], double[], double> value;
    private readonly Func<double[], double[], double[], double[], double> gradient;
    private readonly Action<double[], double[], double[], double[], double[], double[]> hessianVector;

    private Objective(string name, Func<double[], double[], double> value, Func<double[], double[], double[], double[], double> gradient, Action<double[], double[], double[], double[], double[], double[]> hessianVector)
    {
        Name = name;
        this.value = value;
        this.gradient = gradient;
        this.hessianVector = hessianVector;
    }

    public string Name { get; }

    public static Objective Of(IBilevelKernels k, Level level) => level == Level.Upper
        ? new Objective("upper", (x, y) => k.UpperValue(x, y), (x, y, gx, gy) => k.UpperGradient(x, y, gx, gy), (x, y, vx, vy, hx, hy) => k.UpperHessianVector(x, y, vx, vy, hx, hy))
        : new Objective("lower", (x, y) => k.LowerValue(x, y), (x, y, gx, gy) => k.LowerGradient(x, y, gx, gy), (x, y, vx, vy, hx, hy) => k.LowerHessianVector(x, y, vx, vy, hx, hy));

    public static Objective Constraint(IBilevelKernels k, int j) => new(
        "constraint " + j,
        (x, y) => k.LowerConstraintValue(j, x, y),
        (x, y, gx, gy) => k.LowerConstraintGradient(j, x, y, gx, gy),
        (x, y, vx, vy, hx, hy) => k.LowerConstraintHessianVector(j, x, y, vx, vy, hx, hy));

    public double Value(double[] x, double[] y) => value(x, y);

    /// <summary>The gradient as one vector (x part, then y part); the spans are pre-filled with garbage.</summary>
    public double[] Gradient(double[] x, double[] y)
    {
        double[] gx = Fill(x.Length, 1e7);
        double[] gy = Fill(y.Length, -1e7);
        gradient(x, y, gx, gy);
        return [.. gx, .. gy];
    }

    public double GradientAndValue(double[] x, double[] y, out double[] g)
    {
        double[] gx = Fill(x.Length, 3.5);
        double[] gy = Fill(y.Length, -2.5);
        double v = gradient(x, y, gx, gy);
        g = [.. gx, .. gy];
        return v;
    }

    /// <summary>The Hessian-vector product as one vector (x part, then y part).</summary>
    public double[] HessianVector(double[] x, double[] y, double[] vx, double[] vy)
    {
        double[] hx = Fill(x.Length, 1e9);
        double[] hy = Fill(y.Length, -1e9);
        hessianVector(x, y, vx, vy, hx, hy);
        return [.. hx, .. hy];
    }

    public double[] HessianVector(double[] x, double[] y, double[] v) => HessianVector(x, y, v[..x.Length], v[x.Length..]);

    /// <summary>
    /// The directional derivative of the generated gradient along (vx, vy), by the fourth-order central
    /// difference (8 (g(+h) - g(-h)) - (g(+2h) - g(-2h))) / (12 h).
    /// </summary>
    /// <remarks>The difference is taken along the unit direction (step h in the (x, y) norm) and scaled back.</remarks>
    public double[] GradientDifference(double[] x, double[] y, double[] vx, double[] vy, double h)
    {
        double norm = Math.Sqrt(vx.Concat(vy).Sum(v => v * v));
        var result = new double[x.Length + y.Length];
        if (norm == 0)
        {
            return result;
        }

        double[] Shifted(double t) => Gradient(Add(x, t / norm, vx), Add(y, t / norm, vy));
        double[] p1 = Shifted(h), m1 = Shifted(-h), p2 = Shifted(2 * h), m2 = Shifted(-2 * h);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = norm * ((8 * (p1[i] - m1[i])) - (p2[i] - m2[i])) / (12 * h);
        }

        return result;
    }

    /// <summary>The gradient by fourth-order central differences of the value, entry by entry.</summary>
    public double[] ValueDifference(double[] x, double[] y, double h)
    {
        var result = new double[x.Length + y.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double[] e = new double[result.Length];
            e[i] = 1;
            double[] ex = e[..x.Length], ey = e[x.Length..];
            double F(double t) => Value(Add(x, t, ex), Add(y, t, ey));
            result[i] = ((8 * (F(h) - F(-h))) - (F(2 * h) - F(-2 * h))) / (12 * h);
        }

        return result;
    }

    private static double[] Fill(int n, double v) => Enumerable.Repeat(v, n).ToArray();

    internal static double[] Add(double[] a, double t, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            r[i] = a[i] + (t * b[i]);
        }

        return r;
    }
}

/// <summary>Vector helpers and assertions shared by the second-order tests.</summary>
public static class Check
{
    public static double[] Normal(Random rng, int n, double scale = 1.0)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            // Box-Muller
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = scale * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return v;
    }

    public static double[] Uniform(Random rng, int n, double lo, double hi)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = lo + ((hi - lo) * rng.NextDouble());
        }

        return v;
    }

    public static double Dot(double[] a, double[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    public static double[] Sub(double[] a, double[] b) => Objective.Add(a, -1, b);

    /// <summary>||a - b|| / max(||a||, ||b||, floor).</summary>
    public static double RelativeError(double[] a, double[] b, double floor = 1e-300)
    {
        Assert.Equal(a.Length, b.Length);
        return Norm(Sub(a, b)) / Math.Max(Math.Max(Norm(a), Norm(b)), floor);
    }

    public static double[] MatVec(double[,] m, double[] v)
    {
        int rows = m.GetLength(0), cols = m.GetLength(1);
        Assert.Equal(cols, v.Length);
        var r = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                r[i] += m[i, j] * v[j];
            }
        }

        return r;
    }

    public static void AllFinite(double[] v, string what)
    {
        for (int i = 0; i < v.Length; i++)
        {
            Assert.True(double.IsFinite(v[i]), $"{what}[{i}] = {v[i]}");
        }
    }

    public static string Show(double[] v) => "[" + string.Join(", ", v.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <summary>Random row-major data matrix with entries of the given scale.</summary>
    public static Matrix RandomMatrix(Random rng, int rows, int columns, double scale = 1.0) =>
        new(rows, columns, Normal(rng, rows * columns, scale));

    public static double[,] ToArray(Matrix m)
    {
        var a = new double[m.Rows, m.Columns];
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = 0; j < m.Columns; j++)
            {
                a[i, j] = m[i, j];
            }
        }

        return a;
    }
}
