using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Tests.SeedSolvers.Nonsmooth;

/// <summary>A problem instance: the model, the start (x0, y0), and what the tests compare against.</summary>
/// <param name="Model">The generated kernels.</param>
/// <param name="X0">Start of the hyperparameters.</param>
/// <param name="Y0">Start of the weights: the smoothed lower-level solution at X0.</param>
/// <param name="TrueWeights">The weights the data were generated with.</param>
/// <param name="StartValidation">F(X0, Y0), the validation loss of the start.</param>
public sealed record NonsmoothProblem(IBilevelKernels Model, double[] X0, double[] Y0, double[] TrueWeights, double StartValidation);

/// <summary>Synthetic data from a seeded generator for the seed's two experiments.</summary>
public static class NonsmoothProblems
{
    /// <summary>
    /// lp (p = 1/2) regression: <paramref name="features"/> features of which <paramref name="nonzeros"/> are in the truth,
    /// Gaussian design, noise 0.5, training and validation sets of <paramref name="samples"/> rows each. The start is
    /// x0 = log(<paramref name="lambda0"/>) (under-regularised) with y0 the smoothed lower-level solution there.
    /// </summary>
    public static NonsmoothProblem LpRegression(int features = 12, int nonzeros = 3, int samples = 48, double lambda0 = 6.737946999085467e-3, int seed = 7, double startSmoothing = 0.05)
    {
        var random = new Random(seed);
        var truth = new double[features];
        double[] values = [2.0, -1.5, 1.0, 2.5, -2.0, 1.5];
        for (int j = 0; j < nonzeros; j++)
        {
            truth[(j * 5) % features] = values[j % values.Length];
        }

        (Matrix trainA, double[] trainB) = Regression(random, truth, samples, 0.5, corrupted: 0);
        (Matrix validationA, double[] validationB) = Regression(random, truth, samples, 0.5, corrupted: 0);
        var model = new LpRegressionModel(trainA, trainB, validationA, validationB);
        double[] x0 = [Math.Log(lambda0)];
        return Finish(model, x0, features, truth, startSmoothing);
    }

    /// <remarks>The default start, lambda0 = e^-5, is under-regularised: 8 of 12 weights are non-zero and the validation loss is
    /// about 0.157, against about 0.097 with 3 non-zero weights (the truth's support) near lambda = e^-3.</remarks>
    public static NonsmoothProblem LpRegressionDefault() => LpRegression();

    /// <summary>
    /// OSCAR re-weighting: <paramref name="features"/> features with a grouped truth, <paramref name="samples"/> training rows of
    /// which <paramref name="corrupted"/> have grossly wrong targets, and a clean validation set of the same size. The start
    /// weights all samples equally (lambda_i = 0) with small regularisation.
    /// </summary>
    public static NonsmoothProblem OscarReweighting(int features = 6, int samples = 16, int corrupted = 4, int seed = 11, double startSmoothing = 0.02)
    {
        var random = new Random(seed);
        var truth = new double[features];
        for (int j = 0; j < features; j++)
        {
            truth[j] = j < features / 2 ? 1.5 : (j == features - 1 ? -1.0 : 0.0);
        }

        (Matrix trainA, double[] trainB) = Regression(random, truth, samples, 0.3, corrupted);
        (Matrix validationA, double[] validationB) = Regression(random, truth, samples, 0.3, corrupted: 0);
        var model = new OscarReweightingModel(trainA, trainB, validationA, validationB);
        var x0 = new double[samples + 2];
        x0[samples] = Math.Log(1e-2);
        x0[samples + 1] = Math.Log(1e-3);
        return Finish(model, x0, features, truth, startSmoothing);
    }

    private static NonsmoothProblem Finish(IBilevelKernels model, double[] x0, int features, double[] truth, double mu)
    {
        double[] y0 = SolveLower(model.WithSmoothing(mu), x0, new double[features]);
        return new NonsmoothProblem(model, x0, y0, truth, model.UpperValue(x0, y0));
    }

    /// <summary>The smoothed lower-level problem at x, from y, by accelerated gradient (FISTA) to a gradient norm of 1e-10.</summary>
    public static double[] SolveLower(IBilevelKernels smoothed, double[] x, double[] y)
    {
        double[] w = (double[])y.Clone();
        var objective = new LowerLevelObjective(smoothed, (double[])x.Clone(), w.Length);
        new NesterovSolver(w.Length).Minimize(objective, w, new InnerStoppingRule(1e-10, 200_000, 5_000));
        return w;
    }

    /// <summary>||grad_y f_mu(x, y)||.</summary>
    public static double LowerStationarity(IBilevelKernels smoothed, double[] x, double[] y)
    {
        var gx = new double[x.Length];
        var gy = new double[y.Length];
        smoothed.LowerGradient(x, y, gx, gy);
        return Math.Sqrt(gy.Sum(g => g * g));
    }

    private static (Matrix A, double[] B) Regression(Random random, double[] truth, int rows, double noise, int corrupted)
    {
        int d = truth.Length;
        var data = new double[rows * d];
        var b = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double s = 0.0;
            for (int j = 0; j < d; j++)
            {
                double a = Gaussian(random);
                data[(i * d) + j] = a;
                s += a * truth[j];
            }

            b[i] = s + (noise * Gaussian(random));
            if (i < corrupted)
            {
                b[i] = -b[i] + (6.0 * (i % 2 == 0 ? 1.0 : -1.0));
            }
        }

        return (new Matrix(rows, d, data), b);
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
