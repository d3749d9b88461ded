using BilevelDsl;

namespace BilevelDsl.Tests;

/// <summary>The Quickstart's model, written as a user writes it; the generator implements IBilevelKernels.</summary>
[BilevelModel]
public partial class GeneratedSinToy
{
    public double A { get; init; }

    [UpperLevel]
    public double Upper(double x, double y) => (x - A) * (x - A) + (y - A) * (y - A);

    [LowerLevel]
    public double Lower(double x, double y) => Math.Sin(x + y);
}

/// <summary>A span model: lower level with a continuum of solutions (y2 is free). x* = 1, y* = (1, 1).</summary>
[BilevelModel]
public partial class GeneratedNonUniqueLowerLevel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (x[0] - y[1]) * (x[0] - y[1]) + (y[0] - 1) * (y[0] - 1);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] * y[0] - 2 * x[0] * y[0];
}

/// <summary>A span model calling the Dsl functions, so that the generated reverse sweeps use KernelSupport.</summary>
[BilevelModel]
public partial class GeneratedDslFunctions
{
    public double[] Weights { get; init; } = [0.5, -1.0, 2.0];

    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        Dsl.LogSumExp(y) + Dsl.Softplus(x[0] - y[1]) * Dsl.Sigmoid(y[0]) + Dsl.Dot(Weights, y) + Dsl.SquaredNorm(x);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < y.Length; i++)
        {
            s += (y[i] - x[0] * Weights[i]) * (y[i] - x[0] * Weights[i]);
        }

        return s + Math.Abs(x[1]) * Dsl.Sum(y);
    }
}
