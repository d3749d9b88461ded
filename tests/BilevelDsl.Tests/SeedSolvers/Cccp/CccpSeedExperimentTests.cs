using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.Cccp;

/// <summary>
/// The seed's synthetic experiment (Sec. 5): x, y in R^10, F = sin(c'x + d'y) + ln(||x + y||^2 + 1), lower level
/// 1/2 (y + x)'A(y + x) with A = B'B, B of rank 6. Theorem 4.3: min_{k &lt;= K} ||g_k||^2 &lt;= 2 rho (F(z_1) - inf F) / K for rho &gt;= L.
/// </summary>
public class CccpSeedExperimentTests(ITestOutputHelper output)
{
    /// <summary>Least-squares slope of ln(values[k-1]) against ln(k), k = 1..values.Length.</summary>
    private static double LogLogSlope(IReadOnlyList<double> values)
    {
        int n = values.Count;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int k = 1; k <= n; k++)
        {
            double lx = Math.Log(k), ly = Math.Log(values[k - 1]);
            sx += lx;
            sy += ly;
            sxx += lx * lx;
            sxy += lx * ly;
        }

        return ((n * sxy) - (sx * sy)) / ((n * sxx) - (sx * sx));
    }

    /// <summary>min_{j &lt;= k} ||g_j||^2 for k = 1..K from the history (DirectionNorm is ||g_k|| = rho ||z_k - z_k+1||).</summary>
    private static double[] RunningMinimum(IReadOnlyList<IterationRecord> history)
    {
        double[] best = new double[history.Count];
        double running = double.PositiveInfinity;
        for (int k = 0; k < history.Count; k++)
        {
            running = Math.Min(running, history[k].DirectionNorm * history[k].DirectionNorm);
            best[k] = running;
        }

        return best;
    }

    [Theory]
    [InlineData(2024)]
    [InlineData(1)]
    [InlineData(2)]
    public void ProjectedGradientDecaysAtLeastLikeOneOverKAndTheGapStaysBelowEpsilon(int seed)
    {
        SeedProblem problem = SeedProblem.Create(seed);
        const double epsilon = 1e-3;
        double rho = problem.L; // rho >= L, as Theorem 4.3 requires
        var solver = new CccpSolver(new CccpOptions { Rho = rho, AdaptiveRho = false, Epsilon = epsilon, MaxIterations = 3000, Tolerance = 1e-7 });
        BilevelResult result = solver.Solve(problem.Model, problem.X0, problem.Y0);
        output.WriteLine($"seed {seed}, rho = L = {rho:F3}: {result.Status} after {result.Iterations} iterations, {result.Elapsed.TotalMilliseconds:F0} ms: {result.Message}");
        Assert.Equal(SolverStatus.Converged, result.Status);

        IReadOnlyList<IterationRecord> history = result.History;
        double[] best = RunningMinimum(history);
        foreach (int k in new[] { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 })
        {
            if (k <= best.Length)
            {
                output.WriteLine($"k = {k,5}: min ||g||^2 = {best[k - 1]:E3}, F = {history[k - 1].UpperValue:F9}, gap = {history[k - 1].LowerValue:E3}");
            }
        }

        // Theorem 4.3 with inf F = -1 (sin >= -1, ln >= 0): min_{j <= k} ||g_j||^2 <= 2 rho (F(z_1) + 1) / k for every k.
        double upperStart = history[0].UpperValue;
        for (int k = 1; k <= best.Length; k++)
        {
            double bound = 2 * rho * (upperStart + 1) / k;
            Assert.True(best[k - 1] <= bound, $"k = {k}: min ||g||^2 = {best[k - 1]:E3} above the bound 2 rho (F(z_1) - inf F) / k = {bound:E3}");
        }

        // The fitted log-log slope of min ||g_j||^2 against k: -1 or steeper.
        double slope = LogLogSlope(best);
        output.WriteLine($"log-log slope of min_j<=k ||g_j||^2 over k = 1..{best.Length}: {slope:F3}");
        Assert.True(slope <= -0.9, $"slope {slope:F3}");

        // The lower-level gap g - v = 1/2 (x + y)'A(x + y) (v = 0), from the data: at most eps at the last iterate and along
        // the run, and the value-function constraint was active on the way (the projection did work).
        double finalGap = problem.Gap(result.X, result.Y);
        output.WriteLine($"final gap {finalGap:E3} (eps = {epsilon}); largest gap along the run {history.Max(h => h.LowerValue):E6}; iterations with the constraint active: {history.Count(h => h.LowerValue >= 0.99 * epsilon)}");
        Assert.True(finalGap <= epsilon, $"final gap {finalGap:E3}");
        Assert.All(history, h => Assert.True(h.LowerValue <= epsilon, $"iteration {h.Iteration}: gap {h.LowerValue:R}"));
        Assert.Contains(history, h => h.LowerValue >= 0.99 * epsilon);

        // The kernels compute the seed's F: the reported value matches F evaluated from the data.
        Assert.Equal(problem.Upper(result.X, result.Y), result.UpperValue, 1e-12);
        Assert.Equal(finalGap, result.LowerValue, 1e-12);
        Assert.Equal(-1.0, result.UpperValue, 1e-9);
    }

    [Fact]
    public void DefaultOptionsWithAdaptiveRhoSolveTheSeedProblem()
    {
        // No knowledge of L: rho starts from a curvature estimate and doubles when the descent inequality fails.
        SeedProblem problem = SeedProblem.Create(2024);
        const double epsilon = 1e-4;
        BilevelResult result = new CccpSolver(new CccpOptions { Epsilon = epsilon }).Solve(problem.Model, problem.X0, problem.Y0);
        double gap = problem.Gap(result.X, result.Y);
        output.WriteLine($"{result.Status} after {result.Iterations} iterations ({result.Elapsed.TotalMilliseconds:F0} ms), F = {result.UpperValue:F9}, gap = {gap:E3}: {result.Message}");
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.Equal(-1.0, result.UpperValue, 1e-9);
        Assert.True(gap <= epsilon, $"gap {gap:E3}");
        Assert.All(result.History, h => Assert.True(h.LowerValue <= epsilon, $"iteration {h.Iteration}: gap {h.LowerValue:R}"));
        for (int k = 1; k < result.History.Count; k++)
        {
            Assert.True(result.History[k].UpperValue <= result.History[k - 1].UpperValue + 1e-9, $"F increased at iteration {k + 1}");
        }
    }

    [Fact]
    public void IterationsToAccuracyGrowWithRho()
    {
        // Figure 1 (right) of the seed: the iterations needed for ||g_k|| <= 1e-3 grow with rho (the bound is linear in rho).
        SeedProblem problem = SeedProblem.Create(2024);
        int previous = 0;
        foreach (double factor in new[] { 1.0, 2.0, 4.0 })
        {
            double rho = factor * problem.L;
            var solver = new CccpSolver(new CccpOptions { Rho = rho, AdaptiveRho = false, Epsilon = 1e-3, MaxIterations = 3000, Tolerance = 1e-3 });
            BilevelResult result = solver.Solve(problem.Model, problem.X0, problem.Y0);
            output.WriteLine($"rho = {factor} L = {rho:F2}: {result.Status} after {result.Iterations} iterations ({result.Elapsed.TotalMilliseconds:F0} ms)");
            Assert.Equal(SolverStatus.Converged, result.Status);
            Assert.True(result.Iterations > previous, $"rho = {factor} L needed {result.Iterations} iterations, not more than {previous} at the smaller rho");
            previous = result.Iterations;
        }
    }

    [Theory]
    [InlineData(1e-1)]
    [InlineData(1e-2)]
    [InlineData(1e-4)]
    public void GapAtTheLastIterateIsBelowEpsilon(double epsilon)
    {
        // Figure 2 (left) of the seed: g - v at the last iterate stays below eps for every eps.
        SeedProblem problem = SeedProblem.Create(2024);
        var solver = new CccpSolver(new CccpOptions { Rho = problem.L, AdaptiveRho = false, Epsilon = epsilon, MaxIterations = 3000, Tolerance = 1e-6 });
        BilevelResult result = solver.Solve(problem.Model, problem.X0, problem.Y0);
        double gap = problem.Gap(result.X, result.Y);
        output.WriteLine($"eps = {epsilon}: {result.Status} after {result.Iterations} iterations, F = {result.UpperValue:F9}, gap = {gap:E3}, largest gap {result.History.Max(h => h.LowerValue):E6}");
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.True(gap <= epsilon, $"gap {gap:E3}");
        Assert.All(result.History, h => Assert.True(h.LowerValue <= epsilon, $"iteration {h.Iteration}: gap {h.LowerValue:R}"));
    }
}
