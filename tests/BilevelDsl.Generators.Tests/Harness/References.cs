using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>
/// Metadata references, parse options and compilation options shared by every in-memory compilation.
/// </summary>
/// <remarks>
/// References: the trusted platform assemblies of the test host that live in the shared framework
/// directory (System.*, Microsoft.*, netstandard), plus the BilevelDsl runtime and System.Numerics.Tensors.
/// The test host's own dependencies (xunit, Roslyn, the generator) are left out on purpose: user models
/// never see them, and a generator assembly in the references would hide a missing runtime type.
/// The references are created once and shared, so Roslyn reuses their metadata across compilations.
/// </remarks>
public static class References
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyAll = new(Create);

    public static ImmutableArray<MetadataReference> All => LazyAll.Value;

    /// <summary>C# as the generator's consumers see it (latest language version, preprocessor symbols none).</summary>
    public static CSharpParseOptions ParseOptions { get; } =
        CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>
    /// A class library with nullable enabled and every warning on (warning level 9999), so generated code
    /// is held to the strictest standard a consumer could set.
    /// </summary>
    public static CSharpCompilationOptions CompilationOptions { get; } =
        new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: 9999,
            optimizationLevel: OptimizationLevel.Release,
            deterministic: true);

    private static ImmutableArray<MetadataReference> Create()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)
            ?? throw new InvalidOperationException("Cannot locate the shared framework directory.");
        string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set.");

        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.OrdinalIgnoreCase)
                && path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                byName[Path.GetFileNameWithoutExtension(path)] = path;
            }
        }

        // The runtime and the tensor package win over anything of the same name.
        string runtime = typeof(BilevelDsl.IBilevelKernels).Assembly.Location;
        string tensors = typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location;
        byName[Path.GetFileNameWithoutExtension(runtime)] = runtime;
        byName[Path.GetFileNameWithoutExtension(tensors)] = tensors;

        return byName.Values
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>Parses one source file with the shared parse options.</summary>
    public static SyntaxTree Parse(string source, string path) =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    /// <summary>A compilation of the given sources with the shared references and options.</summary>
    public static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees, string assemblyName = "UserModels") =>
        CSharpCompilation.Create(assemblyName, trees, All, CompilationOptions);

    /// <summary>A compilation of the given sources, parsed as files Model0.cs, Model1.cs, ...</summary>
    public static CSharpCompilation Compile(params string[] sources) =>
        Compile(sources.Select((s, i) => Parse(s, $"Model{i}.cs")));
}
