using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.GeneratorTests.Diagnostics;

/// <summary>
/// Each catalogue ID has positive sources and is absent from the closest valid source; rejected bodies still get
/// kernels, which throw InvalidOperationException whose message starts with the ID. (The exact location, severity
/// and message of every diagnostic are pinned by the framework tests in Framework/, which replaced the
/// location test that used to live here.)
/// </summary>
public sealed class DiagnosticTests(ITestOutputHelper output)
{
    /// <summary>Everything the generator and the analyzer say about one source.</summary>
    /// <param name="UserCSharpErrors">C# errors of the source before generation (except CS8795, an unimplemented [Gradient] request).</param>
    private sealed record Analysis(MarkedSource Source, GeneratorRun Run, IReadOnlyList<Diagnostic> Bdsl, IReadOnlyList<Diagnostic> UserCSharpErrors)
    {
        /// <summary>Errors after generation that were not there before: caused by (or not fixed by) the generated code.</summary>
        public IReadOnlyList<Diagnostic> GeneratedCodeErrors =>
            Run.CompilationDiagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error)
                .Where(d => !UserCSharpErrors.Any(u => u.Id == d.Id && u.Location.SourceSpan == d.Location.SourceSpan && !Run.IsGenerated(d.Location.SourceTree)))
                .ToList();

        public string Report() =>
            Source.Text + Environment.NewLine +
            string.Join(Environment.NewLine, Bdsl.Select(d => "BDSL: " + d)
                .Concat(UserCSharpErrors.Select(d => "C#: " + d))
                .Concat(GeneratedCodeErrors.Select(d => "generated code: " + d)));
    }

    private static async Task<Analysis> AnalyzeAsync(DiagnosticCase c)
    {
        MarkedSource source = MarkedSource.Parse(c.MarkedText);
        Compilation input = References.Compile(new[] { References.Parse(source.Text, c.Name + ".cs") }, c.Name);
        var userErrors = input.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != ModelBatch.UnimplementedPartialMethod)
            .ToList();
        GeneratorRun run = GeneratorHarness.RunChecked(input);

        // The contract: the generator itself reports only BDSL0012; everything else comes from the analyzer.
        var fromGenerator = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("BDSL", StringComparison.Ordinal)).ToList();
        Assert.True(fromGenerator.All(d => d.Id == "BDSL0012"),
            "The generator reported front-end diagnostics (the analyzer owns them): " + GeneratorHarness.Format(fromGenerator));

        var bdsl = AnalyzerHarness.Bdsl(await AnalyzerHarness.RunAsync(run.Output)).Concat(fromGenerator).ToList();
        return new Analysis(source, run, bdsl, userErrors);
    }

    public static TheoryData<string> PositiveNames() => DiagnosticCases.PositiveNames();

    public static TheoryData<string> NegativeNames() => DiagnosticCases.NegativeNames();

    [Theory]
    [MemberData(nameof(PositiveNames))]
    public async Task Rejected_bodies_get_kernels_that_throw_with_the_diagnostic_id(string name)
    {
        DiagnosticCase c = DiagnosticCases.Positive.Single(p => p.Name == name);
        if (c.RejectedLevel is not Level level)
        {
            return; // not a body rejection (the model shape is invalid, or a helper/request is): no kernel contract
        }

        Analysis a = await AnalyzeAsync(c);
        Assert.True(a.UserCSharpErrors.Count == 0, "The case must be valid C#:" + Environment.NewLine + a.Report());
        Assert.True(a.GeneratedCodeErrors.Count == 0, "The generated code does not compile:" + Environment.NewLine + a.Report());
        using InMemoryAssembly assembly = InMemoryAssembly.Emit(a.Run.Output);
        IBilevelKernels kernels = assembly.CreateKernels(c.TypeName);
        bool scalar = !a.Source.Text.Contains("ReadOnlySpan<double> x", StringComparison.Ordinal);
        double[] x = scalar ? new[] { 0.5 } : new[] { 0.5, -0.25, 0.75 };
        double[] y = scalar ? new[] { 0.3 } : new[] { 0.3, 0.6, -0.9 };
        var e = Record.Exception(() => GradientChecker.Gradient(kernels, level, x, y, new double[x.Length], new double[y.Length]));
        Assert.True(e is InvalidOperationException && e.Message.StartsWith(c.Id, StringComparison.Ordinal),
            $"{level}Gradient of a body rejected with {c.Id}: expected InvalidOperationException(\"{c.Id}: ...\"), got " +
            (e is null ? "no exception (derivative code was emitted for a rejected body)" : $"{e.GetType().Name}: {e.Message}"));
    }

    [Theory]
    [MemberData(nameof(NegativeNames))]
    public async Task Closest_valid_source_reports_nothing(string name)
    {
        DiagnosticCase c = DiagnosticCases.Negative.Single(p => p.Name == name);
        Analysis a = await AnalyzeAsync(c);
        // No BDSL warning or error at all, and not even an informational diagnostic with the case's ID.
        // (Info-level advice outside the catalogue of errors, e.g. "this term is nonsmooth", is allowed.)
        var reported = a.Bdsl.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.Id == c.Id).ToList();
        Assert.True(reported.Count == 0, $"Expected no BDSL diagnostic (closest valid source for {c.Id}):{Environment.NewLine}{a.Report()}");
        foreach (Diagnostic info in a.Bdsl.Except(reported))
        {
            output.WriteLine("Info: " + info);
        }

        Assert.True(a.UserCSharpErrors.Count == 0 && a.GeneratedCodeErrors.Count == 0, a.Report());
        var warnings = a.Run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(warnings.Count == 0, "Warnings: " + GeneratorHarness.Format(warnings));
        using InMemoryAssembly assembly = InMemoryAssembly.Emit(a.Run.Output);
        Assert.NotNull(assembly.CreateKernels(c.TypeName));
    }

    [Fact]
    public void Every_catalogue_id_but_BDSL0012_has_a_positive_and_a_negative_case()
    {
        var ids = Enumerable.Range(1, 16).Where(i => i != 12).Select(i => $"BDSL{i:0000}").ToList();
        Assert.Empty(ids.Except(DiagnosticCases.Positive.Select(c => c.Id)));
        Assert.Empty(ids.Except(DiagnosticCases.Negative.Select(c => c.Id)));
    }

    [Fact]
    public void Markers_are_parsed()
    {
        MarkedSource m = MarkedSource.Parse("a [|bc|] d [|e|]");
        Assert.Equal("a bc d e", m.Text);
        Assert.Equal(new[] { new TextSpan(2, 2), new TextSpan(7, 1) }, m.Spans);
    }
}
