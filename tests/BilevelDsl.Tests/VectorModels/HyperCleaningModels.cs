namespace BilevelDsl.Tests.VectorModels;

/// <summary>
/// Data hyper-cleaning (Liu et al., BVFIM, ICML 2021, Sec. 5; Franceschi et al. 2017): per-sample weights x,
/// a linear softmax classifier W = Reshape(y) trained on the sigmoid(x_i)-weighted cross-entropy, validated
/// by the plain cross-entropy. Written with the vector intrinsics, as a user would.
/// </summary>
[BilevelModel]
public partial class HyperCleaning(Matrix trainX, int[] trainY, Matrix valX, int[] valY, int classes)
{
    [UpperLevel]
    public double Validate(ReadOnlySpan<double> weights, ReadOnlySpan<double> w)
    {
        var W = Dsl.Reshape(w, classes, valX.Columns);
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < valX.Rows; i++)
        {
            Dsl.MatVec(W, valX.Row(i), z);
            loss += Dsl.SoftmaxCrossEntropy(z, valY[i]);
        }

        return loss / valX.Rows;
    }

    [LowerLevel]
    public double Train(ReadOnlySpan<double> weights, ReadOnlySpan<double> w)
    {
        var W = Dsl.Reshape(w, classes, trainX.Columns);      // a row-major matrix view of y: no copy, differentiable
        Span<double> z = stackalloc double[classes];          // a computed vector (logits)
        double loss = 0;
        for (int i = 0; i < trainX.Rows; i++)
        {
            Dsl.MatVec(W, trainX.Row(i), z);                  // z = W a_i
            loss += Dsl.Sigmoid(weights[i]) * (Dsl.LogSumExp(z) - z[trainY[i]]);
        }

        return loss / trainX.Rows + 1e-3 * Dsl.SquaredNorm(w);
    }
}

/// <summary>
/// The hyper-cleaning lower level with a 2-layer linear network (BVFIM, Sec. 5: W1 in R^{h x d}, then
/// W2 in R^{c x (h + 1)}, the last column a bias): y holds W1, then W2's weights, then its bias.
/// </summary>
[BilevelModel]
public partial class TwoLayerCleaning(Matrix trainX, int[] trainY, int hidden, int classes)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> weights, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y) + Dsl.SquaredNorm(weights);

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
