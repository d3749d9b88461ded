using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Corpus;

public static partial class CorpusModels
{
    /// <summary>Vector and matrix constructs: views, slices, computed vectors and the matrix intrinsics.</summary>
    private static IEnumerable<ModelSpec> VectorModels()
    {
        yield return Span("W01_ReshapeMatVec", "Dsl.Reshape view of y, Dsl.MatVec into a computed vector in a loop, SoftmaxCrossEntropy",
            """
            var W = Dsl.Reshape(y, 2, 3);
            Span<double> z = stackalloc double[2];
            Dsl.MatVec(W, x, z);
            return Dsl.SquaredNorm(z) + W[1, 2] * x[0];
            """,
            """
            var W = Dsl.Reshape(y, 2, 3);
            Span<double> z = stackalloc double[2];
            double loss = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                Dsl.MatVec(W, A.Row(i), z);
                loss += Dsl.SoftmaxCrossEntropy(z, Labels[i]) * (1 + x[i % 3] * x[i % 3]);
            }
            return loss + 0.1 * Dsl.SquaredNorm(y);
            """,
            """
            private static Matrix A { get; } = Matrix.FromRows(new[] { new[] { 1.0, -0.5, 0.25 }, new[] { 0.5, 1.0, -1.0 }, new[] { -0.75, 0.25, 0.5 }, new[] { 0.1, 0.2, 0.3 } });
            private static readonly int[] Labels = { 0, 1, 1, 0 };
            """,
            xLength: 3, yLength: 6);

        yield return Span("W02_MatTVecSoftmax", "Dsl.MatTVec of a view of x, Dsl.Softmax, reads of a computed vector's entries",
            """
            var V = Dsl.Reshape(x, 2, 2);
            Span<double> r = stackalloc double[2];
            Dsl.MatTVec(V, y.Slice(0, 2), r);
            Span<double> p = stackalloc double[2];
            Dsl.Softmax(r, p);
            return p[0] * y[2] + Dsl.Dot(p, y.Slice(1, 2));
            """,
            """
            Span<double> p = stackalloc double[3];
            Dsl.Softmax(y, p);
            Span<double> q = stackalloc double[3];
            Dsl.MatTVec(Data, p, q);
            return Dsl.Dot(q, x.Slice(0, 3)) + Dsl.SquaredNorm(y) + Dsl.LogSumExp(p);
            """,
            "private static Matrix Data { get; } = Matrix.FromRows(new[] { new[] { 1.0, 0.5, -0.5 }, new[] { 0.25, -1.0, 0.75 }, new[] { 0.5, 0.5, 1.0 } });",
            xLength: 4, yLength: 3);

        yield return Span("W03_MapAndHelpers", "Dsl.Map with a Math function and with a [Differentiable] helper, Dsl.Axpy accumulated over a loop",
            """
            Span<double> t = stackalloc double[3];
            Dsl.Map(y, t, Math.Tanh);
            Span<double> u = stackalloc double[3];
            Dsl.Map(t, u, Cube);
            return Dsl.Dot(u, x) + Dsl.Sum(t);
            """,
            """
            Span<double> acc = stackalloc double[3];
            for (int i = 0; i < Rows.Rows; i++)
            {
                Dsl.Axpy(y[i] * x[i], Rows.Row(i), acc);
            }
            Span<double> s = stackalloc double[3];
            Dsl.Map(acc, s, Dsl.Softplus);
            return Dsl.SquaredNorm(acc) + Dsl.Sum(s) + Dsl.SquaredNorm(y);
            """,
            """
            private static Matrix Rows { get; } = Matrix.FromRows(new[] { new[] { 1.0, 0.0, 0.5 }, new[] { -0.5, 1.0, 0.0 }, new[] { 0.0, 0.25, 1.0 } });

            [Differentiable]
            private static double Cube(double t) => t * t * t;
            """);

        yield return Span("W04_ElementFills", "computed vectors filled entry by entry in a loop, += into entries, a fill inside a data loop",
            """
            Span<double> f = stackalloc double[3];
            for (int k = 0; k < 3; k++)
            {
                f[k] = x[k] * y[k] + Math.Sin(y[k]);
            }
            f[0] += x[1];
            return Dsl.SquaredNorm(f);
            """,
            """
            Span<double> g = stackalloc double[3];
            double total = 0;
            for (int i = 0; i < 2; i++)
            {
                for (int k = 0; k < g.Length; k++)
                {
                    g[k] = y[k] * (i + 1) - x[(k + i) % 3];
                }
                total += Dsl.LogSumExp(g) * (1 + i);
            }
            return total + Dsl.SquaredNorm(y);
            """);

        yield return Span("W05_SlicesAndViews", "slices of x and y as operands and span locals, rows of a view, view entries",
            """
            ReadOnlySpan<double> head = y.Slice(0, 2);
            ReadOnlySpan<double> tail = y.Slice(2);
            return Dsl.Dot(head, x.Slice(1, 2)) + Dsl.SquaredNorm(tail) * x[0];
            """,
            """
            var W = Dsl.Reshape(y.Slice(1, 4), 2, 2);
            double s = 0;
            for (int k = 0; k < W.Rows; k++)
            {
                s += Dsl.Dot(W.Row(k), x.Slice(k, 2)) * W[k, 1 - k];
            }
            ReadOnlySpan<double> rest = y.Slice(5, 1);
            return s + Dsl.SquaredNorm(y) + rest[0] * y[0];
            """,
            xLength: 3, yLength: 6);

        yield return Span("W06_TwoLayer", "a 2-layer network on views of y: MatVec, Map (tanh), MatVec, Axpy of a bias slice",
            """
            => Dsl.SquaredNorm(y) + Dsl.Dot(x, x) * y[0];
            """,
            """
            var W1 = Dsl.Reshape(y.Slice(0, 6), 2, 3);
            var W2 = Dsl.Reshape(y.Slice(6, 4), 2, 2);
            ReadOnlySpan<double> bias = y.Slice(10, 2);
            Span<double> h = stackalloc double[2];
            Span<double> a = stackalloc double[2];
            Span<double> z = stackalloc double[2];
            double loss = 0;
            for (int i = 0; i < Inputs.Rows; i++)
            {
                Dsl.MatVec(W1, Inputs.Row(i), h);
                Dsl.Map(h, a, Math.Tanh);
                Dsl.MatVec(W2, a, z);
                Dsl.Axpy(1.0, bias, z);
                loss += Dsl.Sigmoid(x[i]) * Dsl.SoftmaxCrossEntropy(z, i % 2);
            }
            return loss + 0.01 * Dsl.SquaredNorm(y);
            """,
            "private static Matrix Inputs { get; } = Matrix.FromRows(new[] { new[] { 1.0, 0.5, -0.5 }, new[] { -1.0, 0.25, 0.75 }, new[] { 0.5, -0.5, 1.0 } });",
            xLength: 3, yLength: 12);
    }
}
