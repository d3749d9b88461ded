using BenchmarkDotNet.Attributes;
using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// Gradient of the l2-regularised logistic loss on a 5000 x 784 matrix: generated kernel vs a hand-written
/// TensorPrimitives gradient (the baseline) vs one evaluation of the loss.
/// </summary>
[MemoryDiagnoser]
public class LogisticGradientBenchmarks
{
    public const int Rows = 5000;
    public const int Columns = 784;
    public const int ValidationRows = 1000;

    private IBilevelKernels kernels = null!;
    private HandWrittenLogisticGradient handWritten = null!;
    private double[] x = null!;
    private double[] w = null!;
    private double[] gradX = null!;
    private double[] gradW = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261122);
        double[] truth = RandomData.Gaussian(random, Columns, 1.0);
        (Matrix a, double[] b) = Data(random, Rows, truth);
        (Matrix v, double[] c) = Data(random, ValidationRows, truth);

        kernels = new LogisticRegression(a, b, v, c);
        handWritten = new HandWrittenLogisticGradient(a, b);
        x = [Math.Log(1e-3)];
        w = RandomData.Gaussian(random, Columns, 0.1);
        gradX = new double[1];
        gradW = new double[Columns];

        Verify();
    }

    /// <summary>The two gradients must agree to a relative 1e-9, or the comparison means nothing.</summary>
    private void Verify()
    {
        var hx = new double[1];
        var hw = new double[Columns];
        var gx = new double[1];
        var gw = new double[Columns];
        // garbage in the outputs: both kernels must overwrite, not accumulate
        Array.Fill(gw, 123.0);
        gx[0] = -7.0;

        double hv = handWritten.Gradient(x, w, hx, hw);
        double gv = kernels.LowerGradient(x, w, gx, gw);
        double ev = kernels.LowerValue(x, w);

        Check("value (gradient kernel)", gv, hv);
        Check("value (LowerValue)", ev, hv);
        Check("d/dx", gx[0], hx[0]);
        double scale = 0;
        foreach (double g in hw)
        {
            scale = Math.Max(scale, Math.Abs(g));
        }
        for (int j = 0; j < Columns; j++)
        {
            if (!(Math.Abs(gw[j] - hw[j]) <= 1e-9 * scale))
            {
                throw new InvalidOperationException(
                    $"generated and hand-written gradients differ at w[{j}]: {gw[j]:R} vs {hw[j]:R} (max |g| = {scale:R})");
            }
        }
        Console.WriteLine($"// verified: generated and hand-written gradients agree (rel 1e-9), f = {hv:R}");
    }

    private static void Check(string what, double actual, double expected)
    {
        if (!(Math.Abs(actual - expected) <= 1e-9 * Math.Max(1.0, Math.Abs(expected))))
        {
            throw new InvalidOperationException($"{what}: generated {actual:R} vs hand-written {expected:R}");
        }
    }

    [Benchmark(Baseline = true, Description = "hand-written gradient (TensorPrimitives)")]
    public double HandWritten() => handWritten.Gradient(x, w, gradX, gradW);

    [Benchmark(Description = "generated LowerGradient")]
    public double Generated() => kernels.LowerGradient(x, w, gradX, gradW);

    [Benchmark(Description = "one evaluation (LowerValue)")]
    public double Evaluation() => kernels.LowerValue(x, w);

    internal static (Matrix, double[]) Data(Random random, int rows, double[] truth)
    {
        double scale = 1.0 / Math.Sqrt(Columns);
        var data = new double[rows * Columns];
        var labels = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double margin = 0;
            for (int j = 0; j < Columns; j++)
            {
                double v = scale * RandomData.Normal(random);
                data[i * Columns + j] = v;
                margin += v * truth[j];
            }
            labels[i] = margin + 0.5 * RandomData.Normal(random) >= 0 ? 1.0 : -1.0;
        }
        return (new Matrix(rows, Columns, data), labels);
    }


}
