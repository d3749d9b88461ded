using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Corpus;

public static partial class CorpusModels
{
    private static IEnumerable<ModelSpec> MoreSpanModels()
    {
        yield return Span("V15_InstanceArrays", "instance double[] field, instance Matrix property, int field, Math.Pow with int exponent",
            """
            double s = 0;
            for (int i = 0; i < M.Rows; i++)
            {
                s += weights[i] * Dsl.Dot(M.Row(i), y) * x[i];
            }
            return s * power;
            """,
            """
            double s = 0;
            for (int i = 0; i < M.Rows; i++)
            {
                for (int j = 0; j < M.Columns; j++)
                {
                    s += M[i, j] * y[i] * y[j];
                }
            }
            return s + Dsl.Dot(weights, x) * y[0] + Math.Pow(x[1], power);
            """,
            """
            private readonly double[] weights = { 1.5, -0.5, 0.25 };
            public Matrix M { get; } = Matrix.FromRows(new[] { new[] { 1.0, 0.0, 2.0 }, new[] { -1.0, 0.5, 0.0 }, new[] { 0.0, 1.0, 1.0 } });
            private readonly int power = 2;
            """);

        yield return Span("V16_PrimaryConstructorData", "primary-constructor double[], int[], Matrix and double data",
            """
            double s = 0;
            for (int i = 0; i < targets.Length; i++)
            {
                double r = y[order[i]] - targets[i];
                s += r * r;
            }
            return s + lambda * Dsl.SquaredNorm(x) * y[0];
            """,
            """
            double s = 0;
            for (int i = 0; i < features.Rows; i++)
            {
                double r = y[i] - Dsl.Dot(features.Row(i), x);
                s += r * r;
            }
            return s + lambda * Dsl.SquaredNorm(y) + features[0, 1] * x[0];
            """,
            xLength: 2) with
        {
            PrimaryConstructor = "(double[] targets, int[] order, Matrix features, double lambda)",
            ConstructorArguments = () => new object?[]
            {
                new[] { 0.5, -1.0, 2.0 },
                new[] { 1, 0, 2 },
                new Matrix(3, 2, new[] { 1.0, 0.5, -0.5, 2.0, 0.25, -1.0 }),
                0.3,
            },
        };

        yield return Span("V17_SpanHelpers", "[Differentiable] helpers called in loops, with int arguments, helper with a local and ?:",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += Huber(2 * (x[i] - y[i])) + Weighted(y[i], i);
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += Weighted(y[i] - x[i], i);
            }
            return s + Huber(y[0]);
            """,
            """
            [Differentiable]
            private static double Huber(double t)
            {
                double a = Math.Abs(t);
                return a < 1 ? 0.5 * t * t : a - 0.5;
            }

            [Differentiable]
            public static double Weighted(double t, int i)
            {
                return (i + 1) * t * t / 2;
            }
            """);

        yield return Span("V18_IndexArithmetic", "int index arithmetic (% / - *), int locals in loops, casts of int expressions",
            """
            double s = 0;
            int n = x.Length;
            for (int i = 0; i < n; i++)
            {
                int j = (i + 1) % n;
                int k = n - 1 - i;
                s += x[j] * y[k] * (double)(i * i + 1) / (double)n;
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length / 2; i++)
            {
                s += y[2 * i] * y[2 * i + 1] + x[i * 2 % x.Length] * y[i];
            }
            return s + (double)(y.Length % 3);
            """,
            xLength: 4,
            yLength: 4);

        yield return Span("V19_CompoundOnLoopLocals", "*= /= -= += on locals declared inside the loop body (not loop-carried)",
            """
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double t = x[i];
                t *= y[i];
                t /= 2;
                t -= 0.1 * x[i];
                t += y[i];
                s += t * t;
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double t = y[i] - x[i];
                t *= t;
                t /= 1 + y[i] * y[i];
                s -= -t;
            }
            return s;
            """);

        yield return Span("V20_TwoAccumulators", "two accumulators in one loop (+= and -=), accumulators combined after the loop",
            """
            double pos = 0;
            double neg = 0;
            for (int i = 0; i < x.Length; i++)
            {
                pos += x[i] * x[i] * y[i];
                neg -= Math.Sin(y[i]);
            }
            return pos * neg;
            """,
            """
            double s = 10;
            for (int i = 0; i < y.Length; i++)
            {
                s -= y[i] * x[i];
                s += y[i] * y[i];
            }
            return s;
            """);

        yield return Span("V21_LogicalConditions", "&&, ||, !, == and != on values, nested ?:",
            "return (x[0] > 0 && y[0] < 0.5) || !(x[1] <= y[1]) ? x[0] * y[0] + x[1] : (x[2] >= 0 ? y[1] * y[2] : x[2] * y[0]);",
            """
            double s = Dsl.SquaredNorm(y);
            if (!(x[0] == y[0]) && (x[1] != 0 || y[2] > x[2]))
            {
                s += x[0] * y[0];
            }
            return s;
            """);

        yield return Span("V22_LogisticStyleLoops", "Dsl.Sigmoid and Dsl.Softplus in loops",
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += Dsl.Sigmoid(x[i] * y[i] * 3) - 0.5 * Dsl.Softplus(y[i]);
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += Dsl.Softplus(-y[i] * x[i] + 0.2) + Dsl.Sigmoid(y[i]) * x[i];
            }
            return s + 0.5 * Dsl.SquaredNorm(y);
            """);

        yield return Span("V23_UnaryAndParentheses", "unary minus, nested parentheses, division by expressions",
            "return -(-x[0] * (y[0] - (x[1] - y[1]))) / (2 + y[2] * y[2]) - -x[2];",
            "return -(y[0] * -y[1]) + ((x[0] + 1) * (y[2] - 2)) / (3 + x[1] * x[1]);");

        yield return Span("V24_GradientRequest", "[Gradient] partial methods of a span model",
            "return Dsl.Dot(x, y) * Math.Exp(0.1 * y[0]);",
            """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double r = y[i] - x[i] * x[i];
                s += r * r;
            }
            return s;
            """,
            """
            [Gradient(nameof(Lower))]
            public partial double LowerGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);

            [Gradient(nameof(Upper))]
            internal partial double UpperGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);
            """);

        yield return Span("V25_StaticProperties", "static double[] property, static Matrix property, static int field as loop bound",
            """
            double s = 0;
            for (int r = 0; r < Repeat; r++)
            {
                s += Dsl.Dot(Coef, y) * x[r];
            }
            return s;
            """,
            """
            double s = 0;
            for (int i = 0; i < Kernel.Rows; i++)
            {
                s += 0.5 * y[i] * Dsl.Dot(Kernel.Row(i), y) - Coef[i] * x[i] * y[i];
            }
            return s;
            """,
            """
            public static double[] Coef { get; } = { 0.2, -0.4, 0.6 };
            private static Matrix Kernel { get; } = new Matrix(3, 3, new double[] { 2, 0.5, 0, 0.5, 2, 0.5, 0, 0.5, 2 });
            private static readonly int Repeat = 2;
            """);

        yield return Span("V26_EveryMathFunction", "every Math function and constant in one expression per level",
            """
            return Math.Sin(x[0]) + Math.Cos(y[0]) + Math.Tan(0.3 * x[1]) + Math.Exp(y[1]) + Math.Log(2 + x[2])
                + Math.Sqrt(2 + y[2]) + Math.Pow(2 + x[0], y[0]) + Math.Tanh(y[1] * x[1]) + Math.Atan(x[2] * y[2])
                + Math.Abs(y[0] + 3) + Math.Max(x[0], y[1] + 3) + Math.Min(x[1], y[2] - 3) + Math.PI * Math.E * y[0];
            """,
            """
            return Math.Sin(y[0] * x[0]) + Math.Cos(x[1] - y[1]) + Math.Tan(0.2 * y[2]) + Math.Exp(-x[2] * y[0])
                + Math.Log(3 + y[1] * x[0]) + Math.Sqrt(4 + x[1] + y[2]) + Math.Pow(y[0] + 2, 2.5) + Math.Tanh(x[2])
                + Math.Atan(y[1]) + Math.Abs(x[0] - 3) + Math.Max(y[2] - 4, x[1]) + Math.Min(y[0], x[2] + 4) + Math.E * x[1] / Math.PI;
            """);

        yield return Span("V27_AllPathsReturn", "if / else with returns on every path, several early returns",
            """
            if (x[0] > y[0])
            {
                return x[0] * y[1];
            }
            else
            {
                return y[0] * y[0] - x[1];
            }
            """,
            """
            if (Dsl.Dot(x, y) < 0)
            {
                return Dsl.SquaredNorm(y);
            }
            if (x[0] > 0.5)
            {
                return y[0];
            }
            return y[1] * x[2];
            """);

        yield return Span("V28_DataLengthBounds", "data .Length as a loop bound, locals declared in the loop, Math.Exp of data",
            """
            double s = 0;
            for (int k = 0; k < Grid.Length; k++)
            {
                double d = x[0] - Grid[k];
                s += Math.Exp(-d * d) * y[k % y.Length];
            }
            return s;
            """,
            """
            double s = 0;
            for (int k = 0; k < Grid.Length; k++)
            {
                s += Grid[k] * Grid[k] * y[k % y.Length] * y[k % y.Length] * x[1];
            }
            return s + Dsl.SquaredNorm(y);
            """,
            "private static readonly double[] Grid = { -1, -0.5, 0, 0.5, 1 };");
    }
}
