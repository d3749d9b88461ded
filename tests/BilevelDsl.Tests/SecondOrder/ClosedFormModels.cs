namespace BilevelDsl.Tests.SecondOrder;

// Models whose Hessians are known in closed form. The test computes the closed form from the data
// independently of the generator; the kernels must agree with it and with differences of the gradient.

/// <summary>
/// F(x, y) = 1/2 x'Pxx x + x'Pxy y + 1/2 y'Pyy y + px'x + py'y (matrix elements, nested loops);
/// f(x, y) = the same form with Q (matrix rows and Dot). The P and Q blocks are not symmetric, so the
/// Hessian blocks are sym(Pxx), Pxy, Pxy', sym(Pyy).
/// </summary>
[BilevelModel]
public partial class BilevelQuadratic(Matrix Pxx, Matrix Pxy, Matrix Pyy, double[] px, double[] py, Matrix Qxx, Matrix Qxy, Matrix Qyy, double[] qx, double[] qy)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = 0; j < x.Length; j++)
            {
                s += 0.5 * Pxx[i, j] * x[i] * x[j];
            }

            for (int j = 0; j < y.Length; j++)
            {
                s += Pxy[i, j] * x[i] * y[j];
            }
        }

        for (int i = 0; i < y.Length; i++)
        {
            for (int j = 0; j < y.Length; j++)
            {
                s += 0.5 * Pyy[i, j] * y[i] * y[j];
            }
        }

        return s + Dsl.Dot(px, x) + Dsl.Dot(py, y);
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += (0.5 * x[i] * Dsl.Dot(Qxx.Row(i), x)) + (x[i] * Dsl.Dot(Qxy.Row(i), y));
        }

        for (int i = 0; i < y.Length; i++)
        {
            s += 0.5 * y[i] * Dsl.Dot(Qyy.Row(i), y);
        }

        return s + Dsl.Dot(qx, x) + Dsl.Dot(qy, y);
    }
}

/// <summary>
/// Ridge regression with a log-parameterised regulariser: f(x, w) = ||A w - b||^2 / n + exp(x0) ||w||^2;
/// F(x, w) = ||V w - c||^2 / m + x0^2 / 2 (validation loss).
/// </summary>
[BilevelModel]
public partial class LogRidge(Matrix A, double[] b, Matrix V, double[] c)
{
    [UpperLevel]
    public double Validation(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double loss = 0;
        for (int i = 0; i < V.Rows; i++)
        {
            double r = Dsl.Dot(V.Row(i), w) - c[i];
            loss += r * r;
        }

        return (loss / V.Rows) + (0.5 * x[0] * x[0]);
    }

    [LowerLevel]
    public double Training(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        double loss = 0;
        for (int i = 0; i < A.Rows; i++)
        {
            double r = Dsl.Dot(A.Row(i), w) - b[i];
            loss += r * r;
        }

        return (loss / A.Rows) + (Math.Exp(x[0]) * Dsl.SquaredNorm(w));
    }
}

/// <summary>
/// l2-regularised logistic regression: f(x, w) = (1/n) sum softplus(-b_i a_i'w) + exp(x0)/2 ||w||^2,
/// F(x, w) = (1/m) sum softplus(-c_i v_i'w) (labels +-1).
/// </summary>
[BilevelModel]
public partial class LogisticL2(Matrix A, double[] b, Matrix V, double[] c)
{
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
            double margin = b[i] * Dsl.Dot(A.Row(i), w);
            loss += Dsl.Softplus(-margin);
        }

        return (loss / A.Rows) + (0.5 * Math.Exp(x[0]) * Dsl.SquaredNorm(w));
    }
}

/// <summary>
/// Softmax cross-entropy with Dsl.LogSumExp on the variables themselves (Dsl.LogSumExp accepts x, y, data
/// arrays and matrix rows, not computed vectors): f(x, z) = LSE(z) - t'z + exp(x0)/2 ||z||^2,
/// F(x, z) = LSE(x) + x'z + ||z||^2 / 2 (x and z of the same length).
/// </summary>
[BilevelModel]
public partial class SoftmaxLogits(double[] t)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> z) =>
        Dsl.LogSumExp(x) + Dsl.Dot(x, z) + (0.5 * Dsl.SquaredNorm(z));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> z) =>
        Dsl.LogSumExp(z) - Dsl.Dot(t, z) + (0.5 * Math.Exp(x[0]) * Dsl.SquaredNorm(z));
}

/// <summary>
/// Multinomial logistic regression, W (K x d) flattened row by row in y:
/// f(x, W) = (1/n) sum_i [log sum_k exp((W a_i)_k) - (W a_i)_{label_i}] + exp(x0)/2 ||W||^2 with the inner
/// log-sum-exp written out with loops (Dsl.LogSumExp cannot take the computed vector W a_i); F(x, W) is the
/// same cross-entropy (without regulariser) on a validation set.
/// </summary>
[BilevelModel]
public partial class Multinomial(Matrix A, int[] labels, int classes, Matrix V, int[] validationLabels)
{
    [UpperLevel]
    public double Validation(ReadOnlySpan<double> x, ReadOnlySpan<double> W)
    {
        double loss = 0;
        int d = V.Columns;
        for (int i = 0; i < V.Rows; i++)
        {
            double s = 0;
            for (int k = 0; k < classes; k++)
            {
                double z = 0;
                for (int j = 0; j < d; j++)
                {
                    z += W[(k * d) + j] * V[i, j];
                }

                s += Math.Exp(z);
            }

            double zc = 0;
            for (int j = 0; j < d; j++)
            {
                zc += W[(validationLabels[i] * d) + j] * V[i, j];
            }

            loss += Math.Log(s) - zc;
        }

        return loss / V.Rows;
    }

    [LowerLevel]
    public double Training(ReadOnlySpan<double> x, ReadOnlySpan<double> W)
    {
        double loss = 0;
        int d = A.Columns;
        for (int i = 0; i < A.Rows; i++)
        {
            double s = 0;
            for (int k = 0; k < classes; k++)
            {
                double z = 0;
                for (int j = 0; j < d; j++)
                {
                    z += W[(k * d) + j] * A[i, j];
                }

                s += Math.Exp(z);
            }

            double zc = 0;
            for (int j = 0; j < d; j++)
            {
                zc += W[(labels[i] * d) + j] * A[i, j];
            }

            loss += Math.Log(s) - zc;
        }

        return (loss / A.Rows) + (0.5 * Math.Exp(x[0]) * Dsl.SquaredNorm(W));
    }
}
