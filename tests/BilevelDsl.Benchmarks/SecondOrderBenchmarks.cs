using BenchmarkDotNet.Attributes;
using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// Hessian-vector products against one gradient on the logistic problem of <see cref="LogisticGradientBenchmarks"/>
/// (5000 x 784): the lower level's HVP with vx = 0 (the yy and xy blocks, what implicit-differentiation solvers
/// call) and the fused value + gradient + HVP kernel. Target: HVP at most 3x one gradient, 0 bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class HessianVectorBenchmarks
{
    private IBilevelKernels kernels = null!;
    private double[] x = null!, w = null!, vx = null!, vw = null!, gx = null!, gw = null!, hx = null!, hw = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261123);
        double[] truth = RandomData.Gaussian(random, LogisticGradientBenchmarks.Columns, 1.0);
        (Matrix a, double[] b) = LogisticGradientBenchmarks.Data(random, LogisticGradientBenchmarks.Rows, truth);
        (Matrix v, double[] c) = LogisticGradientBenchmarks.Data(random, LogisticGradientBenchmarks.ValidationRows, truth);
        kernels = new LogisticRegression(a, b, v, c);
        x = [Math.Log(1e-3)];
        w = RandomData.Gaussian(random, LogisticGradientBenchmarks.Columns, 0.1);
        vx = [0.0];
        vw = RandomData.Gaussian(random, LogisticGradientBenchmarks.Columns, 1.0);
        gx = new double[1];
        gw = new double[w.Length];
        hx = new double[1];
        hw = new double[w.Length];
    }

    [Benchmark(Baseline = true, Description = "LowerGradient")]
    public double Gradient() => kernels.LowerGradient(x, w, gx, gw);

    [Benchmark(Description = "LowerHessianVector (vx = 0)")]
    public double HessianVector()
    {
        kernels.LowerHessianVector(x, w, vx, vw, hx, hw);
        return hw[0];
    }

    [Benchmark(Description = "LowerValueGradientHessianVector")]
    public double Fused() => kernels.LowerValueGradientHessianVector(x, w, vx, vw, gx, gw, hx, hw);
}

/// <summary>
/// Smoothed against exact kernels on a nonsmooth lower level (<see cref="SparseSvm"/>: hinge loss and an l1
/// regulariser over 5000 x 784). Target: smoothed gradient at most 1.2x the exact one, 0 bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class SmoothingBenchmarks
{
    private IBilevelKernels exact = null!;
    private IBilevelKernels smoothed = null!;
    private double[] x = null!, w = null!, vx = null!, vw = null!, gx = null!, gw = null!, hx = null!, hw = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261124);
        double[] truth = RandomData.Gaussian(random, LogisticGradientBenchmarks.Columns, 1.0);
        (Matrix a, double[] b) = LogisticGradientBenchmarks.Data(random, LogisticGradientBenchmarks.Rows, truth);
        exact = new SparseSvm(a, b);
        smoothed = exact.WithSmoothing(1e-3);
        x = [Math.Log(1e-3)];
        w = RandomData.Gaussian(random, LogisticGradientBenchmarks.Columns, 0.1);
        vx = [0.0];
        vw = RandomData.Gaussian(random, LogisticGradientBenchmarks.Columns, 1.0);
        gx = new double[1];
        gw = new double[w.Length];
        hx = new double[1];
        hw = new double[w.Length];
    }

    [Benchmark(Baseline = true, Description = "exact LowerGradient")]
    public double ExactGradient() => exact.LowerGradient(x, w, gx, gw);

    [Benchmark(Description = "smoothed LowerGradient (mu = 1e-3)")]
    public double SmoothedGradient() => smoothed.LowerGradient(x, w, gx, gw);

    [Benchmark(Description = "smoothed LowerHessianVector (mu = 1e-3)")]
    public double SmoothedHessianVector()
    {
        smoothed.LowerHessianVector(x, w, vx, vw, hx, hw);
        return hw[0];
    }
}
