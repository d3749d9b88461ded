namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Data hyper-cleaning with the BVFIM paper's 2-layer linear network (Liu et al., ICML 2021, Sec. 6.2, Eq. 31-32):
/// y = (W1, W2) with W1 in R^{h x d} (the last input feature is a constant 1) and W2 in R^{classes x (h+1)} (the
/// last column a bias), scores W2 [W1 a; 1]. Lower: (1/n) sum_i sigmoid(x_i) CE_i + l2 ||y||^2; upper: the mean
/// validation cross-entropy.
/// </summary>
/// <remarks>
/// y holds W1 row-major first (h d entries), then W2 row-major. The hidden layer [W1 a; 1] is a computed vector
/// filled entry by entry (its last entry the bias input 1): computed once per sample and stored for the reverse
/// sweep.
/// </remarks>
[BilevelModel]
public partial class HypercleanTwoLayer(Matrix train, int[] trainLabels, Matrix validation, int[] validationLabels, int classes, int hidden, double l2)
{
    [UpperLevel]
    public double ValidationLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = validation.Columns;
        var W1 = Dsl.Reshape(y.Slice(0, hidden * d), hidden, d);
        var W2 = Dsl.Reshape(y.Slice(hidden * d, classes * (hidden + 1)), classes, hidden + 1);
        Span<double> h = stackalloc double[hidden + 1];
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < validation.Rows; i++)
        {
            for (int k = 0; k < hidden + 1; k++)
            {
                h[k] = k < hidden ? Dsl.Dot(W1.Row(k), validation.Row(i)) : 1.0;
            }

            Dsl.MatVec(W2, h, z);
            loss += Dsl.SoftmaxCrossEntropy(z, validationLabels[i]);
        }

        return loss / validation.Rows;
    }

    [LowerLevel]
    public double WeightedTrainingLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = train.Columns;
        var W1 = Dsl.Reshape(y.Slice(0, hidden * d), hidden, d);
        var W2 = Dsl.Reshape(y.Slice(hidden * d, classes * (hidden + 1)), classes, hidden + 1);
        Span<double> h = stackalloc double[hidden + 1];
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < train.Rows; i++)
        {
            for (int k = 0; k < hidden + 1; k++)
            {
                h[k] = k < hidden ? Dsl.Dot(W1.Row(k), train.Row(i)) : 1.0;
            }

            Dsl.MatVec(W2, h, z);
            loss += Dsl.Sigmoid(x[i]) * Dsl.SoftmaxCrossEntropy(z, trainLabels[i]);
        }

        return (loss / train.Rows) + (l2 * Dsl.SquaredNorm(y));
    }
}
