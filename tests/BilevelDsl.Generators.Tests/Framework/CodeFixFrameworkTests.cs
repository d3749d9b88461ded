using BilevelDsl.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static BilevelDsl.GeneratorTests.Framework.Sources;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>
/// The two code fixes through CSharpCodeFixTest: the marked diagnostic is fixed into exactly the expected text,
/// the fixed source has no BDSL diagnostic left and compiles with its generated kernels, and Fix All fixes
/// every occurrence in one pass.
/// </summary>
public sealed class CodeFixFrameworkTests
{
    private const string Levels = """
            [UpperLevel]
            public double Upper(double x, double y) { return x * y + y * y; }

            [LowerLevel]
            public double Lower(double x, double y) { return (y - x) * (y - x); }
        """;

    [Theory]
    [InlineData("public class", "public partial class")]
    [InlineData("public sealed class", "public sealed partial class")]
    [InlineData("internal class", "internal partial class")]
    [InlineData("class", "partial class")]
    public Task BDSL0001_make_partial_adds_the_modifier_before_class_and_keeps_the_trivia(string before, string after) =>
        FixAsync<MakePartialCodeFixProvider>(
            Header + $$"""
            /// <summary>A model.</summary>
            [BilevelModel]
            {{before}} {|BDSL0001:Fixable|}
            {
            {{Levels}}
            }
            """,
            Header + $$"""
            /// <summary>A model.</summary>
            [BilevelModel]
            {{after}} Fixable
            {
            {{Levels}}
            }
            """);

    [Fact]
    public Task BDSL0001_make_partial_keeps_a_primary_constructor() =>
        FixAsync<MakePartialCodeFixProvider>(
            Header + "[BilevelModel]\ninternal class {|BDSL0001:Fixable|}(double scale)\n{\n    public double Scale => scale;\n\n" + Levels + "\n}\n",
            Header + "[BilevelModel]\ninternal partial class Fixable(double scale)\n{\n    public double Scale => scale;\n\n" + Levels + "\n}\n");

    [Theory]
    [InlineData("{|BDSL0018:Math.Abs(y[i] - x[i])|}", "Dsl.Abs(y[i] - x[i])")]
    [InlineData("{|BDSL0018:Math.Max(y[i], 0)|}", "Dsl.Relu(y[i])")]
    [InlineData("{|BDSL0018:Math.Max(0.0, y[i])|}", "Dsl.Relu(y[i])")]
    [InlineData("{|BDSL0018:Math.Max(y[i], x[i])|}", "Dsl.Max(y[i], x[i])")]
    [InlineData("{|BDSL0018:Math.Min(y[i], x[i])|}", "Dsl.Min(y[i], x[i])")]
    [InlineData("Math.Pow({|BDSL0018:Math.Abs(y[i])|}, 1.5)", "Dsl.PowAbs(y[i], 1.5)")]
    public Task BDSL0018_use_dsl_intrinsic_replaces_the_nonsmooth_call(string before, string after) =>
        FixAsync<UseDslIntrinsicCodeFixProvider>(Span(lower: LoopOver(before)), Span(lower: LoopOver(after)));

    [Fact]
    public Task BDSL0018_use_dsl_intrinsic_qualifies_Dsl_when_the_file_does_not_import_BilevelDsl() =>
        FixAsync<UseDslIntrinsicCodeFixProvider>(
            Unqualified("{|BDSL0018:System.Math.Abs(y - x)|}"),
            Unqualified("global::BilevelDsl.Dsl.Abs(y - x)"));

    [Fact]
    public async Task Fix_all_replaces_every_nonsmooth_call_in_one_pass()
    {
        var test = new BdslCodeFixTest<UseDslIntrinsicCodeFixProvider>
        {
            TestCode = Span(lower: "return Dsl.SquaredNorm(y) + {|BDSL0018:Math.Abs(y[0])|} + {|BDSL0018:Math.Max(y[1], 0)|} * {|BDSL0018:Math.Min(y[2], x[0])|};"),
            FixedCode = Span(lower: "return Dsl.SquaredNorm(y) + Dsl.Abs(y[0]) + Dsl.Relu(y[1]) * Dsl.Min(y[2], x[0]);"),
            NumberOfFixAllIterations = 1,
        };
        test.CodeFixTestBehaviors &= ~CodeFixTestBehaviors.SkipFixAllCheck;
        await test.RunAsync(CancellationToken.None);
    }

    private static string LoopOver(string term) => $$"""
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += {{term}};
        }
        return s + Dsl.SquaredNorm(y) - Dsl.Dot(x, y);
        """;

    private static string Unqualified(string term) => $$"""
        namespace Fw
        {
            [global::BilevelDsl.BilevelModel]
            public partial class Model
            {
                [global::BilevelDsl.UpperLevel]
                public double Upper(double x, double y) { return x * y + y * y; }

                [global::BilevelDsl.LowerLevel]
                public double Lower(double x, double y) { return (y - x) * (y - x) + {{term}}; }
            }
        }
        """;

    private static Task FixAsync<TCodeFix>(string markup, string fixedCode)
        where TCodeFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        var test = new BdslCodeFixTest<TCodeFix> { TestCode = markup, FixedCode = fixedCode };
        return test.RunAsync(CancellationToken.None);
    }
}
