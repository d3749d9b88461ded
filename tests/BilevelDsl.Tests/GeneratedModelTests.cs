using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests;

/// <summary>Models compiled in this project go through the real source generator (loaded by the SDK's compiler).</summary>
public class GeneratedModelTests(ITestOutputHelper output)
{
    private static IBilevelKernels Kernels(object model)
    {
        // Cast at run time so that this project still compiles (and the other tests still run) if the
        // generator emits nothing; the assertion then says what is missing.
        var kernels = model as IBilevelKernels;
        Assert.True(kernels is not null, $"{model.GetType().Name} does not implement IBilevelKernels: the generator did not run or emitted nothing.");
        return kernels!;
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(2.0, 0.0, 0.0)]
    [InlineData(0.0, 3.0, 3.0)]
    [InlineData(2.0, 3.0, 3.0)]
    public void GeneratedSinToyIsSolvedByBvfim(double a, double x0, double y0)
    {
        IBilevelKernels model = Kernels(new GeneratedSinToy { A = a });
        BilevelResult result = new BvfimSolver().Solve(model, [x0], [y0]);
        double expected = a == 0.0 ? -Math.PI / 4 : 3 * Math.PI / 4;
        double error = Math.Max(Math.Abs(result.X[0] - expected), Math.Abs(result.Y[0] - expected));
        output.WriteLine($"a={a} start=({x0},{y0}): x={result.X[0]:R} y={result.Y[0]:R} error={error:E2} it={result.Iterations} {result.Status}");
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.True(error <= 1e-3, $"error {error}");
    }

    [Fact]
    public void GeneratedSinToyGradientsMatchTheClosedForm()
    {
        const double a = 0.7;
        IBilevelKernels model = Kernels(new GeneratedSinToy { A = a });
        var hand = new SinToyKernels(a);
        double[] gx = new double[1];
        double[] gy = new double[1];
        foreach (double x in new[] { -3.0, -0.5, 0.0, 1.25, 10.0 })
        {
            foreach (double y in new[] { -2.0, 0.0, 0.3, 4.0 })
            {
                gx[0] = gy[0] = 12345.0; // gradients are overwritten, not accumulated
                double upper = model.UpperGradient([x], [y], gx, gy);
                Assert.Equal((x - a) * (x - a) + (y - a) * (y - a), upper, 1e-12);
                Assert.Equal(2 * (x - a), gx[0], 1e-12);
                Assert.Equal(2 * (y - a), gy[0], 1e-12);
                Assert.Equal(hand.UpperValue([x], [y]), model.UpperValue([x], [y]), 1e-12);

                gx[0] = gy[0] = -777.0;
                double lower = model.LowerGradient([x], [y], gx, gy);
                Assert.Equal(Math.Sin(x + y), lower, 1e-14);
                Assert.Equal(Math.Cos(x + y), gx[0], 1e-14);
                Assert.Equal(Math.Cos(x + y), gy[0], 1e-14);
                Assert.Equal(Math.Sin(x + y), model.LowerValue([x], [y]), 1e-14);
            }
        }
    }

    [Fact]
    public void GeneratedScalarKernelsRejectSpansOfTheWrongLength()
    {
        IBilevelKernels model = Kernels(new GeneratedSinToy());
        Assert.Throws<ArgumentException>(() => model.UpperValue([1.0, 2.0], [0.0]));
        Assert.Throws<ArgumentException>(() => model.LowerValue([1.0], ReadOnlySpan<double>.Empty));
        Assert.Throws<ArgumentException>(() => model.LowerGradient([1.0], [0.0], new double[2], new double[1]));

        BilevelResult result = new BvfimSolver().Solve(model, [0.0, 0.0], [0.0]);
        Assert.Equal(SolverStatus.InvalidInput, result.Status);
    }

    [Fact]
    public void GeneratedSpanModelMatchesTheHandWrittenKernelsAndIsSolved()
    {
        IBilevelKernels model = Kernels(new GeneratedNonUniqueLowerLevel());
        var hand = new NonUniqueLowerLevelKernels();
        double[] x = [0.3];
        double[] y = [-1.2, 2.5];
        double[] gx = new double[1], gy = new double[2], hx = new double[1], hy = new double[2];
        Assert.Equal(hand.UpperGradient(x, y, hx, hy), model.UpperGradient(x, y, gx, gy), 1e-12);
        Assert.Equal(hx, gx);
        Assert.Equal(hy, gy);
        Assert.Equal(hand.LowerGradient(x, y, hx, hy), model.LowerGradient(x, y, gx, gy), 1e-12);
        Assert.Equal(hx, gx);
        Assert.Equal(hy, gy);
        Assert.Throws<ArgumentException>(() => model.UpperGradient(x, y, new double[2], gy));

        BilevelResult result = new BvfimSolver().Solve(model, [0.0], [0.0, 0.0]);
        output.WriteLine($"x={result.X[0]} y=({result.Y[0]}, {result.Y[1]}) it={result.Iterations} {result.Status}");
        Assert.Equal(SolverStatus.Converged, result.Status);
        Assert.Equal(1.0, result.X[0], 1e-3);
        Assert.Equal(1.0, result.Y[0], 1e-3);
        Assert.Equal(1.0, result.Y[1], 1e-3);
    }

    [Fact]
    public void GeneratedGradientsOfDslFunctionsMatchFiniteDifferences()
    {
        IBilevelKernels model = Kernels(new GeneratedDslFunctions());
        double[] x = [0.4, -0.8];
        double[] y = [1.1, -0.3, 0.7];
        CheckAgainstFiniteDifferences(model.UpperGradient, model.UpperValue, x, y);
        CheckAgainstFiniteDifferences(model.LowerGradient, model.LowerValue, x, y);
    }

    private delegate double GradientKernel(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);

    private delegate double ValueKernel(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    private static void CheckAgainstFiniteDifferences(GradientKernel gradient, ValueKernel value, double[] x, double[] y)
    {
        double[] gx = new double[x.Length];
        double[] gy = new double[y.Length];
        double v = gradient(x, y, gx, gy);
        Assert.Equal(value(x, y), v, 1e-12);
        const double h = 1e-6;
        for (int i = 0; i < x.Length; i++)
        {
            double[] p = (double[])x.Clone(), m = (double[])x.Clone();
            p[i] += h;
            m[i] -= h;
            Assert.Equal((value(p, y) - value(m, y)) / (2 * h), gx[i], 1e-6);
        }

        for (int i = 0; i < y.Length; i++)
        {
            double[] p = (double[])y.Clone(), m = (double[])y.Clone();
            p[i] += h;
            m[i] -= h;
            Assert.Equal((value(x, p) - value(x, m)) / (2 * h), gy[i], 1e-6);
        }
    }
}
