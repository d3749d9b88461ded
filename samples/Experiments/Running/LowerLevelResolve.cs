using System.Numerics.Tensors;

namespace BilevelDsl.Experiments.Running;

/// <summary>
/// An accurate lower-level solve at a fixed x, for evaluating a returned hyperparameter (phi(x) = F(x, y*(x))):
/// accelerated gradient descent (Nesterov's momentum with Armijo backtracking and the gradient restart of O'Donoghue and
/// Candès 2015) on the model's own kernels, warm-started from the returned y. Independent of the solvers under test.
/// </summary>
/// <remarks>
/// Plain gradient descent needs about kappa log(1/tol) steps on a problem of condition number kappa; the l2-tuning lower
/// level at full FashionMNIST resolution has kappa of the order of 10^4 at the tuned lambda (about e^-7), and momentum
/// needs about sqrt(kappa) log(1/tol) (630-970 steps there). Each step costs one gradient (at the extrapolated point) and
/// one value per backtracking trial, as a plain step does.
/// </remarks>
public static class LowerLevelResolve
{
    /// <summary>
    /// Minimises f(x, .) from y0 until ||grad_y f|| &lt;= tolerance or maxSteps; returns the point where that norm was
    /// measured, the norm, and the steps taken.
    /// </summary>
    public static (double[] Y, double Stationarity, int Steps) Solve(IBilevelKernels model, double[] x, double[] y0, double tolerance = 1e-6, int maxSteps = 5000)
    {
        int n = y0.Length;
        double[] z = (double[])y0.Clone(), y = (double[])y0.Clone(), yNext = new double[n], g = new double[n], gx = new double[x.Length];
        double step = 1.0, theta = 1.0;
        double fz = model.LowerGradient(x, z, gx, g);
        double fy = fz;
        double norm = Math.Sqrt(TensorPrimitives.SumOfSquares(g));
        int k = 0;
        for (; k < maxSteps && norm > tolerance; k++)
        {
            // A gradient step from the extrapolated point z, halving the step until it decreases f enough (Armijo). Near the
            // solution the decrease falls below the rounding error of f, so that much slack is allowed: without it the
            // step would be halved to nothing there.
            double fNext;
            double slack = 8 * double.Epsilon + (8 * Math.Abs(fz) * 1.1102230246251565e-16);
            while (true)
            {
                TensorPrimitives.MultiplyAdd(g, -step, z, yNext);
                fNext = model.LowerValue(x, yNext);
                if (fNext <= fz - (0.5 * step * norm * norm) + slack || step < 1e-12)
                {
                    break;
                }

                step *= 0.5;
            }

            // Restart the momentum when it points uphill: g(z)'(y_next - y) > 0, or f went up.
            double uphill = 0;
            for (int i = 0; i < n; i++)
            {
                uphill += g[i] * (yNext[i] - y[i]);
            }

            double thetaNext = (1.0 + Math.Sqrt(1.0 + (4.0 * theta * theta))) / 2.0;
            double momentum = (theta - 1.0) / thetaNext;
            if (uphill > 0 || fNext > fy)
            {
                (thetaNext, momentum) = (1.0, 0.0);
            }

            for (int i = 0; i < n; i++)
            {
                z[i] = yNext[i] + (momentum * (yNext[i] - y[i]));
            }

            (y, yNext) = (yNext, y);
            (fy, theta) = (fNext, thetaNext);
            fz = model.LowerGradient(x, z, gx, g);
            norm = Math.Sqrt(TensorPrimitives.SumOfSquares(g));
        }

        return (z, norm, k);
    }
}
