using System.Reflection;
using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Diagnostics;

[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;

/// <summary>Changes global state of the generator assembly, so it runs alone.</summary>
[Collection(nameof(SerialCollection))]
public sealed class InternalErrorTests
{
    /// <summary>
    /// BDSL0012 cannot be triggered from valid or invalid source, so the generator assembly has a fault-injection
    /// hook: here it makes the front end throw while reading one model, and both the generator and the analyzer
    /// must turn that into BDSL0012 (no exception escapes, no CS8785 generator failure, no AD0001), while a
    /// second model in the same compilation is still generated.
    /// </summary>
    [Fact]
    public async Task An_exception_in_the_front_end_becomes_BDSL0012_and_other_models_are_still_generated()
    {
        const string faulty = "FaultInjectedModel";
        BilevelDsl.Generators.Diagnostics.FaultInjection.ThrowWhileReading = name => name == faulty;
        try
        {
            var bad = new ModelSpec { Name = faulty, Namespace = "Diag", Kind = ModelKind.Scalar, Upper = "return x * y;", Lower = "return (y - x) * (y - x);" };
            var good = new ModelSpec { Name = "HealthyNeighbour", Namespace = "Diag", Kind = ModelKind.Scalar, Upper = "return x * y;", Lower = "return (y - x) * (y - x);" };
            GeneratorRun run = GeneratorHarness.RunChecked(References.Compile(bad.ToSource(), good.ToSource()));
            Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "BDSL0012" && d.GetMessage().Contains(faulty, StringComparison.Ordinal));
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
            Assert.Contains(run.GeneratedSources, s => s.HintName.Contains("HealthyNeighbour", StringComparison.Ordinal));

            var analyzer = await AnalyzerHarness.RunAsync(run.Output);
            Assert.Contains(analyzer, d => d.Id == "BDSL0012");
            Assert.DoesNotContain(analyzer, d => d.Id == "AD0001");
        }
        finally
        {
            BilevelDsl.Generators.Diagnostics.FaultInjection.ThrowWhileReading = null;
        }
    }
}
