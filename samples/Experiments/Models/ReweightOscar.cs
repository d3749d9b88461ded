namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Data re-weighting with an l1 + OSCAR regulariser (SPNBO paper, Sec. 5.2, Eq. 24): x = (lambda_1..lambda_N, lambda_hat,
/// lambda_check), y = w (d features, the last a constant 1). Lower: sum_i softmax(lambda)_i (a_i w - t_i)^2
/// + exp(lambda_hat) ||w||_1 + exp(lambda_check) sum over feature pairs i &lt; j of the same group of max(|w_i|, |w_j|).
/// Upper: the mean validation squared error.
/// </summary>
/// <remarks>
/// The groups are <c>groups</c> contiguous blocks of features (the paper does not define G_i further). Scalar loops until
/// the DSL has vector locals (issue 8); the softmax normaliser is an accumulated sum of exp(lambda_j).
/// </remarks>
[BilevelModel]
public partial class ReweightOscar(Matrix train, double[] trainTargets, Matrix validation, double[] validationTargets, int groups)
{
    [UpperLevel]
    public double ValidationError(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < validation.Rows; i++)
        {
            double r = Dsl.Dot(validation.Row(i), y) - validationTargets[i];
            s += r * r;
        }

        return s / validation.Rows;
    }

    [LowerLevel]
    public double WeightedRegularizedError(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = train.Rows;
        double normaliser = 0;
        for (int j = 0; j < n; j++)
        {
            normaliser += Math.Exp(x[j]);
        }

        double fit = 0;
        for (int i = 0; i < n; i++)
        {
            double r = Dsl.Dot(train.Row(i), y) - trainTargets[i];
            fit += Math.Exp(x[i]) * r * r;
        }

        int size = (y.Length + groups - 1) / groups;
        double oscar = 0;
        for (int g = 0; g < groups; g++)
        {
            int end = Math.Min((g + 1) * size, y.Length);
            for (int i = g * size; i < end; i++)
            {
                for (int j = i + 1; j < end; j++)
                {
                    oscar += Dsl.OscarPair(y[i], y[j]);
                }
            }
        }

        return (fit / normaliser) + (Math.Exp(x[n]) * Dsl.Norm1(y)) + (Math.Exp(x[n + 1]) * oscar);
    }
}
