using BilevelDsl.GeneratorTests.Corpus;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// 1,500 mutants of corpus bodies (seeded), 125 per compilation, through the generator and the analyzer: the
/// mutations of <see cref="Mutator"/> (expressions, statements, operators, ...) and of
/// <see cref="StructuralMutations"/> (size, nesting, ref locals, overloaded helpers, generated-looking names,
/// modifiers of the level method). Counts per mutation kind are printed.
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
    public const int BatchSize = 125;
    public const int Batches = 12;
    public const int ShardCount = 4;

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

        /// <summary>Per mutation kind: mutants, rejected by C#, rejected by BDSL, accepted and checked.</summary>
        public readonly SortedDictionary<string, int[]> ByKind = new(StringComparer.Ordinal);

        public void Count(IEnumerable<string> kinds, int outcome)
        {
            foreach (string kind in kinds.Distinct())
            {
                if (!ByKind.TryGetValue(kind, out int[]? counts))
                {
                    ByKind[kind] = counts = new int[4];
                }

                counts[0]++;
                counts[outcome]++;
            }
        }
    }

    public static TheoryData<int> Shards()
    {
        var data = new TheoryData<int>();
        for (int s = 0; s < ShardCount; s++)
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
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        for (int b = shard; b < Batches; b += ShardCount)
        {
            await RunBatchAsync(CreateMutants(b), stats);
        }

        output.WriteLine($"shard {shard}: {stats.Mutants} mutants; C# rejected {stats.RejectedByCSharp}; BDSL rejected {stats.RejectedByBdsl}; " +
                         $"accepted {stats.Accepted} ({stats.PointsChecked} points checked, {stats.PointsSkipped} points and {stats.DirectionsSkipped} directions skipped); " +
                         $"{stats.Failures.Count} failures; {stopwatch.Elapsed.TotalSeconds:F0} s");
        output.WriteLine("kind: mutants, rejected by C#, rejected by BDSL, accepted");
        foreach ((string kind, int[] c) in stats.ByKind)
        {
            output.WriteLine($"{kind}: {c[0]}, {c[1]}, {c[2]}, {c[3]}");
        }

        Assert.Equal(BatchSize * Batches / ShardCount, stats.Mutants);
        Assert.True(stats.Failures.Count == 0,
            $"{stats.Failures.Count} mutants failed; the first ones:{Environment.NewLine}" + string.Join(Environment.NewLine + Environment.NewLine, stats.Failures.Take(8)));

        // The pools must keep both outcomes well represented, or the test proves little.
        Assert.True(stats.RejectedByBdsl >= 60, $"only {stats.RejectedByBdsl} mutants rejected by BDSL diagnostics");
        Assert.True(stats.Accepted >= 50, $"only {stats.Accepted} mutants accepted");
        foreach (string kind in new[] { "size", "nesting", "ref", "overload", "naming", "virtual" })
        {
            Assert.True(stats.ByKind.TryGetValue(kind, out int[]? c) && c[2] + c[3] >= 3, $"too few {kind} mutants reach the generator");
        }
    }

    /// <summary>The mutants of one batch: corpus models with one level's body mutated.</summary>
    public static List<(ModelSpec Spec, Level Level, string What, IReadOnlyList<string> Kinds)> CreateMutants(int batch)
    {
        var mutants = new List<(ModelSpec, Level, string, IReadOnlyList<string>)>();
        for (int i = 0; i < BatchSize; i++)
        {
            int index = batch * BatchSize + i;
            var rng = new Random(Seed + index);
            ModelSpec original = CorpusModels.All[rng.Next(CorpusModels.All.Count)];
            Level level = rng.Next(2) == 0 ? Level.Upper : Level.Lower;
            var mutator = new Mutator(rng, original.Kind, level);
            (string body, string what) = mutator.Mutate(original.Body(level));
            ModelSpec spec = original.WithBody(level, body);
            if (rng.Next(12) == 0)
            {
                (spec, string declaration) = mutator.MutateDeclaration(spec);
                what += "; " + declaration;
            }

            spec = spec with
            {
                Name = $"Mut{index:0000}",
                Namespace = "Mutants",
                Members = original.Members + "\n\n" + MutationPools.MutantMembers,
                Covers = $"{original.Name} {level}: {what}",
            };
            mutants.Add((spec, level, what, mutator.Kinds));
        }

        return mutants;
    }

    private async Task RunBatchAsync(List<(ModelSpec Spec, Level Level, string What, IReadOnlyList<string> Kinds)> mutants, Stats stats)
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
            var survivors = new List<(ModelSpec, Level, string, IReadOnlyList<string>)>();
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
            foreach ((ModelSpec spec, Level level, _, IReadOnlyList<string> kinds) in mutants)
            {
                stats.Count(kinds, Check(batch, batch[spec], level, stats));
            }
        }
    }

    /// <summary>Checks one mutant; returns 1 if C# rejects it, 2 if BDSL does, 3 if it was accepted.</summary>
    private static int Check(ModelBatch batch, BatchEntry entry, Level level, Stats stats)
    {
        if (!entry.IsValidCSharp)
        {
            stats.RejectedByCSharp++;
            return 1;
        }

        if (entry.GeneratedCodeErrors.Count > 0)
        {
            stats.Failures.Add("The generated code does not compile for a mutant that C# accepts:" + Environment.NewLine + ModelBatch.Describe(entry));
            return entry.BdslErrors.Any() ? 2 : 3;
        }

        var errors = entry.BdslErrors.ToList();
        if (errors.Count > 0)
        {
            stats.RejectedByBdsl++;
            // A declaration mutant may declare the method twice (a partial part, an override): any of them counts.
            var methods = entry.Tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
                .Where(m => m.Identifier.Text == level.ToString()).ToList();
            if (!errors.Any(d => d.Location.SourceTree == entry.Tree && methods.Any(m => m.Span.Contains(d.Location.SourceSpan))))
            {
                stats.Failures.Add($"BDSL errors, but none inside the mutated method {level}:{Environment.NewLine}{ModelBatch.Describe(entry)}");
            }

            return 2;
        }

        stats.Accepted++;
        string? problem = CheckAcceptedMutant(batch, entry, stats);
        if (problem is not null)
        {
            stats.Failures.Add(problem + Environment.NewLine + ModelBatch.Describe(entry));
        }

        return 3;
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

                // Directions whose central difference is below its own rounding noise are skipped by the gradient
                // checker itself (DirectionalEstimate.Resolved).
                if (!double.IsFinite(expected))
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
