using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.FirstOrder;

public class BomeSolverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(-2.0, 3.0, -1.0)]
    [InlineData(4.0, -1.0, 5.0)]
    public void CounterexampleReachesXStarOne(double x0, double y10, double y20)
    {
        // x* = 1, y* = (1, 1), F* = 0; the lower level leaves y2 free (AID and ITD fail here).
        BilevelResult r = new BomeSolver().Solve(new Counterexample(), [x0], [y10, y20]);
        output.WriteLine($"start ({x0}, {y10}, {y20}): x={r.X[0]:R} y=({r.Y[0]:R}, {r.Y[1]:R}) F={r.UpperValue:E3} {r.Status} it={r.Iterations} {r.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(1.0, r.X[0], 1e-6);
        Assert.Equal(1.0, r.Y[0], 1e-6);
        Assert.Equal(1.0, r.Y[1], 1e-6);
        Assert.Equal(0.0, r.UpperValue, 1e-12);
        Assert.Equal(-1.0, r.LowerValue, 1e-6); // min_y y1^2 - 2 x y1 = -x^2
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(0.0, -1.0, 1.0)]
    [InlineData(0.0, -2.0, -2.0)]
    [InlineData(2.0, 3.0, 3.0)]
    [InlineData(2.0, 1.0, 2.0)]
    public void SinToyReachesTheKnownOptimum(double a, double x0, double y0)
    {
        // min (x - a)^2 + (y - a)^2 s.t. y in argmin sin(x + y): a = 0 gives x* = y* = -pi/4, a = 2 gives 3 pi / 4.
        double expected = a == 0.0 ? -Math.PI / 4 : 3 * Math.PI / 4;
        BilevelResult r = new BomeSolver().Solve(new SinToy { A = a }, [x0], [y0]);
        output.WriteLine($"a={a} ({x0}, {y0}): x={r.X[0]:R} y={r.Y[0]:R} F={r.UpperValue:R} f={r.LowerValue:R} {r.Status} it={r.Iterations} {r.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(expected, r.X[0], 1e-6);
        Assert.Equal(expected, r.Y[0], 1e-6);
        Assert.Equal(2 * (expected - a) * (expected - a), r.UpperValue, 1e-6);
        Assert.Equal(-1.0, r.LowerValue, 1e-10);
    }

    [Theory]
    [InlineData(2.0, 0.0, 0.0, -Math.PI / 4)]
    [InlineData(0.0, 3.0, 3.0, 3 * Math.PI / 4)]
    public void SinToyFromAStartNearAnotherBranchEndsAtThatBranchsLocalSolution(double a, double x0, double y0, double local)
    {
        // BOME is a local method: from (0, 0) with a = 2 the nearest lower-level branch is x + y = -pi/2, on which
        // F = (x - 2)^2 + (y - 2)^2 is least at x = y = -pi/4; from (3, 3) with a = 0 it is x + y = 3 pi / 2 (x = y = 3 pi / 4).
        // Those points are local solutions (lower-level optimal, and F is least there among nearby lower-level optimal
        // points), not the global ones; BVFIM's relaxed barrier reaches the global ones from these starts.
        BilevelResult r = new BomeSolver().Solve(new SinToy { A = a }, [x0], [y0]);
        output.WriteLine($"a={a} ({x0}, {y0}): x={r.X[0]:R} y={r.Y[0]:R} F={r.UpperValue:R} {r.Status}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(local, r.X[0], 1e-6);
        Assert.Equal(local, r.Y[0], 1e-6);
        Assert.Equal(-1.0, r.LowerValue, 1e-10);
    }

    [Fact]
    public void EveryStartOfAGridConvergesToALowerOptimalLocalSolution()
    {
        // The lower-level solution set of sin(x + y) is the lines x + y = -pi/2 + 2 k pi; on each, F = (x - a)^2 + (y - a)^2
        // is least at x = y = -pi/4 + k pi (the KKT points of min F s.t. q <= 0). Every run must end at one of them, with
        // Converged; which one depends on the start (BOME is local), and the global one must be among them.
        foreach (double a in new[] { 0.0, 2.0 })
        {
            double global = a == 0.0 ? -Math.PI / 4 : 3 * Math.PI / 4;
            int reachedGlobal = 0;
            double worst = 0.0;
            for (int x0 = -6; x0 <= 6; x0 += 2)
            {
                for (int y0 = -6; y0 <= 6; y0 += 2)
                {
                    BilevelResult r = new BomeSolver().Solve(new SinToy { A = a }, [x0], [y0]);
                    double branch = (-Math.PI / 4) + (Math.Round((r.X[0] + (Math.PI / 4)) / Math.PI) * Math.PI);
                    double error = Math.Max(Math.Abs(r.X[0] - branch), Math.Abs(r.Y[0] - branch));
                    worst = Math.Max(worst, error);
                    // Away from the global branch, another lower-level solution (y + 2 pi) gives a smaller F at the same x: the
                    // certificate's optimistic check then rejects BOME's Converged (issue 12), the point is still a KKT point.
                    bool optimisticRejection = r.Status == SolverStatus.NotCertified && r.Certificate?.FailedCheck?.StartsWith("optimistic", StringComparison.Ordinal) == true;
                    Assert.True((r.Status == SolverStatus.Converged || optimisticRejection) && error <= 1e-6, $"a={a} ({x0}, {y0}) -> ({r.X[0]}, {r.Y[0]}) {r.Status} {r.Message}");
                    Assert.Equal(-1.0, r.LowerValue, 1e-10);
                    if (Math.Abs(branch - global) < 1e-9)
                    {
                        reachedGlobal++;
                    }
                }
            }

            output.WriteLine($"a={a}: all 49 starts converged to x = y = -pi/4 + k pi (worst error {worst:E2}); {reachedGlobal} reached the global optimum {global:F6}");
            Assert.True(reachedGlobal >= 10, $"only {reachedGlobal} starts reached the global optimum");
        }
    }

    [Fact]
    public void BoxDomainThatIsInactiveChangesNothing()
    {
        BilevelResult r = new BomeSolver().Solve(new BoxedCounterexample(), [0.0], [0.0, 0.0]);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(1.0, r.X[0], 1e-6);
        Assert.Equal(1.0, r.Y[1], 1e-6);
    }

    [Fact]
    public void ActiveLowerDomainIsNotReportedAsConvergedAtAnInfeasiblePoint()
    {
        // On the disc model the solution lies on the domain's boundary; BOME's joint projected steps chatter there at a
        // distance of order xi, so the run must end at the iteration limit, never claim convergence.
        (double xStar, double phiStar) = KnownAnswers.DiscMinimum();
        BilevelResult r = new BomeSolver(new BomeOptions { StepSize = 0.02, MaxIterations = 5000 }).Solve(new DiscLower(), [0.0], [0.0, 0.0]);
        output.WriteLine($"x={r.X[0]:R} (x* {xStar}) y=({r.Y[0]:R}, {r.Y[1]:R}) F={r.UpperValue:R} (phi* {phiStar}) {r.Status} stationarity {r.History[^1].LowerStationarity:E2}");
        Assert.Equal(SolverStatus.IterationLimit, r.Status);
        Assert.Equal(xStar, r.X[0], 0.02);
        Assert.True((r.Y[0] * r.Y[0]) + (r.Y[1] * r.Y[1]) <= 4.0 + 1e-12);
    }

    [Fact]
    public void NonsmoothModelIsRefusedUnlessSmoothed()
    {
        BilevelResult refused = new BomeSolver().Solve(new AbsLower(), [0.0], [0.0]);
        output.WriteLine(refused.Message);
        Assert.Equal(SolverStatus.AssumptionViolated, refused.Status);
        Assert.Contains("Math.Abs(y - x)", refused.Message);
        Assert.Contains("BomeOptions.Smoothing", refused.Message);

        // phi(x) = 2 (x - 1)^2 for every mu: the smoothed |y - x| still has its minimum at y = x.
        BilevelResult smoothed = new BomeSolver(new BomeOptions { Smoothing = 1e-3 }).Solve(new AbsLower(), [0.0], [0.0]);
        Assert.Equal(SolverStatus.Converged, smoothed.Status);
        Assert.Equal(1.0, smoothed.X[0], 1e-6);
        Assert.Equal(1.0, smoothed.Y[0], 1e-6);
        IBilevelKernels exact = new AbsLower();
        Assert.Equal(exact.UpperValue(smoothed.X, smoothed.Y), smoothed.UpperValue); // values of the exact model
    }

    [Fact]
    public void LowerLevelConstraintsAreRefused()
    {
        BilevelResult r = new BomeSolver().Solve(new ConstrainedLower(), [0.0], [0.0]);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Contains("[LowerConstraint]", r.Message);
    }

    [Fact]
    public void HistoryAndProgressHaveOneEntryPerIteration()
    {
        var progress = new RecordingProgress();
        BilevelResult r = new BomeSolver().Solve(new SinToy(), [0.0], [0.0], progress);
        Assert.Equal(r.Iterations, r.History.Count);
        Assert.Equal(r.Iterations, progress.Reports.Count);
        for (int i = 0; i < r.History.Count; i++)
        {
            IterationRecord h = r.History[i];
            Assert.Equal(i + 1, h.Iteration);
            Assert.Equal(h.UpperValue, progress.Reports[i].UpperValue);
            Assert.Equal(h.LowerStationarity, progress.Reports[i].LowerStationarity);
            Assert.InRange(h.LowerIterations, 0, new BomeOptions().LowerSteps);
            Assert.True(h.LowerStationarity >= 0.0 && h.LowerStationarity <= 1.0); // |cos(x + y)|
            Assert.InRange(h.LowerValue, -1.0, 1.0); // f = sin(x + y)
        }

        // The lower-level stationarity |cos(x + y)| ends within the tolerance.
        Assert.True(r.History[^1].LowerStationarity <= new BomeOptions().LowerTolerance);
    }

    [Fact]
    public void IterationLimitCancellationAndInvalidInput()
    {
        BilevelResult limited = new BomeSolver(new BomeOptions { MaxIterations = 7 }).Solve(new SinToy(), [0.0], [0.0]);
        Assert.Equal(SolverStatus.IterationLimit, limited.Status);
        Assert.Equal(7, limited.Iterations);
        Assert.Contains("iteration limit", limited.Message);

        using var source = new CancellationTokenSource();
        BilevelResult cancelled = new BomeSolver().Solve(new SinToy(), [0.0], [0.0], new CancelAfter(source, 4), source.Token);
        Assert.Equal(SolverStatus.Cancelled, cancelled.Status);
        Assert.Equal(4, cancelled.Iterations);

        BilevelResult pre = new BomeSolver().Solve(new SinToy(), [0.5], [0.25], cancellationToken: new CancellationToken(true));
        Assert.Equal(SolverStatus.Cancelled, pre.Status);
        Assert.Equal([0.5], pre.X);
        Assert.Equal([0.25], pre.Y);

        BilevelResult nan = new BomeSolver().Solve(new SinToy(), [0.0], [double.NaN]);
        Assert.Equal(SolverStatus.InvalidInput, nan.Status);
        Assert.Contains("y0[0] is NaN", nan.Message);

        BilevelResult wrong = new BomeSolver().Solve(new SinToy(), [0.0, 1.0], [0.0]);
        Assert.Equal(SolverStatus.InvalidInput, wrong.Status);
        Assert.Contains("ArgumentException", wrong.Message);
    }

    [Fact]
    public void HugeStepDivergesInsteadOfReturningGarbage()
    {
        BilevelResult r = new BomeSolver(new BomeOptions { StepSize = 1e308 }).Solve(new Counterexample(), [3.0], [0.0, 0.0]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.Diverged, r.Status);
        Assert.Contains("non-finite", r.Message);
        Assert.Equal([3.0], r.X); // the last finite iterate
    }

    [Fact]
    public void InvalidOptionsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { StepSize = 0.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { Eta = 0.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { LowerSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { LowerStepSize = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { LowerStepSize = 2.0, MaxLowerStepSize = 1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { Smoothing = -1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { Tolerance = -1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BomeSolver(new BomeOptions { LowerTolerance = double.PositiveInfinity }));
        Assert.Throws<ArgumentNullException>(() => new BomeSolver(null!));
        Assert.Throws<ArgumentNullException>(() => new BomeSolver().Solve(null!, [0.0], [0.0]));
    }

    [Fact]
    public void IterationLoopDoesNotAllocate()
    {
        IBilevelKernels model = new SinToy();
        // The certificate off: its re-solves and descent probe depend on where the run ends, not on the iteration loop.
        BomeSolver Make(int iterations) => new(new BomeOptions { MaxIterations = iterations, RecordHistory = false, Tolerance = 0.0, Certificate = CertificateOptions.Off });
        Make(3).Solve(model, [0.0], [0.0]);
        long Measure(int iterations)
        {
            BomeSolver solver = Make(iterations);
            return AllocationMeter.Least(() => solver.Solve(model, [0.0], [0.0]));
        }

        long few = Measure(10);
        long many = Measure(1000);
        output.WriteLine($"allocated: 10 iterations {few} B, 1000 iterations {many} B");
        Assert.True(Math.Abs(many - few) <= AllocationMeter.LoopMargin, $"10 iterations allocate {few} B, 1000 allocate {many} B");
    }
}
