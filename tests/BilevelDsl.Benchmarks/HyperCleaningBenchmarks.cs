using BenchmarkDotNet.Attributes;
using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// The hyper-cleaning lower level on FashionMNIST-shaped data (5000 x 784, 10 classes, float64, 1 thread):
/// the generated gradient and Hessian-vector kernels of the vector-form model against a hand-written
/// TensorPrimitives gradient (the baseline); the 2-layer network (300 hidden) against its hand-written gradient.
/// </summary>
[MemoryDiagnoser]
public class HyperCleaningBenchmarks
{
    private const int Rows = 5000, Columns = 784, Classes = 10, Hidden = 300;

    private HyperCleaningLower linear = null!;
    private IBilevelKernels linearTwoThreads = null!;
    private TwoLayerLower twoLayer = null!;
    private HyperCleaningHandWritten handWritten = null!;
    private double[] x = null!, w = null!, v = null!, gx = null!, gw = null!, hx = null!, hw = null!;
    private double[] y2 = null!, gy2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261205);
        var a = new Matrix(Rows, Columns, RandomData.Gaussian(random, Rows * Columns, 1.0));
        int[] labels = Enumerable.Range(0, Rows).Select(_ => random.Next(Classes)).ToArray();
        linear = new HyperCleaningLower(a, labels, Classes);
        linearTwoThreads = linear.WithParallelism(2);
        twoLayer = new TwoLayerLower(a, labels, Hidden, Classes);
        handWritten = new HyperCleaningHandWritten(a, labels, Classes, Hidden);
        x = RandomData.Gaussian(random, Rows, 1.0);
        w = RandomData.Gaussian(random, Classes * Columns, 0.05);
        v = RandomData.Gaussian(random, Classes * Columns, 1.0);
        gx = new double[Rows];
        gw = new double[Classes * Columns];
        hx = new double[Rows];
        hw = new double[Classes * Columns];
        y2 = RandomData.Gaussian(random, (Hidden * Columns) + (Classes * Hidden) + Classes, 0.02);
        gy2 = new double[y2.Length];
        Verify();
    }

    private void Verify()
    {
        var rx = new double[Rows];
        var rw = new double[w.Length];
        double reference = handWritten.LinearGradient(x, w, rx, rw);
        double value = linear.LowerGradient(x, w, gx, gw);
        Require(Math.Abs(value - reference) <= 1e-12 * Math.Abs(reference) && Close(gw, rw) && Close(gx, rx), "linear gradient");
        var ry = new double[y2.Length];
        double reference2 = handWritten.TwoLayerGradient(x, y2, rx, ry);
        double value2 = twoLayer.LowerGradient(x, y2, gx, gy2);
        Require(Math.Abs(value2 - reference2) <= 1e-12 * Math.Abs(reference2) && Close(gy2, ry) && Close(gx, rx), "two-layer gradient");
    }

    internal static bool Close(double[] a, double[] b)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            norm = Math.Max(norm, Math.Abs(b[i]));
        }

        return diff <= 1e-10 * Math.Max(norm, 1e-300);
    }

    private static void Require(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("The generated and hand-written " + what + "s disagree; the timings would mean nothing.");
        }
    }

    [Benchmark(Baseline = true, Description = "hand-written TensorPrimitives gradient")]
    public double HandWrittenGradient() => handWritten.LinearGradient(x, w, gx, gw);

    [Benchmark(Description = "generated gradient")]
    public double GeneratedGradient() => linear.LowerGradient(x, w, gx, gw);

    [Benchmark(Description = "generated Hessian-vector product")]
    public void GeneratedHessianVector() => linear.LowerHessianVector(x, w, x, v, hx, hw);

    [Benchmark(Description = "generated gradient, 2 threads")]
    public double GeneratedGradientTwoThreads() => linearTwoThreads.LowerGradient(x, w, gx, gw);

    [Benchmark(Description = "generated Hessian-vector product, 2 threads")]
    public void GeneratedHessianVectorTwoThreads() => linearTwoThreads.LowerHessianVector(x, w, x, v, hx, hw);

    [Benchmark(Description = "2-layer: hand-written gradient")]
    public double TwoLayerHandWritten() => handWritten.TwoLayerGradient(x, y2, gx, gy2);

    [Benchmark(Description = "2-layer: generated gradient")]
    public double TwoLayerGenerated() => twoLayer.LowerGradient(x, y2, gx, gy2);
}
