namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Data hyper-cleaning with the BVFIM paper's 2-layer linear network (Liu et al., ICML 2021, Sec. 6.2, Eq. 31-32):
/// y = (W1, W2, b) with W1 in R^{h x d} (the last input feature is a constant 1, so W1's last column is the hidden
/// bias), W2 in R^{classes x h} and the output bias b in R^{classes}: scores W2 (W1 a) + b, the paper's
/// R^{classes x (h+1)} second layer with its bias column stored apart. Lower: (1/n) sum_i sigmoid(x_i) CE_i +
/// l2 ||y||^2; upper: the mean validation cross-entropy.
/// </summary>
/// <remarks>
/// y holds W1 row-major first (h d entries), then W2 row-major (classes h), then b. The hidden layer is a
/// <c>MatVec</c> of a reshape of y with the data row, so the generated kernels run it on the row-blocked,
/// row-chunked products (each data row read once per call for all h rows of W1; docs/ad-conventions.md).
/// </remarks>
[BilevelModel]
public partial class HypercleanTwoLayer(Matrix train, int[] trainLabels, Matrix validation, int[] validationLabels, int classes, int hidden, double l2)
{
    [UpperLevel]
    public double ValidationLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = validation.Columns;
        var W1 = Dsl.Reshape(y.Slice(0, hidden * d), hidden, d);
        var W2 = Dsl.Reshape(y.Slice(hidden * d, classes * hidden), classes, hidden);
        ReadOnlySpan<double> b = y.Slice((hidden * d) + (classes * hidden), classes);
        Span<double> h = stackalloc double[hidden];
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < validation.Rows; i++)
        {
            Dsl.MatVec(W1, validation.Row(i), h);
            Dsl.MatVec(W2, h, z);
            Dsl.Axpy(1.0, b, z);
            loss += Dsl.SoftmaxCrossEntropy(z, validationLabels[i]);
        }

        return loss / validation.Rows;
    }

    [LowerLevel]
    public double WeightedTrainingLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = train.Columns;
        var W1 = Dsl.Reshape(y.Slice(0, hidden * d), hidden, d);
        var W2 = Dsl.Reshape(y.Slice(hidden * d, classes * hidden), classes, hidden);
        ReadOnlySpan<double> b = y.Slice((hidden * d) + (classes * hidden), classes);
        Span<double> h = stackalloc double[hidden];
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < train.Rows; i++)
        {
            Dsl.MatVec(W1, train.Row(i), h);
            Dsl.MatVec(W2, h, z);
            Dsl.Axpy(1.0, b, z);
            loss += Dsl.Sigmoid(x[i]) * Dsl.SoftmaxCrossEntropy(z, trainLabels[i]);
        }

        return (loss / train.Rows) + (l2 * Dsl.SquaredNorm(y));
    }
}
