using Analysed = BilevelDsl.Generators.Analysis.LowerConvexity;
using Verdict = BilevelDsl.Generators.Analysis.ConvexityVerdict;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;
using GeneratorModel = BilevelDsl.Generators.Pipeline.ModelSpec;

namespace BilevelDsl.GeneratorTests.Convexity;

/// <summary>
/// Acceptance 2 of issue 13: every lower level of <see cref="ConvexityCases"/> gets exactly its expected verdict
/// from the analysis the generator runs (models compiled and lowered by the real front end), the reason names the
/// deciding term with its location, and the verdict is what the generated ModelInfo carries.
/// </summary>
public sealed class ConvexityTableTests
{
    private static readonly Lazy<(GeneratorRun Run, Dictionary<string, Analysed> Verdicts)> Compiled = new(CompileAll);

    public static TheoryData<string> Names => new(ConvexityCases.All.Select(c => c.Name));

    [Fact]
    public void The_table_has_at_least_forty_lower_levels_of_every_class()
    {
        Assert.True(ConvexityCases.All.Length >= 40, $"{ConvexityCases.All.Length} cases");
        Assert.Equal(ConvexityCases.All.Length, ConvexityCases.All.Select(c => c.Name).Distinct().Count());
        foreach (Verdict verdict in Enum.GetValues<Verdict>())
        {
            Assert.True(ConvexityCases.All.Count(c => c.Expected == verdict) >= 5, $"fewer than 5 cases expect {verdict}");
        }

        Assert.True(ConvexityCases.All.Count(c => c.Conditional) >= 3);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Verdict_is_the_expected_one(string name)
    {
        ConvexityCase c = ConvexityCases.All.Single(k => k.Name == name);
        Analysed verdict = Compiled.Value.Verdicts[name];
        string why = $"{name} ({c.Class}): {verdict.Verdict}, {verdict.Reason} at {verdict.Location}: {verdict.Text}";
        Assert.True(c.Expected == verdict.Verdict, "expected " + c.Expected + ", got " + why);
        Assert.True(c.Conditional == (verdict.Conditions.Count > 0), "conditional expected " + c.Conditional + ": " + why);
        Assert.Contains(c.ReasonContains, verdict.Reason, StringComparison.Ordinal);
        if (verdict.Verdict is Verdict.Nonconvex or Verdict.Unknown && c.Class != "unknown (projection set)")
        {
            // The reason points at the user's statement: file(line,column) and its text.
            Assert.Matches(@"^ConvexityTable\.[A-Z0-9]+\.cs\(\d+,\d+\)$", verdict.Location);
            Assert.False(string.IsNullOrWhiteSpace(verdict.Text), why);
        }
    }

    [Fact]
    public void Generated_model_info_carries_the_verdict()
    {
        GeneratorRun run = Compiled.Value.Run;
        foreach (ConvexityCase c in ConvexityCases.All)
        {
            string text = run.GeneratedText(c.Model.HintName);
            Assert.Contains("new global::BilevelDsl.LowerConvexity(global::BilevelDsl.ConvexityVerdict." + c.Expected + ",", text, StringComparison.Ordinal);
            Assert.Equal(c.Conditional, text.Contains(".WithConvexityData(", StringComparison.Ordinal));
        }

        Assert.Empty(GeneratorHarness.DiagnosticsInGeneratedCode(run, DiagnosticSeverity.Warning));
    }

    private static (GeneratorRun, Dictionary<string, Analysed>) CompileAll()
    {
        var models = ConvexityCases.All.Select(c => c.Model).ToList();
        GeneratorRun run = GeneratorHarness.RunChecked(References.Compile(models.Select(m => References.Parse(m.ToSource(), "ConvexityTable." + m.Name + ".cs"))));
        var verdicts = new Dictionary<string, Analysed>(StringComparer.Ordinal);
        foreach (var step in run.Result.TrackedSteps[TrackingNames.Model])
        {
            foreach ((object value, _) in step.Outputs)
            {
                if (value is Guarded<GeneratorModel> { Value: { } spec })
                {
                    verdicts[spec.TypeDisplayName.Substring(spec.TypeDisplayName.LastIndexOf('.') + 1)] = Analysed.Of(spec);
                }
            }
        }

        return (run, verdicts);
    }
}
