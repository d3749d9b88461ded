using System.Text.RegularExpressions;
using BilevelDsl.GeneratorTests.Corpus;
using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Idioms;

/// <summary>
/// Loop-idiom recognition (docs/dsl.md, "Loops that become vector kernels"): every idiom spelling becomes its
/// vector kernel in the gradient and Hessian-vector programs with no scalar loop over j left, every near-miss
/// keeps its loop, and all of them keep exact derivatives: kernel values equal the user's method, gradients
/// match central differences and Hessian-vector products match differences of the gradient (the corpus checks).
/// </summary>
public sealed class LoopIdiomTests
{
    private const int PointsPerLevel = 5;

    private static readonly Lazy<Task<ModelBatch>> LazyBatch = new(() => ModelBatch.BuildAsync(IdiomCases.All.Select(c => c.ToSpec()).ToList(), runAnalyzer: true, "Idioms"));

    [Fact]
    public async Task Every_case_is_accepted_without_diagnostics_and_its_generated_code_compiles()
    {
        List<string> problems = (await LazyBatch.Value).NotCleanlyAccepted();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(IdiomCases.VectorisedNames), MemberType = typeof(IdiomCases))]
    public async Task An_idiom_becomes_its_vector_kernel_with_no_scalar_loop_left(string name) => await CheckShape(IdiomCases.Get(name));

    [Theory]
    [MemberData(nameof(IdiomCases.NearMissNames), MemberType = typeof(IdiomCases))]
    public async Task A_near_miss_keeps_its_scalar_loop(string name) => await CheckShape(IdiomCases.Get(name));

    [Fact]
    public async Task Rows_that_do_not_cover_the_matrix_give_dot_products_but_no_matrix_vector_product() => await CheckShape(IdiomCases.PartialRows);

    [Theory]
    [MemberData(nameof(IdiomCases.AllNames), MemberType = typeof(IdiomCases))]
    public async Task Kernel_values_and_gradients_agree_with_the_user_method_and_finite_differences(string name)
    {
        ModelSpec spec = IdiomCases.Get(name).ToSpec();
        ModelBatch batch = await LazyBatch.Value;
        IBilevelKernels kernels = batch.CreateKernels(spec, out object instance);
        var rng = new Random(CorpusTests.StableSeed(name));
        var failures = new List<string>();
        SpanObjective user = ModelBatch.UserObjective(instance, spec, Level.Lower);
        for (int p = 0; p < 20; p++)
        {
            double[] x = FiniteDifference.RandomPoint(rng, spec.XLength, spec.Range);
            double[] y = FiniteDifference.RandomPoint(rng, spec.YLength, spec.Range);
            double expected = user(x, y);
            double fromGradient = kernels.LowerGradient(x, y, new double[x.Length], new double[y.Length]);
            if (!(FiniteDifference.RelativeError(expected, fromGradient) <= 1e-12))
            {
                failures.Add($"at x = {GradientChecker.Format(x)}, y = {GradientChecker.Format(y)}: user method {GradientChecker.Format(expected)}, LowerGradient returned {GradientChecker.Format(fromGradient)}");
            }
        }

        for (int p = 0; p < PointsPerLevel; p++)
        {
            PointCheck check = GradientChecker.CheckAtSmoothPoint(kernels, Level.Lower, spec, rng);
            if (check.Mismatches.Count > 0)
            {
                failures.Add(check.ToString());
            }
        }

        Assert.True(failures.Count == 0, ModelBatch.Describe(batch[spec]) + Environment.NewLine + string.Join(Environment.NewLine, failures.Take(10)));
    }

    [Theory]
    [MemberData(nameof(IdiomCases.AllNames), MemberType = typeof(IdiomCases))]
    public async Task Hessian_vector_products_match_differences_of_the_gradient(string name)
    {
        ModelSpec spec = IdiomCases.Get(name).ToSpec();
        ModelBatch batch = await LazyBatch.Value;
        IBilevelKernels kernels = batch.CreateKernels(spec);
        var rng = new Random(CorpusTests.StableSeed(name) ^ 0x5EED);
        var failures = new List<string>();
        CorpusSecondOrderTests.CheckLevel(kernels, Level.Lower, spec, rng, failures);
        Assert.True(failures.Count == 0, ModelBatch.Describe(batch[spec]) + Environment.NewLine + string.Join(Environment.NewLine, failures.Take(10)));
    }

    private static async Task CheckShape(IdiomCase idiom)
    {
        ModelBatch batch = await LazyBatch.Value;
        BatchEntry entry = batch[idiom.ToSpec()];
        string code = string.Concat(entry.Generated.Select(g => g.SourceText.ToString()));
        string gradient = Program(code, "private double Lower__Gradient(", "private void Lower__HessianVector(");
        string hessianVector = Program(code, "private void Lower__HessianVector(", "private double Lower__ValueGradientHessianVector(");
        var problems = new List<string>();
        foreach (string expected in idiom.Expected)
        {
            if (!Regex.IsMatch(gradient, expected))
            {
                problems.Add("the gradient program has no match for " + expected);
            }
        }

        foreach (string forbidden in idiom.Forbidden)
        {
            if (Regex.IsMatch(gradient, forbidden) || Regex.IsMatch(hessianVector, forbidden))
            {
                problems.Add("the gradient or Hessian-vector program matches " + forbidden);
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems) + Environment.NewLine + entry.Source + Environment.NewLine + gradient);
    }

    private static string Program(string code, string start, string next)
    {
        int from = code.IndexOf(start, StringComparison.Ordinal);
        int to = code.IndexOf(next, from + 1, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "no " + start + " in the generated code");
        return code.Substring(from, to - from);
    }
}
