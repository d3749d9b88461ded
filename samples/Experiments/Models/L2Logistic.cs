namespace BilevelDsl.Experiments.Models;

/// <summary>
/// l2-regularisation tuning of multinomial logistic regression (Chen, Xu and Zhang, IGFM, ICLR 2024 submission,
/// Sec. 7.2): x[0] = log(lambda), y = W (classes x d, row-major, the last feature a constant 1).
/// Lower: mean training cross-entropy (noisy labels) + exp(x) ||W||^2. Upper: mean validation cross-entropy.
/// </summary>
/// <remarks>
/// Scalar loops until the DSL has matrix-vector products (issue 8); x is a span of length 1. The box |W_cj| &lt;= 100 is
/// the compact lower domain IGFM needs (its SGM projects onto it); it is far from active at the solutions here.
/// </remarks>
[BilevelModel]
[LowerBounds(-100, 100)]
public partial class L2Logistic(Matrix train, int[] trainLabels, Matrix validation, int[] validationLabels, int classes)
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
    public double RegularizedTrainingLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
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

            loss += Math.Log(sum);
        }

        return (loss / train.Rows) + (Math.Exp(x[0]) * Dsl.SquaredNorm(y));
    }
}
