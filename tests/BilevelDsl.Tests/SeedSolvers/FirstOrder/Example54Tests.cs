using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Inner;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.FirstOrder;

/// <summary>
/// The IGFM seed's Example 5.4 / Section 7.1 (adversarial training with least squares) on a synthetic data set: M diagonal with
/// half its entries evenly spaced in [1e-9, 1] and the other half zero, lambda = 1. The lower level is convex but not strongly
/// convex (the zero weights leave half of y free), and its Hessian is singular, which is what defeats AID.
/// </summary>
public class Example54Tests(ITestOutputHelper output)
{
    private const int Samples = 40;
    private const int Features = 5;
    private const int UpperIterations = 500;
    private const int LowerStepsPerSolve = 10;

    /// <summary>
    /// IGFM on the seed's budget: T upper iterations; each of its two SGM calls per iteration takes K0 + K = 10 lower-level steps
    /// (K0 = 2, K = 8). tau = 20 = 1/L of f (L = (1 + lambda) max(w) / n = 0.05), theta = 1e-4 (the seed tunes theta in
    /// {1e-1, 1e-2, 1e-3}), eta = 0.5, delta = 1e-3 (the seed's).
    /// </summary>
    internal static IgfmOptions IgfmBudget(int iterations) => new()
    {
        MaxIterations = iterations,
        StepSize = 0.5,
        SmoothingRadius = 1e-3,
        Tolerance = 0.0,
        Sgm = new SgmOptions { WarmupSteps = 2, Steps = LowerStepsPerSolve - 2, StepSize = 20.0, Threshold = 1e-4, RecordHistory = false },
    };

    [Fact]
    public void IgfmReachesALowerUpperValueThanAidOnTheSameBudget()
    {
        (Matrix a, double[] b, double[] w) = KnownAnswers.AdversarialData(Samples, Features, seed: 7);
        var model = new AdversarialLeastSquares(a, b, w, lambda: 1.0);
        double[] x0 = new double[Features];
        double[] y0 = (double[])b.Clone(); // the unperturbed labels

        double phiStart = KnownAnswers.AdversarialPhi(a, b, w, 1.0, x0);
        double phiStar = KnownAnswers.AdversarialPhi(a, b, w, 1.0, KnownAnswers.AdversarialMinimizer(a, b, w));

        BilevelResult igfm = new IgfmSolver(IgfmBudget(UpperIterations)).Solve(model, x0, y0);
        var aidOptions = new AidCgOptions
        {
            MaxIterations = UpperIterations,
            LowerLevel = new LowerSolverOptions { MaxSteps = LowerStepsPerSolve },
        };
        BilevelResult aid = new AidCgSolver(aidOptions).Solve(model, x0, y0);

        double phiIgfm = KnownAnswers.AdversarialPhi(a, b, w, 1.0, igfm.X);
        double phiAid = KnownAnswers.AdversarialPhi(a, b, w, 1.0, aid.X);
        output.WriteLine($"phi(x0) = {phiStart:F6}, phi* = {phiStar:F6} (closed form)");
        output.WriteLine($"IGFM: phi(x) = {phiIgfm:F6}, F(x, y) = {igfm.UpperValue:F6}, {igfm.Status}, {igfm.Iterations} iterations, {igfm.Elapsed.TotalMilliseconds:F0} ms");
        output.WriteLine($"AID-CG: phi(x) = {phiAid:F6}, F(x, y) = {aid.UpperValue:F6}, {aid.Status}, {aid.Iterations} iterations: {aid.Message}");

        // The returned F values are those of the exact model at the returned (x, y).
        IBilevelKernels k = model;
        Assert.Equal(k.UpperValue(igfm.X, igfm.Y), igfm.UpperValue);

        // IGFM: the budget is spent (no convergence test), the lower level at the returned x is solved to its threshold.
        Assert.Equal(SolverStatus.IterationLimit, igfm.Status);
        Assert.Equal(UpperIterations, igfm.Iterations);
        Assert.All(igfm.History, h => Assert.Equal(2 * LowerStepsPerSolve, h.LowerIterations));

        // The comparison the seed's Table 2 makes: the hyper-objective reached, measured exactly.
        Assert.True(phiIgfm < phiAid, $"IGFM phi {phiIgfm} vs AID phi {phiAid}");
        Assert.True(igfm.UpperValue < aid.UpperValue, $"IGFM F {igfm.UpperValue} vs AID F {aid.UpperValue}");

        // And IGFM is close to the optimum, which AID cannot approach: the entry with weight 1e-9 is invisible at theta = 1e-4 (it
        // changes f by about 1e-11), so IGFM minimises phi without that row, 3% above phi*.
        Assert.True(phiIgfm <= 1.05 * phiStar, $"IGFM phi {phiIgfm} vs phi* {phiStar}");
        Assert.True(phiIgfm < 0.1 * phiStart);

        // AID does not silently return a wrong answer: it stops and says the lower level is not strongly convex.
        Assert.NotEqual(SolverStatus.Converged, aid.Status);
    }
}
