using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Running;
using Xunit;

namespace BilevelDsl.Experiments.Tests;

public class LowerLevelResolveTests
{
    [Fact]
    public void TheAcceleratedResolveReachesAStationaryMinimumOfTheL2LogisticLowerLevel()
    {
        // Six samples, two features and the bias feature, three classes, lambda = e^-3 (strongly convex, mildly conditioned).
        var data = new Matrix(6, 3, [1, 0, 1, 0, 1, 1, 1, 1, 1, 0.5, -1, 1, -1, 0.5, 1, 2, 2, 1]);
        int[] labels = [0, 1, 2, 0, 1, 2];
        IBilevelKernels model = new L2Logistic(data, labels, data, labels, 3);
        double[] x = [-3.0];

        (double[] y, double stationarity, int steps) = LowerLevelResolve.Solve(model, x, new double[9], tolerance: 1e-8, maxSteps: 2000);

        Assert.True(stationarity <= 1e-8, $"stationarity {stationarity} after {steps} steps");
        Assert.True(steps < 500, $"{steps} steps"); // momentum: a few hundred at most on this mildly conditioned problem
        double[] g = new double[9], gx = new double[1];
        double f = model.LowerGradient(x, y, gx, g);
        Assert.True(Math.Sqrt(g.Sum(v => v * v)) <= 1e-8);
        // A minimum, not just a stationary point of the wrong sign: every coordinate move raises f.
        for (int j = 0; j < y.Length; j++)
        {
            foreach (double h in new[] { -1e-3, 1e-3 })
            {
                double[] moved = (double[])y.Clone();
                moved[j] += h;
                Assert.True(model.LowerValue(x, moved) > f);
            }
        }
    }
}
