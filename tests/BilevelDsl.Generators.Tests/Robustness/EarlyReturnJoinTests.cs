using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// Early returns lowered to a join: every path (guard taken at each depth, none taken, a return after a guard
/// inside the same arm) gives the user's value and gradients that match finite differences.
/// </summary>
public sealed class EarlyReturnJoinTests
{
    [Theory]
    [InlineData("if (y > 0.5) { if (x > 0.2) return y * y * x; } if (x + y < -0.5) { return Math.Sin(x * y); } double s = x * y; s += y; return s * s;")]
    [InlineData("double s = y * y; if (x > 0) { if (y > 0) return s * x; s = s + x; return s * y; } if (y < -0.3) { if (x < -0.3) { return x * x * y; } s *= x; } return s + x * y;")]
    [InlineData("double s = 0; if (y > 0) { s = y; if (x > 0) { if (y > 0.5) return s * x; s += x * x; } } else { if (x < 0) return y * x; } s = s * y + x; return s;")]
    public async Task Every_path_of_nested_guards_is_differentiated_exactly(string body)
    {
        string source = "using System;\nusing BilevelDsl;\nnamespace Join;\n[BilevelModel]\npublic partial class M\n{\n"
            + "[UpperLevel] public double Upper(double x, double y) => x * x + y * y;\n"
            + "[LowerLevel] public double Lower(double x, double y) { " + body + " }\n}\n";
        Compilation compilation = References.Compile(source);
        GeneratorRun run = GeneratorHarness.RunChecked(compilation);
        var bdsl = AnalyzerHarness.Bdsl(await AnalyzerHarness.RunAsync(compilation)).Concat(run.GeneratorDiagnostics).ToList();
        Assert.True(!bdsl.Any(d => d.Severity == DiagnosticSeverity.Error), GeneratorHarness.Format(bdsl));
        using InMemoryAssembly assembly = InMemoryAssembly.Emit(run.Output);
        object instance = assembly.CreateInstance("Join.M");
        var kernels = (IBilevelKernels)instance;
        var user = (Func<double, double, double>)Delegate.CreateDelegate(typeof(Func<double, double, double>), instance, "Lower");
        var rng = new Random(11);
        int checkedPoints = 0;
        foreach (double px in new[] { -0.9, -0.4, 0.1, 0.35, 0.8 })
        {
            foreach (double py in new[] { -0.8, -0.35, 0.25, 0.7 })
            {
                Assert.Equal(user(px, py), kernels.LowerValue([px], [py]), 12);
                PointCheck check = GradientChecker.Check(kernels, Level.Lower, [px], [py], rng);
                Assert.Equal(user(px, py), check.Value, 12);
                Assert.True(check.Mismatches.Count == 0, $"({px}, {py}): " + string.Join("; ", check.Mismatches));
                checkedPoints += check.IsSmooth ? 1 : 0;
            }
        }

        Assert.True(checkedPoints >= 15, $"only {checkedPoints} smooth points");
    }
}
