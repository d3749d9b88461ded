namespace BilevelDsl.Experiments.Models;

/// <summary>
/// The CCCP-BO paper's synthetic problem (Sec. 5, Figures 1 and 2): x, y in R^n,
/// F = sin(c'x + d'y) + ln(||x + y||^2 + 1), lower level g = 1/2 (y + x)' A (y + x) with A = B'B positive semidefinite
/// and singular (B of low rank), so the lower level has a whole affine set of solutions y = -x + null(A); v(x) = 0 and
/// inf F = -1.
/// </summary>
[BilevelModel]
public partial class CccpSynthetic(double[] c, double[] d, Matrix a)
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
