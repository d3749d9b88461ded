using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// An l1-regularised linear SVM as the lower level: hinge loss over the rows plus exp(x0) ||w||_1. Nonsmooth in
/// the hot loop (Hinge) and in the regulariser (Norm1), so its exact and mu-smoothed kernels can be compared.
/// </summary>
[BilevelModel]
public partial class SparseSvm(Matrix a, double[] b)
{
    [UpperLevel]
    public double Validation(ReadOnlySpan<double> x, ReadOnlySpan<double> w) => Dsl.SquaredNorm(w);

    [LowerLevel]
    public double Training(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double loss = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            loss += Dsl.Hinge(b[i] * Dsl.Dot(a.Row(i), w));
        }

        return loss / a.Rows + Math.Exp(x[0]) * Dsl.Norm1(w);
    }
}
