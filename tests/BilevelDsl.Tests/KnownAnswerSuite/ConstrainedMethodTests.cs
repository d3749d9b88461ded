using System.Text;
using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>
/// Issue 13, acceptance 1 and 3: KKT-MPEC (and AutoSolver) on the constrained problems of the known-answer suite, with
/// default options, judged by the suite's independent re-check (<see cref="RunClassifier"/>); AutoSolver's choice, reason
/// and outcome on every problem.
/// </summary>
[Collection(KnownAnswerSuiteCollection.Name)]
public sealed class ConstrainedMethodTests(ITestOutputHelper output)
{
    private static IReadOnlyList<KnownAnswerProblem> ConvexConstrained =>
        KnownAnswerCatalogue.All.Where(p => p.HasLowerConstraints && p.Lower != LowerClass.Nonconvex).ToList();

    [Theory]
    [InlineData("KKT-MPEC")]
    [InlineData("Auto")]
    public void SolvesFourFifthsOfTheConvexConstrainedProblemsAndIsNeverWrongButConverged(string method)
    {
        var runs = SolverSweep.Runs.Where(r => r.Method == method).ToList();
        var convex = ConvexConstrained.Select(p => p.Id).ToHashSet();
        var mine = runs.Where(r => convex.Contains(r.Problem)).ToList();
        foreach (RunRecord r in mine)
        {
            output.WriteLine($"{r.Problem,-32} {r.Status,-20} {r.Outcome,-18} {r.Elapsed.TotalMilliseconds,6:F0} ms F = {r.UpperValue:G8} {r.Reason}");
        }

        int solved = mine.Count(r => r.Outcome == RunOutcome.Solved);
        Assert.True(convex.Count >= 20, $"{convex.Count} convex constrained problems");
        Assert.True(solved >= 0.8 * convex.Count, $"{method} solved {solved} of {convex.Count} convex constrained problems");
        // KKT-MPEC: on every problem of the suite. AutoSolver: on the constrained problems (on an unconstrained nonconvex
        // lower level it runs BOME, whose own row of the counts table shows its wrong Converged runs).
        var constrained = KnownAnswerCatalogue.All.Where(p => p.HasLowerConstraints).Select(p => p.Id).ToHashSet();
        Assert.DoesNotContain(runs, r => r.Outcome == RunOutcome.WrongButConverged && (method == "KKT-MPEC" || constrained.Contains(r.Problem)));
    }

    /// <summary>Known answers without the sweep's time cap: Outrata 1990 Ex. 1(a) (no closed form, SLSQP reference to 8 digits).</summary>
    [Fact]
    public void FindsOutrata1990Ex1aToTheRecordedDigits()
    {
        KnownAnswerProblem p = KnownAnswerCatalogue.All.Single(q => q.Id == "Outrata1990Ex1a");
        BilevelResult r = new KktMpecSolver().Solve(p.Create(), p.X0, p.Y0);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.Certificate!.Passed);
        Assert.Equal(p.FStar, r.UpperValue, 1e-6);
        for (int i = 0; i < 2; i++)
        {
            // F is flat near x* (the recorded x* is an SLSQP solution): x to 1e-3, y to 1e-4, F to 1e-6.
            Assert.Equal(p.XStar[i], r.X[i], 1e-3);
            Assert.Equal(p.YStar[i], r.Y[i], 1e-4);
        }
    }

    /// <summary>
    /// A linear lower level whose solution set is not a singleton at the optimum (Bard 1991 Ex. 1: at x = 2 every split of
    /// y1 + y2 = 6 solves): the KKT reformulation picks the optimistic y = (6, 0), F = 2.
    /// </summary>
    [Fact]
    public void PicksTheOptimisticLowerSolutionOfALinearLowerLevel()
    {
        KnownAnswerProblem p = KnownAnswerCatalogue.All.Single(q => q.Id == "Bard1991Ex1");
        BilevelResult r = new KktMpecSolver().Solve(p.Create(), p.X0, p.Y0);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(2.0, r.X[0], 1e-6);
        Assert.Equal(6.0, r.Y[0], 1e-5);
        Assert.Equal(0.0, r.Y[1], 1e-5);
        Assert.Equal(2.0, r.UpperValue, 1e-6);
    }

    /// <summary>A lower level the probe finds nonconvex in y is refused, naming the offending function and what to use.</summary>
    [Fact]
    public void RefusesANonconvexLowerLevel()
    {
        KnownAnswerProblem p = KnownAnswerCatalogue.All.Single(q => q.Id == "YeZhu2010Ex4.2");
        BilevelResult r = new KktMpecSolver().Solve(p.Create(), p.X0, p.Y0);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Contains("negative curvature", r.Message, StringComparison.Ordinal);
        Assert.Contains("lower-level objective", r.Message, StringComparison.Ordinal);
    }

    /// <summary>Issue 13, acceptance 3: AutoSolver's choice, why, and the outcome on every problem of the suite (docs/solvers.md).</summary>
    [Fact]
    public void AutoSolverTableIsPrinted()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| problem | lower level | AutoSolver ran | why | status | outcome |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (KnownAnswerProblem p in KnownAnswerCatalogue.All)
        {
            RunRecord run = SolverSweep.Runs.Single(r => r.Method == "Auto" && r.Problem == p.Id);
            (_, string reason) = AutoSolver.Choose(p.Create(), p.Y0.Length);
            string ran = SolverSweep.AutoChoices.TryGetValue(p.Id, out var c) ? c.Choice : "?";
            string why = ran == "bome" && reason.Contains("KKT-MPEC", StringComparison.Ordinal) ? "KKT-MPEC found f nonconvex in y, fallback" : Short(reason);
            sb.AppendLine($"| {p.Id} | {p.ClassLabel} | {ran} | {why} | {run.Status} | {run.Outcome} |");
        }

        output.WriteLine(sb.ToString());
        Assert.Equal(KnownAnswerCatalogue.All.Count, SolverSweep.AutoChoices.Count);
        Assert.All(KnownAnswerCatalogue.All.Where(p => p.HasLowerConstraints), p => Assert.Equal("kkt-mpec", SolverSweep.AutoChoices[p.Id].Choice));

        // A nonconvex lower level without constraints: KKT-MPEC refuses on its probe, BOME runs, the message says both.
        (string choice, string message) = SolverSweep.AutoChoices["MitsosBarton2006Ex3.10"];
        Assert.Equal("bome", choice);
        Assert.StartsWith("AutoSolver chose bome: ", message, StringComparison.Ordinal);
        Assert.Contains("KKT-MPEC then found the lower level nonconvex in y", message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsOutOfRangeAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KktMpecSolver(new KktMpecOptions { RelaxationDecrease = 1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KktMpecSolver(new KktMpecOptions { FinalRelaxation = 0.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KktMpecSolver(new KktMpecOptions { InitialRelaxation = 1e-12 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KktMpecSolver(new KktMpecOptions { Tolerance = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KktMpecSolver(new KktMpecOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentNullException>(() => new KktMpecSolver(new KktMpecOptions { Relaxed = null! }));
    }

    private static string Short(string reason)
    {
        int colon = reason.LastIndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? reason : reason[..colon];
    }
}
