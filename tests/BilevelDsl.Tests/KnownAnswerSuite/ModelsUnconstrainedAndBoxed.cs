namespace BilevelDsl.Tests.KnownAnswerSuite;

// Known-answer problems whose lower level has no [LowerConstraint] (free y, or a box domain on y).
// Sources, optima and verification are in KnownAnswerCatalogue.

/// <summary>Paulavicius &amp; Adjiman 2017 (BOLIB PaulaviciusAdjiman2017a).</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class PaulaviciusAdjiman2017A
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (x * y * y) - (0.5 * y * y * y * y);
}

/// <summary>Paulavicius &amp; Adjiman 2017 (BOLIB PaulaviciusAdjiman2017b).</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class PaulaviciusAdjiman2017B
{
    [UpperLevel]
    public double Upper(double x, double y) => x + y;

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * x * y * y) - (x * x * x * y);
}

/// <summary>Kleniati &amp; Adjiman 2014, Example 3.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class KleniatiAdjiman2014Ex3
{
    [UpperLevel]
    public double Upper(double x, double y) => x - y;

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * x * y * y) - (x * y * y * y);
}

/// <summary>Morgan &amp; Patrone 2006 (BOLIB MorganPatrone2006a): a linear lower level on a box.</summary>
[BilevelModel]
[UpperBounds(-0.5, 0.5)]
[LowerBounds(-1, 1)]
public partial class MorganPatrone2006A
{
    [UpperLevel]
    public double Upper(double x, double y) => -x - y;

    [LowerLevel]
    public double Lower(double x, double y) => x * y;
}

/// <summary>Lucchetti, Mignanego &amp; Pieri 1987 (BOLIB LucchettiEtal1987): a linear lower level on a box.</summary>
[BilevelModel]
[UpperBounds(0, 1)]
[LowerBounds(0, 1)]
public partial class LucchettiEtal1987
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * y) - (0.5 * x) + 0.5;

    [LowerLevel]
    public double Lower(double x, double y) => y * (x - 1);
}

/// <summary>Yezza 1996, Example 3.1: a linear lower level on a box.</summary>
[BilevelModel]
[UpperBounds(0, 1)]
[LowerBounds(0, 1)]
public partial class Yezza1996Ex31
{
    [UpperLevel]
    public double Upper(double x, double y) => (2 * x) - (y * ((4 * x) - 3)) + 1;

    [LowerLevel]
    public double Lower(double x, double y) => (y * ((4 * x) - 1)) - (2 * x) - 2;
}

/// <summary>Mirrlees 1999 (the principal-agent counterexample): a lower level with two wells.</summary>
[BilevelModel]
[LowerBounds(-2, 2)]
public partial class Mirrlees1999
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 2) * (x - 2)) + ((y - 1) * (y - 1));

    [LowerLevel]
    public double Lower(double x, double y) => -Math.Exp(-((y - 1) * (y - 1))) - (x * Math.Exp(-((y + 1) * (y + 1))));
}

/// <summary>De Silva 1978 (BOLIB DeSilva1978): projection of x onto [0.5, 1.5]^2.</summary>
[BilevelModel]
[LowerBounds(0.5, 1.5)]
public partial class DeSilva1978
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((x[0] - 1) * (x[0] - 1)) + ((x[1] - 1) * (x[1] - 1)) + (y[0] * y[0]) + (y[1] * y[1]) - 2;

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((x[0] - y[0]) * (x[0] - y[0])) + ((x[1] - y[1]) * (x[1] - y[1]));
}

/// <summary>Hatz et al. 2013 (BOLIB HatzEtal2013): y = (max(x, 0), 0), a kinked hyper-objective.</summary>
[BilevelModel]
[LowerBounds(0, double.PositiveInfinity)]
public partial class HatzEtal2013
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (2 * y[0]) - x[0] + y[1];

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - y[0]) * (x[0] - y[0])) + (y[1] * y[1]);
}

/// <summary>Henderson &amp; Quandt 1958 (BOLIB HendersonQuandt1958): a Stackelberg duopoly.</summary>
[BilevelModel]
[UpperBounds(0, 200)]
[LowerBounds(0, double.PositiveInfinity)]
public partial class HendersonQuandt1958
{
    [UpperLevel]
    public double Upper(double x, double y) => x * ((0.5 * x) + (0.5 * y) - 95);

    [LowerLevel]
    public double Lower(double x, double y) => y * ((0.5 * x) + y - 100);
}

/// <summary>Macal &amp; Hurter 1997 (BOLIB MacalHurter1997): unconstrained, y = 50 x - 500.</summary>
[BilevelModel]
public partial class MacalHurter1997
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + ((y - 1) * (y - 1));

    [LowerLevel]
    public double Lower(double x, double y) => (500 * y) - (50 * x * y) + (0.5 * y * y);
}

/// <summary>Lampariello &amp; Sagratella 2017, Example 3.2: unconstrained, y = 1 - x.</summary>
[BilevelModel]
public partial class LamparielloSagratella2017Ex32
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (x + y - 1) * (x + y - 1);
}

/// <summary>The toy example of Liu et al., ICML 2021 (BVFIM), Section 6.1, with a = 2: a nonconvex lower level.</summary>
[BilevelModel]
public partial class BvfimSinToy
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 2) * (x - 2)) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => Math.Sin(x + y);
}

/// <summary>The counterexample of Liu et al., ICML 2020 (BDA), Section 2: the lower level ignores y2.</summary>
[BilevelModel]
public partial class BdaCounterexample
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - y[1]) * (x[0] - y[1])) + ((y[0] - 1) * (y[0] - 1));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) - (2 * x[0] * y[0]);
}
