using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>Runs <see cref="BilevelModelAnalyzer"/> through <see cref="CompilationWithAnalyzers"/>.</summary>
public static class AnalyzerHarness
{
    /// <summary>
    /// The analyzer's diagnostics for <paramref name="compilation"/>. Throws <see cref="AnalyzerFailureException"/>
    /// if the analyzer threw (the exception callback fired, or an AD0001 diagnostic came back).
    /// </summary>
    public static Task<ImmutableArray<Diagnostic>> RunAsync(Compilation compilation, CancellationToken cancellationToken = default) =>
        RunOnTreesAsync(compilation, trees: null, cancellationToken);

    /// <summary>
    /// Like <see cref="RunAsync"/>, but only the semantic analysis of <paramref name="trees"/> (all trees when
    /// null): the other trees are bound only as far as these need them.
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> RunOnTreesAsync(Compilation compilation, IEnumerable<SyntaxTree>? trees, CancellationToken cancellationToken = default)
    {
        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, diagnostic) =>
                exceptions.Enqueue($"{analyzer.GetType().Name} threw: {exception}{Environment.NewLine}{diagnostic}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);

        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new BilevelModelAnalyzer()), options);
        ImmutableArray<Diagnostic> diagnostics;
        if (trees is null)
        {
            diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var all = ImmutableArray.CreateBuilder<Diagnostic>();
            foreach (SyntaxTree tree in trees)
            {
                all.AddRange(await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), filterSpan: null, cancellationToken).ConfigureAwait(false));
            }

            diagnostics = all.ToImmutable();
        }

        foreach (Diagnostic d in diagnostics)
        {
            if (d.Id is "AD0001" or "AD0002")
            {
                exceptions.Enqueue(d.ToString());
            }
        }

        if (!exceptions.IsEmpty)
        {
            throw new AnalyzerFailureException(string.Join(Environment.NewLine, exceptions));
        }

        return diagnostics;
    }

    /// <summary>Only the BilevelDsl diagnostics (ID BDSLnnnn), ordered by position.</summary>
    public static ImmutableArray<Diagnostic> Bdsl(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics
            .Where(d => d.Id.StartsWith("BDSL", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
}

public sealed class AnalyzerFailureException(string message) : Exception(message);
