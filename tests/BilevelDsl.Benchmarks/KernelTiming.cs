using System.Diagnostics;
using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project tests/BilevelDsl.Benchmarks -- time [calls]`: a plain timing loop (no
/// BenchmarkDotNet) of the hyper-cleaning kernels on the benchmark's data (5000 x 784, 10 classes, float64),
/// for the hand-written gradient and the generated gradient and Hessian-vector product at 1 and 2 threads
/// (<see cref="ParallelKernels.WithParallelism"/>). Prints, per kernel, the fastest and the median wall time
/// of a call and the process CPU time per call (all threads), and checks first that 1, 2 and 3 threads give
/// bit-identical gradients and products. The torch script reads its JSON line to print ratios.
/// </summary>
public static class KernelTiming
{
    private const int Rows = 5000, Columns = 784, Classes = 10;

    public static void Run(string[] args)
    {
        int calls = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40;
        var random = new Random(20261205);
        var a = new Matrix(Rows, Columns, RandomData.Gaussian(random, Rows * Columns, 1.0));
        int[] labels = Enumerable.Range(0, Rows).Select(_ => random.Next(Classes)).ToArray();
        var model = new HyperCleaningLower(a, labels, Classes);
        var handWritten = new HyperCleaningHandWritten(a, labels, Classes);
        double[] x = RandomData.Gaussian(random, Rows, 1.0), w = RandomData.Gaussian(random, Classes * Columns, 0.05);
        double[] v = RandomData.Gaussian(random, Classes * Columns, 1.0);
        double[] gx = new double[Rows], gw = new double[w.Length], hx = new double[Rows], hw = new double[w.Length];

        RequireBitIdentical(model, x, w, v);
        var results = new List<(string Name, double Min, double Median, double Cpu)>
        {
            Time("hand-written gradient (1 thread)", calls, () => handWritten.LinearGradient(x, w, gx, gw)),
        };
        foreach (int threads in new[] { 1, 2 })
        {
            IBilevelKernels kernels = model.WithParallelism(threads);
            results.Add(Time($"generated gradient ({threads} thread{(threads > 1 ? "s" : "")})", calls, () => kernels.LowerGradient(x, w, gx, gw)));
            results.Add(Time($"generated Hessian-vector product ({threads} thread{(threads > 1 ? "s" : "")})", calls, () => kernels.LowerHessianVector(x, w, x, v, hx, hw)));
        }

        Console.WriteLine($"{"kernel",-46} {"min ms",8} {"median ms",10} {"CPU ms/call",12}");
        foreach ((string name, double min, double median, double cpu) in results)
        {
            Console.WriteLine($"{name,-46} {min,8:F2} {median,10:F2} {cpu,12:F2}");
        }

        Console.WriteLine("JSON " + System.Text.Json.JsonSerializer.Serialize(results.ToDictionary(r => r.Name, r => new[] { r.Min, r.Median, r.Cpu })));
    }

    private static (string, double, double, double) Time(string name, int calls, Action call)
    {
        for (int i = 0; i < 3; i++)
        {
            call();
        }

        var wall = new double[calls];
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / calls;
        Array.Sort(wall);
        return (name, wall[0], wall[calls / 2], cpu);
    }

    private static void RequireBitIdentical(HyperCleaningLower model, double[] x, double[] w, double[] v)
    {
        double[]? gradient = null, product = null;
        double value = 0;
        foreach (int threads in new[] { 1, 2, 3, 1 })
        {
            IBilevelKernels kernels = model.WithParallelism(threads);
            double[] g = new double[x.Length + w.Length], h = new double[x.Length + w.Length];
            double f = kernels.LowerGradient(x, w, g.AsSpan(0, x.Length), g.AsSpan(x.Length));
            kernels.LowerHessianVector(x, w, x, v, h.AsSpan(0, x.Length), h.AsSpan(x.Length));
            if (gradient == null)
            {
                (gradient, product, value) = (g, h, f);
            }
            else if (BitConverter.DoubleToInt64Bits(f) != BitConverter.DoubleToInt64Bits(value) || !g.AsSpan().SequenceEqual(gradient) || !h.AsSpan().SequenceEqual(product))
            {
                throw new InvalidOperationException($"{threads} threads gave a different result than 1 thread.");
            }
        }

        Console.WriteLine("1, 2, 3 and again 1 thread: value, gradient and Hessian-vector product bit-identical.");
    }
}
