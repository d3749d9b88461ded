using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;

namespace BilevelDsl.GeneratorTests.Diagnostics;

public static partial class DiagnosticCases
{
    private static IEnumerable<DiagnosticCase> MorePositiveCases()
    {
        // BDSL0010 / BDSL0011: a variable never reaches the other level (warnings).
        yield return new("P0010_LowerIgnoresX", "BDSL0010", Usings + """
            [BilevelModel]
            public partial class P0010_LowerIgnoresX
            {
                [UpperLevel]
                public double Upper(double x, double y) { return x * y + y * y; }

                [LowerLevel]
                public double [|Lower|](double [|x|], double y) { return (y - 1) * (y - 1); }
            }
            """) { Severity = DiagnosticSeverity.Warning };
        yield return new("P0011_UpperIgnoresY", "BDSL0011", Usings + """
            [BilevelModel]
            public partial class P0011_UpperIgnoresY
            {
                [UpperLevel]
                public double [|Upper|](ReadOnlySpan<double> x, ReadOnlySpan<double> [|y|]) { return Dsl.SquaredNorm(x); }

                [LowerLevel]
                public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) { return Dsl.SquaredNorm(y) - Dsl.Dot(x, y); }
            }
            """) { Severity = DiagnosticSeverity.Warning };

        // BDSL0013: for loops of an unsupported form.
        yield return Body("P0013_StepTwo", "BDSL0013", Level.Lower, """
            double s = 0;
            [|for|] (int i = 0; i < y.Length; [|i += 2|])
            {
                s += y[i] * x[i];
            }
            return s;
            """);
        yield return Body("P0013_IndexAssigned", "BDSL0013", Level.Lower, """
            double s = 0;
            [|for|] (int i = 0; i < y.Length; i++)
            {
                s += y[i] * x[i];
                [|i = i + 1|];
            }
            return s;
            """);
        yield return Body("P0013_DoubleIndex", "BDSL0013", Level.Upper, """
            double s = 0;
            [|for|] ([|double t = 0|]; t < 1; t += 0.5)
            {
                s += t * y[0] * x[0];
            }
            return s;
            """);
        yield return Body("P0013_NonCanonicalCondition", "BDSL0013", Level.Lower, """
            double s = 0;
            [|for|] (int i = 0; [|i * i < y.Length|]; i++)
            {
                s += y[i] * x[i];
            }
            return s;
            """);

        // BDSL0014: invalid [Gradient] requests.
        yield return new("P0014_UnknownObjective", "BDSL0014", SpanModel("P0014_UnknownObjective", members: """
            [Gradient([|"Nope"|])]
            public partial double [|G|](ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);
            """));
        yield return new("P0014_MissingGradientSpans", "BDSL0014", SpanModel("P0014_MissingGradientSpans", members: """
            [Gradient(nameof(Lower))]
            public partial double [|G|](ReadOnlySpan<double> x, [|ReadOnlySpan<double> y|]);
            """));
        yield return new("P0014_ScalarModelSpanSignature", "BDSL0014", ScalarModel("P0014_ScalarModelSpanSignature", members: """
            [Gradient(nameof(Upper))]
            public partial double [|G|](ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);
            """));

        // BDSL0015: invalid [Differentiable] helpers.
        yield return Body("P0015_NotStatic", "BDSL0015", Level.Lower, "return Sq(y[0]) * x[0];",
            "[Differentiable]\nprivate double [|Sq|](double t) { return t * t; }") with { RejectedLevel = null };
        yield return Body("P0015_ReturnsInt", "BDSL0015", Level.Lower, "return Twice(2) * y[0] * x[0];",
            "[Differentiable]\nprivate static [|int|] [|Twice|](int k) { return 2 * k; }") with { RejectedLevel = null };
        yield return Body("P0015_ArrayParameter", "BDSL0015", Level.Lower, "return First(W) * y[0] * x[0];",
            "private static readonly double[] W = { 1.0, 2.0 };\n\n[Differentiable]\nprivate static double [|First|]([|double[] a|]) { return a[0]; }") with { RejectedLevel = null };
        yield return Body("P0015_Recursive", "BDSL0015", Level.Lower, "return Rec(y[0], 3) * x[0];",
            "[Differentiable]\nprivate static double [|Rec|](double t, int k) { return k <= 0 ? t : [|Rec(t * 0.5, k - 1)|]; }") with { RejectedLevel = null };

        // BDSL0016: a containing type that is not partial.
        yield return new("P0016_OuterNotPartial", "BDSL0016", Usings + """
            public class [|Outer|]
            {
                [BilevelModel]
                public partial class [|P0016_OuterNotPartial|]
                {
                    [UpperLevel]
                    public double Upper(double x, double y) { return x * y + y * y; }

                    [LowerLevel]
                    public double Lower(double x, double y) { return (y - x) * (y - x); }
                }
            }
            """);
    }
}
