using BilevelDsl.GeneratorTests.Corpus;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// 5,000 mutants of corpus bodies (seeded), 250 per compilation, in four shards that are separate test classes
/// (xunit runs classes in parallel): the mutations of <see cref="Mutator"/> (expressions, statements, operators,
/// ...) and of <see cref="StructuralMutations"/> (size, nesting, ref locals, overloaded helpers, generated-looking
/// names, modifiers of the level method), through the generator and the analyzer. Counts per mutation kind are
/// printed. Nothing may throw (no generator exception / CS8785, no analyzer exception / AD0001, no internal error
/// BDSL0012) or hang (a batch has <see cref="BatchTimeLimit"/>). For every mutant that C# accepts: either (a) a
/// BDSL error lies inside the mutated method, or (b) there is no BDSL error, the generated code compiles, the
/// value kernels equal the user's methods and the gradients match central finite differences.
/// </summary>
/// <remarks>
/// Finite-difference rule for (b): at 2 random points per level, every coordinate and 2 random directions are
/// compared; a direction is skipped when the value is not finite on the stencil, or when the central differences
/// with h = 1e-4 and h/2 disagree by more than 1e-6 (a kink or a branch switch within 1e-4 of the point; see
/// <see cref="DirectionalEstimate.Smooth"/>), or when the value is so large that its rounding hides the slope
/// (<see cref="DirectionalEstimate.Resolved"/>, counted apart). A point is skipped when the user's method throws
/// there (e.g. an index out of range). An accepted mutant none of whose directions could be compared is counted
/// as unverified, never as checked. A mutant whose own code stackallocs inside a loop (CA2014, an error in a
/// project with warnings as errors) is counted as rejected by C#: running it could overflow the test's stack.
/// </remarks>
public abstract class MutationRun(ITestOutputHelper output, int shard)
{
    public const int Seed = 20241123;
    public const int MutantCount = 5000;
    public const int BatchSize = 250;
    public const int Batches = MutantCount / BatchSize;
    public const int ShardCount = 4;

    /// <summary>A batch (one compilation of 250 mutants and their checks) takes ~20 s; 5 minutes means a hang.</summary>
    public static readonly TimeSpan BatchTimeLimit = TimeSpan.FromMinutes(5);

    private const int CSharpOutcome = 1;
    private const int BdslOutcome = 2;
    private const int CheckedOutcome = 3;
    private const int UnverifiedOutcome = 4;

    private sealed class Stats
    {
        public int Mutants;
        public int RejectedByCSharp;
        public int StackallocInLoop;
        public int RejectedByBdsl;
        public int Accepted;
        public int Unverified;
        public int PointsChecked;
        public int DirectionsCompared;
        public int DirectionsSkipped;
        public int DirectionsUnresolved;
        public int PointsSkipped;
        public double BuildSeconds;
        public double CheckSeconds;
        public readonly List<string> Failures = new();

        /// <summary>Per mutation kind: mutants, rejected by C#, rejected by BDSL, accepted and checked, accepted but unverified.</summary>
        public readonly SortedDictionary<string, int[]> ByKind = new(StringComparer.Ordinal);

        public void Count(IEnumerable<string> kinds, int outcome)
        {
            foreach (string kind in kinds.Distinct())
            {
                if (!ByKind.TryGetValue(kind, out int[]? counts))
                {
                    ByKind[kind] = counts = new int[5];
                }

                counts[0]++;
                counts[outcome]++;
            }
        }
    }

    [Fact]
    public async Task Mutated_bodies_are_rejected_inside_the_method_or_differentiated_correctly()
    {
        var stats = new Stats();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        for (int b = shard; b < Batches; b += ShardCount)
        {
            List<(ModelSpec Spec, Level Level, string What, IReadOnlyList<string> Kinds)> mutants = CreateMutants(b);
            Task run = Task.Run(() => RunBatchAsync(mutants, stats));
            if (await Task.WhenAny(run, Task.Delay(BatchTimeLimit)) != run)
            {
                // The batch's thread keeps running; the test fails without waiting for it.
                Assert.Fail($"batch {b} (Mut{b * BatchSize:0000}-Mut{(b + 1) * BatchSize - 1:0000}) did not finish within {BatchTimeLimit.TotalSeconds} s: a hang");
            }

            await run;
        }

        output.WriteLine($"shard {shard}: {stats.Mutants} mutants; C# rejected {stats.RejectedByCSharp} ({stats.StackallocInLoop} for a stackalloc in a loop, CA2014); " +
                         $"BDSL rejected {stats.RejectedByBdsl}; accepted {stats.Accepted}, of which {stats.Unverified} unverified (no direction could be compared); " +
                         $"{stats.PointsChecked} points checked, {stats.DirectionsCompared} directions compared; skipped: {stats.PointsSkipped} points, " +
                         $"{stats.DirectionsSkipped} directions ({stats.DirectionsUnresolved} of them unresolved: value too large); " +
                         $"{stats.Failures.Count} failures; {stopwatch.Elapsed.TotalSeconds:F0} s ({stats.BuildSeconds:F0} s building batches, {stats.CheckSeconds:F0} s checking)");
        output.WriteLine("batch phases in this process so far: " + string.Join(", ", ModelBatch.PhaseSeconds.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:F0} s")));
        output.WriteLine("kind: mutants, rejected by C#, rejected by BDSL, accepted and checked, accepted but unverified");
        foreach ((string kind, int[] c) in stats.ByKind)
        {
            output.WriteLine($"{kind}: {c[0]}, {c[1]}, {c[2]}, {c[3]}, {c[4]}");
        }

        Assert.Equal(MutantCount / ShardCount, stats.Mutants);
        Assert.True(stats.Failures.Count == 0,
            $"{stats.Failures.Count} mutants failed; the first ones:{Environment.NewLine}" + string.Join(Environment.NewLine + Environment.NewLine, stats.Failures.Take(8)));

        // The pools must keep both outcomes well represented, or the test proves little.
        Assert.True(stats.RejectedByBdsl >= 200, $"only {stats.RejectedByBdsl} mutants rejected by BDSL diagnostics");
        Assert.True(stats.Accepted - stats.Unverified >= 200, $"only {stats.Accepted - stats.Unverified} mutants accepted and checked");
        Assert.True(stats.Unverified <= stats.Accepted / 20, $"{stats.Unverified} of {stats.Accepted} accepted mutants could not be checked");
        foreach (string kind in new[] { "size", "nesting", "ref", "overload", "naming", "virtual" })
        {
            Assert.True(stats.ByKind.TryGetValue(kind, out int[]? c) && c[2] + c[3] >= 10, $"too few {kind} mutants reach the generator");
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
            ModelSpec spec = original.WithBody(level, body) with
            {
                Name = $"Mut{index:0000}",
                Namespace = "Mutants",
            };
            spec = spec with { Members = original.Members + "\n\n" + MutationPools.MembersFor(spec.Upper, spec.Lower) };
            if (rng.Next(12) == 0)
            {
                // After the renaming: a subclass or a second partial part names the mutant's own type.
                (spec, string declaration) = mutator.MutateDeclaration(spec);
                what += "; " + declaration;
            }

            spec = spec with { Covers = $"{original.Name} {level}: {what}" };
            mutants.Add((spec, level, what, mutator.Kinds));
        }

        return mutants;
    }

    private static async Task RunBatchAsync(List<(ModelSpec Spec, Level Level, string What, IReadOnlyList<string> Kinds)> mutants, Stats stats)
    {
        stats.Mutants += mutants.Count;
        ModelBatch batch;
        var phase = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            batch = await ModelBatch.BuildAsync(mutants.Select(m => m.Spec).ToList(), runAnalyzer: true, "Mutants");
            stats.BuildSeconds += phase.Elapsed.TotalSeconds;
            phase.Restart();
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
            foreach (Diagnostic d in batch.Unlocated)
            {
                stats.Failures.Add("A BDSL diagnostic without a location that names no mutant: " + d);
            }

            foreach ((ModelSpec spec, Level level, _, IReadOnlyList<string> kinds) in mutants)
            {
                stats.Count(kinds, Check(batch, batch[spec], level, stats));
            }
        }

        stats.CheckSeconds += phase.Elapsed.TotalSeconds;
    }

    /// <summary>Checks one mutant; returns its outcome (rejected by C#, by BDSL, accepted and checked or unverified).</summary>
    private static int Check(ModelBatch batch, BatchEntry entry, Level level, Stats stats)
    {
        if (entry.Bdsl.FirstOrDefault(d => d.Id == "BDSL0012") is { } internalError)
        {
            stats.Failures.Add($"Internal error {internalError}:{Environment.NewLine}{ModelBatch.Describe(entry)}");
        }

        if (!entry.IsValidCSharp)
        {
            stats.RejectedByCSharp++;
            return CSharpOutcome;
        }

        if (entry.GeneratedCodeErrors.Count > 0)
        {
            stats.Failures.Add("The generated code does not compile for a mutant that C# accepts:" + Environment.NewLine + ModelBatch.Describe(entry));
            return entry.BdslErrors.Any() ? BdslOutcome : CheckedOutcome;
        }

        var errors = entry.BdslErrors.ToList();
        if (errors.Count == 0 && StackallocInLoop(entry.Tree))
        {
            stats.RejectedByCSharp++;
            stats.StackallocInLoop++;
            return CSharpOutcome;
        }

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

            return BdslOutcome;
        }

        stats.Accepted++;
        int compared = 0;
        string? problem = CheckAcceptedMutant(batch, entry, stats, ref compared);
        if (problem is not null)
        {
            stats.Failures.Add(problem + Environment.NewLine + ModelBatch.Describe(entry));
        }

        if (compared == 0)
        {
            stats.Unverified++;
            return UnverifiedOutcome;
        }

        return CheckedOutcome;
    }

    /// <summary>A stackalloc inside a loop (CA2014): each iteration takes more stack, so the user's method may
    /// overflow it (a 60-deep loop nest once did), which no test process survives.</summary>
    private static bool StackallocInLoop(SyntaxTree tree) =>
        tree.GetRoot().DescendantNodes().OfType<StackAllocArrayCreationExpressionSyntax>()
            .Any(s => s.Ancestors().Any(a => a is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachStatementSyntax));

    private static string? CheckAcceptedMutant(ModelBatch batch, BatchEntry entry, Stats stats, ref int compared)
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
                stats.DirectionsCompared += check.Compared;
                stats.DirectionsSkipped += check.NonSmooth.Count;
                stats.DirectionsUnresolved += check.Unresolved;
                compared += check.Compared;
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

public sealed class MutationShard0(ITestOutputHelper output) : MutationRun(output, 0);

public sealed class MutationShard1(ITestOutputHelper output) : MutationRun(output, 1);

public sealed class MutationShard2(ITestOutputHelper output) : MutationRun(output, 2);

public sealed class MutationShard3(ITestOutputHelper output) : MutationRun(output, 3);
