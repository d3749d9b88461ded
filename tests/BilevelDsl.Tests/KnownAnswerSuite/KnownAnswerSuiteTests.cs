using System.Diagnostics;
using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>
/// The known-answer suite (issue 12, acceptance 1): the recorded optima are verified independently, the suite
/// covers the required classes, every solver runs on every problem with default options and the outcome table
/// is printed; the "no wrong Converged" invariant is pinned.
/// </summary>
[Collection(KnownAnswerSuiteCollection.Name)]
public sealed class KnownAnswerSuiteTests(ITestOutputHelper output)
{
    public static TheoryData<string> ProblemIds()
    {
        var data = new TheoryData<string>();
        foreach (KnownAnswerProblem p in KnownAnswerCatalogue.All)
        {
            data.Add(p.Id);
        }

        return data;
    }

    [Fact]
    public void SuiteCoversTheRequiredClasses()
    {
        IReadOnlyList<KnownAnswerProblem> all = KnownAnswerCatalogue.All;
        Assert.True(all.Count >= 40, $"{all.Count} problems");
        Assert.Equal(all.Count, all.Select(p => p.Id).Distinct().Count());
        Assert.True(all.Count(p => p.HasLowerConstraints) >= 15, $"{all.Count(p => p.HasLowerConstraints)} with [LowerConstraint]s");
        foreach (LowerClass c in Enum.GetValues<LowerClass>())
        {
            Assert.True(all.Count(p => p.Lower == c) >= 5, $"{c}: {all.Count(p => p.Lower == c)}");
            Assert.Contains(all, p => p.Lower == c && p.HasLowerConstraints);
        }

        Assert.Contains(all, p => !p.HasLowerConstraints && !p.HasLowerDomain);
        foreach (KnownAnswerProblem p in all)
        {
            output.WriteLine($"{p.Id,-34} {p.ClassLabel,-40} F* = {p.FStar:G8} (published {p.PublishedF:G6})");
        }
    }

    /// <summary>
    /// The recorded (x*, y*) is lower-level feasible and globally lower-level optimal at x* (grid-and-zoom
    /// re-solve), y* is the optimistic choice there, F(x*, y*) = F* agrees with the published value, and no x of a
    /// grid over the stated box (nor of a fine grid around x*) does better than F*.
    /// </summary>
    [Theory]
    [MemberData(nameof(ProblemIds))]
    public void RecordedOptimumIsVerified(string id)
    {
        KnownAnswerProblem p = KnownAnswerCatalogue.All.Single(q => q.Id == id);
        IBilevelKernels model = p.Create();
        double scale = 1 + Math.Abs(p.FStar);

        double upper = model.UpperValue(p.XStar, p.YStar);
        Assert.True(Math.Abs(upper - p.FStar) <= 1e-6 * scale, $"F(x*, y*) = {upper:R}, recorded F* = {p.FStar:R}");
        Assert.True(Math.Abs(p.FStar - p.PublishedF) <= p.PublishedTolerance, $"F* = {p.FStar:R} vs published {p.PublishedF}");

        double[] projected = (double[])p.XStar.Clone();
        model.ProjectUpper(projected);
        Assert.Equal(p.XStar, projected);

        var fine = new LowerLevelReference(model, p.YLo, p.YHi);
        // x* and y* are recorded to 8-10 digits: tolerances 1e-7.
        Assert.True(fine.Violation(p.XStar, p.YStar) <= 1e-7, $"y* violates the lower level by {fine.Violation(p.XStar, p.YStar):G3}");
        LowerLevelReference.Solution atStar = fine.Solve(p.XStar, p.YStar);
        double f = model.LowerValue(p.XStar, p.YStar);
        Assert.True(f - atStar.Value <= 1e-7 * (1 + Math.Abs(atStar.Value)),
            $"y* is not lower-level optimal: f = {f:R}, v(x*) = {atStar.Value:R} at y = [{string.Join(", ", atStar.Y)}]");
        Assert.True(atStar.OptimisticF >= p.FStar - (1e-6 * scale),
            $"another lower-level solution at x* gives F = {atStar.OptimisticF:R} < F*");

        var clock = Stopwatch.StartNew();
        (double best, double[] at) = Sweep(p, model);
        output.WriteLine($"{p.Id}: F* = {p.FStar:R}; best grid value {best:R} at x = [{string.Join(", ", at.Select(v => v.ToString("G6")))}] ({clock.ElapsedMilliseconds} ms)");
        Assert.True(best >= p.FStar - (1e-5 * scale), $"the grid finds F = {best:R} < F* = {p.FStar:R} at x = [{string.Join(", ", at)}]");
    }

    [Fact]
    public void EverySolverRunsOnEveryProblemAndTheTableIsPrinted()
    {
        IReadOnlyList<RunRecord> runs = SolverSweep.Runs;
        output.WriteLine($"{runs.Count} runs ({KnownAnswerCatalogue.All.Count} problems x {SolverSweep.Solvers.Count} solvers) in {SolverSweep.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(SolverSweep.CountsTable(runs));
        output.WriteLine("Runs that reported Converged and failed the re-check:");
        output.WriteLine(SolverSweep.WrongConvergedList(runs));
        foreach (RunRecord r in runs)
        {
            output.WriteLine($"{r.Problem,-34} {r.Method,-12} {r.Status,-24} {r.Outcome,-18} {r.Elapsed.TotalMilliseconds,7:F0} ms F = {r.UpperValue,-12:G6} gap = {r.Gap:G3} viol = {r.Violation:G3} {r.Reason}");
        }

        Assert.Equal(KnownAnswerCatalogue.All.Count * SolverSweep.Solvers.Count, runs.Count);
        Assert.DoesNotContain(runs, r => r.Reason.StartsWith("threw", StringComparison.Ordinal));
        // A guard against a run-away solver (each run is capped at SolverSweep.RunCap), not a timing benchmark.
        Assert.True(SolverSweep.Elapsed < TimeSpan.FromSeconds(300), $"the sweep took {SolverSweep.Elapsed}");
    }

    /// <summary>Issue 12's invariant: Converged only at a point the independent re-check certifies.</summary>
    [Fact]
    public void NoRunReportsConvergedUnlessTheReCheckCertifiesIt()
    {
        var wrong = SolverSweep.Runs.Where(r => r.Outcome == RunOutcome.WrongButConverged).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} wrong Converged runs:\n" + SolverSweep.WrongConvergedList(wrong));
    }

    /// <summary>The classifier itself: a wrong y at the right x is caught, the known answer is "solved".</summary>
    [Fact]
    public void TheReCheckCatchesAnInfeasibleConvergedPoint()
    {
        KnownAnswerProblem p = KnownAnswerCatalogue.All.Single(q => q.Id == "Bard1988Ex1");
        BilevelResult Fake(double x, double y) => new()
        {
            X = [x], Y = [y], UpperValue = p.Create().UpperValue([x], [y]), LowerValue = 0, Status = SolverStatus.Converged,
            Iterations = 1, Elapsed = TimeSpan.Zero, History = [], Message = "",
        };
        Assert.Equal(RunOutcome.Solved, RunClassifier.Classify(p, "fake", Fake(1, 0)).Outcome);
        Assert.Equal(RunOutcome.WrongButConverged, RunClassifier.Classify(p, "fake", Fake(1, -0.2)).Outcome);       // infeasible y
        Assert.Equal(RunOutcome.WrongButConverged, RunClassifier.Classify(p, "fake", Fake(2, 0.5)).Outcome);        // feasible, not optimal
        Assert.Equal(RunOutcome.WrongButConverged, RunClassifier.Classify(p, "fake", Fake(1.5, 1.5)).Outcome);      // optimal y, not a local solution
    }

    private static (double Best, double[] At) Sweep(KnownAnswerProblem p, IBilevelKernels model)
    {
        int m = p.XStar.Length;
        var points = new List<double[]>();
        AddGrid(points, p.XLo, p.XHi, m == 1 ? 121 : 11);
        double[] lo = new double[m], hi = new double[m];
        for (int i = 0; i < m; i++)
        {
            double w = 0.02 * (p.XHi[i] - p.XLo[i]);
            lo[i] = Math.Max(p.XLo[i], p.XStar[i] - w);
            hi[i] = Math.Min(p.XHi[i], p.XStar[i] + w);
        }

        AddGrid(points, lo, hi, m == 1 ? 11 : 5);
        var reference = new LowerLevelReference(model, p.YLo, p.YHi, fine: false);
        double[] values = new double[points.Count];
        Parallel.For(0, points.Count, k => values[k] = reference.Solve(points[k]).OptimisticF);
        int arg = Array.IndexOf(values, values.Min());
        return (values[arg], points[arg]);
    }

    private static void AddGrid(List<double[]> points, double[] lo, double[] hi, int perDim)
    {
        int m = lo.Length;
        int[] counts = new int[m];
        int total = 1;
        for (int i = 0; i < m; i++)
        {
            counts[i] = hi[i] > lo[i] ? perDim : 1;
            total *= counts[i];
        }

        for (int k = 0; k < total; k++)
        {
            double[] x = new double[m];
            int r = k;
            for (int i = 0; i < m; i++)
            {
                x[i] = counts[i] == 1 ? lo[i] : lo[i] + ((hi[i] - lo[i]) * (r % counts[i]) / (counts[i] - 1));
                r /= counts[i];
            }

            points.Add(x);
        }
    }
}

/// <summary>
/// The suite keeps both cores busy for about a minute; it runs alone, after the parallel collections, so that it
/// neither distorts the allocation and timing measurements of other tests nor is distorted by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KnownAnswerSuiteCollection
{
    public const string Name = "Known-answer suite";
}
