using BilevelDsl.Numerics;

namespace BilevelDsl.Tests.SecondOrder;

/// <summary>Three lower-level constraints u_j(x, y) &lt;= 0, numbered in declaration order.</summary>
[BilevelModel]
public partial class ConstrainedModel(double[] c)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y) + (x[0] * y[1]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += (y[i] - x[0]) * (y[i] - x[0]);
        }

        return s;
    }

    /// <summary>u0: ||y||^2 - x0^2 (a ball whose radius is the upper variable).</summary>
    [LowerConstraint]
    public double BallConstraint(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y) - (x[0] * x[0]);

    /// <summary>u1: sum exp(x1 y_i) + sin(x0 y0) - 3.</summary>
    [LowerConstraint]
    public double ExpConstraint(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += Math.Exp(x[1] * y[i]);
        }

        return s + Math.Sin(x[0] * y[0]) - 3;
    }

    /// <summary>u2: c'y - x1 (linear: zero Hessian).</summary>
    [LowerConstraint]
    public double LinearConstraint(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Dot(c, y) - x[1];
}

/// <summary>Box domains: y in [-1, 2]^n, x in [0, inf)^m.</summary>
[BilevelModel]
[LowerBounds(-1.0, 2.0)]
[UpperBounds(0.0, double.PositiveInfinity)]
public partial class BoxDomainModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(x) + Dsl.Sum(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y) - Dsl.Dot(x, y);
}

/// <summary>User projections: y onto the ball of radius Radius (written out), x onto the simplex; nonsmooth
/// lower level, so the smoothed view's projections can be compared as well.</summary>
[BilevelModel]
public partial class ProjectedModel
{
    public double Radius { get; init; } = 1.5;

    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(x) + Dsl.Sum(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Norm1(y) - Dsl.Dot(x, y);

    [LowerProjection]
    public void OntoBall(Span<double> y)
    {
        double squared = 0;
        for (int i = 0; i < y.Length; i++)
        {
            squared += y[i] * y[i];
        }

        double norm = Math.Sqrt(squared);
        if (norm > Radius)
        {
            double scale = Radius / norm;
            for (int i = 0; i < y.Length; i++)
            {
                y[i] *= scale;
            }
        }
    }

    [UpperProjection]
    public static void OntoSimplex(Span<double> x) => Projections.Simplex(x, 2.0);
}

/// <summary>No domain declared: both projections are the identity; no constraints.</summary>
[BilevelModel]
public partial class FreeModel
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(x) + Dsl.Sum(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y) - Dsl.Dot(x, y);
}
