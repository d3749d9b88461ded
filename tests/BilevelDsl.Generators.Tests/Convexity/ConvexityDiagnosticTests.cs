using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BilevelDsl.GeneratorTests.Convexity;

/// <summary>BDSL0022: the analyzer shows the convexity verdict of every lower objective and constraint, as Info, on
/// the method's name, with the deciding term's location in the message; a build reports it and stays green.</summary>
public sealed class ConvexityDiagnosticTests
{
    private const string Source = """
        using System;
        using BilevelDsl;

        namespace Shown;

        [BilevelModel]
        public partial class Model
        {
            [UpperLevel]
            public double Upper(double x, double y) => (x - 1) * (x - 1) + y * y;

            [LowerLevel]
            public double Lower(double x, double y) => (y - x) * (y - x);

            [LowerConstraint]
            public double Outside(double x, double y) => 1 - y * y;
        }

        [BilevelModel]
        public partial class Concave
        {
            [UpperLevel]
            public double Upper(double x, double y) => (x - 1) * (x - 1) + y * y;

            [LowerLevel]
            public double Lower(double x, double y)
            {
                double t = x * y;
                return t - y * y;
            }
        }
        """;

    [Fact]
    public async Task The_verdict_is_an_info_diagnostic_on_each_lower_method()
    {
        Compilation compilation = References.Compile([References.Parse(Source, "Shown.cs")]);
        var found = AnalyzerHarness.Bdsl(await AnalyzerHarness.RunAsync(compilation)).Where(d => d.Id == "BDSL0022").ToList();
        Assert.Equal(3, found.Count);
        Assert.All(found, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Equal(new[] { "Lower", "Outside", "Lower" }, found.Select(d => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)));
        Assert.Contains("StronglyConvex", found[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("Unknown", found[1].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("Nonconvex", found[2].GetMessage(), StringComparison.Ordinal);
        Assert.True(found[2].GetMessage().Contains("Shown.cs(29,9): return t - y * y;", StringComparison.Ordinal), found[2].GetMessage());
        Assert.Equal("https://github.com/BilevelDsl/BilevelDsl/blob/main/docs/diagnostics/BDSL0022.md", found[0].Descriptor.HelpLinkUri);
    }

    [Fact]
    public async Task A_build_reports_it_and_compiles()
    {
        // What `dotnet build` does: the generator adds the kernels, the compiler reports analyzer diagnostics.
        Compilation compilation = References.Compile([References.Parse(Source, "Shown.cs")]);
        GeneratorRun run = GeneratorHarness.RunChecked(compilation);
        var diagnostics = await run.Output.WithAnalyzers([new BilevelModelAnalyzer()], (AnalyzerOptions?)null).GetAllDiagnosticsAsync();
        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(3, diagnostics.Count(d => d.Id == "BDSL0022"));
    }
}
