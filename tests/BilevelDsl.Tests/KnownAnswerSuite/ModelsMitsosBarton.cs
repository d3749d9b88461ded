namespace BilevelDsl.Tests.KnownAnswerSuite;

// Small nonconvex problems of Mitsos & Barton, "A test set for bilevel programs" (technical report, MIT, 2006),
// as collected in BOLIB (Zhou, Zemkoho & Tin 2020). x and y are scalars with box domains; the lower levels are
// polynomials in y. Sources, optima and verification are in KnownAnswerCatalogue.

/// <summary>Mitsos &amp; Barton 2006, Example 3.10: quartic lower level scaled by x &gt; 0.</summary>
[BilevelModel]
[UpperBounds(0.1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton310
{
    [UpperLevel]
    public double Upper(double x, double y) => y;

    [LowerLevel]
    public double Lower(double x, double y) => x * ((16 * y * y * y * y) + (2 * y * y * y) - (8 * y * y) - (1.5 * y) + 0.5);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.11: as 3.10 with x in [-1, 1] and y in [-0.8, 1].</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-0.8, 1)]
public partial class MitsosBarton311
{
    [UpperLevel]
    public double Upper(double x, double y) => y;

    [LowerLevel]
    public double Lower(double x, double y) => x * ((16 * y * y * y * y) + (2 * y * y * y) - (8 * y * y) - (1.5 * y) + 0.5);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.12.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton312
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * y) - x + (10 * y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * y * y * y * y) - (x * y * y);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.13.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton313
{
    [UpperLevel]
    public double Upper(double x, double y) => x - y;

    [LowerLevel]
    public double Lower(double x, double y) => x * y * ((0.5 * y) - (x * x));
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.14.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton314
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 0.25) * (x - 0.25)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (y * y * y / 3) - (x * y);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.15.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton315
{
    [UpperLevel]
    public double Upper(double x, double y) => x + y;

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * x * y * y) - (y * y * y / 3);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.16.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton316
{
    [UpperLevel]
    public double Upper(double x, double y) => (2 * x) + y;

    [LowerLevel]
    public double Lower(double x, double y) => (-0.5 * x * y * y) - (0.25 * y * y * y * y);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.17.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton317
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x + 0.5) * (x + 0.5)) + (0.5 * y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * x * y * y) + (0.25 * y * y * y * y);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.19.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton319
{
    [UpperLevel]
    public double Upper(double x, double y) => y * (x + (0.5 * y) - 1);

    [LowerLevel]
    public double Lower(double x, double y) => -y * y * (x - (0.5 * y * y));
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.20.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton320
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 0.25) * (x - 0.25)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (y * y * y / 3) - (x * x * y);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.21: a quartic lower level whose coefficients are polynomials in x.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton321
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x + 0.6) * (x + 0.6)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => Quartic(x, y);

    // The quartic of Examples 3.21 and 3.22 (a helper must belong to the model class that calls it).
    [Differentiable]
    public static double Quartic(double x, double y) =>
        (y * y * y * y)
        - (y * y * y * ((2 * x / 15) - (2.0 / 15)))
        - (y * y * ((x * x / 50) - (4 * x / 25) + 0.4))
        + (y * ((2 * x / 25) - (9 * x * x / 250) + (x * x * x / 250)));
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.22: 3.21 with the nonconvex lower-level constraint y^2 &gt;= (1 + x^2)/100.</summary>
[BilevelModel]
[UpperBounds(-1, 1)]
[LowerBounds(-1, 1)]
public partial class MitsosBarton322
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x + 0.6) * (x + 0.6)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => Quartic(x, y);

    // The quartic of Examples 3.21 and 3.22 (a helper must belong to the model class that calls it).
    [Differentiable]
    public static double Quartic(double x, double y) =>
        (y * y * y * y)
        - (y * y * y * ((2 * x / 15) - (2.0 / 15)))
        - (y * y * ((x * x / 50) - (4 * x / 25) + 0.4))
        + (y * ((2 * x / 25) - (9 * x * x / 250) + (x * x * x / 250)));

    [LowerConstraint]
    public double AwayFromZero(double x, double y) => (0.01 * (1 + (x * x))) - (y * y);
}

/// <summary>Mitsos &amp; Barton 2006, Example 3.24.</summary>
[BilevelModel]
[UpperBounds(0, 1)]
[LowerBounds(0, 3)]
public partial class MitsosBarton324
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) - y;

    [LowerLevel]
    public double Lower(double x, double y)
    {
        double s = (0.1 * x) - y + 1;
        double t = (0.5 * x) - (s * s) + 0.5;
        return t * t;
    }
}
