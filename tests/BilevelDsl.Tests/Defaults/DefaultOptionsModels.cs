namespace BilevelDsl.Tests.Defaults;

/// <summary>Ridge regression: x[0] = log lambda picks the validation-best lambda ||w||^2 / 2 (issue 12, acceptance 3).</summary>
[BilevelModel]
public partial class DefaultsRidgeModel(Matrix trainA, double[] trainB, Matrix validationA, double[] validationB)
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

        return (0.5 * s / trainA.Rows) + (0.5 * Math.Exp(x[0]) * Dsl.Dot(y, y));
    }
}

/// <summary>The lasso: x[0] = log lambda of lambda ||w||_1.</summary>
[BilevelModel]
public partial class DefaultsLassoModel(Matrix trainA, double[] trainB, Matrix validationA, double[] validationB)
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

        return (0.5 * s / trainA.Rows) + (Math.Exp(x[0]) * Dsl.Norm1(y));
    }
}

/// <summary>
/// y in a ball of radius x: y = argmin ||y - (2, 1)||^2 / 2 s.t. ||y||^2 &lt;= x^2; F = ||y - (1, 1)||^2 / 2 + x^2 / 20.
/// x enters the lower level only through the constraint. Optimum x* = (3 / sqrt 5) / 1.1 (ball active).
/// </summary>
[BilevelModel]
[UpperBounds(0.0, 5.0)]
public partial class DefaultsBallModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (((y[0] - 1) * (y[0] - 1)) + ((y[1] - 1) * (y[1] - 1)))) + (0.05 * x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        0.5 * (((y[0] - 2) * (y[0] - 2)) + ((y[1] - 1) * (y[1] - 1)));

    [LowerConstraint]
    public double Ball(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) + (y[1] * y[1]) - (x[0] * x[0]);
}

/// <summary>
/// A budget: y = argmin ||y - (x, 2x)||^2 / 2 s.t. y_1 + y_2 &lt;= 1; F = ||y - (0.2, 0.9)||^2 / 2 + x^2 / 10.
/// Optimum x* = 0.5, y* = (0.25, 0.75) (budget active).
/// </summary>
[BilevelModel]
public partial class DefaultsBudgetModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (((y[0] - 0.2) * (y[0] - 0.2)) + ((y[1] - 0.9) * (y[1] - 0.9)))) + (0.1 * x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        0.5 * (((y[0] - x[0]) * (y[0] - x[0])) + ((y[1] - (2 * x[0])) * (y[1] - (2 * x[0]))));

    [LowerConstraint]
    public double Budget(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] + y[1] - 1.0;
}
