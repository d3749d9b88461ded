using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Corpus;

public static partial class CorpusModels
{
    private const string MatrixA =
        "private static readonly Matrix A = new Matrix(2, 3, new double[] { 1.0, -2.0, 0.5, 3.0, 0.25, -1.0 });";

    private static IEnumerable<ModelSpec> SpanModels()
    {
        yield return Span("V01_DotNorm", "Dsl.Dot (x.y, y.y), Dsl.SquaredNorm",
            "return Dsl.Dot(x, y) + 0.5 * Dsl.SquaredNorm(y);",
            "return Dsl.SquaredNorm(y) - Dsl.Dot(x, y) + 0.1 * Dsl.Dot(y, y) + Dsl.SquaredNorm(x) * y[0];");

        yield return Span("V02_SumLogSumExp", "Dsl.Sum, Dsl.LogSumExp of x and y",
            "return Dsl.Sum(x) * Dsl.Sum(y) + Dsl.LogSumExp(y);",
            "return Dsl.LogSumExp(x) * y[0] + Dsl.LogSumExp(y) - Dsl.Sum(y) * 0.3;");

        yield return Span("V03_LoopIndexing", "for loop, += accumulation, .Length, indexing of x and y, -= after the loop",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += x[i] * y[i];
            }
            return s + y[3];
            """,
            """
            double s = 0;
            for (int j = 0; j < y.Length; j++)
            {
                s += (y[j] - 0.5 * j) * (y[j] - 0.5 * j);
            }
            s -= x[0] * y[1];
            return s;
            """,
            yLength: 4);

        yield return Span("V04_NestedLoops", "nested for loops with += and -= accumulation, loop-local variables",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                for (int j = 0; j < y.Length; j++)
                {
                    s += x[i] * y[j] * (i + 1) / (j + 1.0);
                }
            }
            return s;
            """,
            """
            double s = 0;
            double t = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double d = y[i] - x[i % x.Length];
                s += d * d;
                for (int j = 0; j < x.Length; j++)
                {
                    t -= 0.1 * y[i] * x[j];
                }
            }
            return s + t;
            """,
            yLength: 4);

        yield return Span("V05_TriangularLoops", "inner bound = outer index (invariant in the inner loop), three nested loops",
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    s += y[i] * y[j] * x[(i + j) % x.Length];
                }
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < 2; i++)
            {
                for (int j = 0; j < 2; j++)
                {
                    for (int k = 0; k < x.Length; k++)
                    {
                        s += (y[i] - x[k]) * (y[j] + x[k]) * 0.25;
                    }
                }
            }
            return s;
            """,
            yLength: 4);

        yield return Span("V06_ArrayData", "static double[] and int[] data: indexing, .Length, Dsl.Dot with data",
            """
            double s = 0;
            for (int i = 0; i < W.Length; i++)
            {
                s += W[i] * x[Idx[i]] * y[i];
            }
            return s;
            """,
            "return Dsl.SquaredNorm(y) + Dsl.Dot(W, x) * y[0] + Dsl.Dot(y, W) * Idx[0];",
            """
            private static readonly double[] W = { 0.5, -1.25, 2.0 };
            private static readonly int[] Idx = { 2, 0, 1 };
            """);

        yield return Span("V07_MatrixElements", "matrix elements A[i, j], .Rows, .Columns, Dsl.Dot of a matrix row",
            """
            double s = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                for (int j = 0; j < A.Columns; j++)
                {
                    s += A[i, j] * x[j] * y[i];
                }
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                double r = Dsl.Dot(A.Row(i), x) - y[i];
                s += r * r;
            }
            return s + A[1, 2] * y[1];
            """,
            MatrixA,
            yLength: 2);

        yield return Span("V08_SpanAliases", "ReadOnlySpan<double> locals aliasing x, y, a data array and a matrix row",
            """
            ReadOnlySpan<double> v = y;
            ReadOnlySpan<double> c = C;
            double s = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                ReadOnlySpan<double> row = A.Row(i);
                s += Dsl.Dot(row, x) * v[i] * c[i];
            }
            return s;
            """,
            """
            ReadOnlySpan<double> u = x;
            ReadOnlySpan<double> first = A.Row(0);
            return Dsl.SquaredNorm(y) + Dsl.Dot(first, u) * y[1] + u[2] * first[1];
            """,
            MatrixA + "\nprivate static readonly double[] C = { 0.3, 0.6 };",
            yLength: 2);

        yield return Span("V09_VectorIntrinsicsOnData", "Dsl.LogSumExp, Sum, SquaredNorm, Dot of matrix rows and data arrays",
            "return Dsl.LogSumExp(A.Row(0)) * x[0] + Dsl.LogSumExp(y) * x[1] + Dsl.Sum(D) * y[2] + Dsl.SquaredNorm(A.Row(1)) * y[0];",
            "return Dsl.LogSumExp(x) + Dsl.Dot(A.Row(1), y) + Dsl.Sum(A.Row(0)) * y[1] * y[1] + Dsl.LogSumExp(D) * x[2] + Dsl.SquaredNorm(D) * y[0];",
            MatrixA + "\nprivate static readonly double[] D = { 0.1, 0.2, -0.3 };");

        yield return Span("V10_BranchInLoop", "if / else inside a loop, int condition on the index",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                if (x[i] > y[i])
                {
                    s += x[i] - y[i];
                }
                else
                {
                    s -= 0.5 * (x[i] - y[i]);
                }
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (i % 2 == 0)
                {
                    s += y[i] * y[i] * x[i];
                }
                else
                {
                    s += Math.Exp(y[i] - x[i]);
                }
            }
            return s;
            """);

        yield return Span("V11_ConditionalInLoop", "?: inside a loop (on values and on the index)",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += x[i] > 0 ? x[i] * y[i] : y[i] * y[i];
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double w = i < 1 ? 2.0 : 0.5;
                s += w * (y[i] - x[i]) * (y[i] - x[i]);
            }
            return s;
            """);

        yield return Span("V12_EarlyReturnSpan", "early return in a span model, before a loop",
            """
            if (Dsl.Sum(x) > 0.5)
            {
                return Dsl.Dot(x, y);
            }
            double t = Dsl.SquaredNorm(x);
            return t * y[0];
            """,
            """
            if (x[0] < -0.5) return y[0] * y[0] + x[1];
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += (y[i] - x[i]) * (y[i] - x[i]);
            }
            return s;
            """);

        yield return Span("V13_MathInLoops", "Math.Sin/Cos/Exp/Log/Sqrt/Tanh/Atan/Tan of loop elements",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += Math.Sin(x[i]) * Math.Exp(0.3 * y[i]) + Math.Log(1 + y[i] * y[i]) + Math.Cos(x[i] * y[i]);
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += Math.Sqrt(2 + y[i]) * Math.Tanh(x[i]) + Math.Atan(y[i] - x[i]) + Math.Tan(0.5 * y[i]);
            }
            return s;
            """);

        yield return Span("V14_KinksInLoops", "Math.Abs/Max/Min/Pow of loop elements (points away from kinks)",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += Math.Abs(x[i] - y[i]) + Math.Max(x[i], 0.1) * y[i];
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += Math.Min(y[i], x[i]) + Math.Pow(y[i] * y[i] + 1, 0.75) + Math.Pow(1.5, x[i]) * y[i];
            }
            return s;
            """);
    }
}
