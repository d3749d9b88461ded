using Xunit;
using static BilevelDsl.GeneratorTests.Framework.Sources;
using static BilevelDsl.GeneratorTests.Framework.Verifier;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>
/// Diagnostics about what an objective body does (statements, expressions, loops, calls, writes, unused
/// variables, nonsmooth primitives), each pinned to its exact location with markup.
/// </summary>
public sealed class BodyDiagnosticTests
{
    [Theory]
    [InlineData("double s = 0;\nint i = 0;\n{|BDSL0005:while (i < y.Length)\n{\n    s += y[i] * x[0];\n    i++;\n}|}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0005:foreach (double v in y)\n{\n    s += v * x[0];\n}|}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0005:do\n{\n    s += y[0] * x[0];\n}\nwhile (false);|}\nreturn s;")]
    [InlineData("double s = 0;\nfor (int i = 0; i < y.Length; i++)\n{\n    if (y[i] > 5)\n    {\n        {|BDSL0005:break;|}\n    }\n    s += y[i] * x[0];\n}\nreturn s;")]
    [InlineData("double s = 0;\nfor (int i = 0; i < y.Length; i++)\n{\n    if (y[i] > 5)\n    {\n        {|BDSL0005:continue;|}\n    }\n    s += y[i] * x[0];\n}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0005:switch (y.Length)\n{\n    case 1:\n        s = y[0] * x[0];\n        break;\n    default:\n        s = x[0] * y[1];\n        break;\n}|}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0005:try\n{\n    s = y[0] * x[0];\n}\nfinally\n{\n}|}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0005:using (IDisposable? d = null)\n{\n    s = y[0] * x[0];\n}|}\nreturn s;")]
    [InlineData("double s = y[0] * x[0];\n{|BDSL0005:goto done;|}\n{|BDSL0005:done:\nreturn s;|}")]
    [InlineData("double s = 0;\n{|BDSL0005:lock (this)\n{\n    s = y[0] * x[0];\n}|}\nreturn s;")]
    [InlineData("if (y[0] > 100)\n{\n    {|BDSL0005:throw new InvalidOperationException(\"too large\");|}\n}\nreturn y[0] * x[0];")]
    [InlineData("double s = 0;\nfor (int i = 0; i < y.Length; i++)\n{\n    if (y[i] > 5)\n    {\n        {|BDSL0005:return y[i];|}\n    }\n    s += y[i] * x[0];\n}\nreturn s;")]
    [InlineData("float {|BDSL0005:f = 2|};\nreturn {|BDSL0006:f|} * y[0] * x[0];")]
    [InlineData("long {|BDSL0005:n = 3|};\nreturn {|BDSL0006:n|} * y[0] * x[0];")]
    [InlineData("double[] {|BDSL0005:copy = { 1.0, 2.0 }|};\nreturn copy[1] * y[0] * x[0];")]
    public Task BDSL0005_is_on_the_unsupported_statement(string lower) => AnalyzeAsync(Span(lower: lower));

    [Theory]
    [InlineData("return {|BDSL0006:new System.Numerics.Complex(y[0], x[0]).Real|};")]
    [InlineData("return {|BDSL0006:y[0] % 2.0|} * x[0];")]
    [InlineData("return {|BDSL0006:new[] { y[0], x[0] }|}[1] * y[0];")]
    [InlineData("return ({|BDSL0006:(Func<double, double>)(t => t * 2)|} == {|BDSL0006:null|} ? 1.0 : 2.0) * y[0] * x[0];")]
    [InlineData("return y[0] * x[0] + {|BDSL0006:DateTime.Now.Second|};")]
    [InlineData("return {|BDSL0006:\"abc\".Length|} * y[0] * x[0];")]
    [InlineData("return ({|BDSL0006:x.IsEmpty|} ? 1.0 : 0.0) + y[0] * x[0];")]
    public Task BDSL0006_is_on_the_unsupported_expression(string lower) => AnalyzeAsync(Span(lower: lower));

    [Theory]
    [InlineData("double p = 1;\nfor (int i = 0; i < y.Length; i++)\n{\n    {|BDSL0007:p *= y[i]|};\n}\nreturn p * x[0];")]
    [InlineData("double s = 0;\nfor (int i = 0; i < y.Length; i++)\n{\n    {|BDSL0007:s = s + y[i] * x[i]|};\n}\nreturn s;")]
    [InlineData("double s = 0;\ndouble t = 0;\nfor (int i = 0; i < y.Length; i++)\n{\n    s += y[i];\n    t += {|BDSL0007:s|} * x[i];\n}\nreturn t;")]
    public Task BDSL0007_is_on_the_loop_carried_state(string lower) => AnalyzeAsync(Span(lower: lower));

    [Fact]
    public Task BDSL0008_is_on_a_call_that_cannot_be_differentiated() => AnalyzeAsync(
        Span(lower: "return {|#0:Math.Round(y[0])|} * x[0] + {|#1:Helper(y[1])|} + {|#2:Math.IEEERemainder(x[0], 2.0)|};", members: "private static double Helper(double t) { return t * t; }"),
        Diagnostic("BDSL0008").WithLocation(0).WithArguments("Math.Round"),
        Diagnostic("BDSL0008").WithLocation(1).WithArguments("Model.Helper"),
        Diagnostic("BDSL0008").WithLocation(2).WithArguments("Math.IEEERemainder"));

    [Theory]
    [InlineData("{|BDSL0009:x|} = x * 2;\nreturn (y - x) * (y - x);")]
    [InlineData("{|BDSL0009:y|} += 1;\nreturn (y - x) * (y - x);")]
    public Task BDSL0009_is_on_a_written_scalar_input(string lower) => AnalyzeAsync(Scalar(lower: lower));

    [Theory]
    [InlineData("{|BDSL0009:x|} = y;\nreturn Dsl.Dot(x, y);", "")]
    [InlineData("{|BDSL0009:W[0]|} = y[0];\nreturn Dsl.Dot(W, y) * x[0];", "private static readonly double[] W = { 1.0, 2.0, 3.0 };")]
    [InlineData("{|BDSL0009:scale|} = 2;\nreturn scale * Dsl.Dot(x, y);", "private double scale = 1;")]
    public Task BDSL0009_is_on_a_written_span_input_or_model_data(string lower, string members) => AnalyzeAsync(Span(lower: lower, members: members));

    [Fact]
    public Task BDSL0010_is_on_the_upper_variable_the_lower_objective_ignores() => AnalyzeAsync(
        Scalar(lower: "return (y - 1) * (y - 1);").Replace("public double Lower(double x,", "public double Lower(double {|#0:x|},", StringComparison.Ordinal),
        Diagnostic("BDSL0010").WithLocation(0).WithArguments("Lower", "x"));

    [Fact]
    public Task BDSL0011_is_on_the_lower_variable_the_upper_objective_ignores() => AnalyzeAsync(
        Span(upper: "return Dsl.SquaredNorm(x);").Replace("public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)", "public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> {|#0:y|})", StringComparison.Ordinal),
        Diagnostic("BDSL0011").WithLocation(0).WithArguments("Upper", "y"));

    [Theory]
    [InlineData("double s = 0;\n{|BDSL0013:for (int i = 0; i < y.Length; i += 2)|}\n{\n    s += y[i] * x[i];\n}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0013:for (int i = 0; i < y.Length; i++)|}\n{\n    s += y[i] * x[i];\n    i = i + 1;\n}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0013:for (double t = 0; t < 1; t += 0.5)|}\n{\n    s += t * y[0] * x[0];\n}\nreturn s;")]
    [InlineData("double s = 0;\n{|BDSL0013:for (int i = 0; i * i < y.Length; i++)|}\n{\n    s += y[i] * x[i];\n}\nreturn s;")]
    public Task BDSL0013_is_on_the_header_of_an_unsupported_loop(string lower) => AnalyzeAsync(Span(lower: lower));

    [Fact]
    public Task BDSL0018_is_an_info_on_each_nonsmooth_call_in_the_lower_level_only() => AnalyzeAsync(Span(
        upper: "return Math.Abs(x[0]) + Dsl.Dot(x, y);",
        lower: """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += {|#0:Math.Abs(y[i])|} + {|#1:Math.Max(y[i], x[i])|} * {|#2:Math.Min(y[i], 0)|};
            }
            return s + Dsl.SquaredNorm(y);
            """),
        Diagnostic("BDSL0018").WithLocation(0).WithArguments("Math.Abs(y[i])"),
        Diagnostic("BDSL0018").WithLocation(1).WithArguments("Math.Max(y[i], x[i])"),
        Diagnostic("BDSL0018").WithLocation(2).WithArguments("Math.Min(y[i], 0)"));

    [Fact]
    public Task A_valid_model_with_data_helpers_requests_domains_and_constraints_reports_nothing() => AnalyzeAsync(Header + """
        [BilevelModel]
        [UpperBounds(-2, 2)]
        public partial class Valid(double[] weights)
        {
            [Differentiable]
            private static double Sq(double t) => t * t;

            [LowerProjection]
            public void Project(Span<double> v)
            {
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = Math.Max(v[i], 0);
                }
            }

            [LowerConstraint]
            public double Budget(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Sum(y) - 1;

            [Gradient(nameof(Lower))]
            public partial double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);

            [UpperLevel]
            public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Dot(weights, y) + Dsl.SquaredNorm(x);

            [LowerLevel]
            public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
            {
                double s = 0;
                for (int i = 0; i < y.Length; i++)
                {
                    s += Sq(y[i] - x[i]);
                }
                return s;
            }
        }
        """);
}
