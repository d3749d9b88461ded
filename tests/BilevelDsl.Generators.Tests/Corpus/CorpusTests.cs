using System.Text.RegularExpressions;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>
/// Every corpus model goes through the generator in memory; its kernels must equal the user's methods and
/// its gradients must match central finite differences (5 random points per level, every coordinate and
/// 3 random directions per point, relative error &lt;= 1e-6 with |a - b| / max(1, |a|, |b|)).
/// </summary>
public sealed class CorpusTests
{
    private const int PointsPerLevel = 5;

    /// <summary>Constructs that must appear in at least one Upper body AND at least one Lower body.</summary>
    public static readonly (string Construct, string Pattern)[] BodyConstructs =
    {
        ("double local", @"(?m)^\s*double \w+ ="), ("int local", @"(?m)^\s*int \w+ ="),
        ("assignment", @"(?m)^\s*\w+ = "), ("+=", @"\+="), ("-=", @"-="), ("*=", @"\*="), ("/=", @"/="),
        ("for loop", @"\bfor \("), ("nested for loop", @"\bfor \([^{]*\{[^}]*\bfor \("),
        ("if/else", @"\belse\b"), ("?:", @"\?[^;]*:"), ("early return", @"\breturn\b[\s\S]*\breturn\b"),
        ("Math.Sin", @"Math\.Sin\("), ("Math.Cos", @"Math\.Cos\("), ("Math.Tan", @"Math\.Tan\("),
        ("Math.Exp", @"Math\.Exp\("), ("Math.Log", @"Math\.Log\("), ("Math.Sqrt", @"Math\.Sqrt\("),
        ("Math.Pow", @"Math\.Pow\("), ("Math.Tanh", @"Math\.Tanh\("), ("Math.Atan", @"Math\.Atan\("),
        ("Math.Abs", @"Math\.Abs\("), ("Math.Max", @"Math\.Max\("), ("Math.Min", @"Math\.Min\("),
        ("Math.PI", @"Math\.PI\b"), ("Math.E", @"Math\.E\b"),
        ("Dsl.Dot", @"Dsl\.Dot\("), ("Dsl.SquaredNorm", @"Dsl\.SquaredNorm\("), ("Dsl.Sum", @"Dsl\.Sum\("),
        ("Dsl.LogSumExp", @"Dsl\.LogSumExp\("), ("Dsl.Sigmoid", @"Dsl\.Sigmoid\("), ("Dsl.Softplus", @"Dsl\.Softplus\("),
        ("indexing x", @"\bx\[\w"), ("indexing y", @"\by\[\w"), ("matrix row", @"\.Row\("),
        ("matrix element", @"\b[A-Z]\w*\[\w+, \w+\]"), (".Rows", @"\.Rows\b"), (".Columns", @"\.Columns\b"),
        (".Length", @"\.Length\b"), ("int %", @"\w+ % \w+"), ("cast to double", @"\(double\)"),
        ("&&", "&&"), ("||", @"\|\|"), ("!", @"!\("), ("unary minus", @"[(=\s]-[a-zA-Z(]"),
        ("[Differentiable] helper call", @"\b(Square|Scaled|Huber|Weighted)\("),
    };

    [Fact]
    public void Corpus_has_at_least_40_models_that_cover_every_construct_on_both_levels()
    {
        Assert.True(CorpusModels.All.Count >= 40, $"only {CorpusModels.All.Count} corpus models");
        Assert.Equal(CorpusModels.All.Count, CorpusModels.All.Select(m => m.Name).Distinct().Count());
        var missing = new List<string>();
        foreach ((string construct, string pattern) in BodyConstructs)
        {
            var regex = new Regex(pattern);
            if (!CorpusModels.All.Any(m => regex.IsMatch(m.Upper)))
            {
                missing.Add($"{construct} in an Upper body");
            }

            if (!CorpusModels.All.Any(m => regex.IsMatch(m.Lower)))
            {
                missing.Add($"{construct} in a Lower body");
            }
        }

        // Model-level constructs: kinds and where data lives.
        void Require(string what, Func<ModelSpec, bool> predicate)
        {
            if (!CorpusModels.All.Any(predicate))
            {
                missing.Add(what);
            }
        }

        Require("scalar model", m => m.Kind == ModelKind.Scalar);
        Require("span model", m => m.Kind == ModelKind.Span);
        Require("static data", m => m.Members.Contains("static readonly double[]", StringComparison.Ordinal));
        Require("static property data", m => Regex.IsMatch(m.Members, @"static \w+(\[\])? \w+ \{ get; \}"));
        Require("instance field data", m => Regex.IsMatch(m.Members, @"private readonly (double|int|double\[\]) \w+ ="));
        Require("instance property data", m => Regex.IsMatch(m.Members, @"public (double|Matrix) \w+ \{ get; \}"));
        Require("primary-constructor data", m => m.PrimaryConstructor.Length > 0);
        Require("int[] data", m => m.Members.Contains("int[]", StringComparison.Ordinal) || m.PrimaryConstructor.Contains("int[]", StringComparison.Ordinal));
        Require("Matrix data", m => m.Members.Contains("Matrix", StringComparison.Ordinal) || m.PrimaryConstructor.Contains("Matrix", StringComparison.Ordinal));
        Require("[Differentiable] helper", m => m.Members.Contains("[Differentiable]", StringComparison.Ordinal));
        Require("[Gradient] request", m => m.Members.Contains("[Gradient(", StringComparison.Ordinal));
        Require("span local in an Upper body", m => m.Upper.Contains("ReadOnlySpan<double>", StringComparison.Ordinal));
        Require("span local in a Lower body", m => m.Lower.Contains("ReadOnlySpan<double>", StringComparison.Ordinal));
        foreach (string construct in new[] { "Dsl.Reshape", "stackalloc", "Dsl.MatVec", "Dsl.MatTVec", "Dsl.Axpy", "Dsl.Softmax(", "Dsl.SoftmaxCrossEntropy", "Dsl.Map", ".Slice(" })
        {
            Require(construct + " in an Upper body", m => m.Upper.Contains(construct, StringComparison.Ordinal) || construct is "Dsl.Axpy" or "Dsl.SoftmaxCrossEntropy");
            Require(construct + " in a Lower body", m => m.Lower.Contains(construct, StringComparison.Ordinal) || construct == "Dsl.MatTVec" && m.Upper.Contains(construct, StringComparison.Ordinal));
        }
        Assert.True(missing.Count == 0, "The corpus does not cover: " + string.Join("; ", missing));
    }

    [Fact]
    public async Task Every_corpus_model_is_accepted_without_warnings_or_errors_and_its_generated_code_compiles()
    {
        List<string> problems = (await CorpusCompilation.GetAsync()).NotCleanlyAccepted();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(CorpusModels.Names), MemberType = typeof(CorpusModels))]
    public async Task Kernel_values_equal_the_user_methods(string name)
    {
        ModelSpec spec = CorpusModels.Get(name);
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(spec, out object instance);
        var rng = new Random(StableSeed(name));
        var problems = new List<string>();
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            SpanObjective user = ModelBatch.UserObjective(instance, spec, level);
            SpanObjective kernel = GradientChecker.ValueKernel(kernels, level);
            for (int p = 0; p < 20; p++)
            {
                double[] x = FiniteDifference.RandomPoint(rng, spec.EffectiveXLength, spec.Range);
                double[] y = FiniteDifference.RandomPoint(rng, spec.EffectiveYLength, spec.Range);
                double expected = user(x, y);
                double value = kernel(x, y);
                double fromGradient = GradientChecker.Gradient(kernels, level, x, y, new double[x.Length], new double[y.Length]);
                // Equal up to reassociation by the generator: 1e-12 in the |a-b|/max(1,|a|,|b|) metric.
                if (!(FiniteDifference.RelativeError(expected, value) <= 1e-12 && FiniteDifference.RelativeError(expected, fromGradient) <= 1e-12))
                {
                    problems.Add($"{level} at x = {GradientChecker.Format(x)}, y = {GradientChecker.Format(y)}: user method {GradientChecker.Format(expected)}, " +
                                 $"{level}Value {GradientChecker.Format(value)}, {level}Gradient returned {GradientChecker.Format(fromGradient)}");
                }
            }
        }

        Assert.True(problems.Count == 0, ModelBatch.Describe(batch[spec]) + Environment.NewLine + string.Join(Environment.NewLine, problems.Take(10)));
    }

    [Theory]
    [MemberData(nameof(CorpusModels.Names), MemberType = typeof(CorpusModels))]
    public async Task Gradients_match_central_finite_differences(string name)
    {
        ModelSpec spec = CorpusModels.Get(name);
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(spec);
        var rng = new Random(StableSeed(name));
        var failures = new List<string>();
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            for (int p = 0; p < PointsPerLevel; p++)
            {
                PointCheck check = GradientChecker.CheckAtSmoothPoint(kernels, level, spec, rng);
                if (check.Mismatches.Count > 0)
                {
                    failures.Add($"{level}: {check}");
                }
            }
        }

        Assert.True(failures.Count == 0, ModelBatch.Describe(batch[spec]) + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    /// <summary>A seed that depends only on the model name (string.GetHashCode is randomised per process).</summary>
    public static int StableSeed(string name)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in name)
            {
                h = h * 31 + c;
            }

            return h;
        }
    }
}
