using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace BilevelDsl.GeneratorTests.Incrementality;

/// <summary>
/// The pipeline caches: unrelated edits leave the outputs of the TrackingNames.Model and TrackingNames.Kernels
/// steps Cached or Unchanged, an edit to one model regenerates only that model, and no step output holds
/// symbols, syntax, semantic models, compilations or locations.
/// </summary>
public sealed class IncrementalityTests
{
    private static readonly ModelSpec ModelA = new()
    {
        Name = "ModelA",
        Namespace = "Incremental",
        Members = """
            private static readonly double[] W = { 1.0, 2.0, 3.0 };

            [Differentiable]
            private static double Sq(double t)
            {
                return t * t;
            }
            """,
        Upper = "return Dsl.Dot(W, y) + Sq(x[0]);",
        Lower = """
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += Sq(y[i] - x[i]);
            }
            var V = Dsl.Reshape(y, 1, 3);
            Span<double> z = stackalloc double[1];
            Dsl.MatVec(V, x.Slice(0, 3), z);
            Span<double> p = stackalloc double[3];
            Dsl.Softmax(y, p);
            return s + z[0] * Dsl.Dot(p, x);
            """,
    };

    private static readonly ModelSpec ModelB = new()
    {
        Name = "ModelB",
        Namespace = "Incremental",
        Kind = ModelKind.Scalar,
        Upper = "return x * y + 0.5 * y * y;",
        Lower = "return (y - x) * (y - x);",
    };

    private const string Unrelated = """
        namespace Other;

        // An unrelated file: editing it must not rerun anything for the models.
        public static class Helper
        {
            public static int One() => 1;
        }
        """;

    private static Compilation Initial() => References.Compile(new[]
    {
        References.Parse(ModelA.ToSource(), ModelA.FileName),
        References.Parse(ModelB.ToSource(), ModelB.FileName),
        References.Parse(Unrelated, "Unrelated.cs"),
    });

    private static SyntaxTree Tree(Compilation c, string file) => c.SyntaxTrees.Single(t => t.FilePath == file);

    private static Compilation ReplaceText(Compilation c, string file, string oldText, string newText)
    {
        SyntaxTree tree = Tree(c, file);
        string text = tree.ToString();
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        return c.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(text.Replace(oldText, newText, StringComparison.Ordinal))));
    }

    /// <summary>Outputs of the named step (searched in tracked steps and tracked output steps).</summary>
    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRun run, string stepName)
    {
        var steps = new List<IncrementalGeneratorRunStep>();
        if (run.Result.TrackedSteps.TryGetValue(stepName, out var tracked))
        {
            steps.AddRange(tracked);
        }

        if (run.Result.TrackedOutputSteps.TryGetValue(stepName, out var output))
        {
            steps.AddRange(output);
        }

        Assert.True(steps.Count > 0,
            $"No step named '{stepName}'. Tracked steps: {string.Join(", ", run.Result.TrackedSteps.Keys)}; output steps: {string.Join(", ", run.Result.TrackedOutputSteps.Keys)}");
        return steps.SelectMany(s => s.Outputs).ToList();
    }

    private static void AssertAllCached(GeneratorRun run, string what)
    {
        foreach (string step in new[] { TrackingNames.Model, TrackingNames.Kernels })
        {
            var outputs = Outputs(run, step);
            Assert.NotEmpty(outputs);
            var rerun = outputs.Where(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)).ToList();
            Assert.True(rerun.Count == 0,
                $"After {what}, step '{step}' produced: {string.Join("; ", rerun.Select(o => $"{o.Reason} {Describe(o.Value)}"))}");
        }
    }

    private static string Describe(object value) =>
        string.Join(" | ", StepOutputWalker.Strings(value).Select(s => s.Length > 80 ? s[..80] + "..." : s).Take(5));

    [Fact]
    public void Adding_an_unrelated_file_leaves_model_and_kernel_outputs_cached()
    {
        Compilation first = Initial();
        GeneratorRun run1 = GeneratorHarness.RunChecked(first);
        Compilation second = first.AddSyntaxTrees(References.Parse("namespace Other; public static class More { }", "More.cs"));
        GeneratorRun run2 = GeneratorHarness.Run(second, run1.Driver);
        run2.AssertNoGeneratorFailure();
        AssertAllCached(run2, "adding an unrelated file");
    }

    [Fact]
    public void Editing_a_comment_in_another_file_leaves_model_and_kernel_outputs_cached()
    {
        Compilation first = Initial();
        GeneratorRun run1 = GeneratorHarness.RunChecked(first);
        Compilation second = ReplaceText(first, "Unrelated.cs", "An unrelated file", "An unrelated, edited file");
        GeneratorRun run2 = GeneratorHarness.Run(second, run1.Driver);
        run2.AssertNoGeneratorFailure();
        AssertAllCached(run2, "editing a comment in an unrelated file");
    }

    [Fact]
    public void Editing_one_model_regenerates_only_that_model()
    {
        Compilation first = Initial();
        GeneratorRun run1 = GeneratorHarness.RunChecked(first);
        Compilation second = ReplaceText(first, ModelA.FileName, "return Dsl.Dot(W, y) + Sq(x[0]);", "return Dsl.Dot(W, y) + 2 * Sq(x[0]);");
        GeneratorRun run2 = GeneratorHarness.Run(second, run1.Driver);
        run2.AssertNoGeneratorFailure();

        foreach (string step in new[] { TrackingNames.Model, TrackingNames.Kernels })
        {
            var outputs = Outputs(run2, step);
            var ofA = outputs.Where(o => StepOutputWalker.Strings(o.Value).Any(s => s.Contains("ModelA", StringComparison.Ordinal))).ToList();
            var ofB = outputs.Where(o => StepOutputWalker.Strings(o.Value).Any(s => s.Contains("ModelB", StringComparison.Ordinal))).ToList();
            Assert.True(ofA.Count > 0 && ofB.Count > 0,
                $"Step '{step}': cannot tell the outputs of ModelA and ModelB apart: {string.Join("; ", outputs.Select(o => $"{o.Reason} {Describe(o.Value)}"))}");
            Assert.True(ofB.All(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged),
                $"Step '{step}': ModelB was not edited but its outputs are {string.Join(", ", ofB.Select(o => o.Reason))}");
            Assert.True(ofA.Any(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New),
                $"Step '{step}': ModelA was edited but its outputs are {string.Join(", ", ofA.Select(o => o.Reason))}");
        }

        Assert.Equal(run1.GeneratedText(ModelB.HintName), run2.GeneratedText(ModelB.HintName));
        Assert.NotEqual(run1.GeneratedText(ModelA.HintName), run2.GeneratedText(ModelA.HintName));
    }

    [Fact]
    public void Step_outputs_hold_no_symbol_syntax_semantic_model_compilation_or_location()
    {
        GeneratorRun run = GeneratorHarness.RunChecked(Initial());
        var stepNames = typeof(TrackingNames).GetFields()
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.Contains(TrackingNames.Model, stepNames);
        Assert.Contains(TrackingNames.Kernels, stepNames);

        var found = new List<string>();
        foreach (string step in stepNames)
        {
            var steps = run.Result.TrackedSteps.TryGetValue(step, out var s) ? s : default;
            var outputSteps = run.Result.TrackedOutputSteps.TryGetValue(step, out var o) ? o : default;
            int i = 0;
            foreach (IncrementalGeneratorRunStep runStep in (steps.IsDefault ? [] : steps).Concat(outputSteps.IsDefault ? [] : outputSteps))
            {
                foreach ((object value, _) in runStep.Outputs)
                {
                    found.AddRange(StepOutputWalker.FindForbidden(value, $"{step}[{i++}]"));
                }
            }
        }

        Assert.True(found.Count == 0, "Step outputs hold pipeline-unsafe objects:" + Environment.NewLine + string.Join(Environment.NewLine, found));
    }

    [Fact]
    public void Model_outputs_of_two_runs_over_identical_text_are_equal()
    {
        GeneratorRun run1 = GeneratorHarness.RunChecked(Initial());
        GeneratorRun run2 = GeneratorHarness.RunChecked(Initial());
        var first = Outputs(run1, TrackingNames.Model).Select(o => o.Value).ToList();
        var second = Outputs(run2, TrackingNames.Model).Select(o => o.Value).ToList();
        Assert.Equal(2, first.Count);
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.False(ReferenceEquals(first[i], second[i]));
            Assert.True(first[i].Equals(second[i]), $"Model output {i} ({Describe(first[i])}) is not Equal to the same model from a second run over identical text");
            Assert.Equal(first[i].GetHashCode(), second[i].GetHashCode());
        }
    }
}
