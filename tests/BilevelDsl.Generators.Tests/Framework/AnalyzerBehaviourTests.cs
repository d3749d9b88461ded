using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static BilevelDsl.GeneratorTests.Framework.Sources;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>The framework's whole-analyzer checks, run once rather than in every location test.</summary>
public sealed class AnalyzerBehaviourTests
{
    /// <summary>
    /// With an error, a warning and an info in one model (BDSL0008, BDSL0010, BDSL0018), the framework also reruns the analysis (1) with the
    /// source marked auto-generated, where the analyzer must stay silent (users do not own generated code), and
    /// (2) with each diagnostic disabled by #pragma warning, where it must disappear.
    /// </summary>
    [Fact]
    public async Task The_analyzer_skips_generated_code_and_honours_pragma_suppression()
    {
        var test = new BdslAnalyzerTest
        {
            TestCode = Span(
                upper: "return {|BDSL0008:Math.Round(x[0])|} + Dsl.Dot(x, y);",
                lower: "return Dsl.SquaredNorm(y) + {|BDSL0018:Math.Abs(y[0])|};")
                .Replace("public double Lower(ReadOnlySpan<double> x,", "public double Lower(ReadOnlySpan<double> {|BDSL0010:x|},", StringComparison.Ordinal),
        };
        test.TestBehaviors &= ~(TestBehaviors.SkipGeneratedCodeCheck | TestBehaviors.SkipSuppressionCheck);
        await test.RunAsync(CancellationToken.None);
    }
}
