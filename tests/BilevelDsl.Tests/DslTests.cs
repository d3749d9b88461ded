using Xunit;

namespace BilevelDsl.Tests;

public class DslTests
{
    private static readonly double[] Long = Enumerable.Range(0, 1000).Select(i => Math.Sin(i * 0.37) * 3.0).ToArray();
    private static readonly double[] LongOther = Enumerable.Range(0, 1000).Select(i => Math.Cos(i * 0.11)).ToArray();

    [Fact]
    public void DotMatchesTheDefinition()
    {
        Assert.Equal(32.0, Dsl.Dot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]));
        Assert.Equal(0.0, Dsl.Dot([], []));
        double expected = 0.0;
        for (int i = 0; i < Long.Length; i++)
        {
            expected += Long[i] * LongOther[i];
        }

        Assert.Equal(expected, Dsl.Dot(Long, LongOther), 1e-10);
    }

    [Fact]
    public void DotRejectsLengthMismatch()
    {
        var ex = Assert.Throws<ArgumentException>(() => Dsl.Dot([1.0, 2.0], [1.0]));
        Assert.Contains("lengths 2 and 1", ex.Message);
    }

    [Fact]
    public void SquaredNormAndSum()
    {
        Assert.Equal(14.0, Dsl.SquaredNorm([1.0, -2.0, 3.0]));
        Assert.Equal(2.0, Dsl.Sum([1.0, -2.0, 3.0]));
        Assert.Equal(0.0, Dsl.SquaredNorm([]));
        Assert.Equal(0.0, Dsl.Sum([]));
        Assert.Equal(Long.Sum(), Dsl.Sum(Long), 1e-10);
        Assert.Equal(Long.Sum(v => v * v), Dsl.SquaredNorm(Long), 1e-9);
    }

    [Fact]
    public void LogSumExpClosedForms()
    {
        Assert.Equal(Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), Dsl.LogSumExp([1.0, 2.0, 3.0]), 1e-14);
        Assert.Equal(5.0, Dsl.LogSumExp([5.0]));
        Assert.Equal(Math.Log(4.0), Dsl.LogSumExp([0.0, 0.0, 0.0, 0.0]), 1e-15);
        double naive = Math.Log(Long.Sum(Math.Exp));
        Assert.Equal(naive, Dsl.LogSumExp(Long), 1e-12);
    }

    [Fact]
    public void LogSumExpIsStableForHugeArguments()
    {
        // Naively exp(1000) overflows and exp(-1000) underflows.
        Assert.Equal(1000.0 + Math.Log(2.0), Dsl.LogSumExp([1000.0, 1000.0]), 1e-12);
        Assert.Equal(-1000.0 + Math.Log(2.0), Dsl.LogSumExp([-1000.0, -1000.0]), 1e-12);
        Assert.Equal(1e300, Dsl.LogSumExp([1e300, 0.0]));
        Assert.Equal(double.PositiveInfinity, Dsl.LogSumExp([double.PositiveInfinity, 1.0]));
        Assert.Equal(double.NegativeInfinity, Dsl.LogSumExp([double.NegativeInfinity, double.NegativeInfinity]));
        Assert.Equal(3.0, Dsl.LogSumExp([double.NegativeInfinity, 3.0]));
        Assert.True(double.IsNaN(Dsl.LogSumExp([double.NaN, 1.0])));
    }

    [Fact]
    public void LogSumExpRejectsEmpty()
    {
        var ex = Assert.Throws<ArgumentException>(() => Dsl.LogSumExp([]));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void SigmoidClosedFormsAndStability()
    {
        Assert.Equal(0.5, Dsl.Sigmoid(0.0));
        Assert.Equal(1.0 / (1.0 + Math.Exp(-2.0)), Dsl.Sigmoid(2.0), 1e-16);
        Assert.Equal(1.0 / (1.0 + Math.Exp(3.0)), Dsl.Sigmoid(-3.0), 1e-16);
        Assert.Equal(1.0, Dsl.Sigmoid(1000.0));
        Assert.Equal(0.0, Dsl.Sigmoid(-1000.0));
        Assert.Equal(Math.Exp(-700.0), Dsl.Sigmoid(-700.0), 1e-310); // tiny but not flushed to 0
        Assert.True(Dsl.Sigmoid(-700.0) > 0.0);
        Assert.Equal(1.0, Dsl.Sigmoid(double.PositiveInfinity));
        Assert.Equal(0.0, Dsl.Sigmoid(double.NegativeInfinity));
        foreach (double t in new[] { -1e308, -745.0, -50.0, -1e-300, 1e-300, 50.0, 745.0, 1e308 })
        {
            double s = Dsl.Sigmoid(t);
            Assert.False(double.IsNaN(s));
            Assert.InRange(s, 0.0, 1.0);
            Assert.Equal(1.0, s + Dsl.Sigmoid(-t), 1e-15);
        }
    }

    [Fact]
    public void SoftplusClosedFormsAndStability()
    {
        Assert.Equal(Math.Log(2.0), Dsl.Softplus(0.0), 1e-16);
        Assert.Equal(Math.Log(1.0 + Math.Exp(1.5)), Dsl.Softplus(1.5), 1e-15);
        Assert.Equal(Math.Log(1.0 + Math.Exp(-1.5)), Dsl.Softplus(-1.5), 1e-15);
        Assert.Equal(1000.0, Dsl.Softplus(1000.0)); // naive log(1 + e^1000) overflows
        Assert.Equal(1e308, Dsl.Softplus(1e308));
        Assert.Equal(0.0, Dsl.Softplus(-1000.0));
        // For very negative t, softplus(t) ~ e^t: the naive log(1 + e^t) returns 0 at t = -40.
        Assert.Equal(Math.Exp(-40.0), Dsl.Softplus(-40.0), 1e-30);
        Assert.Equal(Math.Exp(-40.0), Dsl.Softplus(-40.0) , Math.Exp(-40.0) * 1e-12);
        Assert.Equal(double.PositiveInfinity, Dsl.Softplus(double.PositiveInfinity));
        Assert.Equal(0.0, Dsl.Softplus(double.NegativeInfinity));
        Assert.True(double.IsNaN(Dsl.Softplus(double.NaN)));
    }

    [Fact]
    public void SoftplusMinusSoftplusOfNegativeIsIdentity()
    {
        foreach (double t in new[] { -30.0, -2.0, -1e-8, 0.0, 1e-8, 2.0, 30.0 })
        {
            Assert.Equal(t, Dsl.Softplus(t) - Dsl.Softplus(-t), 1e-14);
        }
    }

    [Fact]
    public void NothingAllocates()
    {
        double sink = 0.0;
        long bytes = AllocationMeter.Measure(() =>
        {
            sink += Dsl.Dot(Long, LongOther);
            sink += Dsl.SquaredNorm(Long);
            sink += Dsl.Sum(Long);
            sink += Dsl.LogSumExp(Long);
            sink += Dsl.LogSumExp(LongOther.AsSpan(0, 3));
            sink += Dsl.Sigmoid(-3.0) + Dsl.Sigmoid(3.0);
            sink += Dsl.Softplus(-3.0) + Dsl.Softplus(3.0);
        });
        Assert.Equal(0, bytes);
        Assert.True(double.IsFinite(sink));
    }
}
