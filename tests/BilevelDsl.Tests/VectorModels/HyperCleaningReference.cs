namespace BilevelDsl.Tests.VectorModels;

/// <summary>Hand-written value and gradient of the hyper-cleaning lower level (plain loops, no generator):
/// f = (1/n) sum_i sigmoid(x_i) (LSE(W a_i) - (W a_i)_{y_i}) + 1e-3 ||w||^2.</summary>
internal static class HyperCleaningReference
{
    public static double Gradient(Matrix a, int[] labels, int classes, double[] weights, double[] w, double[] gx, double[] gy)
    {
        int n = a.Rows, d = a.Columns;
        Array.Clear(gx);
        Array.Clear(gy);
        double loss = 0;
        var z = new double[classes];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                double s = 0;
                for (int j = 0; j < d; j++)
                {
                    s += w[(k * d) + j] * a[i, j];
                }

                z[k] = s;
            }

            double max = z.Max();
            double sum = z.Sum(v => Math.Exp(v - max));
            double lse = max + Math.Log(sum);
            double ce = lse - z[labels[i]];
            double sig = 1 / (1 + Math.Exp(-weights[i]));
            loss += sig * ce;
            gx[i] = sig * (1 - sig) * ce / n;
            for (int k = 0; k < classes; k++)
            {
                double g = sig * (Math.Exp(z[k] - lse) - (k == labels[i] ? 1 : 0)) / n;
                for (int j = 0; j < d; j++)
                {
                    gy[(k * d) + j] += g * a[i, j];
                }
            }
        }

        double norm = 0;
        for (int j = 0; j < w.Length; j++)
        {
            norm += w[j] * w[j];
            gy[j] += 2e-3 * w[j];
        }

        return (loss / n) + (1e-3 * norm);
    }
}
