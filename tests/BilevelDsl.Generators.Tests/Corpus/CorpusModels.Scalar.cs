using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Corpus;

public static partial class CorpusModels
{
    private static IEnumerable<ModelSpec> ScalarModels()
    {
        yield return Scalar("S01_Arithmetic", "arithmetic + - * /, unary minus, parentheses",
            "return (x - 1) * (x - 1) + 3 * x * y - y / (2 + x * x) + -x;",
            "return y * y - x * y + 0.5 * x - -(y / 4);");

        yield return Scalar("S02_CompoundAssignment", "locals, declaration without initializer, = += -= *= /=",
            """
            double t = x * y;
            t += x;
            t -= 0.5 * y;
            t *= 1.5 + y;
            t /= 1 + y * y;
            return t;
            """,
            """
            double u = y - x;
            double v;
            v = u;
            v *= u;
            v += 2;
            v /= 3 + x * x;
            v -= y;
            return v;
            """);

        yield return Scalar("S03_Trig", "Math.Sin, Math.Cos, Math.Tan",
            "return Math.Sin(x) * Math.Cos(y) + Math.Tan(0.3 * x * y);",
            "return Math.Cos(x + y) - Math.Sin(x * y) + Math.Tan(0.2 * y) * x;");

        yield return Scalar("S04_ExpLog", "Math.Exp, Math.Log",
            "return Math.Exp(0.5 * x - y) + Math.Log(1 + x * x + y * y);",
            "return Math.Log(2 + Math.Sin(x)) * y + Math.Exp(-y * y) * x;");

        yield return Scalar("S05_SqrtPow", "Math.Sqrt, Math.Pow (constant, variable and integer exponents, negative base)",
            "return Math.Sqrt(1 + x * x) + Math.Pow(2 + y, 1.5) + Math.Pow(x, 3);",
            "return Math.Pow(1.5 + Math.Cos(y), x) + Math.Sqrt(3 + x * y) + Math.Pow(y, 2);");

        yield return Scalar("S06_TanhAtan", "Math.Tanh, Math.Atan",
            "return Math.Tanh(x * y) + Math.Atan(x - 2 * y);",
            "return Math.Atan(y * y + x) * Math.Tanh(y + 0.5 * x);");

        yield return Scalar("S07_AbsMaxMin", "Math.Abs, Math.Max, Math.Min (points away from kinks)",
            "return Math.Abs(x - 0.5 * y) + Math.Max(x, y) - Math.Min(x * x, y);",
            "return Math.Max(Math.Abs(y), x) * Math.Min(y, 2 * x) + Math.Abs(x);");

        yield return Scalar("S08_Constants", "Math.PI, Math.E",
            "return Math.PI * x * x + Math.E * y;",
            "return Math.Sin(Math.PI * y) * x + Math.Pow(Math.E, 0.1 * x) * y * y;");

        yield return Scalar("S09_IfElse", "if / else if / else, assignment in branches, comparisons, &&, ||, !",
            """
            double r;
            if (x > y && !(x < -0.5))
            {
                r = x * x + y;
            }
            else if (x + y > 0 || y < -0.75)
            {
                r = y * y + x;
            }
            else
            {
                r = x * y;
            }
            return r;
            """,
            """
            double s = y * y;
            if (x >= 0)
            {
                s += x * y;
            }
            else
            {
                s -= 2 * x * y;
            }
            if (y != 0.5)
            {
                s *= 1.5;
            }
            return s;
            """);

        yield return Scalar("S10_Conditional", "?: in return and in locals, nested ?:",
            "return x > 0 ? x * y : -x * y + 1;",
            """
            double a = y > x ? Math.Sin(y) : Math.Cos(x);
            double b = x < 0 ? (y < 0 ? x * y : x + y) : y * y;
            return a * a + b;
            """);

        yield return Scalar("S11_EarlyReturn", "early return (if without else, block and embedded statement)",
            """
            if (x > 0.8) return x * y;
            double s = x + y;
            if (s < -1)
            {
                return s * s;
            }
            return Math.Exp(s) * y;
            """,
            """
            if (y < -0.9)
            {
                return x;
            }
            return y * y * (1 + x);
            """);

        yield return Scalar("S12_SigmoidSoftplus", "Dsl.Sigmoid, Dsl.Softplus",
            "return Dsl.Sigmoid(x * y) + Dsl.Softplus(x - y);",
            "return Dsl.Softplus(3 * y) * x + Dsl.Sigmoid(-y + x) * y;");

        yield return Scalar("S13_Helpers", "[Differentiable] helpers (double and int parameters, helper calling helper)",
            "return Scaled(x - y, 3) + Square(y);",
            "return Square(y - x) + Scaled(y, 2) * x;",
            """
            [Differentiable]
            public static double Square(double t)
            {
                return t * t;
            }

            [Differentiable]
            private static double Scaled(double t, int k)
            {
                return k * Square(t) + Math.Sin(t) / (k + 1);
            }
            """);

        yield return Scalar("S14_IntArithmetic", "int locals, int + - * / %, int assignment, casts int -> double",
            """
            int k = 7;
            int m = k % 3 + k / 2 * 2 - 1;
            double c = (double)m;
            return c * x * y + m * x + (double)(k % 4) / 3;
            """,
            """
            int n = 3 * 4 - 5;
            n = n * 2 + 1;
            return (double)n / 4 * y * y + (n % 2) * x * y;
            """);

        yield return Scalar("S15_StaticData", "static field, static property, const (double, int)",
            "return Scale * x * y + Offset * x + Shift;",
            "return y * y * Scale - Offset * x * y + Shift * y;",
            """
            private static readonly double Scale = 2.5;
            public static int Offset { get; } = 3;
            internal const double Shift = 0.25;
            """);

        yield return Scalar("S16_InstanceData", "instance fields and properties (double, int)",
            "return alpha * x * x + Beta * y * count;",
            """
            double d = y - alpha * x;
            return Beta * d * d + count * x;
            """,
            """
            private readonly double alpha = 0.7;
            public double Beta { get; } = 1.3;
            private readonly int count = 2;
            """);

        yield return Scalar("S17_PrimaryConstructor", "primary-constructor parameters as data (double, int)",
            "return a * x * y + k * x;",
            "return (y - a) * (y - a) * k + x * y;") with
        {
            PrimaryConstructor = "(double a, int k)",
            ConstructorArguments = () => new object?[] { 1.7, 2 },
        };

        yield return Scalar("S18_ExpressionBodied", "expression-bodied level methods",
            "=> x * x * y + Math.Sin(y);",
            "=> (y - x) * (y - x);");

        yield return Scalar("S19_GradientRequest", "[Gradient] partial methods of a scalar model",
            "return Math.Exp(x) * y;",
            "return (y - Math.Sin(x)) * (y - Math.Sin(x));",
            """
            [Gradient(nameof(Lower))]
            public partial double LowerGrad(double x, double y, out double gx, out double gy);

            [Gradient(nameof(Upper))]
            internal partial double UpperGrad(double x, double y, out double gx, out double gy);
            """);

        yield return Scalar("S20_LocalReuse", "locals reassigned in sequence",
            """
            double a = x;
            a = a * a + y;
            a = Math.Sin(a);
            a = a * x;
            return a;
            """,
            """
            double a = y;
            double b = a;
            a = b * x;
            b = a + b;
            return a * b;
            """);

        yield return Scalar("S21_Cbrt", "Math.Cbrt (positive and negative arguments, away from 0)",
            "return Math.Cbrt(2 + x * y) + x * Math.Cbrt(y - 3);",
            """
            double c = Math.Cbrt(4 * x - 6);
            return (y - x) * (y - x) + Math.Cbrt(3 + y * y) * x + c * y;
            """);

        yield return Scalar("S22_Log10", "Math.Log10 (arguments kept positive on the test cube)",
            "return Math.Log10(2 + x * y) + x * Math.Log10(3 + y * y);",
            "return (y - x) * (y - x) - Math.Log10(4 + x - y) + y * Math.Log10(1.5 + Math.Sin(x));");
    }
}
