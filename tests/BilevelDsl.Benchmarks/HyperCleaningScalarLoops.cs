using BenchmarkDotNet.Attributes;
using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// The hyper-cleaning lower level as a user writes it without any intrinsic: three nested scalar loops
/// (rows i, classes k, features j) for the logits, the softmax cross-entropy by hand with Math.Exp and
/// Math.Log, the sigmoid by hand, and a scalar loop for the regulariser. The generator recognises the inner
/// loops as a matrix-vector product and a squared norm (docs/dsl.md, "Loops that become vector kernels").
/// </summary>
[BilevelModel]
public partial class HyperCleaningScalarLoops(Matrix trainX, int[] trainY, int classes)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> weights, ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int j = 0; j < w.Length; j++)
        {
            s += w[j] * w[j];
        }

        return s;
    }

    [LowerLevel]
    public double Train(ReadOnlySpan<double> weights, ReadOnlySpan<double> w)
    {
        int n = trainX.Rows, d = trainX.Columns;
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                double s = 0;
                for (int j = 0; j < d; j++)
                {
                    s += trainX[i, j] * w[k * d + j];
                }

                z[k] = s;
            }

            double sumExp = 0;
            for (int k = 0; k < classes; k++)
            {
                sumExp += Math.Exp(z[k]);
            }

            double weight = 1 / (1 + Math.Exp(-weights[i]));
            loss += weight * (Math.Log(sumExp) - z[trainY[i]]);
        }

        double reg = 0;
        for (int j = 0; j < w.Length; j++)
        {
            reg += w[j] * w[j];
        }

        return loss / n + 1e-3 * reg;
    }
}

/// <summary>
/// The scalar-loop hyper-cleaning model (5000 x 784, 10 classes, float64, 1 thread) against the hand-written
/// TensorPrimitives gradient in the same run (the baseline), with the vector-form model alongside. Same data
/// and seed as <see cref="HyperCleaningBenchmarks"/>; the setup refuses to run unless all three agree.
/// </summary>
[MemoryDiagnoser]
public class HyperCleaningScalarLoopBenchmarks
{
    private const int Rows = 5000, Columns = 784, Classes = 10;

    private HyperCleaningScalarLoops scalarLoops = null!;
    private HyperCleaningLower vectorForm = null!;
    private HyperCleaningHandWritten handWritten = null!;
    private double[] x = null!, w = null!, v = null!, gx = null!, gw = null!, hx = null!, hw = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261205);
        var a = new Matrix(Rows, Columns, RandomData.Gaussian(random, Rows * Columns, 1.0));
        int[] labels = Enumerable.Range(0, Rows).Select(_ => random.Next(Classes)).ToArray();
        scalarLoops = new HyperCleaningScalarLoops(a, labels, Classes);
        vectorForm = new HyperCleaningLower(a, labels, Classes);
        handWritten = new HyperCleaningHandWritten(a, labels, Classes);
        x = RandomData.Gaussian(random, Rows, 1.0);
        w = RandomData.Gaussian(random, Classes * Columns, 0.05);
        v = RandomData.Gaussian(random, Classes * Columns, 1.0);
        (gx, gw, hx, hw) = (new double[Rows], new double[w.Length], new double[Rows], new double[w.Length]);

        var rx = new double[Rows];
        var rw = new double[w.Length];
        double reference = handWritten.LinearGradient(x, w, rx, rw);
        double value = scalarLoops.LowerGradient(x, w, gx, gw);
        double user = scalarLoops.Train(x, w);
        if (!(Math.Abs(value - reference) <= 1e-12 * Math.Abs(reference) && Math.Abs(user - reference) <= 1e-12 * Math.Abs(reference) && HyperCleaningBenchmarks.Close(gw, rw) && HyperCleaningBenchmarks.Close(gx, rx)))
        {
            throw new InvalidOperationException("The scalar-loop and hand-written gradients disagree; the timings would mean nothing.");
        }

        var vx = new double[Rows];
        var vw = new double[w.Length];
        vectorForm.LowerHessianVector(x, w, x, v, vx, vw);
        scalarLoops.LowerHessianVector(x, w, x, v, hx, hw);
        if (!HyperCleaningBenchmarks.Close(hw, vw) || !HyperCleaningBenchmarks.Close(hx, vx))
        {
            throw new InvalidOperationException("The scalar-loop and vector-form Hessian-vector products disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "hand-written TensorPrimitives gradient")]
    public double HandWrittenGradient() => handWritten.LinearGradient(x, w, gx, gw);

    [Benchmark(Description = "scalar loops: generated gradient")]
    public double ScalarLoopGradient() => scalarLoops.LowerGradient(x, w, gx, gw);

    [Benchmark(Description = "scalar loops: generated Hessian-vector product")]
    public void ScalarLoopHessianVector() => scalarLoops.LowerHessianVector(x, w, x, v, hx, hw);

    [Benchmark(Description = "vector form: generated gradient")]
    public double VectorFormGradient() => vectorForm.LowerGradient(x, w, gx, gw);

    [Benchmark(Description = "vector form: generated Hessian-vector product")]
    public void VectorFormHessianVector() => vectorForm.LowerHessianVector(x, w, x, v, hx, hw);
}
