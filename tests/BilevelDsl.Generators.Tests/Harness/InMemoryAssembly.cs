using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>
/// A compilation emitted to memory and loaded into a collectible <see cref="AssemblyLoadContext"/>.
/// References to BilevelDsl resolve to the test's own copy (the context falls back to the default one),
/// so instances can be cast to <see cref="IBilevelKernels"/>.
/// </summary>
public sealed class InMemoryAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private InMemoryAssembly(AssemblyLoadContext context, Assembly assembly)
    {
        _context = context;
        Assembly = assembly;
    }

    public Assembly Assembly { get; }

    /// <summary>Emits <paramref name="compilation"/>; throws with every error if emission fails.</summary>
    public static InMemoryAssembly Emit(Compilation compilation)
    {
        (InMemoryAssembly? assembly, IReadOnlyList<Diagnostic> errors) = TryEmit(compilation);
        return assembly ?? throw new InvalidOperationException(
            "In-memory compilation failed:" + Environment.NewLine + GeneratorHarness.Format(errors));
    }

    /// <summary>Emits and loads <paramref name="compilation"/>, or returns its errors.</summary>
    public static (InMemoryAssembly? Assembly, IReadOnlyList<Diagnostic> Errors) TryEmit(Compilation compilation)
    {
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        if (!result.Success)
        {
            return (null, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList());
        }

        pe.Position = 0;
        var context = new AssemblyLoadContext("BilevelDsl.GeneratorTests." + compilation.AssemblyName, isCollectible: true);
        return (new InMemoryAssembly(context, context.LoadFromStream(pe)), Array.Empty<Diagnostic>());
    }

    public Type GetType(string fullName) =>
        Assembly.GetType(fullName, throwOnError: false)
        ?? throw new InvalidOperationException($"Type '{fullName}' is not in the emitted assembly.");

    /// <summary>Creates an instance with the constructor that matches <paramref name="arguments"/>.</summary>
    public object CreateInstance(string fullName, params object?[] arguments)
    {
        Type type = GetType(fullName);
        try
        {
            return Activator.CreateInstance(type, arguments)
                ?? throw new InvalidOperationException($"Could not create '{fullName}'.");
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>Creates an instance and casts it to the generated kernel interface.</summary>
    public IBilevelKernels CreateKernels(string fullName, params object?[] arguments)
    {
        object instance = CreateInstance(fullName, arguments);
        return instance as IBilevelKernels
            ?? throw new InvalidOperationException($"'{fullName}' does not implement IBilevelKernels (was the code generated?).");
    }

    public void Dispose() => _context.Unload();
}
