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

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.0002)]
    public void TheMinimumAndPointsWithinTheScaleArePassed(double x)
    {
        SolutionCertificate c = Certify(x);
        Assert.True(c.Passed, c.FailedCheck);
    }
}
