using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Running;
using BilevelDsl.Solvers;
using Xunit;

namespace BilevelDsl.Experiments.Tests;

public class KernelProfileTests
{
    // Four samples with two features and a bias, two classes; the validation set is the training set.
    private static HypercleanLinear TinyModel()
    {
        var data = new Matrix(4, 3, [1, 0, 1, 0, 1, 1, 1, 1, 1, 0.5, 0, 1]);
        return new HypercleanLinear(data, [0, 1, 1, 0], data, [0, 1, 1, 0], 2, 1e-3);
    }

    [Fact]
    public void RecordingKernelsForwardEveryResultAndCountEachCall()
    {
        var inner = TinyModel();
        var profile = new KernelProfile();
        var recording = new RecordingKernels(inner, new IterateSnapshot(), profile);
        double[] x = [0.1, -0.2, 0.3, 0.0], y = [0.1, 0.2, -0.1, 0.0, 0.3, -0.2], v = [1, 0, -1, 0.5, 0, 2];
        double[] gx = new double[4], gy = new double[6], ex = new double[4], ey = new double[6];

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(inner.LowerGradient(x, y, ex, ey), recording.LowerGradient(x, y, gx, gy));
            Assert.Equal(ey, gy);
        }

        recording.LowerHessianVector(x, y, new double[4], v, gx, gy);
        inner.LowerHessianVector(x, y, new double[4], v, ex, ey);
        Assert.Equal(ey, gy);
        Assert.Equal(inner.UpperValue(x, y), recording.UpperValue(x, y));

        IReadOnlyDictionary<string, long> calls = profile.Calls();
        Assert.Equal(3, calls["lowerGradient"]);
        Assert.Equal(1, calls["lowerHessianVector"]);
        Assert.Equal(1, calls["upperValue"]);
        Assert.False(calls.ContainsKey("upperGradient"));
        Assert.True(profile.CpuSeconds >= 0 && profile.WallSeconds > 0);
    }

    [Fact]
    public void TheRunnerCountsTheIterationsKernelsApartFromTheCertificates()
    {
        var settings = new RunSettings(Outer: 5, Inner: 3, InnerStepSize: 0.1, HypergradientSteps: 3, UpperStepSize: 0.1, UpperAdam: true, LowerToleranceFloor: 5e-1, Seed: 0);
        var spec = new RunSpec
        {
            Method = "aid-cg",
            Label = "AID-CG",
            Seed = 0,
            Model = TinyModel(),
            X0 = new double[4],
            Y0 = new double[6],
            Solver = MethodCatalog.Create("aid-cg", settings),
            Outer = settings.Outer,
        };

        RunOutcome run = ExperimentRunner.Execute(spec, new SilentDisplay(), CancellationToken.None);

        Assert.Equal(SolverStatus.IterationLimit, run.Status);
        Assert.Equal(5, run.Iterations);
        Assert.Equal(5, run.KernelCallsInIterations["upperGradient"]); // AID-CG: one upper gradient per outer iteration
        // The certificate re-solves the lower level after the last iteration: its gradients count in the total only.
        Assert.True(run.KernelCalls["lowerGradient"] > run.KernelCallsInIterations["lowerGradient"]);
        Assert.True(run.CpuSeconds > 0 && run.CpuSecondsAfterLastIteration >= 0 && run.CertificateSeconds > 0);
    }

    [Theory]
    [InlineData("aid-cg")]
    [InlineData("bome")]
    [InlineData("bvfim")]
    public void TheXPathTheSolverKeptIsWrittenAsColumnsOfHistoryCsv(string method)
    {
        var settings = new RunSettings(Outer: 4, Inner: 3, InnerStepSize: 0.1, HypergradientSteps: 3, UpperStepSize: 0.1, UpperAdam: true, LowerToleranceFloor: 5e-1, Seed: 0)
        {
            RecordX = XProjections.Entries(1, 0),
        };
        var spec = new RunSpec
        {
            Method = method,
            Label = method,
            Seed = 0,
            Model = TinyModel(),
            X0 = new double[4],
            Y0 = new double[6],
            Solver = MethodCatalog.Create(method, settings),
            Outer = settings.Outer,
        };

        RunOutcome run = ExperimentRunner.Execute(spec, new SilentDisplay(), CancellationToken.None);
        string path = Path.Combine(Path.GetTempPath(), $"bilevel-history-{method}-{Environment.ProcessId}.csv");
        try
        {
            Output.ResultWriter.WriteHistory(path, run);
            string[] lines = File.ReadAllLines(path);
            Assert.EndsWith(",x0,x1", lines[0], StringComparison.Ordinal);
            Assert.Equal(run.Iterations + 1, lines.Length);
            string[] last = lines[^1].Split(',');
            Assert.Equal(run.X[1], double.Parse(last[^2], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(run.X[0], double.Parse(last[^1], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class SilentDisplay : IRunDisplay
    {
        public IRunProgress Start(string label, int outerIterations) => new SilentProgress();

        public void Note(string text)
        {
        }
    }

    private sealed class SilentProgress : IRunProgress
    {
        public void Update(int iteration, double upper, string? metricName, double metric, TimeSpan elapsed)
        {
        }

        public void Finish(string status)
        {
        }
    }
}
