namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Adversarial training as least squares (IGFM paper, Example 5.4 and Sec. 7.1; Brückner and Scheffer 2011): the learner's
/// x in R^d, the data provider's labels y in R^n. Upper: 1/(2n) ||A x - y||^2. Lower:
/// 1/(2n) ||A x - y||_M^2 + lambda/(2n) ||y - b||_M^2 with M = diag(m) positive semidefinite; where m_i = 0 the lower
/// level does not see y_i, so its solutions form an affine set (no strong convexity). The box |y_i| &lt;= 100 is the
/// compact lower domain IGFM needs; with standardised targets it is never active at the solutions.
/// </summary>
[BilevelModel]
[LowerBounds(-100, 100)]
public partial class AdversarialLeastSquares(Matrix a, double[] b, double[] m, double lambda)
{
    [UpperLevel]
    public double LearnerLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double r = Dsl.Dot(a.Row(i), x) - y[i];
            s += r * r;
        }

        return s / (2.0 * a.Rows);
    }

    [LowerLevel]
    public double ProviderLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double r = Dsl.Dot(a.Row(i), x) - y[i];
            double t = y[i] - b[i];
            s += m[i] * ((r * r) + (lambda * t * t));
        }

        return s / (2.0 * a.Rows);
    }
}
