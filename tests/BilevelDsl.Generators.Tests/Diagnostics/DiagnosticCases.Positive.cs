using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;

namespace BilevelDsl.GeneratorTests.Diagnostics;

public static partial class DiagnosticCases
{
    private static IEnumerable<DiagnosticCase> PositiveCases()
    {
        // BDSL0001: model class not partial.
        yield return new("P0001_NotPartial", "BDSL0001", Usings + """
            [BilevelModel]
            public class [|P0001_NotPartial|]
            {
                [UpperLevel]
                public double Upper(double x, double y) { return x * y + y * y; }

                [LowerLevel]
                public double Lower(double x, double y) { return (y - x) * (y - x); }
            }
            """);

        // BDSL0002: a level is missing.
        yield return new("P0002_NoLower", "BDSL0002", Usings + """
            [BilevelModel]
            public partial class [|P0002_NoLower|]
            {
                [UpperLevel]
                public double Upper(double x, double y) { return x * y + y * y; }
            }
            """);
        yield return new("P0002_NoUpper", "BDSL0002", Usings + """
            [BilevelModel]
            public partial class [|P0002_NoUpper|]
            {
                [LowerLevel]
                public double Lower(double x, double y) { return (y - x) * (y - x); }
            }
            """);

        // BDSL0003: a level twice.
        yield return new("P0003_TwoUppers", "BDSL0003", Usings + """
            [BilevelModel]
            public partial class P0003_TwoUppers
            {
                [UpperLevel]
                public double [|Upper|](double x, double y) { return x * y + y * y; }

                [UpperLevel]
                public double [|Upper2|](double x, double y) { return x + y; }

                [LowerLevel]
                public double Lower(double x, double y) { return (y - x) * (y - x); }
            }
            """);

        // BDSL0004: unsupported level signatures.
        foreach ((string name, string upper) in new[]
        {
            ("P0004_FloatReturn", "public [|float|] [|Upper|](double x, double y) { return (float)(x * y + y * y); }"),
            ("P0004_ThreeParameters", "public double [|Upper|](double x, double y, [|double z|]) { return x * y + y * y + z; }"),
            ("P0004_SpanOfFloat", "public double [|Upper|](double x, [|ReadOnlySpan<float> y|]) { return x * y[0]; }"),
            ("P0004_Generic", "public double [|Upper|][|<T>|](double x, double y) { return x * y + y * y; }"),
            ("P0004_RefParameter", "public double [|Upper|]([|ref double x|], double y) { return x * y + y * y; }"),
            ("P0004_WritableSpans", "public double [|Upper|]([|Span<double> x|], [|Span<double> y|]) { return x[0] * y[0]; }"),
        })
        {
            yield return new(name, "BDSL0004", Usings + $$"""
                [BilevelModel]
                public partial class {{name}}
                {
                    [UpperLevel]
                    {{upper}}

                    [LowerLevel]
                    public double Lower(double x, double y) { return (y - x) * (y - x); }
                }
                """);
        }

        yield return new("P0004_LevelsDisagree", "BDSL0004", Usings + """
            [BilevelModel]
            public partial class P0004_LevelsDisagree
            {
                [UpperLevel]
                public double [|Upper|](double x, double y) { return x * y + y * y; }

                [LowerLevel]
                public double [|Lower|](ReadOnlySpan<double> x, ReadOnlySpan<double> y) { return Dsl.Dot(x, y); }
            }
            """);

        // BDSL0005: unsupported statements (bodies that C# accepts; the rejected kernel must throw).
        yield return Body("P0005_While", "BDSL0005", Level.Lower, """
            double s = 0;
            int i = 0;
            [|while|] (i < y.Length)
            {
                s += y[i] * x[0];
                i++;
            }
            return s;
            """);
        yield return Body("P0005_Foreach", "BDSL0005", Level.Lower, """
            double s = 0;
            [|foreach|] (double v in y)
            {
                s += v * x[0];
            }
            return s;
            """);
        yield return Body("P0005_Do", "BDSL0005", Level.Upper, """
            double s = 0;
            [|do|]
            {
                s += y[0] * x[0];
            }
            while (false);
            return s;
            """);
        yield return Body("P0005_Break", "BDSL0005", Level.Lower, """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] > 5)
                {
                    [|break|];
                }
                s += y[i] * x[0];
            }
            return s;
            """);
        yield return Body("P0005_Continue", "BDSL0005", Level.Lower, """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] > 5)
                {
                    [|continue|];
                }
                s += y[i] * x[0];
            }
            return s;
            """);
        yield return Body("P0005_Goto", "BDSL0005", Level.Upper, """
            double s = y[0] * x[0];
            [|goto|] done;
            done:
            return s;
            """);
        yield return Body("P0005_Switch", "BDSL0005", Level.Lower, """
            double s = 0;
            [|switch|] (y.Length)
            {
                case 1:
                    s = y[0] * x[0];
                    break;
                default:
                    s = x[0] * y[1];
                    break;
            }
            return s;
            """);
        yield return Body("P0005_Try", "BDSL0005", Level.Lower, """
            double s = 0;
            [|try|]
            {
                s = y[0] * x[0];
            }
            finally
            {
            }
            return s;
            """);
        yield return Body("P0005_Using", "BDSL0005", Level.Lower, """
            double s = 0;
            [|using|] (IDisposable? d = null)
            {
                s = y[0] * x[0];
            }
            return s;
            """);
        yield return Body("P0005_Lock", "BDSL0005", Level.Lower, """
            double s = 0;
            [|lock|] (this)
            {
                s = y[0] * x[0];
            }
            return s;
            """);
        yield return Body("P0005_Throw", "BDSL0005", Level.Upper, """
            if (y[0] > 100)
            {
                [|throw|] new InvalidOperationException("too large");
            }
            return y[0] * x[0];
            """);
        yield return Body("P0005_ReturnInLoop", "BDSL0005", Level.Lower, """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] > 5)
                {
                    [|return|] y[i];
                }
                s += y[i] * x[0];
            }
            return s;
            """);
        yield return Body("P0005_FloatLocal", "BDSL0005", Level.Lower, """
            [|float|] [|f|] = 2;
            return f * y[0] * x[0];
            """);
        yield return Body("P0005_LongLocal", "BDSL0005", Level.Lower, """
            [|long|] [|n|] = 3;
            return n * y[0] * x[0];
            """);
        yield return Body("P0005_ArrayLocal", "BDSL0005", Level.Upper, """
            [|double[]|] [|copy|] = { 1.0, 2.0 };
            return copy[1] * y[0] * x[0];
            """);

        // BDSL0006: unsupported expressions.
        yield return Body("P0006_ObjectCreation", "BDSL0006", Level.Lower, "return [|new System.Numerics.Complex(y[0], x[0])|].Real;");
        yield return Body("P0006_ArrayCreation", "BDSL0006", Level.Lower, "return [|new[] { y[0], x[0] }|][1] * y[0];");
        yield return Body("P0006_Lambda", "BDSL0006", Level.Upper, "return ((Func<double, double>)([|t => t * 2|]) [|==|] null ? 1.0 : 2.0) * y[0] * x[0];");
        yield return Body("P0006_DoubleModulo", "BDSL0006", Level.Lower, "return [|y[0] % 2.0|] * x[0];");
        yield return Body("P0006_MemberOfNonData", "BDSL0006", Level.Lower, "return y[0] * x[0] + [|DateTime.Now|].Second;");
        yield return Body("P0006_StringLength", "BDSL0006", Level.Upper, "return [|\"abc\".Length|] * y[0] * x[0];");
        yield return Body("P0006_SpanIsEmpty", "BDSL0006", Level.Lower, "return ([|x.IsEmpty|] ? 1.0 : 0.0) + y[0] * x[0];");

        // BDSL0007: loop-carried state other than += / -=.
        yield return Body("P0007_Product", "BDSL0007", Level.Lower, """
            double p = 1;
            for (int i = 0; i < y.Length; i++)
            {
                [|p|] *= y[i];
            }
            return p * x[0];
            """);
        yield return Body("P0007_Reassigned", "BDSL0007", Level.Lower, """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                [|s|] = s + y[i] * x[i];
            }
            return s;
            """);
        yield return Body("P0007_ReadWhileAccumulating", "BDSL0007", Level.Upper, """
            double s = 0;
            double t = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += y[i];
                t += [|s|] * x[i];
            }
            return t;
            """);

        // BDSL0008: calls that are neither intrinsics nor [Differentiable] helpers.
        yield return Body("P0008_MathRound", "BDSL0008", Level.Lower, "return Math.[|Round|](y[0]) * x[0];");
        yield return Body("P0008_MathAsinh", "BDSL0008", Level.Upper, "return Math.[|Asinh|](x[0]) * y[0];");
        yield return Body("P0008_PlainHelper", "BDSL0008", Level.Lower, "return [|Helper|](y[0]) * x[0];",
            "private static double Helper(double t) { return t * t; }");

        // BDSL0009: writes to x, y or data.
        yield return Body("P0009_ScalarParameter", "BDSL0009", Level.Upper, """
            [|x|] = x * 2;
            return x * y;
            """, scalar: true);
        yield return Body("P0009_CompoundOnParameter", "BDSL0009", Level.Lower, """
            [|y|] += 1;
            return (y - x) * (y - x);
            """, scalar: true);
        yield return Body("P0009_SpanParameter", "BDSL0009", Level.Lower, """
            [|x|] = y;
            return Dsl.Dot(x, y);
            """);
        yield return Body("P0009_ArrayElement", "BDSL0009", Level.Lower, """
            [|W|][0] = y[0];
            return Dsl.Dot(W, y) * x[0];
            """, "private static readonly double[] W = { 1.0, 2.0, 3.0 };");
        yield return Body("P0009_Field", "BDSL0009", Level.Upper, """
            [|scale|] = 2;
            return scale * Dsl.Dot(x, y);
            """, "private double scale = 1;");
    }
}
