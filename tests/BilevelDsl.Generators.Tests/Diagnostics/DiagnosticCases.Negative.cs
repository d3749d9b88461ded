using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Diagnostics;

/// <summary>For every positive case, the closest valid source: it must produce no BDSL diagnostic at all.</summary>
public static partial class DiagnosticCases
{
    private static IEnumerable<DiagnosticCase> NegativeCases()
    {
        yield return new("N0001_Partial", "BDSL0001", ScalarModel("N0001_Partial"));
        yield return new("N0002_BothLevels", "BDSL0002", ScalarModel("N0002_BothLevels"));
        yield return new("N0003_SecondMethodNotALevel", "BDSL0003", ScalarModel("N0003_SecondMethodNotALevel",
            members: "public double Upper2(double x, double y) { return x + y; }"));
        yield return new("N0004_ScalarSignature", "BDSL0004", ScalarModel("N0004_ScalarSignature"));
        yield return new("N0004_SpanSignature", "BDSL0004", SpanModel("N0004_SpanSignature"));

        yield return new("N0005_ForInsteadOfWhile", "BDSL0005", SpanModel("N0005_ForInsteadOfWhile", lower: """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += y[i] * x[0];
            }
            return s;
            """));
        yield return new("N0005_BranchInsteadOfSwitch", "BDSL0005", SpanModel("N0005_BranchInsteadOfSwitch", lower: """
            double s;
            if (y.Length == 1)
            {
                s = y[0] * x[0];
            }
            else
            {
                s = x[0] * y[1];
            }
            return s;
            """));
        yield return new("N0005_ReturnAfterLoop", "BDSL0005", SpanModel("N0005_ReturnAfterLoop", lower: """
            if (y[0] > 5)
            {
                return y[0];
            }
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += y[i] * x[0];
            }
            return s;
            """));
        yield return new("N0005_DoubleAndIntLocals", "BDSL0005", SpanModel("N0005_DoubleAndIntLocals", lower: """
            double f = 2;
            int k = 3;
            return f * k * y[0] * x[0];
            """));

        yield return new("N0006_Arithmetic", "BDSL0006", SpanModel("N0006_Arithmetic", lower: "return y[0] * 2.0 * x[0] + y.Length % 2;"));
        yield return new("N0006_DataMembers", "BDSL0006", SpanModel("N0006_DataMembers",
            lower: "return Dsl.Dot(A.Row(0), y) * x[0] + A[1, 1] * A.Rows * W.Length;",
            members: "private static readonly Matrix A = new Matrix(2, 3, new double[] { 1, 2, 3, 4, 5, 6 });\nprivate static readonly double[] W = { 1.0 };"));

        yield return new("N0007_Accumulation", "BDSL0007", SpanModel("N0007_Accumulation", lower: """
            double s = 0;
            double t = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += y[i];
                t -= y[i] * x[i];
            }
            return s * t;
            """));

        yield return new("N0008_DifferentiableHelper", "BDSL0008", SpanModel("N0008_DifferentiableHelper",
            lower: "return Helper(y[0]) * x[0] + Math.Sqrt(1 + y[1] * y[1]);",
            members: "[Differentiable]\nprivate static double Helper(double t) { return t * t; }"));

        yield return new("N0009_CopyToLocal", "BDSL0009", ScalarModel("N0009_CopyToLocal", upper: """
            double t = x;
            t = t * 2;
            t += y;
            return t * y;
            """));
        yield return new("N0009_SpanAliasAndDataRead", "BDSL0009", SpanModel("N0009_SpanAliasAndDataRead", lower: """
            ReadOnlySpan<double> v = y;
            double w = W[0];
            w *= 2;
            return Dsl.Dot(W, v) * x[0] + w * scale;
            """, members: "private static readonly double[] W = { 1.0, 2.0, 3.0 };\nprivate readonly double scale = 1;"));

        yield return new("N0010_LowerUsesX", "BDSL0010", ScalarModel("N0010_LowerUsesX", lower: "return (y - 1) * (y - 1) + 0.1 * x * y;"));
        // x reaches the lower level only through a constraint (y in a ball of radius x): the hypergradient is not zero, no BDSL0010.
        yield return new("N0010_XOnlyInConstraint", "BDSL0010", ScalarModel("N0010_XOnlyInConstraint", lower: "return (y - 2) * (y - 2);",
            members: "[LowerConstraint] public double Ball(double x, double y) { return y * y - x * x; }"));
        yield return new("N0011_UpperUsesY", "BDSL0011", SpanModel("N0011_UpperUsesY", upper: "return Dsl.SquaredNorm(x) + 1e-3 * y[0];"));

        yield return new("N0013_CanonicalLoops", "BDSL0013", SpanModel("N0013_CanonicalLoops", lower: """
            double s = 0;
            int n = y.Length;
            for (int i = 1; i < n; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    s += y[i] * y[j] * x[i];
                }
            }
            for (int k = 0; k < y.Length; ++k)
            {
                s += y[k] * x[k];
            }
            return s;
            """));

        yield return new("N0014_SpanRequest", "BDSL0014", SpanModel("N0014_SpanRequest", members: """
            [Gradient(nameof(Lower))]
            public partial double G(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);
            """));
        yield return new("N0014_ScalarRequest", "BDSL0014", ScalarModel("N0014_ScalarRequest", members: """
            [Gradient(nameof(Upper))]
            public partial double G(double x, double y, out double gx, out double gy);
            """));

        yield return new("N0015_StaticDoubleHelper", "BDSL0015", SpanModel("N0015_StaticDoubleHelper",
            lower: "return Helper(y[0], 3) * x[0];",
            members: "[Differentiable]\nprivate static double Helper(double t, int k) { return k * t * t; }"));

        yield return new("N0016_OuterPartial", "BDSL0016", Usings + """
            public partial class Outer
            {
                [BilevelModel]
                public partial class N0016_OuterPartial
                {
                    [UpperLevel]
                    public double Upper(double x, double y) { return x * y + y * y; }

                    [LowerLevel]
                    public double Lower(double x, double y) { return (y - x) * (y - x); }
                }
            }
            """) { TypeName = "Diag.Outer+N0016_OuterPartial" };
    }
}
