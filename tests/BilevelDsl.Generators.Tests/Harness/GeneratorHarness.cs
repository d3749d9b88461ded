using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>What one run of the generator produced.</summary>
public sealed class GeneratorRun
{
    private readonly Lazy<ImmutableArray<Diagnostic>> _compilationDiagnostics;

    public GeneratorRun(Compilation input, Compilation output, GeneratorDriver driver, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        Input = input;
        Output = output;
        Driver = driver;
        GeneratorDiagnostics = generatorDiagnostics;
        RunResult = driver.GetRunResult();
        Result = RunResult.Results.Single();
        _compilationDiagnostics = new Lazy<ImmutableArray<Diagnostic>>(() => Output.GetDiagnostics());
    }

    /// <summary>The compilation the generator saw.</summary>
    public Compilation Input { get; }

    /// <summary>The input plus the generated trees.</summary>
    public Compilation Output { get; }

    /// <summary>The driver after the run (keeps the incremental state; run it again for incrementality tests).</summary>
    public GeneratorDriver Driver { get; }

    public GeneratorDriverRunResult RunResult { get; }

    /// <summary>The result of the BilevelModelGenerator (the only generator in the driver).</summary>
    public GeneratorRunResult Result { get; }

    /// <summary>Diagnostics the driver reported (the generator's own, and CS8785 if it threw).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>The generated files, in the order the generator added them.</summary>
    public ImmutableArray<GeneratedSourceResult> GeneratedSources => Result.GeneratedSources;

    /// <summary>The syntax trees the generator added to <see cref="Output"/>.</summary>
    public IEnumerable<SyntaxTree> GeneratedTrees => GeneratedSources.Select(s => s.SyntaxTree);

    /// <summary>Every diagnostic of the output compilation (declaration and method-body diagnostics).</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics => _compilationDiagnostics.Value;

    /// <summary>The text of the generated file whose hint name is <paramref name="hintName"/>.</summary>
    public string GeneratedText(string hintName)
    {
        foreach (GeneratedSourceResult source in GeneratedSources)
        {
            if (source.HintName == hintName)
            {
                return source.SourceText.ToString();
            }
        }

        throw new InvalidOperationException(
            $"No generated file '{hintName}'. Generated: {string.Join(", ", GeneratedSources.Select(s => s.HintName))}");
    }

    public bool IsGenerated(SyntaxTree? tree) => tree is not null && GeneratedTrees.Contains(tree);

    /// <summary>Throws if the generator threw (driver exception or CS8785 "generator failed").</summary>
    public void AssertNoGeneratorFailure()
    {
        var problems = new List<string>();
        if (Result.Exception is not null)
        {
            problems.Add("The generator threw: " + Result.Exception);
        }

        foreach (Diagnostic d in GeneratorDiagnostics.Concat(Result.Diagnostics).Distinct())
        {
            if (d.Id is "CS8785" or "CS8784" or "AD0001")
            {
                problems.Add(d.ToString());
            }
        }

        if (problems.Count > 0)
        {
            throw new GeneratorFailureException(string.Join(Environment.NewLine, problems));
        }
    }
}

public sealed class GeneratorFailureException(string message) : Exception(message);

/// <summary>Runs <see cref="BilevelModelGenerator"/> in memory with incremental step tracking on.</summary>
public static class GeneratorHarness
{
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new BilevelModelGenerator().AsSourceGenerator() },
            parseOptions: References.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over <paramref name="compilation"/> (with a fresh driver unless one is given).</summary>
    public static GeneratorRun Run(Compilation compilation, GeneratorDriver? driver = null)
    {
        driver ??= CreateDriver();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(compilation, output, driver, diagnostics);
    }

    /// <summary>Compiles <paramref name="sources"/> and runs the generator over them.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(References.Compile(sources));

    /// <summary>Runs the generator and throws unless it completed without an exception.</summary>
    public static GeneratorRun RunChecked(Compilation compilation)
    {
        GeneratorRun run = Run(compilation);
        run.AssertNoGeneratorFailure();
        return run;
    }

    /// <summary>Errors and warnings located in generated trees, formatted one per line.</summary>
    public static IReadOnlyList<Diagnostic> DiagnosticsInGeneratedCode(GeneratorRun run, DiagnosticSeverity minimum) =>
        run.CompilationDiagnostics
            .Where(d => d.Severity >= minimum && run.IsGenerated(d.Location.SourceTree))
            .ToList();

    public static string Format(IEnumerable<Diagnostic> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
}
