namespace BilevelDsl.Tests.SeedSolvers.Nonsmooth;

/// <summary>
/// lp-regularised least squares (p = 1/2), the seed's first experiment: the hyperparameter x[0] = log lambda is chosen to
/// minimise the validation loss of w = y, where y minimises the training loss plus lambda sum |w_j|^(1/2).
/// </summary>
[BilevelModel]
public partial class LpRegressionModel(Matrix trainA, double[] trainB, Matrix validationA, double[] validationB)
{
    [UpperLevel]
    public double Validation(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < validationA.Rows; i++)
        {
            double r = Dsl.Dot(validationA.Row(i), y) - validationB[i];
            s += r * r;
        }

        return 0.5 * s / validationA.Rows;
    }

    [LowerLevel]
    public double Training(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < trainA.Rows; i++)
        {
            double r = Dsl.Dot(trainA.Row(i), y) - trainB[i];
            s += r * r;
        }

        double penalty = 0.0;
        for (int j = 0; j < y.Length; j++)
        {
            penalty += Dsl.PowAbs(y[j], 0.5);
        }

        return (0.5 * s / trainA.Rows) + (Math.Exp(x[0]) * penalty);
    }
}

/// <summary>
/// OSCAR data re-weighting, the seed's problem (24): x = (lambda_1 .. lambda_N, lambda^, lambda~); the training loss
/// weights sample i by softmax(lambda)_i, and w = y is regularised by exp(lambda^) ||w||_1 + exp(lambda~) sum_{i &lt; j} max(|w_i|, |w_j|).
/// </summary>
[BilevelModel]
public partial class OscarReweightingModel(Matrix trainA, double[] trainB, Matrix validationA, double[] validationB)
{
    [UpperLevel]
    public double Validation(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < validationA.Rows; i++)
        {
            double r = Dsl.Dot(validationA.Row(i), y) - validationB[i];
            s += r * r;
        }

        return 0.5 * s / validationA.Rows;
    }

    [LowerLevel]
    public double Training(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = trainA.Rows;
        double normaliser = 0.0;
        double s = 0.0;
        for (int i = 0; i < n; i++)
        {
            double weight = Math.Exp(x[i]);
            double r = Dsl.Dot(trainA.Row(i), y) - trainB[i];
            normaliser += weight;
            s += weight * r * r;
        }

        double oscar = 0.0;
        for (int i = 0; i < y.Length; i++)
        {
            for (int j = i + 1; j < y.Length; j++)
            {
                oscar += Dsl.OscarPair(y[i], y[j]);
            }
        }

        return (0.5 * s / normaliser) + (Math.Exp(x[n]) * Dsl.Norm1(y)) + (Math.Exp(x[n + 1]) * oscar);
    }
}

/// <summary>A nonsmooth lower level with a box domain on y: the stationarity reformulation does not hold, both methods refuse it.</summary>
[BilevelModel]
[LowerBounds(-5.0, 5.0)]
public partial class BoxedNonsmoothModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] - 1) * (y[0] - 1) + (x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] - x[0]) * (y[0] - x[0]) + Dsl.Abs(y[0]);
}

/// <summary>A nonsmooth lower level with an inequality constraint u(x, y) &lt;= 0, which the stationarity reformulation ignores: refused.</summary>
[BilevelModel]
public partial class ConstrainedNonsmoothModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] - 1) * (y[0] - 1) + (x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] - x[0]) * (y[0] - x[0]) + Dsl.Abs(y[0]);

    [LowerConstraint]
    public double Cap(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - 2.0;
}
