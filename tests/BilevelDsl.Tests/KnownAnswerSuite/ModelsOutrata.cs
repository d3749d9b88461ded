namespace BilevelDsl.Tests.KnownAnswerSuite;

// Outrata's quadratic lower levels with linear or convex constraints (Outrata 1990, 1993, 1994; Outrata &
// Cervinka 2009), and other constrained strongly convex problems (Muu & Quy 2003; Sinha, Malo & Deb 2014;
// Colson 2002). Sources, optima and verification: KnownAnswerCatalogue.

/// <summary>Outrata 1990, Example 1(a): distance of y to (3, 4) plus 0.1 ||x||^2.</summary>
[BilevelModel]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1990Ex1A
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4)) + (0.1 * ((x[0] * x[0]) + (x[1] * x[1]))) - 12.5;

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * ((y[0] * y[0]) - (4 * y[0] * y[1]) + (5 * y[1] * y[1]))) - (x[0] * y[0]) - (x[1] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (0.333 * y[0]) - 2;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (0.333 * y[1]) - 2;
}

/// <summary>Outrata 1990, Example 1(c): another lower-level Hessian, no x term in F.</summary>
[BilevelModel]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1990Ex1C
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4)) - 12.5;

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * ((y[0] * y[0]) + (6 * y[0] * y[1]) + (10 * y[1] * y[1]))) - (x[0] * y[0]) - (x[1] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (0.333 * y[0]) - 2;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (0.333 * y[1]) - 2;
}

/// <summary>Outrata 1990, Example 1(d): the lower level of 1(c) with the upper objective of 1(a).</summary>
[BilevelModel]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1990Ex1D
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4)) + (0.1 * ((x[0] * x[0]) + (x[1] * x[1]))) - 12.5;

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * ((y[0] * y[0]) + (6 * y[0] * y[1]) + (10 * y[1] * y[1]))) - (x[0] * y[0]) - (x[1] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (0.333 * y[0]) - 2;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (0.333 * y[1]) - 2;
}

/// <summary>Outrata 1990, Example 2(a): one upper variable, a strongly convex lower level.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1990Ex2A
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * y[0] * y[0]) + (0.5 * y[1] * y[1]) - (x[0] * y[1]) - (y[0] * ((1.333 * x[0]) + 3));

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (0.333 * y[0]) - 2;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (0.333 * y[1]) - 2;
}

/// <summary>Outrata 1990, Example 2(b): linear in y2 (convex, not strongly convex).</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1990Ex2B
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (x[0] + 1) * y[0] * y[0]) - (y[0] * ((1.333 * x[0]) + 3)) - (x[0] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (0.333 * y[0]) - 2;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (0.333 * y[1]) - 2;
}

/// <summary>Outrata 1990, Example 2(c): x scales the lower-level Hessian.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1990Ex2C
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (x[0] + 1) * y[0] * y[0]) - (y[0] * ((1.333 * x[0]) + 3)) - (x[0] * y[1]) + (0.5 * ((0.1 * x[0]) + 1) * y[1] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (0.333 * y[0]) - 2;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (0.333 * y[1]) - 2;
}

/// <summary>Outrata 1990, Example 2(e): the lower objective of 2(c) without the x in the y2 curvature, constraints that depend on x.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1990Ex2E
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (0.5 * (x[0] + 1) * y[0] * y[0]) - (y[0] * ((1.333 * x[0]) + 3)) - (x[0] * y[1]) + (0.5 * y[1] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] + (y[0] * ((0.1 * x[0]) - 0.333)) - x[0];
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (y[1] * ((0.1 * x[0]) + 0.333)) - 2;
}

/// <summary>Outrata 1993, Example 3.1: x in the lower-level Hessian and in the constraints.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1993Ex31
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (((0.1 * x[0]) + 0.5) * y[0] * y[0]) - (x[0] * y[1]) - (y[0] * ((1.333 * x[0]) + 3)) + (((0.05 * x[0]) + 0.5) * y[1] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] + (y[0] * ((0.1 * x[0]) - 0.333)) + (0.1 * x[0]) - 2;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - (y[1] * ((0.1 * x[0]) + 0.333)) + (0.1 * x[0]) - 2;
}

/// <summary>Outrata 1994, Example 3.1: the lower objective of 1993 Ex. 3.1 in a disc whose radius grows with x.</summary>
[BilevelModel]
[UpperBounds(0, 10)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Outrata1994Ex31
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (0.5 * (y[0] - 3) * (y[0] - 3)) + (0.5 * (y[1] - 4) * (y[1] - 4));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (((0.1 * x[0]) + 0.5) * y[0] * y[0]) - (x[0] * y[1]) - (y[0] * ((1.333 * x[0]) + 3)) + (((0.05 * x[0]) + 0.5) * y[1] * y[1]);

    [LowerConstraint] public double Halfplane(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (0.333 * y[0]) + (0.1 * x[0]) - 1;
    [LowerConstraint] public double Disc(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) + (y[1] * y[1]) - 9 - (0.1 * x[0]);
}

/// <summary>Outrata &amp; Cervinka 2009: a strongly convex lower level on a polyhedral cone; x1 &lt;= 0.</summary>
[BilevelModel]
public partial class OutrataCervinka2009
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (-2 * x[0]) - (0.5 * x[1]) - y[1];

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        y[0] - y[1] + (x[0] * y[0]) + (x[1] * y[1]) + (0.5 * ((y[0] * y[0]) + (y[1] * y[1])));

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1];
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - y[0];
    [LowerConstraint] public double C3(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] + y[1];

    [UpperProjection]
    public static void OntoUpperSet(Span<double> x) => x[0] = Math.Min(x[0], 0.0);
}

/// <summary>Muu &amp; Quy 2003, Example 1: a strongly convex quadratic lower level with a coupled linear constraint.</summary>
[BilevelModel]
[UpperBounds(0, 2)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class MuuQuy2003Ex1
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (x[0] * x[0]) - (4 * x[0]) + (y[0] * y[0]) + (y[1] * y[1]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (y[0] * y[0]) + (0.5 * y[1] * y[1]) + (y[0] * y[1]) - (y[0] * ((3 * x[0]) - 1)) + (y[1] * (x[0] + 1));

    [LowerConstraint] public double Coupled(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (2 * y[0]) + y[1] - (2 * x[0]) - 1;
}

/// <summary>Sinha, Malo &amp; Deb 2014, test problem TP6: a strongly convex lower level in a polygon that moves with x.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class SinhaMaloDeb2014Tp6
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - 1) * (x[0] - 1)) + (2 * y[0]) - (2 * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (((2 * y[0]) - 4) * ((2 * y[0]) - 4)) + (((2 * y[1]) - 1) * ((2 * y[1]) - 1)) + (x[0] * y[0]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (4 * x[0]) + (5 * y[0]) + (4 * y[1]) - 12;
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (4 * y[1]) - (4 * x[0]) - (5 * y[0]) + 4;
    [LowerConstraint] public double C3(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (4 * x[0]) - (4 * y[0]) + (5 * y[1]) - 4;
    [LowerConstraint] public double C4(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (4 * y[0]) - (4 * x[0]) + (5 * y[1]) - 4;
}

/// <summary>Colson 2002, problem BIPA5: a strongly convex lower level with a convex exponential constraint.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Colson2002Bipa5
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double d = x[0] - y[1];
        return (d * d * d * d) + ((y[0] - y[1]) * (y[0] - y[1])) + ((y[0] - 1) * (y[0] - 1));
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (2 * x[0]) + (4 * y[0]) - (6 * y[1]) + Math.Exp(y[0]) + (y[0] * y[0]) + (2 * y[1] * y[1]);

    [LowerConstraint] public double Exponential(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Math.Exp(y[1]) + (y[0] * y[0]) + (6 * x[0]) - 15;
    [LowerConstraint] public double Quartic(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (5 * x[0]) + (y[0] * y[0] * y[0] * y[0]) - y[1] - 25;
    [LowerConstraint] public double Y1Cap(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - 4;
    [LowerConstraint] public double Y2Cap(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - 2;
}
