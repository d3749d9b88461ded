namespace BilevelDsl.Experiments.Models;

/// <summary>
/// l2-regularisation tuning of multinomial logistic regression (Chen, Xu and Zhang, IGFM, ICLR 2024 submission,
/// Sec. 7.2): x[0] = log(lambda), y = W (classes x d, row-major, the last feature a constant 1).
/// Lower: mean training cross-entropy (noisy labels) + exp(x) ||W||^2. Upper: mean validation cross-entropy.
/// </summary>
/// <remarks>
/// Vector form (a Reshape view of y, MatVec into the logits); x is a span of length 1. The box |W_cj| &lt;= 100 is
/// the compact lower domain IGFM needs (its SGM projects onto it); it is far from active at the solutions here.
/// </remarks>
[BilevelModel]
[LowerBounds(-100, 100)]
public partial class L2Logistic(Matrix train, int[] trainLabels, Matrix validation, int[] validationLabels, int classes)
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
    public double RegularizedTrainingLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var W = Dsl.Reshape(y, classes, train.Columns);
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < train.Rows; i++)
        {
            Dsl.MatVec(W, train.Row(i), z);
            loss += Dsl.SoftmaxCrossEntropy(z, trainLabels[i]);
        }

        return (loss / train.Rows) + (Math.Exp(x[0]) * Dsl.SquaredNorm(y));
    }
}
