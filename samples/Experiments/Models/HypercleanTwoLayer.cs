namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Data hyper-cleaning with the BVFIM paper's 2-layer linear network (Liu et al., ICML 2021, Sec. 6.2, Eq. 31-32):
/// y = (W1, W2) with W1 in R^{h x d} (the last input feature is a constant 1) and W2 in R^{classes x (h+1)} (the
/// last column a bias), scores W2 [W1 a; 1]. Lower: (1/n) sum_i sigmoid(x_i) CE_i + l2 ||y||^2; upper: the mean
/// validation cross-entropy.
/// </summary>
/// <remarks>
/// y holds W1 row-major first (h d entries), then W2 row-major. Without vector locals (issue 8) the hidden layer
/// cannot be stored, so every class score recomputes it: (classes + 1) h d multiply-adds per sample instead of
/// h d + classes h. Keep h and d small until the model moves to the vector form.
/// </remarks>
[BilevelModel]
public partial class HypercleanTwoLayer(Matrix train, int[] trainLabels, Matrix validation, int[] validationLabels, int classes, int hidden, double l2)
{
    [UpperLevel]
    public double ValidationLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = validation.Columns;
        int w2 = hidden * d;
        double loss = 0;
        for (int i = 0; i < validation.Rows; i++)
        {
            ReadOnlySpan<double> a = validation.Row(i);
            int label = validationLabels[i];
            double trueScore = y[w2 + (label * (hidden + 1)) + hidden];
            for (int k = 0; k < hidden; k++)
            {
                double h = 0;
                for (int j = 0; j < d; j++)
                {
                    h += a[j] * y[(k * d) + j];
                }

                trueScore += y[w2 + (label * (hidden + 1)) + k] * h;
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                double score = y[w2 + (c * (hidden + 1)) + hidden];
                for (int k = 0; k < hidden; k++)
                {
                    double h = 0;
                    for (int j = 0; j < d; j++)
                    {
                        h += a[j] * y[(k * d) + j];
                    }

                    score += y[w2 + (c * (hidden + 1)) + k] * h;
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
        int w2 = hidden * d;
        double loss = 0;
        for (int i = 0; i < train.Rows; i++)
        {
            ReadOnlySpan<double> a = train.Row(i);
            int label = trainLabels[i];
            double trueScore = y[w2 + (label * (hidden + 1)) + hidden];
            for (int k = 0; k < hidden; k++)
            {
                double h = 0;
                for (int j = 0; j < d; j++)
                {
                    h += a[j] * y[(k * d) + j];
                }

                trueScore += y[w2 + (label * (hidden + 1)) + k] * h;
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                double score = y[w2 + (c * (hidden + 1)) + hidden];
                for (int k = 0; k < hidden; k++)
                {
                    double h = 0;
                    for (int j = 0; j < d; j++)
                    {
                        h += a[j] * y[(k * d) + j];
                    }

                    score += y[w2 + (c * (hidden + 1)) + k] * h;
                }

                sum += Math.Exp(score - trueScore);
            }

            loss += Dsl.Sigmoid(x[i]) * Math.Log(sum);
        }

        return (loss / train.Rows) + (l2 * Dsl.SquaredNorm(y));
    }
}
