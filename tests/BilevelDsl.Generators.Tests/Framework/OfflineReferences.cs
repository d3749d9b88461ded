using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>
/// What the Roslyn testing framework compiles test sources against, without any download at test time.
/// </summary>
/// <remarks>
/// <c>ReferenceAssemblies.Net.Net100</c> would fetch Microsoft.NETCore.App.Ref from a feed when the tests run
/// (and asks for a version the registry here does not serve). Instead the test project records, at build time,
/// the directory of the Microsoft.NETCore.App targeting pack it compiles against itself (the SDK's packs/
/// folder, or the package restore put in the NuGet cache; see the RecordNetCoreAppReferencePack target), and
/// the tests reference every assembly there plus the BilevelDsl runtime and System.Numerics.Tensors.
/// </remarks>
public static class OfflineReferences
{
    public const string MetadataKey = "NetCoreAppReferenceAssemblies";

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyAll = new(Create);

    /// <summary>A target framework with no package: nothing for the framework to resolve or download.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>The reference pack's assemblies, the BilevelDsl runtime and System.Numerics.Tensors.</summary>
    public static ImmutableArray<MetadataReference> All => LazyAll.Value;

    /// <summary>The directory recorded at build time (ref/net10.0 inside the targeting pack).</summary>
    public static string ReferencePackDirectory =>
        typeof(OfflineReferences).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == MetadataKey)?.Value
        ?? throw new InvalidOperationException($"The test assembly has no [AssemblyMetadata(\"{MetadataKey}\")]; the RecordNetCoreAppReferencePack target did not run.");

    private static ImmutableArray<MetadataReference> Create()
    {
        string directory = ReferencePackDirectory;
        string[] packAssemblies = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.dll") : Array.Empty<string>();
        if (packAssemblies.Length == 0)
        {
            throw new InvalidOperationException($"No reference assemblies in '{directory}' (recorded at build time from the Microsoft.NETCore.App targeting pack).");
        }

        return packAssemblies
            .OrderBy(p => p, StringComparer.Ordinal)
            .Append(typeof(IBilevelKernels).Assembly.Location)
            .Append(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }
}
