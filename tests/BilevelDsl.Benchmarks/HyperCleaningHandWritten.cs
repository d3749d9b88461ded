using System.Numerics.Tensors;
using BilevelDsl;

namespace BilevelDsl.Benchmarks;

/// <summary>
/// Straightforward hand-written TensorPrimitives gradients of the two hyper-cleaning lower levels: per row,
/// logits by dot products, softmax, then rank-one updates of the weight gradient. The baselines.
/// </summary>
public sealed class HyperCleaningHandWritten(Matrix a, int[] labels, int classes, int hidden = 0)
{
    private readonly double[] z = new double[classes];
    private readonly double[] h = new double[Math.Max(hidden, 1)];
    private readonly double[] hBar = new double[Math.Max(hidden, 1)];

    public double LinearGradient(ReadOnlySpan<double> weights, ReadOnlySpan<double> w, Span<double> gx, Span<double> gw)
    {
        int n = a.Rows, d = a.Columns;
        gw.Clear();
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = a.Row(i);
            for (int k = 0; k < classes; k++)
            {
                z[k] = TensorPrimitives.Dot(w.Slice(k * d, d), row);
            }

            double lse = Dsl.LogSumExp(z);
            double ce = lse - z[labels[i]];
            double s = Dsl.Sigmoid(weights[i]);
            loss += s * ce;
            gx[i] = s * (1 - s) * ce / n;
            for (int k = 0; k < classes; k++)
            {
                double g = s * (Math.Exp(z[k] - lse) - (k == labels[i] ? 1 : 0)) / n;
                Span<double> target = gw.Slice(k * d, d);
                TensorPrimitives.MultiplyAdd(row, g, target, target);
            }
        }

        TensorPrimitives.MultiplyAdd(w, 2e-3, gw, gw);
        return (loss / n) + (1e-3 * TensorPrimitives.SumOfSquares(w));
    }

    public double TwoLayerGradient(ReadOnlySpan<double> weights, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy)
    {
        int n = a.Rows, d = a.Columns;
        ReadOnlySpan<double> w1 = y.Slice(0, hidden * d), w2 = y.Slice(hidden * d, classes * hidden), bias = y.Slice((hidden * d) + (classes * hidden), classes);
        gy.Clear();
        Span<double> g1 = gy.Slice(0, hidden * d), g2 = gy.Slice(hidden * d, classes * hidden), gb = gy.Slice((hidden * d) + (classes * hidden), classes);
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = a.Row(i);
            for (int j = 0; j < hidden; j++)
            {
                h[j] = TensorPrimitives.Dot(w1.Slice(j * d, d), row);
            }

            for (int k = 0; k < classes; k++)
            {
                z[k] = TensorPrimitives.Dot(w2.Slice(k * hidden, hidden), h.AsSpan(0, hidden)) + bias[k];
            }

            double lse = Dsl.LogSumExp(z);
            double ce = lse - z[labels[i]];
            double s = Dsl.Sigmoid(weights[i]);
            loss += s * ce;
            gx[i] = s * (1 - s) * ce / n;
            Array.Clear(hBar);
            for (int k = 0; k < classes; k++)
            {
                double g = s * (Math.Exp(z[k] - lse) - (k == labels[i] ? 1 : 0)) / n;
                gb[k] += g;
                Span<double> target = g2.Slice(k * hidden, hidden);
                TensorPrimitives.MultiplyAdd(h.AsSpan(0, hidden), g, target, target);
                TensorPrimitives.MultiplyAdd(w2.Slice(k * hidden, hidden), g, hBar.AsSpan(0, hidden), hBar.AsSpan(0, hidden));
            }

            for (int j = 0; j < hidden; j++)
            {
                Span<double> target = g1.Slice(j * d, d);
                TensorPrimitives.MultiplyAdd(row, hBar[j], target, target);
            }
        }

        TensorPrimitives.MultiplyAdd(y, 2e-3, gy, gy);
        return (loss / n) + (1e-3 * TensorPrimitives.SumOfSquares(y));
    }
}
