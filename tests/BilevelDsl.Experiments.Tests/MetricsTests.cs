using System.Text.Json;
using BilevelDsl.Experiments.Experiments;
using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Output;
using Xunit;

namespace BilevelDsl.Experiments.Tests;

public class MetricsTests
{
    [Fact]
    public void F1MatchesHandCountsAndKeepingEverythingGivesTwoThirdsAtHalfNoise()
    {
        bool[] clean = [true, true, false, false];
        Assert.Equal(2.0 / 3.0, Classifiers.F1([true, true, true, true], clean), 12);
        Assert.Equal(1.0, Classifiers.F1([true, true, false, false], clean), 12);
        Assert.Equal(0.5, Classifiers.F1([true, false, true, false], clean), 12); // TP 1, FP 1, FN 1
        Assert.Equal(0.0, Classifiers.F1([false, false, false, false], clean));
    }

    [Fact]
    public void AccuracyAndCrossEntropyOfALinearClassifier()
    {
        // Two classes, features (1, 0) and (0, 1); W = identity scores the right class 1 and the other 0.
        var data = new Matrix(2, 2, [1, 0, 0, 1]);
        double[] w = [1, 0, 0, 1];
        Assert.Equal(1.0, Classifiers.Accuracy(Classifiers.LinearScores, w, data, [0, 1], 2));
        Assert.Equal(0.5, Classifiers.Accuracy(Classifiers.LinearScores, w, data, [1, 1], 2));
        Assert.Equal(Math.Log(1 + Math.Exp(-1)), Classifiers.CrossEntropy(Classifiers.LinearScores, w, data, [0, 1], 2), 12);
    }

    [Fact]
    public void TwoLayerScoresReadTheModelsLayout()
    {
        // Three samples, two features and the bias feature, two classes, three hidden units: the validation loss the
        // generated kernels compute must be the cross-entropy of the scores the metrics compute (W1, then W2, then b).
        var data = new Matrix(3, 3, [1, 0, 1, 0, 1, 1, 0.5, -1, 1]);
        int[] labels = [0, 1, 1];
        var model = new HypercleanTwoLayer(data, labels, data, labels, 2, 3, 0.0);
        double[] y = [0.3, -0.2, 0.1, 0.5, 0.4, -0.3, -0.1, 0.2, 0.6, 1.0, -0.5, 0.25, -0.75, 0.5, 2.0, 0.2, -0.1];
        double expected = Classifiers.CrossEntropy((w, a, s) => Classifiers.TwoLayerScores(w, 3, a, s), y, data, labels, 2);
        Assert.Equal(expected, model.UpperValue(new double[3], y), 12);
        Span<double> scores = stackalloc double[2];
        Classifiers.TwoLayerScores(y, 3, [1, 0, 1], scores);
        // h = W1 a = (0.3 + 0.1, 0.5 - 0.3, -0.1 + 0.6) = (0.4, 0.2, 0.5); z = W2 h + b.
        Assert.Equal((1.0 * 0.4) - (0.5 * 0.2) + (0.25 * 0.5) + 0.2, scores[0], 12);
        Assert.Equal((-0.75 * 0.4) + (0.5 * 0.2) + (2.0 * 0.5) - 0.1, scores[1], 12);
    }

    [Fact]
    public void ResultJsonWritesNaNAndInfinityAndRoundTrips()
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?> { ["f1"] = double.NaN, ["t"] = double.PositiveInfinity, ["u"] = -0.5 }, ResultWriter.Json);
        Assert.Contains("\"NaN\"", json);
        Assert.Contains("\"Infinity\"", json);
        var back = JsonSerializer.Deserialize<Dictionary<string, double>>(json, ResultWriter.Json)!;
        Assert.True(double.IsNaN(back["f1"]));
        Assert.Equal(double.PositiveInfinity, back["t"]);
    }

    [Fact]
    public void AdversarialPhiMinimizerSolvesTheNormalEquationsOfTheWeightedRows()
    {
        // Rows with m > 0: (1, 0) -> 1, (0, 1) -> 2, (1, 1) -> 4; normal equations [2 1; 1 2] x = (5, 6), x = (4/3, 7/3),
        // residuals 1/3, 1/3, -1/3. The m = 0 row is ignored.
        var a = new Matrix(4, 2, [1, 0, 0, 1, 1, 1, 5, 5]);
        double[] b = [1, 2, 4, 100];
        double[] m = [1, 0.5, 1e-9, 0];
        double[] x = Adversarial.PhiMinimizer(a, b, m);
        Assert.Equal(4.0 / 3.0, x[0], 10);
        Assert.Equal(7.0 / 3.0, x[1], 10);
        // phi = 1/(2n) (lambda / (1 + lambda))^2 sum over m > 0 of residual^2 = 1/8 * 1/4 * 1/3 at lambda = 1, n = 4.
        double expected = 1.0 / 96.0;
        Assert.Equal(expected, Adversarial.Phi(a, b, m, 1.0, x), 12);
        Assert.True(Adversarial.Phi(a, b, m, 1.0, [x[0] + 0.01, x[1]]) > expected);
    }

    [Fact]
    public void ToyBranchPointIsTheBestPointOfTheNearestLowerLevelBranch()
    {
        Assert.Equal(-Math.PI / 4, Toy.BranchPoint(0), 12);
        Assert.Equal(3 * Math.PI / 4, Toy.BranchPoint(6), 12);
        Assert.Equal(-Math.PI / 4, Toy.Optimum(0), 12);
        Assert.Equal(3 * Math.PI / 4, Toy.Optimum(2), 12);
    }

    [Fact]
    public void MeanStdUsesTheSampleStandardDeviation()
    {
        Assert.Equal("2.00 ± 1.00", Experiment.MeanStd([1, 2, 3], "F2"));
        Assert.Equal("5.0", Experiment.MeanStd([5, double.NaN], "F1"));
        Assert.Equal("n/a", Experiment.MeanStd([double.NaN], "F1"));
    }
}
