using System.Reflection;
using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Diagnostics;

/// <summary>
/// An invalid [Gradient] request that is a bodiless partial declaration still gets an implementing part with the
/// declared signature: the compilation has no CS8795 (so the build shows BDSL0014, not a compiler error about a
/// missing implementation), and calling the method throws with the BDSL0014 message.
/// </summary>
public sealed class InvalidKernelRequestTests
{
    private const string Source = """
        using System;
        using BilevelDsl;
        namespace Requests;
        [BilevelModel]
        public partial class Model
        {
            [UpperLevel] public double U(double x, double y) => x * y;
            [LowerLevel] public double L(double x, double y) => (x - y) * (x - y);
            [Gradient("Nope")] public partial double UnknownTarget(double x, double y, out double gx, out double gy);
            [Gradient(nameof(L))] public partial double WrongSignature(double x, string? label, out double gx);
        }
        """;

    [Fact]
    public async Task Invalid_requests_are_reported_as_BDSL0014_without_CS8795_and_throw_when_called()
    {
        GeneratorRun run = GeneratorHarness.RunChecked(References.Compile(Source));
        Assert.DoesNotContain(run.CompilationDiagnostics, d => d.Id == "CS8795");
        Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));

        var analyzer = await AnalyzerHarness.RunAsync(run.Output);
        Assert.Equal(2, analyzer.Count(d => d.Id == "BDSL0014"));

        using InMemoryAssembly assembly = InMemoryAssembly.Emit(run.Output);
        object model = assembly.CreateInstance("Requests.Model");
        foreach (string name in new[] { "UnknownTarget", "WrongSignature" })
        {
            MethodInfo method = model.GetType().GetMethod(name)!;
            object?[] arguments = method.GetParameters().Select(p => p.ParameterType == typeof(string) ? (object?)"label" : 1.0).ToArray();
            var thrown = Assert.Throws<TargetInvocationException>(() => method.Invoke(model, arguments));
            var inner = Assert.IsType<InvalidOperationException>(thrown.InnerException);
            Assert.StartsWith("BDSL0014: The kernel method '" + name + "'", inner.Message, StringComparison.Ordinal);
        }
    }
}
