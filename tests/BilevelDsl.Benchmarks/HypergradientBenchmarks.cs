using BenchmarkDotNet.Attributes;
using BilevelDsl;
using BilevelDsl.Kernels;
using BilevelDsl.Solvers;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// Ridge regression with a log-regulariser (the hypergradient acceptance problem): the lower level fits w (n = 200) on
/// 5000 training samples with penalty (e^x / 2) ||w||^2, the upper level is the squared validation error on 1000 samples.
/// </summary>
[BilevelModel]
public partial class RidgeHyperparameter(Matrix train, double[] trainTargets, Matrix validation, double[] validationTargets)
{
    [UpperLevel]
    public double Validation(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double s = 0.0;
        for (int i = 0; i < validation.Rows; i++)
        {
            double r = Dsl.Dot(validation.Row(i), w) - validationTargets[i];
            s += r * r;
        }

        return 0.5 * s;
    }

    [LowerLevel]
    public double Training(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double s = 0.0;
        for (int i = 0; i < train.Rows; i++)
        {
            double r = Dsl.Dot(train.Row(i), w) - trainTargets[i];
            s += r * r;
        }

        return (0.5 * s) + (0.5 * Math.Exp(x[0]) * Dsl.SquaredNorm(w));
    }
}

/// <summary>
/// The cost of one hypergradient of each method on the ridge problem (n = 200, 5000 training samples), relative to one
/// lower-level gradient (the baseline). Each method estimates grad phi(x) from the lower-level solution y*(x) as a warm
/// start (the regime of a converged outer loop), with settings that give a hypergradient within 1e-8 relative of the
/// tight AID-CG reference (checked in the setup). The unrolled methods use a fixed step s = 1 / lambda_max (computed once
/// here), so the 30 Hessian-vector products of the automatic step estimate are not part of the measurement.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class HypergradientBenchmarks
{
    public const int Features = 200;
    public const int TrainRows = 5000;
    public const int ValidationRows = 1000;
    public const int Unroll = 50;

    private IBilevelKernels kernels = null!;
    private double[] x = null!;
    private double[] yStar = null!;
    private double[] gradX = null!;
    private double[] gradY = null!;
    private double[] zeroX = null!;
    private double[] hx = null!;
    private double[] hy = null!;
    private AidCgSolver aidCg = null!;
    private AidNeumannSolver aidNeumann = null!;
    private RhgSolver rhg = null!;
    private TrhgSolver trhg = null!;
    private FhgSolver fhg = null!;
    private BdaSolver bda = null!;
    private PenaltySolver penalty = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261123);
        double[] truth = RandomData.Gaussian(random, Features, 1.0);
        (Matrix a, double[] b) = Data(random, TrainRows, truth);
        (Matrix v, double[] c) = Data(random, ValidationRows, truth);
        kernels = new RidgeHyperparameter(a, b, v, c);
        x = [0.0];
        gradX = new double[1];
        gradY = new double[Features];
        zeroX = new double[1];
        hx = new double[1];
        hy = new double[Features];

        // y*(x) and the reference hypergradient: AID-CG with its tightest tolerances.
        var reference = new AidCgSolver(new AidCgOptions { LowerTolerance = new(1e-2, 0.8, 1e-11), LowerLevel = new() { MaxSteps = 100_000 } });
        HypergradientEstimate r = reference.EstimateHypergradient(kernels, x, new double[Features]);
        yStar = r.Y;

        double s = 1.0 / LargestCurvature();
        aidCg = new AidCgSolver();
        aidNeumann = new AidNeumannSolver(new AidNeumannOptions { NeumannTerms = Unroll, NeumannStepSize = s });
        rhg = new RhgSolver(new RhgOptions { UnrollSteps = Unroll, InnerStepSize = s });
        trhg = new TrhgSolver(new TrhgOptions { UnrollSteps = Unroll, TruncationSteps = Unroll / 2, InnerStepSize = s });
        fhg = new FhgSolver(new FhgOptions { UnrollSteps = Unroll, InnerStepSize = s });
        bda = new BdaSolver(new BdaOptions { UnrollSteps = Unroll, InnerStepSize = s });
        penalty = new PenaltySolver();

        Console.WriteLine($"// reference hypergradient {r.Gradient[0]:R} ({r.Status}), s = 1/lambda_max = {s:G4}");
        foreach (IHypergradientEstimator m in new IHypergradientEstimator[] { aidCg, aidNeumann, rhg, trhg, fhg, bda, penalty })
        {
            var counting = new CountingKernels(kernels);
            HypergradientEstimate e = m.EstimateHypergradient(counting, x, yStar);
            double relative = Math.Abs(e.Gradient[0] - r.Gradient[0]) / Math.Abs(r.Gradient[0]);
            Console.WriteLine($"// {m.MethodName}: relative difference {relative:E2} ({e.Status}); kernel calls: {counting.LowerGradients} lower gradients, "
                + $"{counting.UpperGradients} upper gradients, {counting.LowerHvps} lower HVPs, {counting.UpperHvps} upper HVPs, {counting.LowerValues} lower values");
            if (!(relative <= (m == penalty ? 1e-5 : 1e-8)))
            {
                throw new InvalidOperationException($"{m.MethodName} hypergradient differs from the reference by {relative:E2}: the comparison would mean nothing.");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "one lower gradient")]
    public double LowerGradient() => kernels.LowerGradient(x, yStar, gradX, gradY);

    [Benchmark(Description = "one lower HVP")]
    public void LowerHessianVector() => kernels.LowerHessianVector(x, yStar, zeroX, gradY, hx, hy);

    /// <summary>RHG's kernel calls (51 lower gradients, 1 upper gradient, 50 lower HVPs) with no solver around them.</summary>
    [Benchmark(Description = "kernels only: 51 g + 1 G + 50 h")]
    public double KernelsOfRhg()
    {
        double f = 0.0;
        for (int t = 0; t <= Unroll; t++)
        {
            f += kernels.LowerGradient(x, yStar, gradX, gradY);
        }

        f += kernels.UpperGradient(x, yStar, gradX, hy);
        for (int t = 0; t < Unroll; t++)
        {
            kernels.LowerHessianVector(x, yStar, zeroX, gradY, hx, hy);
        }

        return f;
    }

    [Benchmark(Description = "AID-CG (CG to 1e-9)")]
    public double AidCg() => aidCg.EstimateHypergradient(kernels, x, yStar).Gradient[0];

    [Benchmark(Description = "AID-Neumann (J = 50)")]
    public double AidNeumann() => aidNeumann.EstimateHypergradient(kernels, x, yStar).Gradient[0];

    [Benchmark(Description = "RHG (T = 50)")]
    public double Rhg() => rhg.EstimateHypergradient(kernels, x, yStar).Gradient[0];

    [Benchmark(Description = "TRHG (T = 50, K = 25)")]
    public double Trhg() => trhg.EstimateHypergradient(kernels, x, yStar).Gradient[0];

    [Benchmark(Description = "FHG (T = 50, m = 1)")]
    public double Fhg() => fhg.EstimateHypergradient(kernels, x, yStar).Gradient[0];

    [Benchmark(Description = "BDA (T = 50)")]
    public double Bda() => bda.EstimateHypergradient(kernels, x, yStar).Gradient[0];

    [Benchmark(Description = "Penalty (gamma = 1e6)")]
    public double Penalty() => penalty.EstimateHypergradient(kernels, x, yStar).Gradient[0];

    private double LargestCurvature()
    {
        var v = new double[Features];
        Array.Fill(v, 1.0 / Math.Sqrt(Features));
        var h = new double[Features];
        double lambda = 0.0;
        for (int i = 0; i < 100; i++)
        {
            kernels.LowerHessianVector(x, yStar, zeroX, v, hx, h);
            lambda = Math.Sqrt(h.Sum(t => t * t));
            for (int j = 0; j < Features; j++)
            {
                v[j] = h[j] / lambda;
            }
        }

        return lambda;
    }

    private static (Matrix, double[]) Data(Random random, int rows, double[] truth)
    {
        double scale = 1.0 / Math.Sqrt(Features);
        var data = new double[rows * Features];
        var targets = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double s = 0.0;
            for (int j = 0; j < Features; j++)
            {
                double v = scale * RandomData.Normal(random);
                data[(i * Features) + j] = v;
                s += v * truth[j];
            }

            targets[i] = s + (0.5 * RandomData.Normal(random));
        }

        return (new Matrix(rows, Features, data), targets);
    }



    /// <summary>Delegates to the model and counts kernel calls (for the cost breakdown printed by the setup).</summary>
    private sealed class CountingKernels(IBilevelKernels inner) : DelegatingKernels(inner)
    {
        public int LowerGradients { get; private set; }

        public int UpperGradients { get; private set; }

        public int LowerHvps { get; private set; }

        public int UpperHvps { get; private set; }

        public int LowerValues { get; private set; }

        public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            LowerValues++;
            return Inner.LowerValue(x, y);
        }

        public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            UpperGradients++;
            return Inner.UpperGradient(x, y, gradX, gradY);
        }

        public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            LowerGradients++;
            return Inner.LowerGradient(x, y, gradX, gradY);
        }

        public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
        {
            UpperHvps++;
            Inner.UpperHessianVector(x, y, vx, vy, hx, hy);
        }

        public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
        {
            LowerHvps++;
            Inner.LowerHessianVector(x, y, vx, vy, hx, hy);
        }

        public override double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
        {
            UpperGradients++;
            UpperHvps++;
            return Inner.UpperValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
        }

        public override double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy)
        {
            LowerGradients++;
            LowerHvps++;
            return Inner.LowerValueGradientHessianVector(x, y, vx, vy, gradX, gradY, hx, hy);
        }
    }
}
