using System.Numerics.Tensors;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// The reference: the lower-level gradient written by hand with TensorPrimitives. Two passes over A
/// (margins with Dot, then the weighted row sum with MultiplyAdd), no allocation per call.
/// </summary>
public sealed class HandWrittenLogisticGradient
{
    private readonly Matrix a;
    private readonly double[] b;
    private readonly double[] weights;   // per-row coefficient d loss / d margin, reused across calls

    public HandWrittenLogisticGradient(Matrix a, double[] b)
    {
        this.a = a;
        this.b = b;
        weights = new double[a.Rows];
    }

    /// <summary>f(x, w) = mean_i softplus(-b_i a_i.w) + exp(x0) ||w||^2; writes gradX and gradW, returns f.</summary>
    public double Gradient(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> gradX, Span<double> gradW)
    {
        int n = a.Rows;
        double invN = 1.0 / n;
        double loss = 0;

        // pass 1: margins t_i = -b_i a_i.w; loss and d/dt softplus(t) = sigmoid(t)
        for (int i = 0; i < n; i++)
        {
            double t = -b[i] * TensorPrimitives.Dot(a.Row(i), w);
            loss += Softplus(t);
            weights[i] = -b[i] * Sigmoid(t) * invN;
        }

        double lambda = Math.Exp(x[0]);
        double squaredNorm = TensorPrimitives.Dot(w, w);

        // pass 2: gradW = 2 lambda w + sum_i weights_i a_i
        TensorPrimitives.Multiply(w, 2.0 * lambda, gradW);
        for (int i = 0; i < n; i++)
        {
            TensorPrimitives.MultiplyAdd(a.Row(i), weights[i], gradW, gradW);
        }

        gradX[0] = lambda * squaredNorm;
        return loss * invN + lambda * squaredNorm;
    }

    private static double Softplus(double t) => Math.Max(t, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(t)));

    private static double Sigmoid(double t)
    {
        if (t >= 0)
        {
            return 1.0 / (1.0 + Math.Exp(-t));
        }
        double e = Math.Exp(t);
        return e / (1.0 + e);
    }
}
