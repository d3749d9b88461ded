namespace BilevelDsl.Tests.SeedSolvers.Cccp;

// Models for the CCCP-BO tests, written as a user writes them: the generator implements IBilevelKernels.
// In the seed's notation F is the upper objective (the seed's f), g the lower objective, u_j the lower constraints.

/// <summary>
/// The seed's synthetic problem (Sec. 5): min sin(c'x + d'y) + ln(||x + y||^2 + 1) s.t. y in argmin 1/2 (y + x)'A(y + x),
/// with A positive semidefinite and singular. v(x) = 0 for every x (y = -x attains it), inf F = -1.
/// </summary>
[BilevelModel]
public partial class CccpSeedSynthetic(double[] c, double[] d, Matrix a)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += (x[i] + y[i]) * (x[i] + y[i]);
        }

        return Math.Sin(Dsl.Dot(c, x) + Dsl.Dot(d, y)) + Math.Log(s + 1);
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            for (int j = 0; j < a.Columns; j++)
            {
                s += 0.5 * a[i, j] * (y[i] + x[i]) * (y[j] + x[j]);
            }
        }

        return s;
    }
}

/// <summary>
/// min x^2 + (y - 2)^2 s.t. y in argmin 1/2 (y - x)^2. v = 0, the relaxed set is the band |y - x| &lt;= r = sqrt(2 eps),
/// and the answer is the projection of (0, 2) onto it: (1 - r/2, 1 + r/2), with the value-function constraint active.
/// </summary>
[BilevelModel]
public partial class CccpBand
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => 0.5 * (y - x) * (y - x);
}

/// <summary>
/// A stiff band: min x^2 + 16 (y - 2)^2 s.t. y in argmin 1/2 (y - x)^2. On the active edge y = x + r the answer is
/// x = 16 (2 - r) / 17, y = x + r. grad F is 32-Lipschitz, but only 2 along x.
/// </summary>
[BilevelModel]
public partial class CccpStiffBand
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (16 * (y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => 0.5 * (y - x) * (y - x);
}

/// <summary>The band with the upper domain x &lt;= 0.5: the answer is (0.5, 0.5 + r) (the bound and the band both active).</summary>
[BilevelModel]
[UpperBounds(double.NegativeInfinity, 0.5)]
public partial class CccpBoundedBand
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => 0.5 * (y - x) * (y - x);
}

/// <summary>
/// A lower-level constraint active at the answer, whose multiplier is the whole x-dependence of v:
/// min (x - 2)^2 + (y - 3)^2 s.t. y in argmin { 1/2 y^2 + x : x - y &lt;= 0 }. For x &gt;= 0: y_x = x, gamma_x = x,
/// v(x) = x^2/2 + x, xi = 1 + gamma. The relaxed set is x &lt;= y &lt;= sqrt(x^2 + 2 eps); the answer has y = sqrt(x^2 + 2 eps)
/// with x minimising (x - 2)^2 + (sqrt(x^2 + 2 eps) - 3)^2.
/// </summary>
[BilevelModel]
public partial class CccpActiveConstraint
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 2) * (x - 2)) + ((y - 3) * (y - 3));

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * y * y) + x;

    [LowerConstraint]
    public double AboveX(double x, double y) => x - y;
}

/// <summary>
/// A lower-level domain: min (x - 3)^2 + (y - 2)^2 s.t. y in argmin_{y in [-1, 1]} 1/2 (y - x)^2. y_x = clamp(x),
/// v(x) = max(|x| - 1, 0)^2 / 2; the answer is (3, 1), F* = 1.
/// </summary>
[BilevelModel]
[LowerBounds(-1.0, 1.0)]
public partial class CccpLowerBox
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 3) * (x - 3)) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => 0.5 * (y - x) * (y - x);
}

/// <summary>A lower level convex in y but not jointly convex in (x, y): g = y^2/2 - x^2/2 (v(x) = -x^2/2 is concave).</summary>
[BilevelModel]
public partial class CccpNonconvexLower
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (0.5 * y * y) - (0.5 * x * x);
}

/// <summary>A nonconvex lower-level constraint u = 1 - y^2 &lt;= 0 (|y| &gt;= 1).</summary>
[BilevelModel]
public partial class CccpNonconvexConstraint
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 2) * (x - 2)) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => 0.5 * (y - x) * (y - x);

    [LowerConstraint]
    public double OutsideUnitInterval(double x, double y) => 1 - (y * y);
}

/// <summary>A nonsmooth (convex) lower level g = |y - x|; smoothed by sqrt((y - x)^2 + mu^2).</summary>
[BilevelModel]
public partial class CccpAbsLower
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + ((y - 2) * (y - 2));

    [LowerLevel]
    public double Lower(double x, double y) => Math.Abs(y - x);
}

/// <summary>A nonsmooth upper level F = |x - 1| + y^2.</summary>
[BilevelModel]
public partial class CccpAbsUpper
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Abs(x - 1) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => 0.5 * (y - x) * (y - x);
}

/// <summary>An empty lower-level feasible set: u = 1 + y^2 &lt;= 0 never holds.</summary>
[BilevelModel]
public partial class CccpInfeasibleLower
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => 0.5 * (y - x) * (y - x);

    [LowerConstraint]
    public double Impossible(double x, double y) => 1 + (y * y);
}

/// <summary>A lower level unbounded below: g = y - x.</summary>
[BilevelModel]
public partial class CccpUnboundedLower
{
    [UpperLevel]
    public double Upper(double x, double y) => (x * x) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => y - x;
}
