using BilevelDsl;

namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// Ridge regression with a log-regulariser: the lower level fits w on the training set with penalty (e^x / 2) ||w||^2,
/// the upper level is the validation loss. y*(x) = (A'A + e^x I)^-1 A'b (closed form in <see cref="RidgeClosedForm"/>).
/// </summary>
[BilevelModel]
public partial class RidgeTuning(Matrix train, double[] trainTargets, Matrix validation, double[] validationTargets)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double s = 0.0;
        for (int i = 0; i < validation.Rows; i++)
        {
            double r = Dsl.Dot(validation.Row(i), w) - validationTargets[i];
            s += r * r;
        }

        return 0.5 * s;
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double s = 0.0;
        for (int i = 0; i < train.Rows; i++)
        {
            double r = Dsl.Dot(train.Row(i), w) - trainTargets[i];
            s += r * r;
        }

        return (0.5 * s) + (0.5 * Math.Exp(x[0]) * Dsl.SquaredNorm(w));
    }
}

/// <summary>The ridge problem with the upper variable confined to [-10, upperBound] ([UpperBounds]).</summary>
[BilevelModel]
[UpperBounds(-10.0, 0.5)]
public partial class BoundedRidgeTuning(Matrix train, double[] trainTargets, Matrix validation, double[] validationTargets)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double s = 0.0;
        for (int i = 0; i < validation.Rows; i++)
        {
            double r = Dsl.Dot(validation.Row(i), w) - validationTargets[i];
            s += r * r;
        }

        return 0.5 * s;
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double s = 0.0;
        for (int i = 0; i < train.Rows; i++)
        {
            double r = Dsl.Dot(train.Row(i), w) - trainTargets[i];
            s += r * r;
        }

        return (0.5 * s) + (0.5 * Math.Exp(x[0]) * Dsl.SquaredNorm(w));
    }
}

/// <summary>
/// A bilevel quadratic (m = 2, n = 3) with a strongly convex lower level:
/// F = 1/2 ||x - a||^2 + 1/2 ||y - c||^2 + k x_0 y_2,  f = 1/2 y'Qy - y'(B x + d).
/// y*(x) = Q^-1 (B x + d), phi is quadratic, x* solves a 2 x 2 system (<see cref="QuadraticClosedForm"/>).
/// </summary>
[BilevelModel]
public partial class BilevelQuadratic(Matrix q, Matrix b, double[] d, double[] a, double[] c, double k)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            s += 0.5 * (x[i] - a[i]) * (x[i] - a[i]);
        }

        for (int i = 0; i < y.Length; i++)
        {
            s += 0.5 * (y[i] - c[i]) * (y[i] - c[i]);
        }

        return s + (k * x[0] * y[2]);
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < y.Length; i++)
        {
            s += (0.5 * y[i] * Dsl.Dot(q.Row(i), y)) - (y[i] * (Dsl.Dot(b.Row(i), x) + d[i]));
        }

        return s;
    }
}

/// <summary>
/// The Liu et al. (2020) counterexample: F = (x - y_2)^2 + (y_1 - 1)^2, f = y_1^2 - 2 x y_1, y in R^2. The lower level does
/// not depend on y_2 (a line of solutions); x* = 1, y* = (1, 1), F* = 0.
/// </summary>
[BilevelModel]
public partial class LiuCounterexample
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - y[1]) * (x[0] - y[1])) + ((y[0] - 1.0) * (y[0] - 1.0));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) - (2.0 * x[0] * y[0]);
}

/// <summary>The BVFIM paper's toy: F = (x - a)^2 + (y - a)^2, f = sin(x + y) (nonconvex lower level).</summary>
[BilevelModel]
public partial class SolverSinToy
{
    public double A { get; init; }

    [UpperLevel]
    public double Upper(double x, double y) => ((x - A) * (x - A)) + ((y - A) * (y - A));

    [LowerLevel]
    public double Lower(double x, double y) => Math.Sin(x + y);
}

/// <summary>A lower level with an l1 term: f = 1/2 (y - x)^2 + lambda |y| (nonsmooth at y = 0).</summary>
[BilevelModel]
public partial class SoftThresholdModel
{
    public double Lambda { get; init; } = 0.5;

    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((y[0] - 2.0) * (y[0] - 2.0)) + (0.1 * x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (0.5 * (y[0] - x[0]) * (y[0] - x[0])) + (Lambda * Dsl.Abs(y[0]));
}

/// <summary>A nonsmooth upper level (for BDA, which differentiates F twice): F = |y - 1| + x^2 / 10, f = (y - x)^2 / 2.</summary>
[BilevelModel]
public partial class NonsmoothUpperModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Abs(y[0] - 1.0) + (0.1 * x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => 0.5 * (y[0] - x[0]) * (y[0] - x[0]);
}

/// <summary>A lower level that is unbounded below: f = y + x^2 (grad_y f = 1 everywhere, no minimiser).</summary>
[BilevelModel]
public partial class UnboundedLowerModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - 1.0) * (x[0] - 1.0)) + (1e-3 * y[0] * y[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] + (x[0] * x[0]);
}

/// <summary>
/// A lower level on the box y &gt;= 0 ([LowerBounds]): f = 1/2 y'Qy - y't(x), Q diagonal here, with t(x) = (x - 1, 2 - x, x/2 - 3).
/// For x near 1.5 the third component is at its bound: y* = (x - 1, 2 - x, 0) (closed form in the tests).
/// </summary>
[BilevelModel]
[LowerBounds(0.0, double.PositiveInfinity)]
public partial class BoxLowerModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (((y[0] - 1.0) * (y[0] - 1.0)) + ((y[1] - 1.0) * (y[1] - 1.0)) + ((y[2] - 1.0) * (y[2] - 1.0)))) + (0.5 * x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * ((y[0] * y[0]) + (y[1] * y[1]) + (y[2] * y[2]))) - (y[0] * (x[0] - 1.0)) - (y[1] * (2.0 - x[0])) - (y[2] * ((0.5 * x[0]) - 3.0));
}

/// <summary>A coupled lower level on a box: f = 1/2 y'Qy - y'(B x) with a non-diagonal Q, y in [0, 1]^3.</summary>
[BilevelModel]
[LowerBounds(0.0, 1.0)]
public partial class CoupledBoxModel(Matrix q, Matrix b)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((y[0] - 0.8) * (y[0] - 0.8)) + ((y[1] - 0.1) * (y[1] - 0.1)) + (y[2] * y[2]) + (0.2 * Dsl.SquaredNorm(x));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < y.Length; i++)
        {
            s += (0.5 * y[i] * Dsl.Dot(q.Row(i), y)) - (y[i] * Dsl.Dot(b.Row(i), x));
        }

        return s;
    }
}

/// <summary>A lower level with an inequality constraint, which the methods here do not handle.</summary>
[BilevelModel]
public partial class ConstrainedLowerModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((y[0] - 1.0) * (y[0] - 1.0)) + (x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] - x[0]) * (y[0] - x[0]);

    [LowerConstraint]
    public double Cap(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - 0.5;
}
