namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Data hyper-cleaning with a linear softmax classifier (Liu et al., BVFIM, ICML 2021, Sec. 5.2; Franceschi et al.
/// 2017): x_i is a logit weight per training sample, y = W (classes x d, row-major, the last feature a constant 1).
/// Lower: (1/n) sum_i sigmoid(x_i) CE(W a_i, b_i) + l2 ||W||^2. Upper: the mean validation cross-entropy.
/// </summary>
/// <remarks>
/// Written with scalar loops because the DSL has no matrix-vector product yet (issue 8); the cross-entropy is
/// log sum_c exp(z_c - z_b), shifted by the true class's score so that exp never sees a large argument.
/// </remarks>
[BilevelModel]
public partial class HypercleanLinear(Matrix train, int[] trainLabels, Matrix validation, int[] validationLabels, int classes, double l2)
{
    [UpperLevel]
    public double ValidationLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = validation.Columns;
        double loss = 0;
        for (int i = 0; i < validation.Rows; i++)
        {
            ReadOnlySpan<double> a = validation.Row(i);
            int label = validationLabels[i];
            double trueScore = 0;
            for (int j = 0; j < d; j++)
            {
                trueScore += a[j] * y[(label * d) + j];
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                double score = 0;
                for (int j = 0; j < d; j++)
                {
                    score += a[j] * y[(c * d) + j];
                }

                sum += Math.Exp(score - trueScore);
            }

            loss += Math.Log(sum);
        }

        return loss / validation.Rows;
    }

    [LowerLevel]
    public double WeightedTrainingLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = train.Columns;
        double loss = 0;
        for (int i = 0; i < train.Rows; i++)
        {
            ReadOnlySpan<double> a = train.Row(i);
            int label = trainLabels[i];
            double trueScore = 0;
            for (int j = 0; j < d; j++)
            {
                trueScore += a[j] * y[(label * d) + j];
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                double score = 0;
                for (int j = 0; j < d; j++)
                {
                    score += a[j] * y[(c * d) + j];
                }

                sum += Math.Exp(score - trueScore);
            }

            loss += Dsl.Sigmoid(x[i]) * Math.Log(sum);
        }

        return (loss / train.Rows) + (l2 * Dsl.SquaredNorm(y));
    }
}
