using System.Collections.Immutable;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.GeneratorTests.Architecture;

/// <summary>
/// The generator's namespaces form layers that import in one direction only (docs/architecture.md):
/// core (Ir, Diagnostics, then Pipeline) → Frontend and Ad (each on core alone) → Emit (on core and Ad's
/// results) → the generator and analyzer entry points. The test compiles the generator's own sources and
/// binds every name in them, so a qualified reference (Ad.Simplify.Call) counts as much as a using directive.
/// It also checks that Emit only prints: it calls no method of Ad (the generator runs the derivation step).
/// </summary>
public sealed class LayerTests(ITestOutputHelper output)
{
    private const string Root = "BilevelDsl.Generators";

    private static readonly string[] Core = { "Ir", "Diagnostics", "Pipeline" };

    /// <summary>Which generator namespaces each may use (besides itself). Everything not listed may use all.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Ir"] = [],
        ["Diagnostics"] = [],
        ["Pipeline"] = ["Ir"],
        ["Frontend"] = Core,
        ["Ad"] = Core,
        ["Analysis"] = Core,
        ["Emit"] = [.. Core, "Ad", "Analysis"],
    };

    private static readonly Lazy<CSharpCompilation> LazyGenerator = new(CompileGeneratorSources);

    [Fact]
    public void The_allowed_imports_are_acyclic()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        bool Cyclic(string layer)
        {
            if (state.TryGetValue(layer, out int s))
            {
                return s == 1;
            }

            state[layer] = 1;
            bool cyclic = Allowed.TryGetValue(layer, out string[]? uses) && uses.Any(Cyclic);
            state[layer] = 2;
            return cyclic;
        }

        Assert.DoesNotContain(Allowed.Keys, Cyclic);
    }

    [Fact]
    public void Generator_sources_compile_here_so_every_name_binds()
    {
        var errors = LazyGenerator.Value.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Take(10)));
        Assert.True(LazyGenerator.Value.SyntaxTrees.Count() >= 30, "the generator's sources were not found");
    }

    [Fact]
    public void Namespaces_import_in_one_direction_only()
    {
        var violations = new List<string>();
        var edges = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Reference reference in References())
        {
            edges.Add(reference.From + " -> " + reference.To);
            if (Allowed.TryGetValue(reference.From, out string[]? uses) && !uses.Contains(reference.To))
            {
                violations.Add($"{reference.Where}: {reference.From} uses {reference.To}.{reference.Symbol}");
            }
        }

        output.WriteLine(string.Join(Environment.NewLine, edges));
        Assert.Contains("Emit -> Ir", edges); // the walk sees references at all
        Assert.Contains("Frontend -> Pipeline", edges);
        Assert.True(violations.Count == 0, "imports against the layer order:" + Environment.NewLine + string.Join(Environment.NewLine, violations.Distinct().Take(40)));
    }

    [Fact]
    public void Emit_only_prints_and_calls_no_method_of_Ad()
    {
        CSharpCompilation compilation = LazyGenerator.Value;
        var calls = new List<string>();
        foreach (SyntaxTree tree in compilation.SyntaxTrees.Where(t => LayerOf(t) == "Emit"))
        {
            SemanticModel model = compilation.GetSemanticModel(tree);
            foreach (InvocationExpressionSyntax invocation in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (model.GetSymbolInfo(invocation).Symbol is IMethodSymbol method && Layer(method.ContainingNamespace) == "Ad")
                {
                    calls.Add($"{Where(invocation)}: {method.ContainingType.Name}.{method.Name}");
                }
            }
        }

        Assert.True(calls.Count == 0, "Emit runs AD itself:" + Environment.NewLine + string.Join(Environment.NewLine, calls));
    }

    private sealed record Reference(string From, string To, string Symbol, string Where);

    /// <summary>Every name in a generator file that binds to a symbol of another generator namespace.</summary>
    private static IEnumerable<Reference> References()
    {
        CSharpCompilation compilation = LazyGenerator.Value;
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            string? from = LayerOf(tree);
            if (from == null)
            {
                continue;
            }

            SemanticModel model = compilation.GetSemanticModel(tree);
            foreach (SimpleNameSyntax name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                SymbolInfo info = model.GetSymbolInfo(name);
                ISymbol? symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                INamespaceSymbol? ns = symbol switch
                {
                    INamespaceSymbol n => n,
                    null => null,
                    _ => symbol.ContainingNamespace,
                };
                string? to = Layer(ns);
                if (symbol is INamespaceSymbol && to == string.Empty)
                {
                    continue; // "Generators" in BilevelDsl.Generators.Ir: a prefix, not a use of the root layer
                }

                if (to != null && to != from)
                {
                    yield return new Reference(from, to, symbol!.Name, Where(name));
                }
            }
        }
    }

    /// <summary>"Ir", "Ad", ... for a namespace inside the generator; "" for the root namespace; null outside.</summary>
    private static string? Layer(INamespaceSymbol? ns)
    {
        string? name = ns?.ToDisplayString();
        if (name == null || !name.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        return name.Length == Root.Length ? string.Empty : name.Substring(Root.Length + 1).Split('.')[0];
    }

    private static string? LayerOf(SyntaxTree tree)
    {
        BaseNamespaceDeclarationSyntax? declaration = tree.GetRoot().DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault();
        string? name = declaration?.Name.ToString();
        if (name == null || !name.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        return name.Length == Root.Length ? string.Empty : name.Substring(Root.Length + 1).Split('.')[0];
    }

    private static string Where(SyntaxNode node)
    {
        FileLinePositionSpan span = node.GetLocation().GetLineSpan();
        return Path.GetRelativePath(RepoPaths.Root, span.Path) + ":" + (span.StartLinePosition.Line + 1);
    }

    private static CSharpCompilation CompileGeneratorSources()
    {
        string folder = Path.Combine(RepoPaths.Root, "generators", "BilevelDsl.Generators");
        IEnumerable<SyntaxTree> trees = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !p.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), Harness.References.ParseOptions, p));
        // The framework and Roslyn, as the generator sees them; not the BilevelDsl runtime (whose NonsmoothTerm
        // would clash with the generator's, which never references it).
        string runtime = typeof(IBilevelKernels).Assembly.Location;
        ImmutableArray<MetadataReference> references = Harness.References.All
            .Where(r => !string.Equals((r as PortableExecutableReference)?.FilePath, runtime, StringComparison.Ordinal))
            .ToImmutableArray()
            .Add(MetadataReference.CreateFromFile(typeof(Compilation).Assembly.Location))
            .Add(MetadataReference.CreateFromFile(typeof(CSharpCompilation).Assembly.Location));
        return CSharpCompilation.Create("GeneratorSources", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }
}
