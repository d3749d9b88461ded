namespace BilevelDsl.Experiments.Models;

/// <summary>
/// Plain (not differentiated) evaluation of the classifiers the models train: class scores, test accuracy, mean
/// cross-entropy and the F1 score of a sample selection. Used for metrics only, never by a solver.
/// </summary>
public static class Classifiers
{
    /// <summary>Scores of a linear classifier W (classes x d, row-major) at a.</summary>
    public static void LinearScores(ReadOnlySpan<double> w, ReadOnlySpan<double> a, Span<double> scores)
    {
        int d = a.Length;
        for (int c = 0; c < scores.Length; c++)
        {
            scores[c] = System.Numerics.Tensors.TensorPrimitives.Dot(a, w.Slice(c * d, d));
        }
    }

    /// <summary>Scores of the 2-layer linear network (layout of <see cref="HypercleanTwoLayer"/>: W1, then W2, then b).</summary>
    public static void TwoLayerScores(ReadOnlySpan<double> y, int hidden, ReadOnlySpan<double> a, Span<double> scores)
    {
        int d = a.Length;
        Span<double> h = hidden <= 512 ? stackalloc double[hidden] : new double[hidden];
        for (int k = 0; k < hidden; k++)
        {
            h[k] = System.Numerics.Tensors.TensorPrimitives.Dot(a, y.Slice(k * d, d));
        }

        int w2 = hidden * d, bias = w2 + (scores.Length * hidden);
        for (int c = 0; c < scores.Length; c++)
        {
            scores[c] = System.Numerics.Tensors.TensorPrimitives.Dot(h, y.Slice(w2 + (c * hidden), hidden)) + y[bias + c];
        }
    }

    public delegate void Scorer(ReadOnlySpan<double> y, ReadOnlySpan<double> a, Span<double> scores);

    /// <summary>Fraction of rows whose highest score is the label.</summary>
    public static double Accuracy(Scorer scorer, ReadOnlySpan<double> y, Matrix data, int[] labels, int classes)
    {
        Span<double> scores = stackalloc double[classes];
        int correct = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            scorer(y, data.Row(i), scores);
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (scores[c] > scores[best])
                {
                    best = c;
                }
            }

            correct += best == labels[i] ? 1 : 0;
        }

        return (double)correct / data.Rows;
    }

    /// <summary>Mean cross-entropy of the rows.</summary>
    public static double CrossEntropy(Scorer scorer, ReadOnlySpan<double> y, Matrix data, int[] labels, int classes)
    {
        Span<double> scores = stackalloc double[classes];
        double total = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            scorer(y, data.Row(i), scores);
            total += Dsl.LogSumExp(scores) - scores[labels[i]];
        }

        return total / data.Rows;
    }

    /// <summary>F1 of "selected" (predicted clean) against "clean": 2 TP / (2 TP + FP + FN); 0 when nothing is selected or clean.</summary>
    public static double F1(IReadOnlyList<bool> selected, IReadOnlyList<bool> clean)
    {
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < clean.Count; i++)
        {
            if (selected[i] && clean[i])
            {
                tp++;
            }
            else if (selected[i])
            {
                fp++;
            }
            else if (clean[i])
            {
                fn++;
            }
        }

        return tp == 0 ? 0.0 : 2.0 * tp / ((2.0 * tp) + fp + fn);
    }
}
