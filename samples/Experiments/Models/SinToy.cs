namespace BilevelDsl.Experiments.Models;

/// <summary>
/// The BVFIM paper's toy problem (Liu et al., ICML 2021, Eq. 30 and Figure 1): min (x - a)^2 + (y - a)^2 s.t.
/// y in argmin sin(x + y). The lower level has the solution branches x + y = -pi/2 + 2 pi k; the optimum is
/// x = y = -pi/4 (a = 0) or 3 pi / 4 (a = 2).
/// </summary>
[BilevelModel]
public partial class SinToy(double a)
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - a) * (x - a)) + ((y - a) * (y - a));

    [LowerLevel]
    public double Lower(double x, double y) => Math.Sin(x + y);
}
