namespace BilevelDsl.Tests.KnownAnswerSuite;

// Known-answer problems whose lower level has inequality constraints u_j(x, y) <= 0 ([LowerConstraint]); the
// literature writes them as g_j >= 0, here u_j = -g_j. Sources, optima and verification: KnownAnswerCatalogue.
// Where x enters the lower level only through a constraint, BDSL0010 (which counts the objective only) is suppressed.
#pragma warning disable BDSL0010

/// <summary>Bard 1988, Example 1 (Bard's book 1998; Shimizu et al. 1997): strongly convex, four linear constraints.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
public partial class Bard1988Ex1
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 5) * (x - 5)) + (((2 * y) + 1) * ((2 * y) + 1));

    [LowerLevel]
    public double Lower(double x, double y) => ((y - 1) * (y - 1)) - (1.5 * x * y);

    [LowerConstraint] public double C1(double x, double y) => y - (3 * x) + 3;
    [LowerConstraint] public double C2(double x, double y) => x - (0.5 * y) - 4;
    [LowerConstraint] public double C3(double x, double y) => x + y - 7;
    [LowerConstraint] public double C4(double x, double y) => -y;
}

/// <summary>Clark &amp; Westerberg 1990 (BOLIB ClarkWesterberg1990a): y as close to 5 as three linear constraints allow.</summary>
[BilevelModel]
[UpperBounds(0, 8)]
public partial class ClarkWesterberg1990A
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 3) * (x - 3)) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => (y - 5) * (y - 5);

    [LowerConstraint] public double C1(double x, double y) => y - (2 * x) - 1;
    [LowerConstraint] public double C2(double x, double y) => x + 2 - (2 * y);
    [LowerConstraint] public double C3(double x, double y) => (2 * y) + x - 14;
}

/// <summary>Lampariello &amp; Sagratella 2017, Example 3.1: a linear lower level, y &gt;= 1 - x.</summary>
[BilevelModel]
[UpperBounds(1, double.PositiveInfinity)]
public partial class LamparielloSagratella2017Ex31
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => y;

    [LowerConstraint] public double Above(double x, double y) => 1 - x - y;
}

/// <summary>Lampariello &amp; Sagratella 2017, Example 3.5: a linear lower level, y &lt;= 2 - 2x, y in [0, 1].</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(0, 1)]
public partial class LamparielloSagratella2017Ex35
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => -y;

    [LowerConstraint] public double Below(double x, double y) => y + (2 * x) - 2;
}

/// <summary>Tuy, Migdalas &amp; Hoai-Phuong 2007 (BOLIB TuyEtal2007): a linear lower level, three linear constraints.</summary>
[BilevelModel]
[UpperBounds(0, double.PositiveInfinity)]
public partial class TuyEtal2007
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => -y;

    [LowerConstraint] public double C1(double x, double y) => y + (3 * x) - 15;
    [LowerConstraint] public double C2(double x, double y) => y + x - 7;
    [LowerConstraint] public double C3(double x, double y) => (3 * y) + x - 15;
}

/// <summary>Vogel 2012 (BOLIB Vogel2012): the cubic y^3 - 3y on y &gt;= x, two competing minimisers.</summary>
[BilevelModel]
[UpperBounds(-3, 2)]
public partial class Vogel2012
{
    [UpperLevel]
    public double Upper(double x, double y) => (y + 1) * (y + 1);

    [LowerLevel]
    public double Lower(double x, double y) => (y * y * y) - (3 * y);

    [LowerConstraint] public double AboveX(double x, double y) => x - y;
}

/// <summary>Ye &amp; Zhu 2010, Example 4.2: the lower level of Vogel 2012 with another upper objective.</summary>
[BilevelModel]
[UpperBounds(-3, 2)]
public partial class YeZhu2010Ex42
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (y * y * y) - (3 * y);

    [LowerConstraint] public double AboveX(double x, double y) => x - y;
}

/// <summary>Ye &amp; Zhu 2010, Example 4.3: y^3 - 3y on y &gt;= x - 3.</summary>
[BilevelModel]
[UpperBounds(0, 4)]
public partial class YeZhu2010Ex43
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 0.5) * (x - 0.5)) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => (y * y * y) - (3 * y);

    [LowerConstraint] public double Above(double x, double y) => x - 3 - y;
}

/// <summary>Yezza 1996, Example 4.1: y = min(1, x) on 0 &lt;= y &lt;= x.</summary>
[BilevelModel]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Yezza1996Ex41
{
    [UpperLevel]
    public double Upper(double x, double y) => (0.5 * (y - x + 2) * (y - x + 2)) + (0.5 * (y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * y * y) - y + x;

    [LowerConstraint] public double BelowX(double x, double y) => y - x;
}

/// <summary>Floudas &amp; Zlobec 1998 (BOLIB FloudasZlobec1998): a linear objective, a convex quadratic constraint coupling x.</summary>
[BilevelModel]
[UpperBounds(0, 1)]
public partial class FloudasZlobec1998
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] + (x[0] * x[0] * x[0] * y[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => -y[1];

    [LowerConstraint] public double Y1Low(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => -1 - y[0];
    [LowerConstraint] public double Y1High(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - 1;
    [LowerConstraint] public double Y2Low(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => -y[1];
    [LowerConstraint] public double Y2High(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - 100;
    [LowerConstraint] public double Product(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (x[0] * y[0]) - 10;
    [LowerConstraint] public double Quadratic(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) + (x[0] * y[1]) - 1;
}

/// <summary>Lampariello &amp; Sagratella 2017, Example 3.3: a linear lower level with a continuum of solutions.</summary>
[BilevelModel]
[UpperBounds(0.5, double.PositiveInfinity)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class LamparielloSagratella2017Ex33
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((y[0] + y[1]) * (y[0] + y[1])) + (x[0] * x[0]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0];

    [LowerConstraint] public double Cover(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => 1 - x[0] - y[0] - y[1];
}

/// <summary>Bard 1991, Example 1: a linear lower level, y1 + y2 &gt;= x + 4, y &gt;= 0.</summary>
[BilevelModel]
[UpperBounds(2, 4)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class Bard1991Ex1
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => x[0] + y[1];

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (2 * y[0]) + (x[0] * y[1]);

    [LowerConstraint] public double Demand(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => x[0] + 4 - y[0] - y[1];
}

/// <summary>Dempe &amp; Franke 2011, Example 4.1: a linear lower level; x2 is fixed at -1 by the upper constraints.</summary>
[BilevelModel]
public partial class DempeFranke2011Ex41
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => x[0] + (y[0] * y[0]) + (y[1] * y[1]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (x[0] * y[0]) + (x[1] * y[1]);

    [LowerConstraint] public double C1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - (2 * y[0]);
    [LowerConstraint] public double C2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[0] - 2;
    [LowerConstraint] public double C3(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => y[1] - 2;
    [LowerConstraint] public double C4(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => -y[1];

    [UpperProjection]
    public static void OntoUpperSet(Span<double> x)
    {
        x[0] = Math.Clamp(x[0], -1.0, 1.0);
        x[1] = -1.0;
    }
}

/// <summary>Allende &amp; Still 2013: y = projection of x onto [0.5, 1.5]^2 written as two convex quadratic constraints.</summary>
[BilevelModel]
public partial class AllendeStill2013
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((x[0] - 1) * (x[0] - 1)) + ((x[1] - 1) * (x[1] - 1)) + (y[0] * y[0]) + (y[1] * y[1]);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        (y[0] * y[0]) - (2 * x[0] * y[0]) + (y[1] * y[1]) - (2 * x[1] * y[1]);

    [LowerConstraint] public double Band1(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((y[0] - 1) * (y[0] - 1)) - 0.25;
    [LowerConstraint] public double Band2(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((y[1] - 1) * (y[1] - 1)) - 0.25;

    [UpperProjection]
    public static void OntoUpperSet(Span<double> x)
    {
        x[0] = Math.Clamp(x[0], 0.0, 2.0);
        x[1] = Math.Max(x[1], 0.0);
    }
}

/// <summary>Nie, Wang &amp; Ye 2017, Example 3.4: a linear objective over a lemniscate lobe (a nonconvex feasible set).</summary>
[BilevelModel]
[UpperBounds(2, 3)]
public partial class NieWangYe2017Ex34
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => x[0] + y[0] + y[1];

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => x[0] * (y[0] + y[1]);

    [LowerConstraint]
    public double Lemniscate(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double r2 = (y[0] * y[0]) + (y[1] * y[1]);
        return (r2 * r2) - (y[0] * y[0]) + (y[1] * y[1]);
    }

    [LowerConstraint] public double RightLobe(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => -y[0];
}
