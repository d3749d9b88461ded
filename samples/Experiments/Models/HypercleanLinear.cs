namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Data hyper-cleaning with a linear softmax classifier (Liu et al., BVFIM, ICML 2021, Sec. 5.2; Franceschi et al.
/// 2017): x_i is a logit weight per training sample, y = W (classes x d, row-major, the last feature a constant 1).
/// Lower: (1/n) sum_i sigmoid(x_i) CE(W a_i, b_i) + l2 ||W||^2. Upper: the mean validation cross-entropy.
/// </summary>
/// <remarks>
/// Written with the vector intrinsics: W is a Reshape view of y and the logits a computed vector, so the
/// generated gradient stores the logits of each sample and makes one pass over the data forward and one backward.
/// </remarks>
[BilevelModel]
public partial class HypercleanLinear(Matrix train, int[] trainLabels, Matrix validation, int[] validationLabels, int classes, double l2)
{
    [UpperLevel]
    public double ValidationLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var W = Dsl.Reshape(y, classes, validation.Columns);
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < validation.Rows; i++)
        {
            Dsl.MatVec(W, validation.Row(i), z);
            loss += Dsl.SoftmaxCrossEntropy(z, validationLabels[i]);
        }

        return loss / validation.Rows;
    }

    [LowerLevel]
    public double WeightedTrainingLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var W = Dsl.Reshape(y, classes, train.Columns);
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < train.Rows; i++)
        {
            Dsl.MatVec(W, train.Row(i), z);
            loss += Dsl.Sigmoid(x[i]) * Dsl.SoftmaxCrossEntropy(z, trainLabels[i]);
        }

        return (loss / train.Rows) + (l2 * Dsl.SquaredNorm(y));
    }
}
