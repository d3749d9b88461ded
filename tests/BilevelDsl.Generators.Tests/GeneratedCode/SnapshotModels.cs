using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.GeneratedCode;

/// <summary>Representative models whose generated code is pinned by snapshot files.</summary>
public static class SnapshotModels
{
    public static readonly ModelSpec ScalarQuadratic = new()
    {
        Name = "ScalarQuadratic",
        Namespace = "Snapshots",
        Kind = ModelKind.Scalar,
        Covers = "scalar model, non-integer and exponent literals",
        Upper = "return 0.5 * (x - 1.25) * (x - 1.25) + 1e-3 * y * y + x * y;",
        Lower = "return (y - 0.75 * x) * (y - 0.75 * x) + 2.5e-1 * y + 1.0 / 3.0 * x;",
    };

    public static readonly ModelSpec SpanLoops = new()
    {
        Name = "SpanLoops",
        Namespace = "Snapshots",
        Covers = "nested loops with accumulation, if/else and ?: in a loop",
        Upper = """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                for (int j = 0; j < y.Length; j++)
                {
                    s += x[i] * y[j] / (1.5 + i + j);
                }
            }
            return s;
            """,
        Lower = """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double d = y[i] - x[i % x.Length];
                if (d > 0)
                {
                    s += d * d;
                }
                else
                {
                    s -= 0.5 * d;
                }
                s += i % 2 == 0 ? y[i] : -y[i];
            }
            return s;
            """,
    };

    public static readonly ModelSpec DataAndMatrix = new()
    {
        Name = "DataAndMatrix",
        Namespace = "Snapshots",
        Covers = "static Matrix, instance array, primary-constructor data, Dot/LogSumExp/SquaredNorm of rows",
        PrimaryConstructor = "(double[] targets)",
        ConstructorArguments = () => new object?[] { new[] { 1.0, -1.0 } },
        Members = """
            private static readonly Matrix A = new Matrix(2, 3, new double[] { 1.0, -2.0, 0.5, 3.0, 0.25, -1.0 });
            private readonly double[] weights = { 0.1, 0.2, 0.3 };
            """,
        Upper = """
            double s = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                double r = Dsl.Dot(A.Row(i), y) - targets[i];
                s += r * r;
            }
            return s + Dsl.LogSumExp(x) * A[0, 1];
            """,
        Lower = "return Dsl.SquaredNorm(y) + Dsl.Dot(weights, y) * Dsl.Sum(x) + Dsl.Dot(A.Row(1), x) * y[0];",
    };

    public static readonly ModelSpec HelpersAndBranches = new()
    {
        Name = "HelpersAndBranches",
        Namespace = "Snapshots",
        Kind = ModelKind.Scalar,
        Covers = "[Differentiable] helpers, early return, ?:, Abs/Max/Pow/Sqrt/Sigmoid/Softplus",
        Members = """
            [Differentiable]
            private static double Smooth(double t, int k)
            {
                return Math.Sqrt(t * t + 1) * k;
            }
            """,
        Upper = """
            if (x > 2.5)
            {
                return Smooth(x - y, 2);
            }
            double m = Math.Max(x, y) + Math.Abs(x - 0.5);
            return m > 0 ? Math.Pow(m, 1.5) : Dsl.Sigmoid(m) * y;
            """,
        Lower = "return Dsl.Softplus(y - x) + Smooth(y, 3) + Math.Exp(-x * x);",
    };

    public static readonly ModelSpec GradientRequests = new()
    {
        Name = "GradientRequests",
        Namespace = "Snapshots",
        Covers = "[Gradient] partial methods",
        Members = """
            [Gradient(nameof(Lower))]
            public partial double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);
            """,
        Upper = "return Dsl.Dot(x, y);",
        Lower = "return Dsl.SquaredNorm(y) - 2 * Dsl.Dot(x, y);",
    };

    public static readonly ModelSpec RejectedBody = new()
    {
        Name = "RejectedBody",
        Namespace = "Snapshots",
        Covers = "a rejected lower body (while loop): kernels emitted, throwing",
        Upper = "return Dsl.Dot(x, y);",
        Lower = """
            double s = 0;
            int i = 0;
            while (i < y.Length)
            {
                s += y[i] * x[0];
                i++;
            }
            return s;
            """,
    };

    public static readonly ModelSpec VectorModel = new()
    {
        Name = "VectorModel",
        Namespace = "Snapshots",
        Covers = "a Reshape view, a computed vector stored per iteration, MatVec, Softmax, Axpy, element fills",
        Members = "private static Matrix A { get; } = Matrix.FromRows(new[] { new[] { 1.0, 0.5, -0.5 }, new[] { -1.0, 0.25, 0.75 } });",
        Upper = """
            Span<double> p = stackalloc double[3];
            Dsl.Softmax(y, p);
            Span<double> f = stackalloc double[3];
            for (int k = 0; k < 3; k++)
            {
                f[k] = x[k] * p[k];
            }
            Dsl.Axpy(2.0, x, f);
            return Dsl.SquaredNorm(f);
            """,
        Lower = """
            var W = Dsl.Reshape(y, 1, 3);
            Span<double> z = stackalloc double[1];
            double loss = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                Dsl.MatVec(W, A.Row(i), z);
                loss += Dsl.Softplus(z[0]) * x[i];
            }
            return loss + Dsl.SquaredNorm(y);
            """,
    };

    public static IReadOnlyList<ModelSpec> All { get; } = new[]
    {
        ScalarQuadratic, SpanLoops, DataAndMatrix, HelpersAndBranches, GradientRequests, RejectedBody, VectorModel,
    };
}
