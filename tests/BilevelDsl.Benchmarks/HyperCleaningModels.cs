using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>The hyper-cleaning lower level of the BVFIM and IGFM experiments in vector form (the docs' example).</summary>
[BilevelModel]
public partial class HyperCleaningLower(Matrix trainX, int[] trainY, int classes)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> weights, ReadOnlySpan<double> w) => Dsl.SquaredNorm(w);

    [LowerLevel]
    public double Train(ReadOnlySpan<double> weights, ReadOnlySpan<double> w)
    {
        var W = Dsl.Reshape(w, classes, trainX.Columns);
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < trainX.Rows; i++)
        {
            Dsl.MatVec(W, trainX.Row(i), z);
            loss += Dsl.Sigmoid(weights[i]) * (Dsl.LogSumExp(z) - z[trainY[i]]);
        }

        return loss / trainX.Rows + 1e-3 * Dsl.SquaredNorm(w);
    }
}

/// <summary>The same lower level with the 2-layer linear network (W1: hidden x d, W2: classes x hidden, bias).</summary>
[BilevelModel]
public partial class TwoLayerLower(Matrix trainX, int[] trainY, int hidden, int classes)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> weights, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y);

    [LowerLevel]
    public double Train(ReadOnlySpan<double> weights, ReadOnlySpan<double> y)
    {
        int d = trainX.Columns;
        var W1 = Dsl.Reshape(y.Slice(0, hidden * d), hidden, d);
        var W2 = Dsl.Reshape(y.Slice(hidden * d, classes * hidden), classes, hidden);
        ReadOnlySpan<double> bias = y.Slice(hidden * d + classes * hidden, classes);
        Span<double> h = stackalloc double[hidden];
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < trainX.Rows; i++)
        {
            Dsl.MatVec(W1, trainX.Row(i), h);
            Dsl.MatVec(W2, h, z);
            Dsl.Axpy(1.0, bias, z);
            loss += Dsl.Sigmoid(weights[i]) * Dsl.SoftmaxCrossEntropy(z, trainY[i]);
        }

        return loss / trainX.Rows + 1e-3 * Dsl.SquaredNorm(y);
    }
}
