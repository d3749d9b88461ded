using BilevelDsl.Tests.SecondOrder;
using Xunit;

namespace BilevelDsl.Tests.VectorModels;

/// <summary>
/// The vector and matrix constructs (Reshape views, slices, computed vectors, MatVec, Axpy, SoftmaxCrossEntropy):
/// generated gradients against central differences in random directions and against a hand-written
/// gradient; Hessian-vector products against differences of the gradient, and for symmetry.
/// </summary>
public sealed class VectorModelDerivativeTests
{
    private static (HyperCleaning Model, double[] X, double[] Y, Matrix A, int[] Labels) SmallHyperCleaning(int seed)
    {
        var rng = new Random(seed);
        const int n = 7, d = 5, classes = 3;
        Matrix a = Check.RandomMatrix(rng, n, d);
        int[] labels = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray();
        Matrix v = Check.RandomMatrix(rng, 4, d);
        int[] valLabels = Enumerable.Range(0, 4).Select(_ => rng.Next(classes)).ToArray();
        return (new HyperCleaning(a, labels, v, valLabels, classes), Check.Normal(rng, n), Check.Normal(rng, classes * d), a, labels);
    }

    private static (TwoLayerCleaning Model, double[] X, double[] Y) SmallTwoLayer(int seed)
    {
        var rng = new Random(seed);
        const int n = 6, d = 4, hidden = 3, classes = 3;
        Matrix a = Check.RandomMatrix(rng, n, d);
        int[] labels = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray();
        return (new TwoLayerCleaning(a, labels, hidden, classes), Check.Normal(rng, n), Check.Normal(rng, (hidden * d) + (classes * hidden) + classes, 0.7));
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string model in new[] { "hyperclean-lower", "hyperclean-upper", "twolayer-lower" })
        {
            for (int seed = 1; seed <= 3; seed++)
            {
                data.Add(model, seed);
            }
        }

        return data;
    }

    private static (Objective Objective, double[] X, double[] Y) Make(string name, int seed)
    {
        switch (name)
        {
            case "hyperclean-lower":
            {
                var m = SmallHyperCleaning(seed);
                return (Objective.Of(m.Model, Level.Lower), m.X, m.Y);
            }

            case "hyperclean-upper":
            {
                var m = SmallHyperCleaning(seed);
                return (Objective.Of(m.Model, Level.Upper), m.X, m.Y);
            }

            default:
            {
                var m = SmallTwoLayer(seed);
                return (Objective.Of(m.Model, Level.Lower), m.X, m.Y);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientMatchesCentralDifferencesInRandomDirections(string name, int seed)
    {
        (Objective f, double[] x, double[] y) = Make(name, seed);
        double value = f.GradientAndValue(x, y, out double[] g);
        Assert.Equal(f.Value(x, y), value, 12);
        var rng = new Random(100 + seed);
        for (int trial = 0; trial < 4; trial++)
        {
            double[] v = Check.Normal(rng, x.Length + y.Length);
            double h = 1e-4;
            double[] vx = v[..x.Length], vy = v[x.Length..];
            double F(double t) => f.Value(Objective.Add(x, t, vx), Objective.Add(y, t, vy));
            double difference = ((8 * (F(h) - F(-h))) - (F(2 * h) - F(-2 * h))) / (12 * h);
            double directional = Check.Dot(g, v);
            Assert.True(Math.Abs(difference - directional) <= 1e-6 * Math.Max(1, Math.Abs(directional)), $"{name}: directional derivative {directional} vs difference {difference}");
        }

        double[] entrywise = f.ValueDifference(x, y, 1e-4);
        Assert.True(Check.RelativeError(g, entrywise) < 1e-7, $"{name}: gradient vs differences, relative error {Check.RelativeError(g, entrywise)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianVectorMatchesGradientDifferencesAndIsSymmetric(string name, int seed)
    {
        (Objective f, double[] x, double[] y) = Make(name, seed);
        var rng = new Random(200 + seed);
        double[] u = Check.Normal(rng, x.Length + y.Length);
        double[] w = Check.Normal(rng, x.Length + y.Length);
        double[] hu = f.HessianVector(x, y, u);
        double[] hw = f.HessianVector(x, y, w);
        double[] difference = f.GradientDifference(x, y, u[..x.Length], u[x.Length..], 1e-4);
        Assert.True(Check.RelativeError(hu, difference) < 1e-7, $"{name}: HVP vs gradient differences, relative error {Check.RelativeError(hu, difference)}");
        double a = Check.Dot(w, hu), b = Check.Dot(u, hw);
        Assert.True(Math.Abs(a - b) <= 1e-12 * Math.Max(1, Math.Abs(a)), $"{name}: w'Hu = {a} but u'Hw = {b}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void HyperCleaningGradientMatchesTheHandWrittenGradient(int seed)
    {
        var m = SmallHyperCleaning(seed);
        IBilevelKernels kernels = m.Model;
        double[] gx = new double[m.X.Length], gy = new double[m.Y.Length];
        double value = kernels.LowerGradient(m.X, m.Y, gx, gy);
        double[] rx = new double[m.X.Length], ry = new double[m.Y.Length];
        double reference = HyperCleaningReference.Gradient(m.A, m.Labels, 3, m.X, m.Y, rx, ry);
        Assert.Equal(reference, value, 1e-12);
        Assert.True(Check.RelativeError([.. gx, .. gy], [.. rx, .. ry]) < 1e-10, "relative error " + Check.RelativeError([.. gx, .. gy], [.. rx, .. ry]));
    }

    [Fact]
    public void FusedKernelAgreesWithTheSeparateKernels()
    {
        var m = SmallHyperCleaning(5);
        IBilevelKernels k = m.Model;
        var rng = new Random(9);
        double[] vx = Check.Normal(rng, m.X.Length), vy = Check.Normal(rng, m.Y.Length);
        double[] gx = new double[m.X.Length], gy = new double[m.Y.Length], hx = new double[m.X.Length], hy = new double[m.Y.Length];
        double value = k.LowerValueGradientHessianVector(m.X, m.Y, vx, vy, gx, gy, hx, hy);
        double[] gx2 = new double[m.X.Length], gy2 = new double[m.Y.Length], hx2 = new double[m.X.Length], hy2 = new double[m.Y.Length];
        Assert.Equal(k.LowerGradient(m.X, m.Y, gx2, gy2), value, 12);
        k.LowerHessianVector(m.X, m.Y, vx, vy, hx2, hy2);
        Assert.True(Check.RelativeError([.. gx, .. gy], [.. gx2, .. gy2]) < 1e-13);
        Assert.True(Check.RelativeError([.. hx, .. hy], [.. hx2, .. hy2]) < 1e-13);
    }

    [Fact]
    public void KernelsAllocateNothingOnceWarm()
    {
        var m = SmallHyperCleaning(4);
        IBilevelKernels k = m.Model;
        double[] gx = new double[m.X.Length], gy = new double[m.Y.Length], hx = new double[m.X.Length], hy = new double[m.Y.Length];
        k.LowerGradient(m.X, m.Y, gx, gy);
        k.LowerHessianVector(m.X, m.Y, m.X, m.Y, hx, hy);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            k.LowerGradient(m.X, m.Y, gx, gy);
            k.LowerHessianVector(m.X, m.Y, m.X, m.Y, hx, hy);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OneModelGivesTheSameGradientFromManyThreadsAtOnce()
    {
        var m = SmallHyperCleaning(6);
        IBilevelKernels k = m.Model;
        double[] expected = new double[m.Y.Length];
        k.LowerGradient(m.X, m.Y, new double[m.X.Length], expected);
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            double[] gy = new double[m.Y.Length];
            k.LowerGradient(m.X, m.Y, new double[m.X.Length], gy);
            Assert.Equal(expected, gy);
        });
    }
}
