using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Driver;
using Xunit;

namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// A flat hyper-objective: y*(x) = x, phi(x) = F(x, x) = 0.001 (x - 1)^2, minimum at x = 1. A point 0.005 from it has
/// phi 2.5e-8 above the minimum, far below the descent probe's 1e-6 relative threshold.
/// </summary>
[BilevelModel]
public partial class FlatValleyModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => 0.001 * (y[0] - 1) * (y[0] - 1);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => 0.5 * (y[0] - x[0]) * (y[0] - x[0]);
}

/// <summary>The certificate's stationarity probe (issue 12, acceptance 3): scale-free in F, so a flat phi cannot hide a point off its minimum.</summary>
public sealed class CertificateStationarityTests
{
    private static SolutionCertificate Certify(double x) =>
        CertificateBuilder.Build(new FlatValleyModel(), [x], [x], [0.0], 0.0, 0.0, 0.0, CertificateOptions.Default, TimeSpan.FromSeconds(1), CancellationToken.None);

    [Fact]
    public void APointFiveThousandthsOffTheMinimumOfAFlatPhiIsRejected()
    {
        SolutionCertificate c = Certify(1.005);
        Assert.False(c.Passed);
        Assert.StartsWith("upper-level stationarity probe failed", c.FailedCheck, StringComparison.Ordinal);
        Assert.Contains("has its minimum at x - 0.005", c.FailedCheck, StringComparison.Ordinal);
    }

    /// <summary>
    /// y = x - 0.0014 has gap 9.8e-7, within the 1e-6 tolerance, and F(x, y) = 2.6e-9 below phi(x) = 9e-9: the baseline
    /// stays phi(x) (y only approximates y*), so the point 0.003 off the minimum is still rejected (phi = 0 there).
    /// </summary>
    [Fact]
    public void AnApproximateLowerSolutionWithASmallerFDoesNotHideAPointOffTheMinimum()
    {
        double x = 1.003, y = x - 0.0014;
        var model = new FlatValleyModel();
        SolutionCertificate c = CertificateBuilder.Build(model, [x], [y], [0.0], model.LowerValue([x], [y]), 0.0, 0.0, CertificateOptions.Default, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.True(c.LowerGap is > 9e-7 and < 1e-6, $"gap {c.LowerGap}");
        Assert.False(c.Passed);
        Assert.StartsWith("upper-level stationarity probe failed", c.FailedCheck, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.0002)]
    public void TheMinimumAndPointsWithinTheScaleArePassed(double x)
    {
        SolutionCertificate c = Certify(x);
        Assert.True(c.Passed, c.FailedCheck);
    }
}

/// <summary>
/// Next to a jump of the lower-level solution map: Dempe &amp; Franke (2011) Ex. 4.1 (known-answer suite), x2 = -1, f = x1 y1 - y2
/// on 2 y1 &gt;= y2, y1 &lt;= 2, 0 &lt;= y2 &lt;= 2. For x1 &gt; 0 y* = (1, 2) (F = x1 + 5), for x1 &lt; 0 y* = (2, 2) (F = x1 + 8).
/// </summary>
public sealed class CertificateNearAJumpOfTheSolutionMapTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// KKT-MPEC ends at x1 = -2.5e-13, y = (1, 2 - 2e-8), F = 5 (the optimum): the re-solve's best y* = (1.25, 2) gives 5.57,
    /// the re-solve from y stays at (1, 2); the probe at x1 = +0.008 (F = 5.01) must be compared with 5, not 5.57.
    /// </summary>
    [Fact]
    public void KktMpecAtTheOptimumIsCertified()
    {
        var model = new BilevelDsl.Tests.KnownAnswerSuite.DempeFranke2011Ex41();
        BilevelResult r = new KktMpecSolver().Solve(model, [0.0, -1.0], [1.0, 1.0]);
        output.WriteLine($"{r.Status} x = [{string.Join(", ", r.X.Select(v => v.ToString("R")))}] y = [{string.Join(", ", r.Y.Select(v => v.ToString("R")))}] F = {r.UpperValue:R} gap = {r.Certificate?.LowerGap:G3}: {r.Message}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(5.0, r.UpperValue, 1e-5);
    }
}
