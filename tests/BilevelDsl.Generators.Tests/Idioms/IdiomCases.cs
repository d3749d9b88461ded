using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Idioms;

/// <summary>
/// One lower-level body written with plain scalar loops, and what the generated gradient and Hessian-vector
/// programs must (and must not) contain: the vector kernel an idiom becomes, or the scalar loop a near-miss keeps.
/// </summary>
public sealed record IdiomCase(string Name, string Body, string[] Expected, string[] Forbidden)
{
    public ModelSpec ToSpec() => new()
    {
        Name = Name,
        Namespace = "Idioms",
        Upper = "=> Dsl.Dot(x, x) + Dsl.Dot(y, y);",
        Lower = Body,
        Members = IdiomCases.Members,
        XLength = 3,
        YLength = 12,
    };

    public override string ToString() => Name;
}

/// <summary>The idioms in several spellings each, and the near-misses that must stay scalar loops.</summary>
public static class IdiomCases
{
    /// <summary>A 3 x 4 data matrix, a data array of 4 and int labels; x has 3 entries, y 12 (a 3 x 4 view).</summary>
    public const string Members = """
        private static Matrix A { get; } = Matrix.FromRows(new[] { new[] { 1.0, -0.5, 0.25, 2.0 }, new[] { 0.5, 1.0, -1.0, 0.3 }, new[] { -0.75, 0.25, 0.5, 1.5 } });
        private static readonly double[] b = { 0.5, -1.0, 2.0, 0.25 };
        private static readonly int[] labels = { 0, 2, 1 };
        """;

    /// <summary>A scalar loop over j in the gradient program (the inner loops of the cases all use j).</summary>
    public const string InnerLoop = @"for \(int j(_\d+)? = ";

    private const string Dot = @"Dsl\.Dot\(";
    private const string SquaredNorm = @"Dsl\.SquaredNorm\(";
    private const string Sum = @"Dsl\.Sum\(";
    private const string MatVec = @"KernelSupport\.AddMatVec\(";
    private const string MatTVec = @"KernelSupport\.AddMatTVec\(";
    private const string Outer = @"KernelSupport\.AddOuter\(";

    // A fused data loop whose rows feed the product is row-blocked (Ad/RowBlocking.cs): the product and the outer
    // product become block kernels around the per-row code.
    private const string BlockedMatVec = @"RowBlockKernels\.MultiplyRows\(";
    private const string BlockedOuter = @"RowBlockKernels\.AddOuterRows\(";

    public static IReadOnlyList<IdiomCase> Vectorised { get; } = new[]
    {
        Case("D01_DotOfXAndSliceOfY", """
            double s = 0;
            for (int j = 0; j < x.Length; j++)
            {
                s += x[j] * y[j + 3];
            }
            return Math.Exp(0.3 * s) + s * s;
            """, Dot),
        Case("D02_DotWithDataArraySubtracted", """
            double s = 1;
            for (int j = 0; j < b.Length; j++)
            {
                s -= y[3 + j] * b[j];
            }
            return s * s * x[0];
            """, Dot),
        Case("D03_DotFromOneWithIntLocalOffset", """
            int off = 4;
            double s = 0;
            for (int j = 1; j < 4; j++)
            {
                int at = off + j;
                s += y[at] * y[j - 1];
            }
            return Math.Sin(s) + x[1] * s;
            """, Dot),
        Case("D04_DotOfADataRowReadThroughRow", """
            double s = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                for (int j = 0; j < A.Columns; j++)
                {
                    s += A.Row(i)[j] * y[j + 8] * x[i];
                }
            }
            return s * s + Math.Sin(s);
            """, Dot),
        Case("D05_DotOfSliceAliases", """
            ReadOnlySpan<double> head = y.Slice(0, 3);
            ReadOnlySpan<double> tail = y.Slice(9);
            double s = 0;
            for (int j = 0; j < head.Length; j++)
            {
                s += head[j] * tail[j] + 0.5 * x[j] * head[j];
            }
            return s * s + Math.Cos(s);
            """, Dot),
        Case("N01_SquaredNormOfY", """
            double s = 0;
            for (int j = 0; j < y.Length; j++)
            {
                s += y[j] * y[j];
            }
            return s * s + x[2] * s;
            """, SquaredNorm),
        Case("N02_SquaredNormScaledSliceFromOne", """
            double s = 0;
            for (int j = 1; j < 5; j++)
            {
                double t = 0.5 * y[j + 2];
                s += t * y[2 + j];
            }
            return Math.Log(1 + s) * (1 + x[0] * x[0]);
            """, SquaredNorm),
        Case("S01_SumsOfYAndX", """
            double s = 0, t = 0;
            for (int j = 0; j < y.Length; j++)
            {
                s += y[j] / 4;
            }
            for (int j = 0; j < x.Length; j++)
            {
                t -= x[j];
            }
            return s * t + s * s;
            """, Sum),
        Case("S02_DotPlusSumInOneLoop", """
            double s = 0;
            for (int j = 0; j < 3; j++)
            {
                s += x[j] * b[j] + 2 * y[j];
            }
            return s * s;
            """, Dot, Sum),
        Case("S03_TwoAccumulatorsInOneLoop", """
            double s = 0, t = 0;
            for (int j = 0; j < 3; j++)
            {
                s += x[j] * y[j];
                t += y[j + 3];
            }
            return s * t + t * t;
            """, Dot, Sum),
        Case("A01_AxpyFillsAComputedVector", """
            Span<double> z = stackalloc double[4];
            for (int j = 0; j < 4; j++)
            {
                z[j] = x[0] * y[j + 4] + b[j];
            }
            double s = 0;
            for (int j = 0; j < 4; j++)
            {
                s += z[j] * z[j];
            }
            return s + x[1] * s * s;
            """, @"KernelSupport\.AddScaled\(z(_\d+)?, ", SquaredNorm),
        Case("T01_TransposedProductFromAxpyRows", """
            Span<double> acc = stackalloc double[4];
            for (int r = 0; r < A.Rows; r++)
            {
                for (int j = 0; j < A.Columns; j++)
                {
                    acc[j] += y[r] * A[r, j];
                }
            }
            double s = 0;
            for (int j = 0; j < 4; j++)
            {
                s += acc[j] * acc[j] + x[0] * acc[j];
            }
            return s;
            """, MatTVec, SquaredNorm, Sum),
        Case("T02_TransposedProductColumnByColumn", """
            Span<double> r = stackalloc double[4];
            for (int k = 0; k < A.Columns; k++)
            {
                double s = 0;
                for (int j = 0; j < A.Rows; j++)
                {
                    s += A[j, k] * y[j];
                }
                r[k] = s;
            }
            double q = 0;
            for (int c = 0; c < 4; c++)
            {
                q += Math.Exp(r[c]) * x[c % 3];
            }
            return q;
            """, MatTVec),
        Case("T03_TransposedProductOfAViewColumnByColumn", """
            var W = Dsl.Reshape(y, 3, 4);
            Span<double> r = stackalloc double[4];
            for (int k = 0; k < 4; k++)
            {
                double s = 0;
                for (int j = 0; j < 3; j++)
                {
                    s += 2 * x[j] * W[j, k];
                }
                r[k] = s;
            }
            double q = 0;
            for (int c = 0; c < 4; c++)
            {
                q += Math.Exp(r[c]);
            }
            return q;
            """, MatTVec),
        Case("C01_ComputedVectorAsAMatrixBothWays", """
            Span<double> h = stackalloc double[12];
            for (int j = 0; j < 12; j++)
            {
                h[j] = x[0] * y[j];
            }
            Span<double> z = stackalloc double[3];
            for (int k = 0; k < 3; k++)
            {
                double s = 0;
                for (int j = 0; j < 4; j++)
                {
                    s += h[k * 4 + j] * b[j];
                }
                z[k] = s;
            }
            Span<double> r = stackalloc double[4];
            for (int k = 0; k < 4; k++)
            {
                double t = 0;
                for (int j = 0; j < 3; j++)
                {
                    t += h[j * 4 + k] * z[j];
                }
                r[k] = t;
            }
            double q = 0;
            for (int j = 0; j < 4; j++)
            {
                q += r[j] * r[j] + x[1] * r[j];
            }
            return q + Dsl.SquaredNorm(z);
            """, MatVec, MatTVec),
        Case("K01_DotInsideANonsmoothTerm", """
            double s = 0;
            for (int j = 0; j < 4; j++)
            {
                s += y[j] * b[j];
            }
            return Math.Abs(s) + Math.Max(x[0], y[1]) + s * s;
            """, Dot),
        Case("M01_MatVecOverDataRows", """
            Span<double> z = stackalloc double[3];
            for (int k = 0; k < A.Rows; k++)
            {
                double s = 0;
                for (int j = 0; j < A.Columns; j++)
                {
                    s += A[k, j] * y[j];
                }
                z[k] = s;
            }
            double loss = 0;
            for (int k = 0; k < 3; k++)
            {
                loss += Math.Exp(z[k]) * x[k];
            }
            return loss;
            """, MatVec),
        Case("M02_MatVecOverARowAliasInTheLoop", """
            Span<double> z = stackalloc double[3];
            for (int k = 0; k < A.Rows; k++)
            {
                ReadOnlySpan<double> row = A.Row(k);
                double s = 0;
                for (int j = 0; j < A.Columns; j++)
                {
                    s += row[j] * y[j + 4];
                }
                z[k] = 2 * s;
            }
            double q = 0;
            for (int k = 0; k < 3; k++)
            {
                q += Math.Exp(z[k]) * x[k];
            }
            return q;
            """, MatVec),
        Case("M03_ViewOfYTimesDataRowsWithSoftmaxCrossEntropy", """
            var W = Dsl.Reshape(y, 3, 4);
            Span<double> z = stackalloc double[3];
            double loss = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                ReadOnlySpan<double> row = A.Row(i);
                for (int k = 0; k < 3; k++)
                {
                    double s = 0;
                    for (int j = 0; j < W.Columns; j++)
                    {
                        s += W[k, j] * row[j];
                    }
                    z[k] = s;
                }
                loss += Dsl.SoftmaxCrossEntropy(z, labels[i]) * (1 + x[i] * x[i]);
            }
            return loss;
            """, MatVec, Outer),
        Case("M05_RowsOfAViewOfASliceThroughAnAlias", """
            var W = Dsl.Reshape(y.Slice(0, 12), 3, 4);
            Span<double> z = stackalloc double[3];
            double loss = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                for (int k = 0; k < W.Rows; k++)
                {
                    ReadOnlySpan<double> wk = W.Row(k);
                    double s = 0;
                    for (int j = 0; j < wk.Length; j++)
                    {
                        s += A[i, j] * wk[j];
                    }
                    z[k] = s;
                }
                loss += Dsl.LogSumExp(z) * x[i];
            }
            return loss;
            """, MatVec, Outer),
        Case("M04_ThreeLoopsIndexArithmeticBiasAndSoftmaxByHand", """
            int d = A.Columns;
            Span<double> z = stackalloc double[3];
            double loss = 0;
            for (int i = 0; i < A.Rows; i++)
            {
                for (int k = 0; k < 3; k++)
                {
                    double s = 0;
                    for (int j = 0; j < d; j++)
                    {
                        s += A[i, j] * y[j + k * d];
                    }
                    z[k] = s + b[k];
                }
                double sumExp = 0;
                for (int k = 0; k < 3; k++)
                {
                    sumExp += Math.Exp(z[k]);
                }
                loss += (Math.Log(sumExp) - z[labels[i]]) / (1 + Math.Exp(-x[i]));
            }
            return loss;
            """, BlockedMatVec, BlockedOuter, @"KernelSupport\.AddScaled\(z(_\d+)?, "),
    };

    public static IReadOnlyList<IdiomCase> NearMisses { get; } = new[]
    {
        Miss("X01_StrideTwo", """
            double s = 0;
            for (int j = 0; j < 6; j++)
            {
                s += y[2 * j] * y[2 * j];
            }
            return s * x[0] + s * s;
            """, SquaredNorm),
        Miss("X02_IndexUsedTwiceOnTheDiagonal", """
            double s = 0;
            for (int j = 0; j < 3; j++)
            {
                s += A[j, j] * y[j] + y[j * j] * x[1];
            }
            return s * s;
            """, Dot, Sum),
        Miss("X03_ConditionalInTheBody", """
            double s = 0;
            for (int j = 0; j < 4; j++)
            {
                if (b[j] > 0)
                {
                    s += b[j] * y[j];
                }
            }
            return s * s + x[0] * s;
            """, Dot),
        Miss("X04_NonlinearFunctionOfTheElement", """
            double s = 0;
            for (int j = 0; j < y.Length; j++)
            {
                s += Math.Exp(0.1 * y[j]) * x[0];
            }
            return s;
            """, Sum),
        Miss("X05_ProductOfDifferencesIsNotExpanded", """
            double s = 0;
            for (int j = 0; j < 4; j++)
            {
                s += (y[j] - b[j]) * (y[j] - b[j]);
            }
            return s * (1 + x[0] * x[0]);
            """, Dot, SquaredNorm),
        Miss("X06_ThreeFactors", """
            double s = 0;
            for (int j = 0; j < 3; j++)
            {
                s += x[j] * y[j] * b[j];
            }
            return s * s;
            """, Dot),
        Miss("X07_IntArrayElement", """
            double s = 0;
            for (int j = 0; j < 3; j++)
            {
                s += labels[j] * y[j] + x[j] * labels[j];
            }
            return s * s;
            """, Dot, Sum),
        Miss("X09_ColumnsOverSomeRowsOnly", """
            Span<double> r = stackalloc double[4];
            for (int k = 0; k < A.Columns; k++)
            {
                double s = 0;
                for (int j = 1; j < A.Rows; j++)
                {
                    s += A[j, k] * y[j];
                }
                r[k] = s;
            }
            return Math.Exp(r[0]) * x[0] + r[3] * r[1];
            """, MatTVec),
        Miss("X10_AConstantAddedToEveryEntry", """
            Span<double> z = stackalloc double[4];
            for (int j = 0; j < 4; j++)
            {
                z[j] = x[0] * x[1] + y[j];
            }
            return Dsl.SquaredNorm(z) * x[2];
            """, @"KernelSupport\.AddScaled\(z(_\d+)?, "),
    };

    /// <summary>Rows 0 and 1 of a 3-row matrix: the dot products are vectorised, the loop over rows is no
    /// matrix-vector product (its bounds do not cover the matrix).</summary>
    public static IdiomCase PartialRows { get; } = new("X08_RowsThatDoNotCoverTheMatrix", """
        Span<double> z = stackalloc double[2];
        for (int k = 0; k < 2; k++)
        {
            double s = 0;
            for (int j = 0; j < A.Columns; j++)
            {
                s += A[k, j] * y[j];
            }
            z[k] = s;
        }
        return Math.Exp(z[0]) * x[0] + z[1] * z[1];
        """, new[] { Dot, @"for \(int k(_\d+)? = " }, new[] { MatVec, InnerLoop });

    public static IEnumerable<IdiomCase> All => Vectorised.Concat(NearMisses).Append(PartialRows);

    public static TheoryData<string> VectorisedNames => Names(Vectorised);

    public static TheoryData<string> NearMissNames => Names(NearMisses);

    public static TheoryData<string> AllNames => Names(All);

    public static IdiomCase Get(string name) => All.Single(c => c.Name == name);

    private static TheoryData<string> Names(IEnumerable<IdiomCase> cases)
    {
        var data = new TheoryData<string>();
        foreach (IdiomCase c in cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    /// <summary>A vectorised idiom: its kernels appear, and no scalar loop over j remains.</summary>
    private static IdiomCase Case(string name, string body, params string[] kernels) => new(name, body, kernels, new[] { InnerLoop });

    /// <summary>A near-miss: the scalar loop over j remains, and the kernels it resembles do not appear.</summary>
    private static IdiomCase Miss(string name, string body, params string[] kernels) => new(name, body, new[] { InnerLoop }, kernels);
}
