using BilevelDsl.GeneratorTests.Corpus;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// 1,200 mutants of corpus bodies (seeded), 50 per compilation, through the generator and the analyzer.
/// Nothing may throw (no generator exception / CS8785, no analyzer exception / AD0001). For every mutant that
/// C# accepts: either (a) a BDSL error lies inside the mutated method, or (b) there is no BDSL error, the
/// generated code compiles, the value kernels equal the user's methods and the gradients match central finite
/// differences.
/// </summary>
/// <remarks>
/// Finite-difference rule for (b): at 2 random points per level, every coordinate and 2 random directions are
/// compared; a direction is skipped when the value is not finite on the stencil, or when the central differences
/// with h = 1e-4 and h/2 disagree by more than 1e-6 (a kink or a branch switch within 1e-4 of the point; see
/// <see cref="DirectionalEstimate.Smooth"/>), or when the value is so large that its rounding hides the slope
/// (<see cref="DirectionalEstimate.Resolved"/>). A point is skipped when the user's method throws there (e.g. an
/// index out of range) — the kernel must then throw too, or at least not return a value where the user's
/// method returns one.
/// </remarks>
public sealed class MutationTests(ITestOutputHelper output)
{
    public const int Seed = 20241123;
    public const int BatchSize = 50;
    public const int Batches = 24;

    private sealed class Stats
    {
        public int Mutants;
        public int RejectedByCSharp;
        public int RejectedByBdsl;
        public int Accepted;
        public int PointsChecked;
        public int DirectionsSkipped;
        public int PointsSkipped;
        public readonly List<string> Failures = new();
    }

    public static TheoryData<int> Shards()
    {
        var data = new TheoryData<int>();
        for (int s = 0; s < 4; s++)
        {
            data.Add(s);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shards))]
    public async Task Mutated_bodies_are_rejected_inside_the_method_or_differentiated_correctly(int shard)
    {
        var stats = new Stats();
        for (int b = shard; b < Batches; b += 4)
        {
            await RunBatchAsync(CreateMutants(b), stats);
        }

        output.WriteLine($"shard {shard}: {stats.Mutants} mutants; C# rejected {stats.RejectedByCSharp}; BDSL rejected {stats.RejectedByBdsl}; " +
                         $"accepted {stats.Accepted} ({stats.PointsChecked} points checked, {stats.PointsSkipped} points and {stats.DirectionsSkipped} directions skipped); " +
                         $"{stats.Failures.Count} failures");
        Assert.Equal(BatchSize * Batches / 4, stats.Mutants);
        Assert.True(stats.Failures.Count == 0,
            $"{stats.Failures.Count} mutants failed; the first ones:{Environment.NewLine}" + string.Join(Environment.NewLine + Environment.NewLine, stats.Failures.Take(8)));

        // The pools must keep both outcomes well represented, or the test proves little.
        Assert.True(stats.RejectedByBdsl >= 40, $"only {stats.RejectedByBdsl} mutants rejected by BDSL diagnostics");
        Assert.True(stats.Accepted >= 25, $"only {stats.Accepted} mutants accepted");
    }

    /// <summary>The mutants of one batch: corpus models with one level's body mutated.</summary>
    public static List<(ModelSpec Spec, Level Level, string What)> CreateMutants(int batch)
    {
        var mutants = new List<(ModelSpec, Level, string)>();
        for (int i = 0; i < BatchSize; i++)
        {
            int index = batch * BatchSize + i;
            var rng = new Random(Seed + index);
            ModelSpec original = CorpusModels.All[rng.Next(CorpusModels.All.Count)];
            Level level = rng.Next(2) == 0 ? Level.Upper : Level.Lower;
            (string body, string what) = new Mutator(rng, original.Kind, level).Mutate(original.Body(level));
            ModelSpec spec = original.WithBody(level, body) with
            {
                Name = $"Mut{index:0000}",
                Namespace = "Mutants",
                Members = original.Members + "\n\n" + MutationPools.MutantMembers,
                Covers = $"{original.Name} {level}: {what}",
            };
            mutants.Add((spec, level, what));
        }

        return mutants;
    }

    private async Task RunBatchAsync(List<(ModelSpec Spec, Level Level, string What)> mutants, Stats stats)
    {
        stats.Mutants += mutants.Count;
        ModelBatch batch;
        try
        {
            batch = await ModelBatch.BuildAsync(mutants.Select(m => m.Spec).ToList(), runAnalyzer: true, "Mutants");
        }
        catch (Exception e) when (e is GeneratorFailureException or AnalyzerFailureException)
        {
            // Find the mutants that make the generator or the analyzer throw, then run the others together.
            var survivors = new List<(ModelSpec, Level, string)>();
            foreach (var m in mutants)
            {
                try
                {
                    using ModelBatch single = await ModelBatch.BuildAsync(new[] { m.Spec }, runAnalyzer: true, "Single");
                    survivors.Add(m);
                }
                catch (Exception inner) when (inner is GeneratorFailureException or AnalyzerFailureException)
                {
                    stats.Failures.Add($"{m.Spec.Covers}: {inner.GetType().Name}{Environment.NewLine}{m.Spec.ToSource()}{Environment.NewLine}{inner.Message}");
                }
            }

            stats.Mutants -= survivors.Count;
            if (survivors.Count == mutants.Count)
            {
                stats.Mutants += survivors.Count;
                stats.Failures.Add("A batch failed although no mutant fails alone: " + e);
            }
            else if (survivors.Count > 0)
            {
                await RunBatchAsync(survivors, stats);
            }

            return;
        }

        using (batch)
        {
            foreach ((ModelSpec spec, Level level, _) in mutants)
            {
                Check(batch, batch[spec], level, stats);
            }
        }
    }

    private static void Check(ModelBatch batch, BatchEntry entry, Level level, Stats stats)
    {
        if (!entry.IsValidCSharp)
        {
            stats.RejectedByCSharp++;
            return;
        }

        if (entry.GeneratedCodeErrors.Count > 0)
        {
            stats.Failures.Add("The generated code does not compile for a mutant that C# accepts:" + Environment.NewLine + ModelBatch.Describe(entry));
            return;
        }

        var errors = entry.BdslErrors.ToList();
        if (errors.Count > 0)
        {
            stats.RejectedByBdsl++;
            MethodDeclarationSyntax method = entry.Tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
                .Single(m => m.Identifier.Text == level.ToString());
            if (!errors.Any(d => d.Location.SourceTree == entry.Tree && method.Span.Contains(d.Location.SourceSpan)))
            {
                stats.Failures.Add($"BDSL errors, but none inside the mutated method {level}:{Environment.NewLine}{ModelBatch.Describe(entry)}");
            }

            return;
        }

        stats.Accepted++;
        string? problem = CheckAcceptedMutant(batch, entry, stats);
        if (problem is not null)
        {
            stats.Failures.Add(problem + Environment.NewLine + ModelBatch.Describe(entry));
        }
    }

    private static string? CheckAcceptedMutant(ModelBatch batch, BatchEntry entry, Stats stats)
    {
        ModelSpec spec = entry.Spec;
        IBilevelKernels kernels = batch.CreateKernels(spec, out object instance);
        var rng = new Random(CorpusTests.StableSeed(spec.Name));
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            SpanObjective user = ModelBatch.UserObjective(instance, spec, level);
            for (int p = 0; p < 2; p++)
            {
                double[] x = FiniteDifference.RandomPoint(rng, spec.EffectiveXLength, spec.Range);
                double[] y = FiniteDifference.RandomPoint(rng, spec.EffectiveYLength, spec.Range);
                string at = $"{level} at x = {GradientChecker.Format(x)}, y = {GradientChecker.Format(y)}";
                double expected;
                try
                {
                    expected = user(x, y);
                }
                catch (Exception)
                {
                    stats.PointsSkipped++;
                    continue;
                }

                double value;
                try
                {
                    value = GradientChecker.ValueKernel(kernels, level)(x, y);
                }
                catch (Exception e)
                {
                    return $"{at}: the user's method returns {GradientChecker.Format(expected)} but {level}Value throws {e.GetType().Name}: {e.Message}";
                }

                if (!(FiniteDifference.RelativeError(expected, value) <= 1e-10))
                {
                    return $"{at}: the user's method returns {GradientChecker.Format(expected)} but {level}Value returns {GradientChecker.Format(value)}";
                }

                // Past 1e100 a central difference cannot resolve a derivative (its rounding noise, eps |f| / h,
                // exceeds any value the kernel can return), so such points are counted as skipped, not compared.
                if (!double.IsFinite(expected) || Math.Abs(expected) > 1e100)
                {
                    stats.PointsSkipped++;
                    continue;
                }

                PointCheck check;
                try
                {
                    check = GradientChecker.Check(kernels, level, x, y, rng, randomDirections: 2);
                }
                catch (Exception e)
                {
                    return $"{at}: {level}Gradient throws {e.GetType().Name}: {e.Message}";
                }

                stats.PointsChecked++;
                stats.DirectionsSkipped += check.NonSmooth.Count;
                if (!(FiniteDifference.RelativeError(expected, check.Value) <= 1e-10))
                {
                    return $"{at}: the user's method returns {GradientChecker.Format(expected)} but {level}Gradient returns {GradientChecker.Format(check.Value)}";
                }

                if (check.Mismatches.Count > 0)
                {
                    return $"{at}: gradient does not match finite differences: {check}";
                }
            }
        }

        return null;
    }
}
