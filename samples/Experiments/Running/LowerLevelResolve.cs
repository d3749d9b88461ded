namespace BilevelDsl.Experiments.Running;

/// <summary>
/// An accurate lower-level solve at a fixed x, for evaluating a returned hyperparameter (phi(x) = F(x, y*(x))): gradient
/// descent with Armijo backtracking on the model's own kernels, warm-started from the returned y. Independent of the
/// solvers under test.
/// </summary>
public static class LowerLevelResolve
{
    /// <summary>Minimises f(x, .) from y0 until ||grad_y f|| &lt;= tolerance or maxSteps; returns y and the final stationarity.</summary>
    public static (double[] Y, double Stationarity, int Steps) Solve(IBilevelKernels model, double[] x, double[] y0, double tolerance = 1e-6, int maxSteps = 5000)
    {
        double[] y = (double[])y0.Clone(), trial = new double[y.Length], g = new double[y.Length], gx = new double[x.Length];
        double step = 1.0;
        double f = model.LowerGradient(x, y, gx, g);
        double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(g));
        int k = 0;
        for (; k < maxSteps && norm > tolerance; k++)
        {
            double fTrial;
            while (true)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, -step, y, trial);
                fTrial = model.LowerValue(x, trial);
                if (fTrial <= f - (0.5 * step * norm * norm) || step < 1e-12)
                {
                    break;
                }

                step *= 0.5;
            }

            (y, trial) = (trial, y);
            f = model.LowerGradient(x, y, gx, g);
            norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(g));
            step *= 2.0;
        }

        return (y, norm, k);
    }
}
