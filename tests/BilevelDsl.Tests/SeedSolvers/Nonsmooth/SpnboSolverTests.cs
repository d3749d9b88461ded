using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Inner;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.Nonsmooth;

/// <summary>SPNBO on the seed's two experiments (real generated kernels), and its contract: statuses, refusals, history.</summary>
public class SpnboSolverTests(ITestOutputHelper output)
{
    private void Describe(string name, SpnboRun run)
    {
        BilevelResult r = run.Outcome.Result;
        output.WriteLine($"{name}: {r.Status} in {r.Elapsed.TotalMilliseconds:F0} ms (certificate {r.Certificate?.Elapsed.TotalMilliseconds:F0} ms); validation {run.Problem.StartValidation:G4} -> {r.UpperValue:G4}; {r.Message}");
        foreach (SpnboRound round in run.Outcome.Rounds)
        {
            output.WriteLine($"  {round}");
        }

        output.WriteLine($"  x = [{string.Join(", ", r.X.Select(v => v.ToString("F3")))}]");
        output.WriteLine($"  y = [{string.Join(", ", r.Y.Select(v => v.ToString("F3")))}]");
    }

    [Fact]
    public void LpRegressionDecreasesTheValidationLossAndRecoversTheSparseSupport()
    {
        SpnboRun run = NonsmoothRuns.SpnboLp;
        Describe("SPNBO lp", run);
        BilevelResult r = run.Outcome.Result;

        NonsmoothRuns.AssertConvergedAtTheSmoothingFloor(r);
        Assert.True(r.UpperValue <= 0.8 * run.Problem.StartValidation, $"validation loss {r.UpperValue:G4} is not 20% below the start {run.Problem.StartValidation:G4}");
        Assert.Equal(NonsmoothRuns.Support(run.Problem.TrueWeights), NonsmoothRuns.Support(r.Y));
        Assert.True(r.X[0] > run.Problem.X0[0] + 1.0, $"log lambda {r.X[0]:F3} did not move up from the under-regularised start {run.Problem.X0[0]:F3}");
    }

    [Fact]
    public void OscarReweightingDecreasesTheValidationLossAndDownWeightsTheCorruptedSamples()
    {
        SpnboRun run = NonsmoothRuns.SpnboOscar;
        Describe("SPNBO OSCAR", run);
        BilevelResult r = run.Outcome.Result;

        NonsmoothRuns.AssertConvergedAtTheSmoothingFloor(r);
        Assert.True(r.UpperValue <= 0.1 * run.Problem.StartValidation, $"validation loss {r.UpperValue:G4} is not 90% below the start {run.Problem.StartValidation:G4}");
        double[] weights = NonsmoothRuns.SampleWeights(r.X, 16);
        double corrupted = weights.Take(4).Average();
        double clean = weights.Skip(4).Average();
        Assert.True(corrupted < 0.5 * clean, $"mean weight of the corrupted samples {corrupted:G3} is not below half that of the clean ones {clean:G3}");
    }

    public static TheoryData<string> ProblemNames() => ["lp", "oscar"];

    private static SpnboRun Run(string name) => name == "lp" ? NonsmoothRuns.SpnboLp : NonsmoothRuns.SpnboOscar;

    [Theory]
    [MemberData(nameof(ProblemNames))]
    public void TheConditions10HoldAtTheEndOfEveryRound(string name)
    {
        SpnboRun run = Run(name);
        SpnboOptions o = run.Options;
        IReadOnlyList<SpnboRound> rounds = run.Outcome.Rounds;
        Assert.NotEmpty(rounds);
        for (int k = 0; k < rounds.Count; k++)
        {
            SpnboRound round = rounds[k];
            Assert.Equal(k + 1, round.Round);
            Assert.Equal(o.Smoothing.ValueAt(k), round.Mu);
            Assert.Equal(o.Tolerance.ValueAt(k), round.Epsilon);
            Assert.True(round.ConditionsMet, $"round {round.Round}: the conditions (10) did not hold");
            double eps2 = round.Epsilon * round.Epsilon;
            Assert.True(round.GradientXNorm * round.GradientXNorm <= eps2, $"round {round.Round}: ||grad_x L||^2 = {round.GradientXNorm * round.GradientXNorm:E3} > eps^2");
            Assert.True(round.GradientYNorm * round.GradientYNorm <= eps2, $"round {round.Round}: ||grad_y L||^2 = {round.GradientYNorm * round.GradientYNorm:E3} > eps^2");
            Assert.True(round.ConstraintNorm * round.ConstraintNorm <= eps2, $"round {round.Round}: ||c||^2 = {round.ConstraintNorm * round.ConstraintNorm:E3} > eps^2");
            Assert.True(round.Beta >= o.PenaltyInitial && round.Beta <= o.PenaltyMax);
            if (k > 0)
            {
                Assert.True(round.Beta >= rounds[k - 1].Beta * o.PenaltyGrowth * (1 - 1e-12), "beta must grow between rounds");
            }
        }

        // The last round ended at the floors of both schedules, so the run converged.
        Assert.True(o.Smoothing.IsSettled(rounds.Count - 1) && o.Tolerance.IsSettled(rounds.Count - 1));

        // Independently of the solver's bookkeeping: c = grad_y f_mu at the returned point is within the last eps.
        BilevelResult r = run.Outcome.Result;
        double c = NonsmoothProblems.LowerStationarity(run.Problem.Model.WithSmoothing(rounds[^1].Mu), r.X, r.Y);
        Assert.Equal(rounds[^1].ConstraintNorm, c, 1e-12);
        Assert.True(c <= rounds[^1].Epsilon);
    }

    [Theory]
    [MemberData(nameof(ProblemNames))]
    public void HistoryAndProgressHaveOneEntryPerRound(string name)
    {
        SpnboRun run = Run(name);
        BilevelResult r = run.Outcome.Result;
        IReadOnlyList<SpnboRound> rounds = run.Outcome.Rounds;
        Assert.Equal(rounds.Count, r.Iterations);
        Assert.Equal(rounds.Count, r.History.Count);
        Assert.Equal(rounds.Count, run.Progress.Reports.Count);
        for (int k = 0; k < rounds.Count; k++)
        {
            IterationRecord h = r.History[k];
            SolverProgress p = run.Progress.Reports[k];
            Assert.Equal(k + 1, h.Iteration);
            Assert.Equal(k + 1, p.Iteration);
            Assert.Equal(rounds[k].ConstraintNorm, h.LowerStationarity);
            Assert.Equal(rounds[k].ConstraintNorm, p.LowerStationarity);
            Assert.Equal(rounds[k].GradientXNorm, h.DirectionNorm);
            Assert.Equal(rounds[k].Steps, h.LowerIterations);
            Assert.Equal(rounds[k].UpperValue, h.UpperValue);
            Assert.True(double.IsFinite(h.StepNorm) && h.StepNorm >= 0);
            Assert.True(k == 0 || h.Elapsed >= r.History[k - 1].Elapsed);
        }

        Assert.True(r.Elapsed >= r.History[^1].Elapsed);
        Assert.Equal(run.Problem.Model.UpperValue(r.X, r.Y), r.UpperValue);
        Assert.Equal(run.Problem.Model.LowerValue(r.X, r.Y), r.LowerValue);
    }

    [Fact]
    public void TheSeedsSingleSampleEstimatorAlsoMeetsTheConditionsOnOscar()
    {
        SpnboRun run = NonsmoothRuns.RunSpnbo(NonsmoothRuns.Oscar, NonsmoothRuns.SpnboOscarOptions with { BatchSize = 1 });
        Describe("SPNBO OSCAR, B = 1", run);
        NonsmoothRuns.AssertConvergedAtTheSmoothingFloor(run.Outcome.Result);
        Assert.All(run.Outcome.Rounds, round => Assert.True(round.ConditionsMet));
        Assert.True(run.Outcome.Result.UpperValue <= 0.1 * run.Problem.StartValidation);
    }

    [Fact]
    public void RunsAreReproducibleAndTheSeedChangesTheSamples()
    {
        SpnboOptions o = NonsmoothRuns.SpnboOscarOptions;
        BilevelResult first = NonsmoothRuns.RunSpnbo(NonsmoothRuns.Oscar, o).Outcome.Result;
        BilevelResult again = NonsmoothRuns.RunSpnbo(NonsmoothRuns.Oscar, o).Outcome.Result;
        BilevelResult other = NonsmoothRuns.RunSpnbo(NonsmoothRuns.Oscar, o with { Seed = o.Seed + 1 }).Outcome.Result;
        Assert.Equal(first.X, again.X);
        Assert.Equal(first.Y, again.Y);
        Assert.NotEqual(first.X, other.X);
        NonsmoothRuns.AssertConvergedAtTheSmoothingFloor(other);
    }

    [Fact]
    public void ARoundThatCannotMeetTheConditionsEndsTheRunWithAnHonestStatus()
    {
        SpnboOptions o = NonsmoothRuns.SpnboLpOptions with { Tolerance = new DecaySchedule(1e-9, 1.0, 1e-9), MaxInnerSteps = 50 };
        NonsmoothProblem problem = NonsmoothRuns.Lp;
        SpnboResult outcome = new SpnboSolver(o).SolveDetailed(problem.Model, problem.X0, problem.Y0);
        output.WriteLine(outcome.Result.Message);
        Assert.Contains(outcome.Result.Status, new[] { SolverStatus.LowerLevelNotConverged, SolverStatus.IterationLimit });
        SpnboRound round = Assert.Single(outcome.Rounds);
        Assert.False(round.ConditionsMet);
        Assert.Equal(50, round.Steps);
        Assert.Contains("conditions (10)", outcome.Result.Message);
        Assert.Equal(round.ConstraintNorm > round.Epsilon ? SolverStatus.LowerLevelNotConverged : SolverStatus.IterationLimit, outcome.Result.Status);
        Assert.Single(outcome.Result.History);
    }

    [Fact]
    public void RunningOutOfRoundsBeforeTheFloorsIsAnIterationLimit()
    {
        SpnboOptions o = NonsmoothRuns.SpnboOscarOptions with { MaxRounds = 1 };
        SpnboResult outcome = new SpnboSolver(o).SolveDetailed(NonsmoothRuns.Oscar.Model, NonsmoothRuns.Oscar.X0, NonsmoothRuns.Oscar.Y0);
        Assert.Equal(SolverStatus.IterationLimit, outcome.Result.Status);
        Assert.True(Assert.Single(outcome.Rounds).ConditionsMet);
        Assert.Contains("floors", outcome.Result.Message);
    }

    [Fact]
    public void CancellationEndsTheRunWithTheLastIterate()
    {
        using var cts = new CancellationTokenSource();
        var progress = new ProgressLog(_ => cts.Cancel());
        NonsmoothProblem problem = NonsmoothRuns.Oscar;
        SpnboResult outcome = new SpnboSolver(NonsmoothRuns.SpnboOscarOptions).SolveDetailed(problem.Model, problem.X0, problem.Y0, progress, cts.Token);
        Assert.Equal(SolverStatus.Cancelled, outcome.Result.Status);
        Assert.Equal(1, outcome.Result.Iterations);
        Assert.Single(progress.Reports);
        Assert.All(outcome.Result.X, v => Assert.True(double.IsFinite(v)));
        Assert.True(double.IsFinite(outcome.Result.UpperValue));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        BilevelResult before = new SpnboSolver(NonsmoothRuns.SpnboOscarOptions).Solve(problem.Model, problem.X0, problem.Y0, null, cancelled.Token);
        Assert.Equal(SolverStatus.Cancelled, before.Status);
        Assert.Equal(0, before.Iterations);
        Assert.Equal(problem.X0, before.X);
    }

    [Fact]
    public void CancellationIsObservedWithinARound()
    {
        using var cts = new CancellationTokenSource();
        NonsmoothProblem problem = NonsmoothRuns.Lp;
        SpnboOptions o = NonsmoothRuns.SpnboLpOptions with { Tolerance = new DecaySchedule(1e-9, 1.0, 1e-9), MaxInnerSteps = int.MaxValue };
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));
        SpnboResult outcome = new SpnboSolver(o).SolveDetailed(problem.Model, problem.X0, problem.Y0, null, cts.Token);
        // A round cannot finish at this tolerance, so Cancelled with no completed round means the token was
        // observed inside a round. The time bound only guards against a hang (CI machines can be loaded).
        Assert.Equal(SolverStatus.Cancelled, outcome.Result.Status);
        Assert.Empty(outcome.Rounds);
        Assert.True(outcome.Result.Elapsed < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void NonFiniteKernelResultsEndTheRunAsDivergedAtTheLastFiniteIterate()
    {
        NonsmoothProblem problem = NonsmoothRuns.Oscar;
        var faulty = new FaultyKernels(problem.Model, healthyCalls: 150);
        BilevelResult r = new SpnboSolver(NonsmoothRuns.SpnboOscarOptions).Solve(faulty, problem.X0, problem.Y0);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.Diverged, r.Status);
        Assert.Contains("not finite", r.Message);
        Assert.All(r.X, v => Assert.True(double.IsFinite(v)));
        Assert.All(r.Y, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void ALowerDomainIsRefusedWithAMessage()
    {
        BilevelResult r = new SpnboSolver().Solve(new BoxedNonsmoothModel(), [0.5], [0.5]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Contains("SPNBO", r.Message);
        Assert.Contains("domain", r.Message);
        Assert.Equal(0, r.Iterations);
        Assert.Empty(r.History);
        Assert.Equal([0.5], r.X);
    }

    [Fact]
    public void LowerLevelConstraintsAreRefusedWithAMessage()
    {
        BilevelResult r = new SpnboSolver().Solve(new ConstrainedNonsmoothModel(), [0.5], [0.5]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Contains("SPNBO", r.Message);
        Assert.Contains("constraint", r.Message);
    }

    [Fact]
    public void InvalidStartsAreRejected()
    {
        NonsmoothProblem problem = NonsmoothRuns.Lp;
        var solver = new SpnboSolver(NonsmoothRuns.SpnboLpOptions);
        BilevelResult nan = solver.Solve(problem.Model, [double.NaN], problem.Y0);
        Assert.Equal(SolverStatus.InvalidInput, nan.Status);
        Assert.Contains("x0[0] is NaN", nan.Message);

        BilevelResult empty = solver.Solve(problem.Model, [], problem.Y0);
        Assert.Equal(SolverStatus.InvalidInput, empty.Status);

        BilevelResult length = solver.Solve(problem.Model, problem.X0, new double[problem.Y0.Length + 1]);
        output.WriteLine(length.Message);
        Assert.Equal(SolverStatus.InvalidInput, length.Status);
        Assert.Contains("ArgumentException", length.Message);

        Assert.Throws<ArgumentNullException>(() => solver.Solve(null!, problem.X0, problem.Y0));
    }

    public static TheoryData<string> InvalidOptionNames() =>
    [
        "Smoothing.Floor = 0", "Tolerance.Floor = 0", "MaxRounds = 0", "PenaltyInitial = 0", "PenaltyGrowth = 0.5", "PenaltyMax < PenaltyInitial",
        "Tau = 0", "StepSize = NaN", "DualStepSize = -1", "ClipLower only", "ClipUpper < ClipLower", "ClipRange = 0.5",
        "SecondMomentWeight = 0", "EtaScale = 0", "EtaOffset = -1", "MomentumConstant = 0", "BatchSize = 0", "CheckInterval = 0",
        "MaxInnerSteps = 0", "CurvatureInterval = -1",
    ];

    [Theory]
    [MemberData(nameof(InvalidOptionNames))]
    public void InvalidOptionsAreRejectedByTheConstructor(string name)
    {
        var o = new SpnboOptions();
        SpnboOptions bad = name switch
        {
            "Smoothing.Floor = 0" => o with { Smoothing = new DecaySchedule(0.1, 0.5, 0.0) },
            "Tolerance.Floor = 0" => o with { Tolerance = new DecaySchedule(0.1, 0.5, 0.0) },
            "MaxRounds = 0" => o with { MaxRounds = 0 },
            "PenaltyInitial = 0" => o with { PenaltyInitial = 0 },
            "PenaltyGrowth = 0.5" => o with { PenaltyGrowth = 0.5 },
            "PenaltyMax < PenaltyInitial" => o with { PenaltyInitial = 10, PenaltyMax = 1 },
            "Tau = 0" => o with { Tau = 0 },
            "StepSize = NaN" => o with { StepSize = double.NaN },
            "DualStepSize = -1" => o with { DualStepSize = -1 },
            "ClipLower only" => o with { ClipLower = 1 },
            "ClipUpper < ClipLower" => o with { ClipLower = 1, ClipUpper = 0.5 },
            "ClipRange = 0.5" => o with { ClipRange = 0.5 },
            "SecondMomentWeight = 0" => o with { SecondMomentWeight = 0 },
            "EtaScale = 0" => o with { EtaScale = 0 },
            "EtaOffset = -1" => o with { EtaOffset = -1 },
            "MomentumConstant = 0" => o with { MomentumConstant = 0 },
            "BatchSize = 0" => o with { BatchSize = 0 },
            "CheckInterval = 0" => o with { CheckInterval = 0 },
            "MaxInnerSteps = 0" => o with { MaxInnerSteps = 0 },
            "CurvatureInterval = -1" => o with { CurvatureInterval = -1 },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpnboSolver(bad));
        Assert.Throws<ArgumentNullException>(() => new SpnboSolver(null!));
    }

    [Fact]
    public void FixedClipBoundsAreUsedAsGiven()
    {
        SpnboOptions o = NonsmoothRuns.SpnboOscarOptions with { ClipLower = 1.0, ClipUpper = 1e6, Tolerance = new DecaySchedule(0.05, 1.0, 0.05), Smoothing = new DecaySchedule(0.1, 1.0, 0.1) };
        SpnboRun run = NonsmoothRuns.RunSpnbo(NonsmoothRuns.Oscar, o);
        Describe("SPNBO OSCAR, fixed [rho, b]", run);
        NonsmoothRuns.AssertConvergedAtTheSmoothingFloor(run.Outcome.Result);
        Assert.True(run.Outcome.Result.UpperValue < run.Problem.StartValidation);
    }

    [Fact]
    public void TheStochasticStepsDoNotAllocate()
    {
        // The lp problem: its one hyperparameter cannot zero grad_y F on c = 0, so eps = 1e-12 is out of reach and every run
        // takes exactly MaxInnerSteps steps. (On OSCAR re-weighting it is reached: the multipliers vanish there.)
        NonsmoothProblem problem = NonsmoothRuns.Lp;
        SpnboOptions o = NonsmoothRuns.SpnboLpOptions with { MaxRounds = 1, Tolerance = new DecaySchedule(1e-12, 1.0, 1e-12), CurvatureInterval = 50, Certificate = CertificateOptions.Off };
        long Measure(int steps)
        {
            var solver = new SpnboSolver(o with { MaxInnerSteps = steps });
            BilevelResult? r = null;
            long bytes = AllocationMeter.Least(() => r = solver.Solve(problem.Model, problem.X0, problem.Y0));
            output.WriteLine($"{steps}: {r!.Status} {r.Message}");
            Assert.Equal(steps, r.History[0].LowerIterations);
            return bytes;
        }

        long short_ = Measure(100);
        long long_ = Measure(1100);
        output.WriteLine($"100 steps: {short_} bytes; 1100 steps: {long_} bytes");
        Assert.True(Math.Abs(long_ - short_) < 1024, $"1000 more SCG steps (and 20 more curvature estimates) allocated {long_ - short_} bytes");
    }
}
