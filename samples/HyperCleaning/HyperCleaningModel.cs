using BilevelDsl;

namespace HyperCleaningSample;

/// <summary>
/// Data hyper-cleaning (Franceschi et al., ICML 2017; the BVFIM experiment, Liu et al., ICML 2021, Sec. 5):
/// learn one weight x_i per training sample so that a softmax classifier trained on the sigmoid(x_i)-weighted
/// loss does well on clean validation data. y is the classifier W (classes x features, row-major).
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
