using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// One regression test per finding of the robustness probe (issue: the generator must never freeze or crash
/// the IDE, nor accept code it differentiates wrongly). Wrong derivatives with a clean build first.
/// </summary>
public sealed class ProbeFindingTests
{
    private const string Usings = "using System;\nusing BilevelDsl;\n\nnamespace Probe;\n\n";

    private sealed record Outcome(GeneratorRun Run, IReadOnlyList<Diagnostic> Bdsl, IReadOnlyList<Diagnostic> CompileErrors)
    {
        public bool Reports(string id) => Bdsl.Any(d => d.Id == id && d.Severity == DiagnosticSeverity.Error);

        public override string ToString() => "BDSL: " + GeneratorHarness.Format(Bdsl) + "\nC#: " + GeneratorHarness.Format(CompileErrors);
    }

    private static async Task<Outcome> ProbeAsync(params (string Path, string Source)[] files)
    {
        Compilation compilation = References.Compile(files.Select(f => References.Parse(Usings + f.Source, f.Path)));
        GeneratorRun run = GeneratorHarness.Run(compilation);
        var bdsl = AnalyzerHarness.Bdsl(await AnalyzerHarness.RunAsync(compilation)).Concat(run.GeneratorDiagnostics).ToList();
        var errors = run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("BDSL", StringComparison.Ordinal)).ToList();
        return new Outcome(run, bdsl, errors);
    }

    private static void AssertExactGradients(Outcome outcome, string type, int xLength = 1, int yLength = 1)
    {
        Assert.True(outcome.CompileErrors.Count == 0 && !outcome.Bdsl.Any(d => d.Severity == DiagnosticSeverity.Error), outcome.ToString());
        using InMemoryAssembly assembly = InMemoryAssembly.Emit(outcome.Run.Output);
        IBilevelKernels kernels = assembly.CreateKernels("Probe." + type);
        var rng = new Random(3);
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            double[] x = Enumerable.Range(0, xLength).Select(_ => rng.NextDouble() - 0.3).ToArray();
            double[] y = Enumerable.Range(0, yLength).Select(_ => rng.NextDouble() + 0.2).ToArray();
            PointCheck check = GradientChecker.Check(kernels, level, x, y, rng);
            Assert.True(check.Mismatches.Count == 0, level + ": " + string.Join("; ", check.Mismatches));
        }
    }

    [Theory]
    [InlineData("virtual")]
    [InlineData("abstract")]
    [InlineData("extern")]
    public async Task A_virtual_abstract_or_extern_level_method_is_an_error(string modifier)
    {
        string lower = modifier == "virtual"
            ? "public virtual double Lower(double x, double y) => (y - x) * (y - x);"
            : "public " + modifier + " double Lower(double x, double y);";
        Outcome outcome = await ProbeAsync(("M.cs", $$"""
            [BilevelModel]
            public {{(modifier == "abstract" ? "abstract " : string.Empty)}}partial class M
            {
                [UpperLevel] public double Upper(double x, double y) => x * x + y * y;
                [LowerLevel] {{lower}}
            }
            """));
        Assert.True(outcome.Reports("BDSL0004"), outcome.ToString());
    }

    [Fact]
    public async Task An_overridden_level_method_in_a_subclass_is_an_error_on_the_base()
    {
        Outcome outcome = await ProbeAsync(("M.cs", """
            [BilevelModel]
            public partial class M
            {
                [UpperLevel] public double Upper(double x, double y) => x * x + y * y;
                [LowerLevel] public virtual double Lower(double x, double y) => (y - x) * (y - x);
            }

            public partial class N : M
            {
                public override double Lower(double x, double y) => y * y;
            }
            """));
        Assert.True(outcome.Reports("BDSL0004"), outcome.ToString());
    }

    [Fact]
    public async Task A_partial_level_method_whose_body_is_in_another_file_is_differentiated_from_that_body()
    {
        Outcome outcome = await ProbeAsync(
            ("M.cs", """
                [BilevelModel]
                public partial class M
                {
                    [UpperLevel] public double Upper(double x, double y) => x * x + y * y;
                    [LowerLevel] public partial double Lower(double x, double y);
                }
                """),
            ("M.Lower.cs", """
                public partial class M
                {
                    public partial double Lower(double x, double y) => (y - x * x) * (y - 2 * x) + Math.Sin(y);
                }
                """));
        AssertExactGradients(outcome, "M");
    }

    [Theory]
    [InlineData("ref double r = ref D[0]; r += 1.0; return y * r;")]
    [InlineData("ref double r = ref this.S; r = 2.0; return y * r;")]
    [InlineData("ref readonly double r = ref D[0]; return y * r;")]
    public async Task Ref_locals_are_an_error(string body)
    {
        Outcome outcome = await ProbeAsync(("M.cs", $$"""
            [BilevelModel]
            public partial class M
            {
                private static readonly double[] D = { 1.0 };
                public double S = 1.0;
                [UpperLevel] public double Upper(double x, double y) => x * x + y * y;
                [LowerLevel] public double Lower(double x, double y) { {{body}} }
            }
            """));
        Assert.True(outcome.Reports("BDSL0005") || outcome.Reports("BDSL0009"), outcome.ToString());
    }

    [Fact]
    public async Task A_generic_model_and_its_underscore_namesake_both_get_kernels()
    {
        Outcome outcome = await ProbeAsync(
            ("M1.cs", """
                [BilevelModel]
                public partial class M<T>
                {
                    [UpperLevel] public double Upper(double x, double y) => x * x + y * y;
                    [LowerLevel] public double Lower(double x, double y) => (y - x) * (y - x);
                }
                """),
            ("M2.cs", """
                [BilevelModel]
                public partial class M_1
                {
                    [UpperLevel] public double Upper(double x, double y) => x * y + y * y;
                    [LowerLevel] public double Lower(double x, double y) => (y - 2 * x) * (y - 2 * x);
                }
                """));
        Assert.True(outcome.CompileErrors.Count == 0 && !outcome.Bdsl.Any(d => d.Severity > DiagnosticSeverity.Info), outcome.ToString());
        Assert.Equal(2, outcome.Run.GeneratedSources.Length);
        AssertExactGradients(outcome, "M_1");
    }

    [Fact]
    public async Task Overloaded_helpers_are_resolved_by_their_symbols()
    {
        Outcome outcome = await ProbeAsync(("M.cs", """
            [BilevelModel]
            public partial class M
            {
                [Differentiable] private static double H(double a) => a * a * a;
                [Differentiable] private static double H(double a, double b) => a * Math.Exp(b);
                [UpperLevel] public double Upper(double x, double y) => H(x) + H(y, x);
                [LowerLevel] public double Lower(double x, double y) => H(y - x) + H(x, y) * H(y);
            }
            """));
        AssertExactGradients(outcome, "M");
    }

    [Fact]
    public async Task A_helper_may_reassign_its_parameter_inside_a_loop()
    {
        Outcome outcome = await ProbeAsync(("M.cs", """
            [BilevelModel]
            public partial class M
            {
                [Differentiable]
                private static double Walk(double a, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        a += 0.5 * i;
                    }
                    a = a * a;
                    return a;
                }

                [UpperLevel] public double Upper(double x, double y) => Walk(x, 3) + y * y;
                [LowerLevel] public double Lower(double x, double y) => Walk(y - x, 2);
            }
            """));
        AssertExactGradients(outcome, "M");
    }

    [Fact]
    public async Task User_members_named_like_generated_ones_do_not_break_the_build()
    {
        Outcome outcome = await ProbeAsync(("M.cs", """
            [BilevelModel]
            public partial class M
            {
                public int Upper__Gradient;
                public int H__Partials;
                public int H__PartialsTangent;
                public int __bilevelInfo;
                public int Lower__HessianVector() => 1;
                [Differentiable] private static double H(double a) => a * a;
                [UpperLevel] public double Upper(double x, double y) => H(x) + y * y;
                [LowerLevel] public double Lower(double x, double y) => H(y - x);
            }
            """));
        AssertExactGradients(outcome, "M");
    }
}
