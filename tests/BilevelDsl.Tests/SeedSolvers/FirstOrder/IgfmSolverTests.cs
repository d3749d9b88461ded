using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.FirstOrder;

public class IgfmSolverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    [InlineData(8.0)]
    public void CounterexampleReachesXStarOne(double x0)
    {
        // phi(x) = (x - 1)^2 (the lower level leaves y2 free and F chooses y2 = x): x* = 1, y* = (1, 1), F* = 0.
        // AID and ITD fail here; IGFM only needs values of phi~ = F(x, SGM(x)).
        BilevelResult r = new IgfmSolver().Solve(new BoxedCounterexample(), [x0], [0.0, 0.0]);
        output.WriteLine($"x0={x0}: x={r.X[0]:R} y=({r.Y[0]:R}, {r.Y[1]:R}) F={r.UpperValue:E3} {r.Status} it={r.Iterations} {r.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(1.0, r.X[0], 1e-5);
        Assert.Equal(1.0, r.Y[0], 1e-3);
        Assert.Equal(1.0, r.Y[1], 1e-5);
        Assert.Equal(0.0, r.UpperValue, 1e-8);
        Assert.Equal(-1.0, r.LowerValue, 1e-6); // min_y y1^2 - 2 y1 = -1
    }

    [Fact]
    public void NonsmoothSharpLowerLevelReachesTheMinimumOfPhi()
    {
        // phi(x) = 2 x^2 / 3 (see SharpLine): x* = 0, y* = (0, 0).
        BilevelResult r = new IgfmSolver().Solve(new SharpLine(), [1.0], [0.0, 0.0]);
        output.WriteLine($"x={r.X[0]:R} y=({r.Y[0]:R}, {r.Y[1]:R}) {r.Status} it={r.Iterations}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(0.0, r.X[0], 1e-4);
        Assert.Equal(0.0, r.Y[0], 1e-4);
        Assert.Equal(0.0, r.Y[1], 1e-4);
    }

    [Fact]
    public void LowerProjectionDomainReachesTheGridMinimum()
    {
        // phi(x) = (sqrt(4 - x^2) - 3)^2 + (x - 1)^2, minimised on a grid of step 1e-6.
        (double xStar, double phiStar) = KnownAnswers.DiscMinimum();
        BilevelResult r = new IgfmSolver().Solve(new DiscLower(), [0.0], [0.0, 0.0]);
        output.WriteLine($"x={r.X[0]:R} (grid {xStar}) F={r.UpperValue:R} (phi* {phiStar:R}) {r.Status} it={r.Iterations}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(xStar, r.X[0], 1e-3);
        Assert.Equal(phiStar, r.UpperValue, 1e-3);
        Assert.True((r.Y[0] * r.Y[0]) + (r.Y[1] * r.Y[1]) <= 4.0 + 1e-12);
    }

    [Fact]
    public void ModelWithoutALowerDomainIsRefusedWithAMessageSayingWhatToDeclare()
    {
        BilevelResult r = new IgfmSolver().Solve(new Counterexample(), [0.0], [0.0, 0.0]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.StartsWith("IGFM needs a compact lower-level domain", r.Message);
        Assert.Contains("[LowerBounds(lo, hi)]", r.Message);
        Assert.Contains("[LowerProjection]", r.Message);
        Assert.Equal(0, r.Iterations);
        Assert.Empty(r.History);
        Assert.Equal([0.0], r.X);
    }

    [Fact]
    public void UnboundedDomainAndConstraintsAreRefused()
    {
        BilevelResult unbounded = new IgfmSolver().Solve(new HalfLineLower(), [1.0], [0.5]);
        Assert.Equal(SolverStatus.AssumptionViolated, unbounded.Status);
        Assert.Contains("unbounded", unbounded.Message);

        BilevelResult constrained = new IgfmSolver().Solve(new ConstrainedLower(), [1.0], [0.5]);
        Assert.Equal(SolverStatus.AssumptionViolated, constrained.Status);
        Assert.Contains("[LowerConstraint]", constrained.Message);
    }

    [Fact]
    public void NonconvexLowerLevelStopsTheRun()
    {
        // -(y - x)^2 is provably nonconvex: the compile-time verdict refuses it before the run (issue 13 §1), naming the term.
        BilevelResult r = new IgfmSolver().Solve(new ConcaveLower(), [0.3], [0.0]);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Contains("the compile-time analysis proved it is not", r.Message);
        Assert.Contains("FirstOrderModels.cs(", r.Message);
    }

    [Fact]
    public void ParallelAndSequentialRunsAreIdentical()
    {
        var parallel = new IgfmSolver(new IgfmOptions { Parallelism = IgfmParallelism.Always, MaxIterations = 150, Tolerance = 0.0 });
        var sequential = new IgfmSolver(new IgfmOptions { Parallelism = IgfmParallelism.Never, MaxIterations = 150, Tolerance = 0.0 });
        var model = new MinimumNormLeastSquares(new Matrix(2, 4, [1, 2, 0, -1, 0, 1, 1, 1]), [1.0, 2.0]);
        Assert.True(parallel.RunsInParallel(model));
        Assert.False(sequential.RunsInParallel(model));
        Assert.Equal(Environment.ProcessorCount > 1, new IgfmSolver().RunsInParallel(model)); // Auto: generated kernels are thread-safe

        BilevelResult a = parallel.Solve(model, [2.0], [0.0, 0.0, 0.0, 0.0]);
        BilevelResult b = sequential.Solve(model, [2.0], [0.0, 0.0, 0.0, 0.0]);
        Assert.Equal(b.X, a.X);
        Assert.Equal(b.Y, a.Y);
        Assert.Equal(b.History.Select(h => h.UpperValue), a.History.Select(h => h.UpperValue));
        Assert.Equal(SolverStatus.IterationLimit, a.Status);
    }

    [Fact]
    public void SeedSelectsTheDirectionsAndReproducesTheRun()
    {
        // Example 5.4 with a 3-dimensional x, so that the random directions matter.
        (Matrix a, double[] b, double[] w) = KnownAnswers.AdversarialData(20, 3, seed: 11);
        var model = new AdversarialLeastSquares(a, b, w, 1.0);
        IgfmOptions options = Example54Tests.IgfmBudget(iterations: 60) with { Seed = 5 };
        BilevelResult first = new IgfmSolver(options).Solve(model, new double[3], b);
        BilevelResult again = new IgfmSolver(options).Solve(model, new double[3], b);
        BilevelResult other = new IgfmSolver(options with { Seed = 6 }).Solve(model, new double[3], b);
        Assert.Equal(first.X, again.X);
        Assert.NotEqual(first.X, other.X);
    }

    [Fact]
    public void OutputRules()
    {
        // One iteration: the uniformly chosen iterate can only be x_0; the last iterate is x_1.
        var model = new BoxedCounterexample();
        BilevelResult uniform = new IgfmSolver(new IgfmOptions { MaxIterations = 1, Output = IgfmOutput.UniformlyChosen }).Solve(model, [0.0], [0.0, 0.0]);
        Assert.Equal([0.0], uniform.X);
        BilevelResult last = new IgfmSolver(new IgfmOptions { MaxIterations = 1 }).Solve(model, [0.0], [0.0, 0.0]);
        Assert.Equal(0.2, last.X[0], 1e-3); // x_1 = x_0 - eta * phi'(x_0) = 0 - 0.1 * (-2)
        Assert.Equal(SolverStatus.IterationLimit, last.Status);

        // The best estimate over a run that moves towards x* = 1 is near the end, not the start.
        BilevelResult best = new IgfmSolver(new IgfmOptions { MaxIterations = 200, Output = IgfmOutput.BestEstimate, Tolerance = 0.0 }).Solve(model, [0.0], [0.0, 0.0]);
        Assert.Equal(1.0, best.X[0], 1e-3);
    }

    [Fact]
    public void HistoryAndProgressHaveOneEntryPerIteration()
    {
        var progress = new RecordingProgress();
        BilevelResult r = new IgfmSolver(new IgfmOptions { MaxIterations = 40, Tolerance = 0.0 }).Solve(new BoxedCounterexample(), [0.0], [0.0, 0.0], progress);
        Assert.Equal(40, r.Iterations);
        Assert.Equal(40, r.History.Count);
        Assert.Equal(40, progress.Reports.Count);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(i + 1, r.History[i].Iteration);
            Assert.Equal(r.History[i].UpperValue, progress.Reports[i].UpperValue);
            Assert.Equal(r.History[i].DirectionNorm, progress.Reports[i].DirectionNorm);
            Assert.Equal(2 * (50 + 200), r.History[i].LowerIterations); // two SGM runs of K0 + K steps
        }

        // The estimates of phi(x_t) = (x_t - 1)^2 decrease along the run.
        Assert.True(r.History[^1].UpperValue < r.History[0].UpperValue * 1e-3);
    }

    [Fact]
    public void TooLargeAStepIsDivergedNotIterationLimit()
    {
        // eta = 1.5 on phi = (x - 1)^2: x_{t+1} - 1 = (1 - 3)(x_t - 1), |x - 1| doubles every step (values stay finite).
        BilevelResult r = new IgfmSolver(new IgfmOptions { StepSize = 1.5, MaxIterations = 12, Tolerance = 0.0 }).Solve(new BoxedCounterexample(), [0.0], [0.0, 0.0]);
        output.WriteLine($"x={r.X[0]} {r.Status}: {r.Message}");
        Assert.Equal(SolverStatus.Diverged, r.Status);
        Assert.Contains("too large", r.Message);
    }

    [Fact]
    public void CancellationAndInvalidInput()
    {
        using var source = new CancellationTokenSource();
        BilevelResult cancelled = new IgfmSolver(new IgfmOptions { Tolerance = 0.0 }).Solve(new BoxedCounterexample(), [0.0], [0.0, 0.0], new CancelAfter(source, 5), source.Token);
        Assert.Equal(SolverStatus.Cancelled, cancelled.Status);
        Assert.Equal(5, cancelled.Iterations);
        Assert.NotEqual(0.0, cancelled.X[0]);

        BilevelResult nan = new IgfmSolver().Solve(new BoxedCounterexample(), [double.NaN], [0.0, 0.0]);
        Assert.Equal(SolverStatus.InvalidInput, nan.Status);
        Assert.Contains("x0[0] is NaN", nan.Message);

        BilevelResult wrong = new IgfmSolver().Solve(new ConcaveLower(), [0.0, 1.0], [0.0]);
        Assert.Equal(SolverStatus.InvalidInput, wrong.Status);
        Assert.Contains("ArgumentException", wrong.Message);

        BilevelResult wrongParallel = new IgfmSolver(new IgfmOptions { Parallelism = IgfmParallelism.Always }).Solve(new ConcaveLower(), [0.0, 1.0], [0.0]);
        Assert.Equal(SolverStatus.InvalidInput, wrongParallel.Status);
    }

    [Fact]
    public void InvalidOptionsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IgfmSolver(new IgfmOptions { StepSize = -1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IgfmSolver(new IgfmOptions { SmoothingRadius = 0.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IgfmSolver(new IgfmOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IgfmSolver(new IgfmOptions { Tolerance = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IgfmSolver(new IgfmOptions { StationarityWindow = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IgfmSolver(new IgfmOptions { Output = (IgfmOutput)9 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IgfmSolver(new IgfmOptions { Sgm = new SgmOptions { Threshold = -1.0 } }));
        Assert.Throws<ArgumentNullException>(() => new IgfmSolver(new IgfmOptions { Sgm = null! }));
        Assert.Throws<ArgumentNullException>(() => new IgfmSolver(null!));
        Assert.Throws<ArgumentNullException>(() => new IgfmSolver().Solve(null!, [0.0], [0.0]));
    }

    [Fact]
    public void IterationLoopDoesNotAllocate()
    {
        IBilevelKernels model = new BoxedCounterexample();
        foreach (IgfmParallelism parallelism in new[] { IgfmParallelism.Never, IgfmParallelism.Always })
        {
            IgfmSolver Make(int iterations) => new(new IgfmOptions
            {
                MaxIterations = iterations,
                Tolerance = 0.0,
                RecordHistory = false,
                Certificate = CertificateOptions.Off, // a fixed end-of-run cost whose messages depend on the point reached
                Parallelism = parallelism,
                Sgm = new SgmOptions { WarmupSteps = 5, Steps = 20, RecordHistory = false },
            });

            Make(3).Solve(model, [0.0], [0.0, 0.0]);
            long Measure(int iterations)
            {
                IgfmSolver solver = Make(iterations);
                return AllocationMeter.Least(() => solver.Solve(model, [0.0], [0.0, 0.0]));
            }

            long few = Measure(10);
            long many = Measure(500);
            output.WriteLine($"{parallelism}: 10 iterations {few} B, 500 iterations {many} B");
            Assert.True(many - few < 1024, $"{parallelism}: 10 iterations allocate {few} B, 500 allocate {many} B");
        }
    }
}
