namespace BilevelDsl.Tests.SeedSolvers.FirstOrder;

// Models for the BOME, SGM and IGFM tests, written as users write them: the generator emits their kernels.
// Project notation: F = upper objective, f = lower objective (the IGFM seed writes f and g).

/// <summary>
/// The Liu et al. (2020) counterexample: min (x - y2)^2 + (y1 - 1)^2 s.t. y in argmin y1^2 - 2 x y1. The lower level does
/// not depend on y2, so Y*(x) = {(x, t)}; phi(x) = min_t (x - t)^2 + (x - 1)^2 = (x - 1)^2, x* = 1, y* = (1, 1), F* = 0.
/// No lower domain (for BOME, and for IGFM's refusal).
/// </summary>
[BilevelModel]
public partial class Counterexample
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - y[1]) * (x[0] - y[1])) + ((y[0] - 1) * (y[0] - 1));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) - (2 * x[0] * y[0]);
}

/// <summary>The counterexample with the compact lower domain Y = [-10, 10]^2 (it contains Y*(x) for |x| &lt;= 10), as SGM and IGFM need.</summary>
[BilevelModel]
[LowerBounds(-10.0, 10.0)]
public partial class BoxedCounterexample
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - y[1]) * (x[0] - y[1])) + ((y[0] - 1) * (y[0] - 1));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) - (2 * x[0] * y[0]);
}

/// <summary>The BVFIM paper's toy: min (x - a)^2 + (y - a)^2 s.t. y in argmin sin(x + y). a = 0: x* = y* = -pi/4; a = 2: 3 pi/4.</summary>
[BilevelModel]
public partial class SinToy
{
    public double A { get; init; }

    [UpperLevel]
    public double Upper(double x, double y) => ((x - A) * (x - A)) + ((y - A) * (y - A));

    [LowerLevel]
    public double Lower(double x, double y) => Math.Sin(x + y);
}

/// <summary>
/// Example 5.4 of the IGFM seed (adversarial training with least squares), with a diagonal M = diag(weights):
/// F = 1/(2n) ||A x - y||^2, f = 1/(2n) ||A x - y||_M^2 + lambda/(2n) ||y - b||_M^2, y in [-Bound, Bound]^n.
/// Where weights_i &gt; 0, y_i* = (a_i x + lambda b_i) / (1 + lambda); where weights_i = 0, y_i is free and F picks a_i x.
/// </summary>
[BilevelModel]
[LowerBounds(-50.0, 50.0)]
public partial class AdversarialLeastSquares(Matrix a, double[] b, double[] weights, double lambda)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < b.Length; i++)
        {
            double r = Dsl.Dot(a.Row(i), x) - y[i];
            s += r * r;
        }

        return s / (2.0 * b.Length);
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < b.Length; i++)
        {
            double r = Dsl.Dot(a.Row(i), x) - y[i];
            double t = y[i] - b[i];
            s += weights[i] * ((r * r) + (lambda * t * t));
        }

        return s / (2.0 * b.Length);
    }
}

/// <summary>
/// A weak-sharp (nonsmooth) lower level: f = |y1 + y2 - x| on [-2, 2]^2, F = y1^2 + 2 y2^2. Y*(x) is the line y1 + y2 = x;
/// on it F is least at y = (2x/3, x/3) (Lagrange: 2 y1 = 4 y2), so phi(x) = 2 x^2 / 3.
/// </summary>
[BilevelModel]
[LowerBounds(-2.0, 2.0)]
public partial class SharpLine
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) + (2 * y[1] * y[1]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Math.Abs(y[0] + y[1] - x[0]);
}

/// <summary>
/// Minimum-norm least squares: f = 1/2 ||C y - x c||^2 with a wide C (2 x 4, full row rank), F = 1/2 ||y||^2, y in [-5, 5]^4.
/// Y*(x) = {y : C y = x c}, a 2-dimensional affine set; the minimum-norm point is y = x C^T (C C^T)^{-1} c.
/// </summary>
[BilevelModel]
[LowerBounds(-5.0, 5.0)]
public partial class MinimumNormLeastSquares(Matrix c, double[] rhs)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => 0.5 * Dsl.SquaredNorm(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < c.Rows; i++)
        {
            double r = Dsl.Dot(c.Row(i), y) - (x[0] * rhs[i]);
            s += r * r;
        }

        return 0.5 * s;
    }
}

/// <summary>A concave lower level on a box: f = -(y - x)^2 on [-1, 1], F = y^2. SGM must refuse it (AssumptionViolated).</summary>
[BilevelModel]
[LowerBounds(-1.0, 1.0)]
public partial class ConcaveLower
{
    [UpperLevel]
    public double Upper(double x, double y) => y * y;

    [LowerLevel]
    public double Lower(double x, double y) => -((y - x) * (y - x));
}

/// <summary>An unbounded lower domain y &gt;= 0: IGFM and SGM must refuse it.</summary>
[BilevelModel]
[LowerBounds(0.0, double.PositiveInfinity)]
public partial class HalfLineLower
{
    [UpperLevel]
    public double Upper(double x, double y) => (x - y) * (x - y);

    [LowerLevel]
    public double Lower(double x, double y) => (y - x) * (y - x);
}

/// <summary>A lower level with an inequality constraint (y &lt;= x): SGM, IGFM and BOME must refuse it.</summary>
[BilevelModel]
[LowerBounds(-1.0, 1.0)]
public partial class ConstrainedLower
{
    [UpperLevel]
    public double Upper(double x, double y) => (x - 1) * (x - 1) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (y - (2 * x)) * (y - (2 * x));

    [LowerConstraint]
    public double AtMostX(double x, double y) => y - x;
}

/// <summary>
/// A nonsmooth lower level without a domain: f = |y - x| + (y - x)^2 / 2 (sharp minimum at y = x), F = (x - 1)^2 + (y - 1)^2,
/// phi(x) = 2 (x - 1)^2, x* = y* = 1. BOME refuses it unless Smoothing &gt; 0.
/// </summary>
[BilevelModel]
public partial class AbsLower
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + ((y - 1) * (y - 1));

    [LowerLevel]
    public double Lower(double x, double y) => Math.Abs(y - x) + (0.5 * (y - x) * (y - x));
}

/// <summary>
/// A lower level with a projection onto a disc (a compact set a box cannot express): f = (y1 - x)^2 on the disc of radius 2,
/// F = (y2 - 3)^2 + (x - 1)^2. Y*(x) = {(x, t) : x^2 + t^2 &lt;= 4}; F is least at t = sqrt(4 - x^2).
/// </summary>
[BilevelModel]
public partial class DiscLower
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((y[1] - 3) * (y[1] - 3)) + ((x[0] - 1) * (x[0] - 1));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] - x[0]) * (y[0] - x[0]);

    [LowerProjection]
    public void OntoDisc(Span<double> y)
    {
        double norm = Math.Sqrt((y[0] * y[0]) + (y[1] * y[1]));
        if (norm > 2.0)
        {
            y[0] *= 2.0 / norm;
            y[1] *= 2.0 / norm;
        }
    }
}
