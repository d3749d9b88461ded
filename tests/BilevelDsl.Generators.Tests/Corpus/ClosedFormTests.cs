using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>
/// Gradients of ridge regression and of l2-regularised logistic loss against their closed forms, to 1e-9 in
/// the normwise relative error ||g - g*||_inf / ||g*||_inf (x = [log lambda], y = w).
/// </summary>
public sealed class ClosedFormTests
{
    private const double Tolerance = 1e-9;

    private static ClosedFormModels.Dataset Data => ClosedFormModels.Data;

    [Fact]
    public async Task Ridge_gradients_match_the_closed_form()
    {
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(ClosedFormModels.Ridge);
        var rng = new Random(7);
        for (int p = 0; p < 5; p++)
        {
            double logLambda = 2 * rng.NextDouble() - 1;
            double[] w = FiniteDifference.RandomPoint(rng, ClosedFormModels.Features, 1.0);
            double lambda = Math.Exp(logLambda);

            // Lower: (1/N) sum r_i^2 + lambda ||w||^2; d/dw = (2/N) sum r_i a_i + 2 lambda w; d/dl = lambda ||w||^2.
            (double trainLoss, double[] trainGrad) = MeanSquaredResidual(Data.TrainA, Data.TrainB, w);
            double[] lowerGradW = trainGrad.Select((g, j) => g + 2 * lambda * w[j]).ToArray();
            Compare(kernels, Level.Lower, logLambda, w, trainLoss + lambda * SquaredNorm(w), lambda * SquaredNorm(w), lowerGradW);

            // Upper: (1/Nv) sum rv_i^2; no dependence on l.
            (double validLoss, double[] validGrad) = MeanSquaredResidual(Data.ValidA, Data.ValidB, w);
            Compare(kernels, Level.Upper, logLambda, w, validLoss, 0.0, validGrad);
        }
    }

    [Fact]
    public async Task Logistic_gradients_match_the_closed_form()
    {
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(ClosedFormModels.Logistic);
        double[] trainLabels = Data.TrainB.Select(v => v >= 0 ? 1.0 : -1.0).ToArray();
        double[] validLabels = Data.ValidB.Select(v => v >= 0 ? 1.0 : -1.0).ToArray();
        var rng = new Random(11);
        for (int p = 0; p < 5; p++)
        {
            double logLambda = 2 * rng.NextDouble() - 1;
            double[] w = FiniteDifference.RandomPoint(rng, ClosedFormModels.Features, 1.0);
            double lambda = Math.Exp(logLambda);

            // Lower: (1/N) sum softplus(-b_i a_i.w) + lambda/2 ||w||^2;
            // d/dw = -(1/N) sum sigmoid(-z_i) b_i a_i + lambda w; d/dl = lambda/2 ||w||^2.
            (double trainLoss, double[] trainGrad) = MeanLogisticLoss(Data.TrainA, trainLabels, w);
            double[] lowerGradW = trainGrad.Select((g, j) => g + lambda * w[j]).ToArray();
            Compare(kernels, Level.Lower, logLambda, w, trainLoss + 0.5 * lambda * SquaredNorm(w), 0.5 * lambda * SquaredNorm(w), lowerGradW);

            (double validLoss, double[] validGrad) = MeanLogisticLoss(Data.ValidA, validLabels, w);
            Compare(kernels, Level.Upper, logLambda, w, validLoss, 0.0, validGrad);
        }
    }

    private static void Compare(IBilevelKernels kernels, Level level, double logLambda, double[] w, double value, double gradLogLambda, double[] gradW)
    {
        var gx = new double[1];
        var gy = new double[w.Length];
        double actualValue = GradientChecker.Gradient(kernels, level, new[] { logLambda }, w, gx, gy);
        double[] expected = new[] { gradLogLambda }.Concat(gradW).ToArray();
        double[] actual = gx.Concat(gy).ToArray();
        double scale = expected.Max(Math.Abs);
        double error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() / scale;
        string where = $"{level} at log lambda = {GradientChecker.Format(logLambda)}, w = {GradientChecker.Format(w)}";
        Assert.True(error <= Tolerance,
            $"{where}: expected gradient {GradientChecker.Format(expected)}, kernel {GradientChecker.Format(actual)} (relative error {error:E2})");
        Assert.True(Math.Abs(actualValue - value) <= 1e-12 * Math.Max(1, Math.Abs(value)),
            $"{where}: expected value {GradientChecker.Format(value)}, kernel {GradientChecker.Format(actualValue)}");
    }

    private static (double Loss, double[] Gradient) MeanSquaredResidual(double[][] a, double[] b, double[] w)
    {
        double loss = 0;
        var grad = new double[w.Length];
        for (int i = 0; i < a.Length; i++)
        {
            double r = GradientChecker.Dot(a[i], w) - b[i];
            loss += r * r;
            for (int j = 0; j < w.Length; j++)
            {
                grad[j] += 2 * r * a[i][j] / a.Length;
            }
        }

        return (loss / a.Length, grad);
    }

    private static (double Loss, double[] Gradient) MeanLogisticLoss(double[][] a, double[] labels, double[] w)
    {
        double loss = 0;
        var grad = new double[w.Length];
        for (int i = 0; i < a.Length; i++)
        {
            double z = labels[i] * GradientChecker.Dot(a[i], w);
            loss += Math.Log(1 + Math.Exp(-z));
            double sigmoidMinusZ = 1 / (1 + Math.Exp(z));
            for (int j = 0; j < w.Length; j++)
            {
                grad[j] -= sigmoidMinusZ * labels[i] * a[i][j] / a.Length;
            }
        }

        return (loss / a.Length, grad);
    }

    private static double SquaredNorm(double[] v) => GradientChecker.Dot(v, v);
}
