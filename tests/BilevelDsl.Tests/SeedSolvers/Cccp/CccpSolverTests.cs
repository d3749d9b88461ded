using BilevelDsl.Numerics;
using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.Cccp;

/// <summary>
/// CCCP-BO on problems with answers derived here by hand (the relaxed problem min F s.t. g - v &lt;= eps solved in closed
/// form or by a one-dimensional search), its refusals, and the bookkeeping every solver shares.
/// </summary>
public class CccpSolverTests(ITestOutputHelper output)
{
    private static CccpSolver Solver(double epsilon = 1e-2, double rho = 1.0, bool adaptive = true, int maxIterations = 5000) =>
        new(new CccpOptions { Epsilon = epsilon, Rho = rho, AdaptiveRho = adaptive, MaxIterations = maxIterations, Tolerance = 1e-9 });

    /// <summary>
    /// How close to the exact answer of the eps-relaxed problem a run gets: D_k uses eps less a margin of the inner
    /// solvers' tolerances (a few 1e-9), and an answer on the boundary g - v = eps moves by about margin / sqrt(2 eps).
    /// </summary>
    private static double PositionTolerance(double epsilon) => 1e-8 / Math.Sqrt(epsilon);

    private void Report(string name, BilevelResult r) =>
        output.WriteLine($"{name}: {r.Status} after {r.Iterations} iterations, {r.Elapsed.TotalMilliseconds:F1} ms, x = [{string.Join(", ", r.X.Select(v => v.ToString("R")))}], y = [{string.Join(", ", r.Y.Select(v => v.ToString("R")))}]; {r.Message}");

    [Theory]
    [InlineData(1e-2)]
    [InlineData(1e-4)]
    public void BandAnswerHasTheValueFunctionConstraintActive(double epsilon)
    {
        // min x^2 + (y - 2)^2 over |y - x| <= r = sqrt(2 eps): the projection of (0, 2) onto the band, (1 - r/2, 1 + r/2).
        double r = Math.Sqrt(2 * epsilon);
        BilevelResult result = Solver(epsilon, rho: 2.0, adaptive: false).Solve(new CccpBand(), [-1.0], [0.5]);
        Report($"band eps={epsilon}", result);
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.Equal(1 - (r / 2), result.X[0], PositionTolerance(epsilon));
        Assert.Equal(1 + (r / 2), result.Y[0], PositionTolerance(epsilon));
        Assert.Equal(2 * Math.Pow(1 - (r / 2), 2), result.UpperValue, PositionTolerance(epsilon));

        // g - v = (y - x)^2 / 2 (v = 0) is at most eps and, the constraint being active, within the solver's margin of it.
        double gap = 0.5 * Math.Pow(result.Y[0] - result.X[0], 2);
        Assert.True(gap <= epsilon, $"gap {gap:R} > eps {epsilon}");
        Assert.True(gap >= epsilon - 1e-8, $"gap {gap:R} is not at eps {epsilon}");
        Assert.All(result.History, h => Assert.True(h.LowerValue <= epsilon, $"iteration {h.Iteration}: gap {h.LowerValue:R}"));
    }

    [Fact]
    public void UpperDomainIsHonoured()
    {
        // x <= 0.5 cuts off the band's answer: (0.5, 0.5 + r).
        const double epsilon = 1e-2;
        double r = Math.Sqrt(2 * epsilon);
        BilevelResult result = Solver(epsilon).Solve(new CccpBoundedBand(), [-1.0], [0.5]);
        Report("bounded band", result);
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.True(result.X[0] <= 0.5);
        Assert.Equal(0.5, result.X[0], 1e-12);
        Assert.Equal(0.5 + r, result.Y[0], PositionTolerance(epsilon));
    }

    [Fact]
    public void ActiveLowerConstraintMultiplierGivesTheSubgradient()
    {
        // Lower level min { y^2/2 + x : x - y <= 0 }: for x >= 0, y_x = x with multiplier gamma = x, v(x) = x^2/2 + x and
        // xi = dg/dx + gamma du/dx = 1 + x. The relaxed set is x <= y <= sqrt(x^2 + 2 eps); F = (x - 2)^2 + (y - 3)^2 is
        // minimised on its upper edge, at the x minimising phi(x) = (x - 2)^2 + (sqrt(x^2 + 2 eps) - 3)^2 (golden section).
        const double epsilon = 1e-2;
        double Phi(double x) => Math.Pow(x - 2, 2) + Math.Pow(Math.Sqrt((x * x) + (2 * epsilon)) - 3, 2);
        double lo = 0, hi = 5;
        double ratio = (Math.Sqrt(5) - 1) / 2;
        for (int it = 0; it < 200; it++)
        {
            double a = hi - (ratio * (hi - lo)), b = lo + (ratio * (hi - lo));
            if (Phi(a) < Phi(b))
            {
                hi = b;
            }
            else
            {
                lo = a;
            }
        }

        double xStar = 0.5 * (lo + hi);
        double yStar = Math.Sqrt((xStar * xStar) + (2 * epsilon));

        BilevelResult result = Solver(epsilon).Solve(new CccpActiveConstraint(), [0.5], [1.0]);
        Report("active constraint", result);
        output.WriteLine($"expected x* = {xStar:R}, y* = {yStar:R}");
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.Equal(xStar, result.X[0], PositionTolerance(epsilon));
        Assert.Equal(yStar, result.Y[0], PositionTolerance(epsilon));
        Assert.True(result.Y[0] >= result.X[0] - 1e-9, "the lower-level constraint x - y <= 0 is violated");
        double gap = (0.5 * result.Y[0] * result.Y[0]) - (0.5 * result.X[0] * result.X[0]);
        Assert.True(gap <= epsilon, $"gap {gap:R}");
    }

    [Fact]
    public void LowerDomainIsHonoured()
    {
        // y in [-1, 1]: y_x = clamp(x), v(x) = max(|x| - 1, 0)^2 / 2; the answer is (3, 1).
        BilevelResult result = Solver(1e-3).Solve(new CccpLowerBox(), [0.0], [0.0]);
        Report("lower box", result);
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.Equal(3.0, result.X[0], 1e-7);
        Assert.Equal(1.0, result.Y[0], 1e-9);
        Assert.Equal(1.0, result.UpperValue, 1e-7);
    }

    [Fact]
    public void AdaptiveRhoRaisesRhoWhereTheCurvatureEstimateIsTooSmall()
    {
        // Starting at (2, 2), grad F = (4, 0) points along the soft direction: the first rho (the curvature along it) is 2,
        // but grad F is 32-Lipschitz; the descent test must raise rho on the way.
        const double epsilon = 1e-2;
        double r = Math.Sqrt(2 * epsilon);
        double xStar = 16 * (2 - r) / 17;
        BilevelResult result = Solver(epsilon, rho: 0.01).Solve(new CccpStiffBand(), [2.0], [2.0]);
        Report("adaptive rho", result);
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.Equal(xStar, result.X[0], PositionTolerance(epsilon));
        Assert.Equal(xStar + r, result.Y[0], PositionTolerance(epsilon));
        double rho = double.Parse(System.Text.RegularExpressions.Regex.Match(result.Message, @"rho = ([0-9.E+-]+)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(rho >= 16, $"final rho {rho}");

        // With rho large enough each step satisfies F(z+) <= F(z) - ||g||^2 / (2 rho) (Eq. 20), so F decreases (up to the
        // inner solvers' tolerances, which perturb D_k by about 1e-9).
        for (int k = 1; k < result.History.Count; k++)
        {
            Assert.True(result.History[k].UpperValue <= result.History[k - 1].UpperValue + 1e-9, $"F increased at iteration {k + 1} by {result.History[k].UpperValue - result.History[k - 1].UpperValue:E3}");
        }
    }

    [Fact]
    public void NonsmoothLowerLevelIsRefusedWithoutSmoothingAndSolvedWithIt()
    {
        BilevelResult refused = Solver().Solve(new CccpAbsLower(), [0.0], [0.0]);
        Report("abs lower, exact", refused);
        Assert.Equal(SolverStatus.AssumptionViolated, refused.Status);
        Assert.Contains("Lower", refused.Message);
        Assert.Contains("Smoothing", refused.Message);
        Assert.Equal(0, refused.Iterations);

        // Smoothed |t| = sqrt(t^2 + mu^2): v = mu and the relaxed set is |y - x| <= r' = sqrt((eps + mu)^2 - mu^2); the
        // answer is the projection of (1, 2) onto that band, (1.5 - r'/2, 1.5 + r'/2).
        const double epsilon = 1e-2, mu = 1e-3;
        double band = Math.Sqrt(Math.Pow(epsilon + mu, 2) - (mu * mu));
        var solver = new CccpSolver(new CccpOptions { Epsilon = epsilon, Smoothing = mu, Tolerance = 1e-9 });
        BilevelResult smoothed = solver.Solve(new CccpAbsLower(), [0.0], [0.0]);
        Report("abs lower, smoothed", smoothed);

        // The method's own test holds for the smoothed model, but on the exact |y - x| the gap is r' = 0.011 > epsilon: the
        // certificate (which judges the user's model) says so and gives the achievable F(x, y*) at y* = x.
        Assert.Equal(SolverStatus.NotCertified, smoothed.Status);
        Assert.Contains("the method reported: Converged", smoothed.Message, StringComparison.Ordinal);
        Assert.NotNull(smoothed.Certificate);
        Assert.Equal(band, smoothed.Certificate.LowerGap, 1e-6);
        Assert.Equal(Math.Pow(smoothed.X[0] - 1.0, 2) + Math.Pow(smoothed.X[0] - 2.0, 2), smoothed.Certificate.UpperValueAtLowerSolution, 1e-5);
        Assert.Equal(1.5 - (band / 2), smoothed.X[0], PositionTolerance(epsilon));
        Assert.Equal(1.5 + (band / 2), smoothed.Y[0], PositionTolerance(epsilon));
        Assert.Equal(Math.Abs(smoothed.Y[0] - smoothed.X[0]), smoothed.LowerValue, 1e-15); // reported with the exact model
    }

    [Fact]
    public void NonsmoothUpperLevelIsRefused()
    {
        BilevelResult result = Solver().Solve(new CccpAbsUpper(), [0.0], [0.0]);
        Report("abs upper", result);
        Assert.Equal(SolverStatus.AssumptionViolated, result.Status);
        Assert.Contains("Upper", result.Message);
        Assert.Contains("Smoothing", result.Message);
    }

    [Fact]
    public void NonconvexLowerObjectiveIsDetected()
    {
        BilevelResult result = Solver().Solve(new CccpNonconvexLower(), [0.0], [0.0]);
        Report("nonconvex lower", result);
        Assert.Equal(SolverStatus.AssumptionViolated, result.Status);
        Assert.Contains("convex", result.Message);
        Assert.Contains("Lower", result.Message); // names the user's method
        Assert.Contains("negative curvature", result.Message);
    }

    [Fact]
    public void NonconvexLowerConstraintIsDetected()
    {
        BilevelResult result = Solver().Solve(new CccpNonconvexConstraint(), [0.0], [0.5]);
        Report("nonconvex constraint", result);
        Assert.Equal(SolverStatus.AssumptionViolated, result.Status);
        Assert.Contains("convex", result.Message);
    }

    [Fact]
    public void ConvexityProbeCanBeTurnedOff()
    {
        var solver = new CccpSolver(new CccpOptions { ConvexityTolerance = double.PositiveInfinity, MaxIterations = 5 });
        BilevelResult result = solver.Solve(new CccpNonconvexLower(), [0.0], [0.0]);
        Report("nonconvex lower, probe off", result);
        Assert.NotEqual(SolverStatus.AssumptionViolated, result.Status);
    }

    [Fact]
    public void InfeasibleLowerLevelIsReported()
    {
        BilevelResult result = Solver().Solve(new CccpInfeasibleLower(), [0.0], [0.0]);
        Report("infeasible lower", result);
        Assert.Equal(SolverStatus.LowerLevelNotConverged, result.Status);
        Assert.Contains("infeasible", result.Message);
    }

    [Fact]
    public void UnboundedLowerLevelIsReported()
    {
        var solver = new CccpSolver(new CccpOptions { LowerLevel = new AugmentedLagrangianOptions { MaxSubproblemSteps = 200, StationarityTolerance = 1e-9, FeasibilityTolerance = 1e-9 } });
        BilevelResult result = solver.Solve(new CccpUnboundedLower(), [0.0], [0.0]);
        Report("unbounded lower", result);
        Assert.Equal(SolverStatus.LowerLevelNotConverged, result.Status);
        Assert.Equal(0, result.Iterations);
    }

    [Fact]
    public void InvalidStartsAreRejected()
    {
        CccpSolver solver = Solver();
        BilevelResult empty = solver.Solve(new CccpBand(), [], [0.0]);
        Assert.Equal(SolverStatus.InvalidInput, empty.Status);
        Assert.Contains("x0", empty.Message);
        BilevelResult nan = solver.Solve(new CccpBand(), [0.0], [double.NaN]);
        Assert.Equal(SolverStatus.InvalidInput, nan.Status);
        Assert.Contains("y0", nan.Message);
        BilevelResult wrongLength = solver.Solve(new CccpBand(), [0.0, 1.0], [0.0]);
        Report("wrong length", wrongLength);
        Assert.Equal(SolverStatus.InvalidInput, wrongLength.Status);
        Assert.True(double.IsNaN(wrongLength.UpperValue));
        Assert.Throws<ArgumentNullException>(() => solver.Solve(null!, [0.0], [0.0]));
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Rho = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Rho = double.PositiveInfinity }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Rho = 10, MaxRho = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Epsilon = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Epsilon = 1e-11 })); // below the projection's feasibility tolerance
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Tolerance = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Smoothing = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { ConvexityTolerance = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CccpSolver(new CccpOptions { Projection = new AugmentedLagrangianOptions { PenaltyGrowth = 0.5 } }));
        Assert.Throws<ArgumentNullException>(() => new CccpSolver(new CccpOptions { LowerLevel = null! }));
        Assert.Throws<ArgumentNullException>(() => new CccpSolver(null!));
    }

    [Fact]
    public void ProgressHistoryAndTimingAgree()
    {
        var reports = new List<SolverProgress>();
        var progress = new SynchronousProgress(reports.Add);
        BilevelResult result = Solver(maxIterations: 40).Solve(new CccpActiveConstraint(), [0.5], [1.0], progress);
        Assert.Equal(result.Iterations, result.History.Count);
        Assert.Equal(result.Iterations, reports.Count);
        for (int k = 0; k < reports.Count; k++)
        {
            Assert.Equal(k + 1, reports[k].Iteration);
            Assert.Equal(result.History[k].UpperValue, reports[k].UpperValue);
            Assert.Equal(result.History[k].DirectionNorm, reports[k].DirectionNorm);
            Assert.True(result.History[k].Elapsed <= result.Elapsed);
            Assert.True(k == 0 || result.History[k].Elapsed >= result.History[k - 1].Elapsed);
        }

        Assert.True(result.Elapsed > TimeSpan.Zero);

        BilevelResult quiet = new CccpSolver(Solver(maxIterations: 40).Options with { RecordHistory = false }).Solve(new CccpActiveConstraint(), [0.5], [1.0]);
        Assert.Empty(quiet.History);
        Assert.Equal(result.X, quiet.X);
    }

    [Fact]
    public void IterationLimitReturnsTheLastIterateWithItsGap()
    {
        BilevelResult result = Solver(epsilon: 1e-2, rho: 50, adaptive: false, maxIterations: 3).Solve(new CccpBand(), [-1.0], [0.5]);
        Report("iteration limit", result);
        Assert.Equal(SolverStatus.IterationLimit, result.Status);
        Assert.Equal(3, result.Iterations);
        Assert.Contains("gap", result.Message);
        Assert.True(0.5 * Math.Pow(result.Y[0] - result.X[0], 2) <= 1e-2);
    }

    [Fact]
    public void CancellationEndsTheRunWithTheLastIterate()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        BilevelResult before = Solver().Solve(new CccpBand(), [-1.0], [0.5], cancellationToken: cancelled.Token);
        Report("cancelled before", before);
        Assert.Equal(SolverStatus.Cancelled, before.Status);
        Assert.Equal(0, before.Iterations);

        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Iteration == 3)
            {
                cts.Cancel();
            }
        });
        BilevelResult during = Solver(epsilon: 1e-2, rho: 50, adaptive: false).Solve(new CccpBand(), [-1.0], [0.5], progress, cts.Token);
        Report("cancelled during", during);
        Assert.Equal(SolverStatus.Cancelled, during.Status);
        Assert.Equal(3, during.Iterations);
        Assert.Equal(3, during.History.Count);
        Assert.True(double.IsFinite(during.UpperValue));
        Assert.True(0.5 * Math.Pow(during.Y[0] - during.X[0], 2) <= 1e-2, "the last iterate keeps the gap <= eps");
    }

    [Fact]
    public void IterationLoopDoesNotAllocate()
    {
        SeedProblem problem = SeedProblem.Create(7);
        long Allocated(int iterations)
        {
            // The certificate off: its re-solves and probes depend on where the run ends, not on the iteration loop.
            var solver = new CccpSolver(new CccpOptions { Rho = problem.L, AdaptiveRho = false, MaxIterations = iterations, Tolerance = 0, RecordHistory = false, Certificate = CertificateOptions.Off });
            BilevelResult warmUp = solver.Solve(problem.Model, problem.X0, problem.Y0); // warm-up (JIT, tiering)
            output.WriteLine($"{iterations}: {warmUp.Status}: {warmUp.Message}");
            Assert.Equal(SolverStatus.IterationLimit, warmUp.Status); // every iteration ran (and no false alarm of the convexity probe)
            solver.Solve(problem.Model, problem.X0, problem.Y0);
            long least = long.MaxValue;
            for (int repeat = 0; repeat < 3; repeat++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                solver.Solve(problem.Model, problem.X0, problem.Y0);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            return least;
        }

        long short10 = Allocated(10), long210 = Allocated(210);
        output.WriteLine($"allocated: {short10} bytes for 10 iterations, {long210} bytes for 210");
        Assert.True(Math.Abs(long210 - short10) <= AllocationMeter.LoopMargin, $"{long210 - short10} bytes more for 200 more iterations");
    }

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<SolverProgress> action) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value) => action(value);
    }
}
