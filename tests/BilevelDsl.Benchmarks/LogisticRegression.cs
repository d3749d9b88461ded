using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// l2-regularised logistic regression as a bilevel model: the lower level trains the weights w on (A, b),
/// the upper level measures the validation loss on (V, c); x[0] is the log of the regularisation weight.
/// The generator emits the four <see cref="IBilevelKernels"/> kernels from these two bodies.
/// </summary>
[BilevelModel]
public partial class LogisticRegression
{
    private readonly Matrix A;      // training features, one example per row
    private readonly double[] b;    // training labels in {-1, +1}
    private readonly Matrix V;      // validation features
    private readonly double[] c;    // validation labels in {-1, +1}

    public LogisticRegression(Matrix a, double[] b, Matrix v, double[] c)
    {
        A = a;
        this.b = b;
        V = v;
        this.c = c;
    }

    [UpperLevel]
    public double Validation(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double loss = 0;
        for (int i = 0; i < V.Rows; i++)
        {
            loss += Dsl.Softplus(-c[i] * Dsl.Dot(V.Row(i), w));
        }
        return loss / V.Rows;
    }

    [LowerLevel]
    public double Training(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double loss = 0;
        for (int i = 0; i < A.Rows; i++)
        {
            loss += Dsl.Softplus(-b[i] * Dsl.Dot(A.Row(i), w));
        }
        return loss / A.Rows + Math.Exp(x[0]) * Dsl.SquaredNorm(w);
    }
}
