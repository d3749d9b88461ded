using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>What happened to one model of a <see cref="ModelBatch"/>.</summary>
public sealed class BatchEntry(ModelSpec spec, SyntaxTree tree)
{
    public ModelSpec Spec { get; } = spec;

    public SyntaxTree Tree { get; } = tree;

    /// <summary>C# errors in the model's own file before the generator ran (the model is not valid C#).</summary>
    public List<Diagnostic> CSharpErrors { get; } = new();

    /// <summary>Errors caused by the generated code: in the model's generated file, or new in its own file.</summary>
    public List<Diagnostic> GeneratedCodeErrors { get; } = new();

    /// <summary>BDSL diagnostics (analyzer and generator) located in the model's file.</summary>
    public List<Diagnostic> Bdsl { get; } = new();

    public List<GeneratedSourceResult> Generated { get; } = new();

    /// <summary>The model is in the emitted assembly.</summary>
    public bool Loaded { get; set; }

    public bool IsValidCSharp => CSharpErrors.Count == 0;

    public IEnumerable<Diagnostic> BdslErrors => Bdsl.Where(d => d.Severity == DiagnosticSeverity.Error);

    public string Source => Tree.ToString();
}

/// <summary>
/// Many models in one compilation: one generator run, one analyzer run and one emit for all of them.
/// Models that are not valid C#, or whose generated code does not compile, are left out of the emitted
/// assembly (and reported on their <see cref="BatchEntry"/>) so one bad model cannot sink the others.
/// </summary>
public sealed class ModelBatch : IDisposable
{
    /// <summary>"Partial method must have an implementation part": expected before the generator runs.</summary>
    public const string UnimplementedPartialMethod = "CS8795";

    private readonly Dictionary<string, BatchEntry> _byName;

    private ModelBatch(IReadOnlyList<BatchEntry> entries, GeneratorRun run, InMemoryAssembly? assembly)
    {
        Entries = entries;
        Run = run;
        Assembly = assembly;
        _byName = entries.ToDictionary(e => e.Spec.FullTypeName, StringComparer.Ordinal);
    }

    public IReadOnlyList<BatchEntry> Entries { get; }

    /// <summary>Seconds spent per phase of <see cref="BuildAsync"/> in this process (where a batch's time goes).</summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<string, double> PhaseSeconds { get; } = new(StringComparer.Ordinal);

    private static void Time(string phase, System.Diagnostics.Stopwatch stopwatch)
    {
        PhaseSeconds.AddOrUpdate(phase, stopwatch.Elapsed.TotalSeconds, (_, total) => total + stopwatch.Elapsed.TotalSeconds);
        stopwatch.Restart();
    }

    public GeneratorRun Run { get; }

    public InMemoryAssembly? Assembly { get; }

    /// <summary>BDSL diagnostics with no location that name none of the models.</summary>
    public IReadOnlyList<Diagnostic> Unlocated { get; private init; } = Array.Empty<Diagnostic>();

    public BatchEntry this[string fullTypeName] => _byName[fullTypeName];

    public BatchEntry this[ModelSpec spec] => _byName[spec.FullTypeName];

    /// <summary>Builds the batch. Throws if the generator or the analyzer throws.</summary>
    /// <param name="specs">Models with distinct full type names.</param>
    /// <param name="runAnalyzer">Also run the analyzer and record its BDSL diagnostics.</param>
    /// <param name="assemblyName">Name of the emitted assembly.</param>
    public static async Task<ModelBatch> BuildAsync(IReadOnlyList<ModelSpec> specs, bool runAnalyzer = true, string assemblyName = "Batch")
    {
        var entries = specs.Select(s => new BatchEntry(s, References.Parse(s.ToSource(), s.FileName))).ToList();
        var byTree = entries.ToDictionary(e => e.Tree);
        Compilation input = References.Compile(entries.Select(e => e.Tree), assemblyName);

        // CS8795 (a partial method without implementation) is how a [Gradient] request looks before generation:
        // not a C# error of the model. If the generator leaves it unimplemented, the error is still there after
        // generation and is counted as caused by the generated code.
        var phase = System.Diagnostics.Stopwatch.StartNew();
        foreach (Diagnostic d in input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != UnimplementedPartialMethod))
        {
            if (d.Location.SourceTree is { } tree && byTree.TryGetValue(tree, out BatchEntry? entry))
            {
                entry.CSharpErrors.Add(d);
            }
        }

        Time("C# diagnostics", phase);
        GeneratorRun run = GeneratorHarness.RunChecked(input);
        Time("generator", phase);
        BatchEntry? OwnerOfGenerated(SyntaxTree? tree)
        {
            if (tree is null)
            {
                return null;
            }

            string file = Path.GetFileName(tree.FilePath);
            return entries.FirstOrDefault(e => file.StartsWith(e.Spec.FullTypeName + ".", StringComparison.Ordinal));
        }

        foreach (GeneratedSourceResult generated in run.GeneratedSources)
        {
            OwnerOfGenerated(generated.SyntaxTree)?.Generated.Add(generated);
        }

        var bdsl = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("BDSL", StringComparison.Ordinal)).ToList();
        var unlocated = new List<Diagnostic>();
        if (runAnalyzer)
        {
            // The analyzer reads only the models' own files and their symbols, as the user wrote them: analyzing
            // the generated output as well would bind every generated kernel once more (it reported the same
            // diagnostics on the mutants when both were compared).
            bdsl.AddRange(AnalyzerHarness.Bdsl(await AnalyzerHarness.RunOnTreesAsync(input, entries.Select(e => e.Tree)).ConfigureAwait(false)));
            Time("analyzer", phase);
        }

        foreach (Diagnostic d in bdsl)
        {
            if (d.Location.SourceTree is { } tree && byTree.TryGetValue(tree, out BatchEntry? entry))
            {
                entry.Bdsl.Add(d);
            }
            else if (d.Location.SourceTree is null)
            {
                // The generator reports internal errors (BDSL0012) without a location; they name the model.
                string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
                BatchEntry? named = entries.FirstOrDefault(e => message.Contains("'" + e.Spec.FullTypeName + "'", StringComparison.Ordinal));
                (named?.Bdsl ?? unlocated).Add(d);
            }
        }

        // One emit of the valid models with their generated files binds the generated code once; its errors
        // name the models whose generated code does not compile, which are left out of a second emit.
        var keep = entries.Where(e => e.IsValidCSharp).ToList();
        InMemoryAssembly? assembly = null;
        while (keep.Count > 0)
        {
            var trees = keep.Select(e => e.Tree).Concat(keep.SelectMany(e => e.Generated.Select(g => g.SyntaxTree)));
            CSharpCompilation compilation = References.Compile(trees, assemblyName + ".Loaded");
            (InMemoryAssembly? emitted, IReadOnlyList<Diagnostic> errors) = InMemoryAssembly.TryEmit(compilation);
            Time("emit", phase);
            if (emitted is not null)
            {
                assembly = emitted;
                break;
            }

            var failed = new HashSet<BatchEntry>();
            foreach (Diagnostic d in errors)
            {
                SyntaxTree? tree = d.Location.SourceTree;
                BatchEntry? owner = tree is not null && byTree.TryGetValue(tree, out BatchEntry? own) ? own : OwnerOfGenerated(tree);
                if (owner is not null)
                {
                    owner.GeneratedCodeErrors.Add(d);
                    failed.Add(owner);
                }
            }

            if (failed.Count == 0)
            {
                throw new InvalidOperationException("In-memory compilation failed:" + Environment.NewLine + GeneratorHarness.Format(errors));
            }

            keep.RemoveAll(failed.Contains);
        }

        foreach (BatchEntry e in keep)
        {
            e.Loaded = assembly is not null;
        }

        return new ModelBatch(entries, run, assembly) { Unlocated = unlocated };
    }

    /// <summary>A new instance of the model (with its constructor arguments) as the kernel interface.</summary>
    public IBilevelKernels CreateKernels(ModelSpec spec) => CreateKernels(spec, out _);

    public IBilevelKernels CreateKernels(ModelSpec spec, out object instance)
    {
        BatchEntry entry = this[spec];
        if (!entry.Loaded || Assembly is null)
        {
            throw new InvalidOperationException($"{spec} was not loaded: " + Describe(entry));
        }

        instance = Assembly.CreateInstance(spec.FullTypeName, spec.CreateArguments());
        return instance as IBilevelKernels
            ?? throw new InvalidOperationException($"{spec} does not implement IBilevelKernels.");
    }

    /// <summary>The user's own level method on <paramref name="instance"/>, called directly through a delegate.</summary>
    public static SpanObjective UserObjective(object instance, ModelSpec spec, Level level)
    {
        MethodInfo method = instance.GetType().GetMethod(level.ToString(), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"{spec} has no method {level}.");
        if (spec.Kind == ModelKind.Scalar)
        {
            var scalar = method.CreateDelegate<Func<double, double, double>>(instance);
            return (x, y) => scalar(x[0], y[0]);
        }

        return method.CreateDelegate<SpanObjective>(instance);
    }

    /// <summary>Descriptions of the models that are not valid C#, got a BDSL warning or error, whose generated
    /// code does not compile, or that were not loaded.</summary>
    public List<string> NotCleanlyAccepted() => Entries
        .Where(e => !e.IsValidCSharp || e.Bdsl.Any(d => d.Severity >= DiagnosticSeverity.Warning) || e.GeneratedCodeErrors.Count > 0 || !e.Loaded)
        .Select(Describe)
        .ToList();

    /// <summary>Everything known about a model, for failure messages.</summary>
    public static string Describe(BatchEntry entry)
    {
        var lines = new List<string> { $"--- {entry.Spec} ({entry.Spec.Covers}) ---", entry.Source };
        lines.AddRange(entry.CSharpErrors.Select(d => "C#: " + d));
        lines.AddRange(entry.Bdsl.Select(d => "BDSL: " + d));
        lines.AddRange(entry.GeneratedCodeErrors.Select(d => "generated code: " + d));
        return string.Join(Environment.NewLine, lines);
    }

    public void Dispose() => Assembly?.Dispose();
}
