using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// One regression test per failure the mutation run (<see cref="MutationRun"/>) found, reduced to the construct
/// that failed: computed vectors declared inside an if arm (the early-return join puts the rest of a body under
/// 'not returned'), a matrix-vector idiom with an active scale, and a [Gradient] request next to an invalid
/// level method.
/// </summary>
public sealed class MutationFindingTests
{
    private static async Task<(GeneratorRun Run, List<Diagnostic> Bdsl)> GenerateAsync(string source)
    {
        Compilation compilation = References.Compile("using System;\nusing BilevelDsl;\nnamespace Found;\n" + source);
        GeneratorRun run = GeneratorHarness.RunChecked(compilation);
        var bdsl = AnalyzerHarness.Bdsl(await AnalyzerHarness.RunAsync(compilation)).Concat(run.GeneratorDiagnostics).ToList();
        return (run, bdsl);
    }

    /// <summary>The user's values and FD-checked gradients of a span model with x, y of length 3 on a grid of points.</summary>
    private static async Task AssertExactAsync(string upper, string lower, string members = "")
    {
        string source = "[BilevelModel]\npublic partial class M\n{\n" + members + "\n"
            + "[UpperLevel] public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)\n{\n" + upper + "\n}\n"
            + "[LowerLevel] public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)\n{\n" + lower + "\n}\n}\n";
        (GeneratorRun run, List<Diagnostic> bdsl) = await GenerateAsync(source);
        Assert.True(!bdsl.Any(d => d.Severity > DiagnosticSeverity.Info), GeneratorHarness.Format(bdsl)); // BDSL0022 (info) states the convexity verdict
        using InMemoryAssembly assembly = InMemoryAssembly.Emit(run.Output);
        object instance = assembly.CreateInstance("Found.M");
        var kernels = (IBilevelKernels)instance;
        var rng = new Random(5);
        int compared = 0;
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            var user = (SpanObjective)Delegate.CreateDelegate(typeof(SpanObjective), instance, level.ToString());
            for (int p = 0; p < 24; p++)
            {
                double[] x = FiniteDifference.RandomPoint(rng, 3, 1.0);
                double[] y = FiniteDifference.RandomPoint(rng, 3, 1.0);
                Assert.Equal(user(x, y), GradientChecker.ValueKernel(kernels, level)(x, y), 12);
                PointCheck check = GradientChecker.Check(kernels, level, x, y, rng);
                Assert.Equal(user(x, y), check.Value, 12);
                Assert.True(check.Mismatches.Count == 0, check.ToString());
                compared += check.Compared;
            }
        }

        Assert.True(compared >= 200, $"only {compared} directions compared");
    }

    [Fact]
    public async Task A_vector_filled_after_early_return_guards_is_differentiated_exactly()
    {
        // Mut4154: the guards switch the body to the join, so the vector is declared in the 'not returned' arm;
        // its adjoint was looked up among the scope's top-level statements only (KeyNotFoundException, BDSL0012).
        await AssertExactAsync(
            """
            if (x[0] + y[0] < -0.6) return y[0] * y[0] * 3;
            if (y[0] > 0.01) { if (x[0] > -0.01) return y[0] * 4 + x[0]; }
            Span<double> f = stackalloc double[3];
            for (int k = 0; k < 3; k++)
            {
                f[k] = x[k] * y[k] + Math.Sin(y[k]);
            }
            f[0] += x[1];
            return Dsl.SquaredNorm(f);
            """,
            "return Dsl.SquaredNorm(y) + x[0] * y[1];");
    }

    [Fact]
    public async Task A_softmax_in_an_if_arm_is_differentiated_exactly()
    {
        // Mut2718: a computed vector declared in an if arm (no early return at all).
        await AssertExactAsync(
            "return Dsl.Dot(x, y);",
            """
            double s = Dsl.SquaredNorm(y);
            if (x[0] > 0 || y[2] > x[2])
            {
                Span<double> sm = stackalloc double[2];
                Dsl.Softmax(y.Slice(0, 2), sm);
                s += sm[1] * x[0] + x[0] * y[0];
            }
            return s;
            """);
    }

    [Fact]
    public async Task A_sum_of_scaled_rows_with_an_active_common_factor_is_differentiated_exactly()
    {
        // Mut1344: Axpy(y[i] * Math.Sin(x[0]), Rows.Row(i), acc) over the rows was recognised as acc += s Rowsᵀ y
        // with the active scale s = sin(x[0]), for which the reverse sweep has no rule (BDSL0012).
        await AssertExactAsync(
            "return Dsl.Dot(x, y);",
            """
            Span<double> acc = stackalloc double[3];
            for (int i = 0; i < Rows.Rows; i++)
            {
                Dsl.Axpy(y[i] * Math.Sin(x[0]), Rows.Row(i), acc);
            }
            return Dsl.SquaredNorm(acc) + Dsl.SquaredNorm(y);
            """,
            "private static Matrix Rows { get; } = Matrix.FromRows(new[] { new[] { 1.0, 0.0, 0.5 }, new[] { -0.5, 1.0, 0.0 }, new[] { 0.0, 0.25, 1.0 } });");
    }

    [Fact]
    public async Task A_gradient_request_next_to_a_virtual_level_method_shows_only_the_BDSL_error()
    {
        // Mut-virtual: the level method is rejected (BDSL0004), so the request was neither generated nor
        // implemented as a throwing stub, and C# added CS8795 (a partial method without implementation).
        (GeneratorRun run, List<Diagnostic> bdsl) = await GenerateAsync("""
            [BilevelModel]
            public partial class M
            {
                [UpperLevel] public double Upper(double x, double y) => x * x + y * y;
                [LowerLevel] public virtual double Lower(double x, double y) => (y - x) * (y - x);

                [Gradient(nameof(Lower))]
                public partial double LowerGrad(double x, double y, out double gradX, out double gradY);

                [Gradient(nameof(Upper))]
                public partial double UpperGrad(double x, double y, out double gradX, out double gradY);
            }
            """);
        Assert.Contains(bdsl, d => d.Id == "BDSL0004" && d.Severity == DiagnosticSeverity.Error);
        var errors = run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("BDSL", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, GeneratorHarness.Format(errors));
    }
}
