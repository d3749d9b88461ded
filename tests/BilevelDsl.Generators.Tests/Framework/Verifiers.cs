using BilevelDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>
/// The analyzer as a user's build runs it: together with the source generator, so the model compiles as it
/// would in a project (generated kernels, no CS8795 for [Gradient] requests) and the expected diagnostics are
/// exactly the analyzer's plus any compiler error. Locations come from markup: <c>{|BDSL0005:while (...) {...}|}</c>
/// for the ID alone, <c>{|#0:...|}</c> with <see cref="Verifier.Diagnostic"/>.WithLocation(0) to check the message too.
/// </summary>
public sealed class BdslAnalyzerTest : CSharpAnalyzerTest<BilevelModelAnalyzer, DefaultVerifier>
{
    public BdslAnalyzerTest()
    {
        Verifier.UseOfflineReferences(TestState);
        ReferenceAssemblies = OfflineReferences.None;
        // The generated kernels are pinned by the snapshot tests; here they only have to compile. The framework's
        // extra passes (the source marked auto-generated, every diagnostic suppressed by #pragma) each redo the whole
        // analysis; they run in AnalyzerBehaviourTests, once, instead of in every location test.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck | TestBehaviors.SkipGeneratedCodeCheck | TestBehaviors.SkipSuppressionCheck;
        // BDSL0022 (info) states the convexity verdict on every lower level and constraint; Convexity/ConvexityDiagnosticTests checks it.
        DisabledDiagnostics.Add("BDSL0022");
    }

    protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(BilevelModelGenerator) };

    protected override ParseOptions CreateParseOptions() => Verifier.ParseOptions;

    protected override CompilationOptions CreateCompilationOptions() => Verifier.WithNullable(base.CreateCompilationOptions());
}

/// <summary>A code fix on a diagnostic of <see cref="BilevelModelAnalyzer"/>, with the generator running too.</summary>
public sealed class BdslCodeFixTest<TCodeFix> : CSharpCodeFixTest<BilevelModelAnalyzer, TCodeFix, DefaultVerifier>
    where TCodeFix : CodeFixProvider, new()
{
    public BdslCodeFixTest()
    {
        Verifier.UseOfflineReferences(TestState);
        ReferenceAssemblies = OfflineReferences.None;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck | TestBehaviors.SkipGeneratedCodeCheck | TestBehaviors.SkipSuppressionCheck;
        // Fix All in document, project and solution scope triples the cost; the one Fix All test turns it back on.
        CodeFixTestBehaviors |= CodeFixTestBehaviors.SkipFixAllCheck;
        DisabledDiagnostics.Add("BDSL0022");
    }

    protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(BilevelModelGenerator) };

    protected override ParseOptions CreateParseOptions() => Verifier.ParseOptions;

    protected override CompilationOptions CreateCompilationOptions() => Verifier.WithNullable(base.CreateCompilationOptions());
}

/// <summary>The source generator alone; TestState.GeneratedSources lists the files it must produce, verbatim.</summary>
public sealed class BdslGeneratorTest : CSharpSourceGeneratorTest<BilevelModelGenerator, DefaultVerifier>
{
    public BdslGeneratorTest()
    {
        Verifier.UseOfflineReferences(TestState);
        ReferenceAssemblies = OfflineReferences.None;
    }

    protected override ParseOptions CreateParseOptions() => Verifier.ParseOptions;

    protected override CompilationOptions CreateCompilationOptions() => Verifier.WithNullable(base.CreateCompilationOptions());
}

public static class Verifier
{
    /// <summary>C# as the generator's consumers write it.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>The expected diagnostic for a catalogue ID, with the catalogue's severity.</summary>
    public static DiagnosticResult Diagnostic(string id) =>
        new(DiagnosticCatalog.Find(id) ?? throw new ArgumentException("Not a BDSL diagnostic: " + id, nameof(id)));

    /// <summary>Runs the analyzer (and the generator) on <paramref name="markup"/>; the diagnostics must be exactly those marked and <paramref name="expected"/>.</summary>
    public static Task AnalyzeAsync(string markup, params DiagnosticResult[] expected)
    {
        var test = new BdslAnalyzerTest { TestCode = markup };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    internal static void UseOfflineReferences(SolutionState state) => state.AdditionalReferences.AddRange(OfflineReferences.All);

    internal static CompilationOptions WithNullable(CompilationOptions options) =>
        ((CSharpCompilationOptions)options).WithNullableContextOptions(NullableContextOptions.Enable);
}
