using BilevelDsl.Kernels;
using Xunit;

namespace BilevelDsl.Tests;

public class KernelSupportTests
{
    [Fact]
    public void SignConvention()
    {
        Assert.Equal(1.0, KernelSupport.Sign(2.5));
        Assert.Equal(-1.0, KernelSupport.Sign(-1e-300));
        Assert.Equal(0.0, KernelSupport.Sign(0.0));
        Assert.Equal(0.0, KernelSupport.Sign(-0.0));
        Assert.Equal(1.0, KernelSupport.Sign(double.PositiveInfinity));
        Assert.Equal(-1.0, KernelSupport.Sign(double.NegativeInfinity));
        Assert.True(double.IsNaN(KernelSupport.Sign(double.NaN)));
    }

    [Fact]
    public void StepConvention()
    {
        Assert.Equal(1.0, KernelSupport.Step(1e-300));
        Assert.Equal(0.0, KernelSupport.Step(-3.0));
        Assert.Equal(0.5, KernelSupport.Step(0.0));
        Assert.Equal(0.5, KernelSupport.Step(-0.0));
        Assert.True(double.IsNaN(KernelSupport.Step(double.NaN)));
    }

    [Fact]
    public void RequireSameLengthMessage()
    {
        KernelSupport.RequireSameLength(2, 2, "x", "gradX");
        var ex = Assert.Throws<ArgumentException>(() => KernelSupport.RequireSameLength(2, 3, "x", "gradX"));
        Assert.StartsWith("gradX has length 3 but x has length 2", ex.Message);
        Assert.Equal("gradX", ex.ParamName);
    }

    [Fact]
    public void RequireLengthMessage()
    {
        KernelSupport.RequireLength(1, 1, "x");
        var ex = Assert.Throws<ArgumentException>(() => KernelSupport.RequireLength(2, 1, "y"));
        Assert.StartsWith("y has length 2 but the model expects length 1", ex.Message);
        Assert.Equal("y", ex.ParamName);
    }

    [Fact]
    public void AddScaledAccumulatesInPlace()
    {
        double[] dest = [1, 2, 3];
        KernelSupport.AddScaled(dest, 2.0, [10, 20, 30]);
        Assert.Equal([21.0, 42.0, 63.0], dest);

        double[] big = Enumerable.Range(0, 1001).Select(i => (double)i).ToArray();
        double[] ones = Enumerable.Repeat(1.0, 1001).ToArray();
        KernelSupport.AddScaled(big, -0.5, ones);
        Assert.Equal(999.5, big[1000]);
        Assert.Equal(-0.5, big[0]);

        Assert.Throws<ArgumentException>(() => KernelSupport.AddScaled(new double[2], 1.0, new double[3]));
    }

    [Fact]
    public void ZeroAdjointNeverMakesNaN()
    {
        double[] dest = [1, 2];
        KernelSupport.AddScaled(dest, 0.0, [double.PositiveInfinity, double.NaN]);
        Assert.Equal([1.0, 2.0], dest);
        KernelSupport.AddLogSumExpAdjoint(dest, 0.0, [double.PositiveInfinity, 0.0], double.PositiveInfinity);
        Assert.Equal([1.0, 2.0], dest);
    }

    [Fact]
    public void AddScalarAddsToEveryEntry()
    {
        double[] dest = [1, 2, 3];
        KernelSupport.AddScalar(dest, 0.5);
        Assert.Equal([1.5, 2.5, 3.5], dest);
        KernelSupport.AddScalar(Span<double>.Empty, 1.0);
    }

    [Fact]
    public void LogSumExpAdjointIsTheSoftmax()
    {
        double[] a = [1.0, 2.0, 3.0];
        double lse = Dsl.LogSumExp(a);
        double[] dest = [10, 10, 10];
        KernelSupport.AddLogSumExpAdjoint(dest, 2.0, a, lse);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(10.0 + (2.0 * Math.Exp(a[i]) / z), dest[i], 1e-14);
        }

        // Softmax weights sum to 1, also for long, huge-valued inputs (chunked path, no overflow).
        double[] big = Enumerable.Range(0, 777).Select(i => 1000.0 + (i % 13)).ToArray();
        double[] grad = new double[big.Length];
        KernelSupport.AddLogSumExpAdjoint(grad, 1.0, big, Dsl.LogSumExp(big));
        Assert.Equal(1.0, grad.Sum(), 1e-12);
        Assert.All(grad, g => Assert.True(double.IsFinite(g) && g > 0));
        Assert.Throws<ArgumentException>(() => KernelSupport.AddLogSumExpAdjoint(new double[2], 1.0, a, lse));
    }

    [Fact]
    public void LogSumExpAdjointMatchesFiniteDifferences()
    {
        double[] a = [0.3, -1.2, 2.0, 0.0];
        double[] grad = new double[a.Length];
        KernelSupport.AddLogSumExpAdjoint(grad, 1.0, a, Dsl.LogSumExp(a));
        const double h = 1e-6;
        for (int i = 0; i < a.Length; i++)
        {
            double[] plus = (double[])a.Clone();
            double[] minus = (double[])a.Clone();
            plus[i] += h;
            minus[i] -= h;
            Assert.Equal((Dsl.LogSumExp(plus) - Dsl.LogSumExp(minus)) / (2 * h), grad[i], 1e-8);
        }
    }

    [Fact]
    public void NothingAllocates()
    {
        double[] dest = new double[600];
        double[] src = Enumerable.Range(0, 600).Select(i => i * 0.01).ToArray();
        double lse = Dsl.LogSumExp(src);
        double sink = 0;
        long bytes = AllocationMeter.Measure(() =>
        {
            KernelSupport.AddScaled(dest, 1e-3, src);
            KernelSupport.AddScalar(dest, 1e-3);
            KernelSupport.AddLogSumExpAdjoint(dest, 1e-3, src, lse);
            KernelSupport.RequireLength(1, 1, "x");
            KernelSupport.RequireSameLength(3, 3, "x", "gradX");
            sink += KernelSupport.Sign(-2.0) + KernelSupport.Step(0.0);
        });
        Assert.Equal(0, bytes);
        Assert.True(sink != 0);
    }
}
