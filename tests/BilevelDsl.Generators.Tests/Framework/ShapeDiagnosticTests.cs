using Xunit;
using static BilevelDsl.GeneratorTests.Framework.Sources;
using static BilevelDsl.GeneratorTests.Framework.Verifier;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>
/// Diagnostics about a model's shape (class, level signatures, kernel requests, helpers, domains, constraints,
/// projections), each pinned to its exact location with markup, through the Roslyn testing framework.
/// </summary>
public sealed class ShapeDiagnosticTests
{
    private const string Levels = """
            [UpperLevel]
            public double Upper(double x, double y) { return x * y + y * y; }

            [LowerLevel]
            public double Lower(double x, double y) { return (y - x) * (y - x); }
        """;

    [Fact]
    public Task BDSL0001_is_on_the_name_of_a_class_that_is_not_partial() => AnalyzeAsync(Header + $$"""
        [BilevelModel]
        public class {|#0:NotPartial|}
        {
        {{Levels}}
        }
        """, Diagnostic("BDSL0001").WithLocation(0).WithArguments("NotPartial"));

    [Theory]
    [InlineData("UpperLevel", "LowerLevel")]
    [InlineData("LowerLevel", "UpperLevel")]
    public Task BDSL0002_is_on_the_class_name_when_a_level_is_missing(string present, string missing) => AnalyzeAsync(Header + $$"""
        [BilevelModel]
        public partial class {|#0:OneLevel|}
        {
            [{{present}}]
            public double Level(double x, double y) { return (y - x) * (y - x); }
        }
        """, Diagnostic("BDSL0002").WithLocation(0).WithArguments("OneLevel", missing));

    [Fact]
    public Task BDSL0003_is_on_the_second_method_of_a_level() => AnalyzeAsync(Header + """
        [BilevelModel]
        public partial class TwoUppers
        {
            [UpperLevel]
            public double Upper(double x, double y) { return x * y + y * y; }

            [UpperLevel]
            public double {|#0:Upper2|}(double x, double y) { return x + y; }

            [LowerLevel]
            public double Lower(double x, double y) { return (y - x) * (y - x); }
        }
        """, Diagnostic("BDSL0003").WithLocation(0).WithArguments("TwoUppers", "UpperLevel", "Upper2"));

    [Theory]
    [InlineData("public float {|BDSL0004:Upper|}(double x, double y) { return (float)(x * y + y * y); }")]
    [InlineData("public double {|BDSL0004:Upper|}(double x, double y, double z) { return x * y + y * y + z; }")]
    [InlineData("public double {|BDSL0004:Upper|}(double x, ReadOnlySpan<float> y) { return x * y[0]; }")]
    [InlineData("public double {|BDSL0004:Upper|}<T>(double x, double y) { return x * y + y * y; }")]
    [InlineData("public double {|BDSL0004:Upper|}(ref double x, double y) { return x * y + y * y; }")]
    [InlineData("public double {|BDSL0004:Upper|}(Span<double> x, Span<double> y) { return x[0] * y[0]; }")]
    public Task BDSL0004_is_on_the_name_of_a_level_method_with_an_unsupported_signature(string upper) => AnalyzeAsync(Header + $$"""
        [BilevelModel]
        public partial class BadSignature
        {
            [UpperLevel]
            {{upper}}

            [LowerLevel]
            public double Lower(double x, double y) { return (y - x) * (y - x); }
        }
        """);

    [Fact]
    public Task BDSL0004_is_on_the_lower_level_when_the_levels_disagree() => AnalyzeAsync(Header + """
        [BilevelModel]
        public partial class LevelsDisagree
        {
            [UpperLevel]
            public double Upper(double x, double y) { return x * y + y * y; }

            [LowerLevel]
            public double {|BDSL0004:Lower|}(ReadOnlySpan<double> x, ReadOnlySpan<double> y) { return Dsl.Dot(x, y); }
        }
        """);

    [Fact]
    public Task BDSL0014_is_on_a_gradient_request_for_an_unknown_objective() => AnalyzeAsync(Span(members: """
        [Gradient("Nope")]
        public partial double {|BDSL0014:G|}(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);
        """));

    [Fact]
    public Task BDSL0014_is_on_a_gradient_request_without_gradient_spans() => AnalyzeAsync(Span(members: """
        [Gradient(nameof(Lower))]
        public partial double {|BDSL0014:G|}(ReadOnlySpan<double> x, ReadOnlySpan<double> y);
        """));

    [Fact]
    public Task BDSL0014_is_on_a_span_gradient_request_of_a_scalar_model() => AnalyzeAsync(Scalar(members: """
        [Gradient(nameof(Upper))]
        public partial double {|BDSL0014:G|}(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);
        """));

    [Theory]
    [InlineData("[Differentiable]\nprivate double {|BDSL0015:Sq|}(double t) { return t * t; }", "return Sq(y[0]) * x[0];")]
    [InlineData("[Differentiable]\nprivate static int {|BDSL0015:Twice|}(int k) { return 2 * k; }", "return Twice(2) * y[0] * x[0];")]
    public Task BDSL0015_is_on_the_name_of_an_invalid_helper(string helper, string lower) => AnalyzeAsync(Span(lower: lower, members: helper));

    /// <summary>The helper's body and the call are reported too: the array is neither data nor a number there.</summary>
    [Fact]
    public Task BDSL0015_is_on_the_name_of_a_helper_with_an_array_parameter() => AnalyzeAsync(Span(lower: "return First({|BDSL0006:W|}) * y[0] * x[0];", members: """
        private static readonly double[] W = { 1.0, 2.0 };

        [Differentiable]
        private static double {|BDSL0015:First|}(double[] a) { return {|BDSL0006:a|}[0]; }
        """));

    [Fact]
    public Task BDSL0015_is_on_the_recursive_call_of_a_helper() => AnalyzeAsync(Span(lower: "return Rec(y[0], 3) * x[0];", members: """
        [Differentiable]
        private static double Rec(double t, int k) { return k <= 0 ? t : {|BDSL0015:Rec(t * 0.5, k - 1)|}; }
        """));

    [Fact]
    public Task BDSL0016_is_on_the_model_name_when_its_container_is_not_partial() => AnalyzeAsync(Header + $$"""
        public class Outer
        {
            [BilevelModel]
            public partial class {|#0:Inner|}
            {
            {{Levels}}
            }
        }
        """, Diagnostic("BDSL0016").WithLocation(0).WithArguments("Inner", "is nested in 'Outer', which must be declared partial too"));

    [Fact]
    public Task BDSL0016_is_on_the_name_of_a_record_model() => AnalyzeAsync(Header + $$"""
        [BilevelModel]
        public partial record {|BDSL0016:RecordModel|}
        {
        {{Levels}}
        }
        """);

    [Theory]
    [InlineData("LowerBounds(1, -1)")]
    [InlineData("UpperBounds(0, double.NaN)")]
    public Task BDSL0017_is_on_a_bounds_attribute_with_an_empty_box(string bounds) => AnalyzeAsync(Header + $$"""
        [BilevelModel]
        [{|BDSL0017:{{bounds}}|}]
        public partial class Boxed
        {
        {{Levels}}
        }
        """);

    [Theory]
    [InlineData("public double {|BDSL0017:Project|}(Span<double> v) { return 0; }")]
    [InlineData("public void {|BDSL0017:Project|}(ReadOnlySpan<double> v) { }")]
    [InlineData("public void {|BDSL0017:Project|}(Span<double> v, double r) { }")]
    public Task BDSL0017_is_on_the_name_of_a_projection_with_a_wrong_signature(string projection) => AnalyzeAsync(Span(members: "[LowerProjection]\n" + projection));

    [Fact]
    public Task BDSL0017_is_on_a_projection_for_a_variable_that_already_has_bounds() => AnalyzeAsync(Header + """
        [BilevelModel]
        [LowerBounds(-1, 1)]
        public partial class TwoDomains
        {
            [LowerProjection]
            public void {|#0:Project|}(Span<double> v) { v.Clear(); }

            [UpperLevel]
            public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) { return Dsl.Dot(x, y); }

            [LowerLevel]
            public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) { return Dsl.SquaredNorm(y) - Dsl.Dot(x, y); }
        }
        """, Diagnostic("BDSL0017").WithLocation(0).WithArguments("Project", "declares a second domain for the lower variable; declare bounds or one projection"));

    [Theory]
    [InlineData("public double {|BDSL0017:Budget|}(ReadOnlySpan<double> x) { return x[0]; }")]
    [InlineData("public double {|BDSL0017:Budget|}(double x, double y) { return x + y; }")]
    public Task BDSL0017_is_on_the_name_of_a_constraint_with_a_wrong_signature(string constraint) => AnalyzeAsync(Span(members: "[LowerConstraint]\n" + constraint));

    [Fact]
    public Task BDSL0019_is_on_every_assignment_outside_the_projected_argument() => AnalyzeAsync(Span(members: """
        private int calls;
        private readonly double[] last = new double[3];

        [LowerProjection]
        public void Project(Span<double> y)
        {
            {|#0:calls|}++;
            for (int i = 0; i < y.Length; i++)
            {
                double clamped = Math.Clamp(y[i], -1, 1);
                y[i] = clamped;
                {|#1:last[i]|} = clamped;
            }
        }
        """),
        Diagnostic("BDSL0019").WithLocation(0).WithArguments("Project", "calls"),
        Diagnostic("BDSL0019").WithLocation(1).WithArguments("Project", "last[i]"));
}
