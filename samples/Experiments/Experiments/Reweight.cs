using System.CommandLine;
using System.Globalization;
using BilevelDsl.Experiments.Data;
using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Running;

namespace BilevelDsl.Experiments.Experiments;

/// <summary>
/// Experiment 4: data re-weighting with the OSCAR group regulariser (SPNBO paper, Sec. 5.2, Table 3, FashionMNIST row):
/// squared loss of a linear model on the class number as target, softmax-normalised sample weights, l1 + OSCAR with 10
/// groups, a 40/40/20 train/validation/test split. Methods: SPNBO, SMNBP, Penalty, AID-CG on the smoothed problem
/// (the paper's "Approx") and RHG ("RMD"), the last three with mu = 1e-4 as in the paper. Metric: test MSE.
/// </summary>
public sealed class Reweight : Experiment
{
    private readonly Option<int?> _pool = new("--pool") { Description = "Average-pool the images by 1, 2, 4 or 7 (default 2; 4 with --quick)" };
    private readonly Option<int> _groups = new("--groups") { Description = "OSCAR groups (contiguous feature blocks)", DefaultValueFactory = _ => 10 };
    private readonly Option<double> _mu = new("--mu") { Description = "Smoothing of the lower level for penalty, aid-cg and rhg", DefaultValueFactory = _ => 1e-4 };

    public override string Name => "reweight";

    public override string Description =>
        "Data re-weighting with l1 + OSCAR (SPNBO paper, Table 3, FashionMNIST row): per-sample softmax weights and two regularisation weights tuned on validation MSE; nonsmooth lower level.";

    public override IReadOnlyList<string> Methods => ["spnbo", "smnbp", "penalty", "aid-cg", "rhg"];

    public override IEnumerable<Option> ExtraOptions => [_pool, _groups, _mu];

    public override (string? Name, string? Label) Metric => ("testMse", "test MSE");

    public override ExperimentDefaults Defaults(bool quick) => quick
        ? new(["spnbo", "smnbp", "penalty", "aid-cg", "rhg"], Outer: 30, Inner: 20, InnerLr: 0.03, HyperSteps: 10, Lr: 0.01, UpperAdam: true, LowerToleranceFloor: 1e-1, Train: 200, Val: 200, Test: 100)
        : new(["spnbo", "smnbp", "penalty", "aid-cg", "rhg"], Outer: 100, Inner: 20, InnerLr: 0.03, HyperSteps: 10, Lr: 0.01, UpperAdam: true, LowerToleranceFloor: 1e-1, Train: 2000, Val: 2000, Test: 1000);

    public override ExperimentReport Run(ExperimentContext context)
    {
        ParseResult parse = context.Parse;
        int pool = parse.GetValue(_pool) ?? (context.Quick ? 4 : 2);
        int groups = parse.GetValue(_groups);
        double mu = parse.GetValue(_mu);
        if (groups <= 0 || !(mu > 0))
        {
            throw new Cli.ExperimentException("--groups and --mu must be positive");
        }

        context.SettingsJson["pool"] = pool;
        context.SettingsJson["groups"] = groups;
        context.SettingsJson["mu"] = mu;
        context.SettingsJson["split"] = new Dictionary<string, object?> { ["train"] = context.Train, ["val"] = context.Val, ["test"] = context.Test };
        LabelledData all = FashionMnist.Load(trainingPart: true, pool);
        var specs = new List<Func<RunSpec>>();
        var baselines = new Dictionary<int, double>();
        foreach (int seed in context.Seeds)
        {
            var random = new Random(seed);
            LabelledData[] parts = Splits.Disjoint(all, random, context.Train, context.Val, context.Test)
                .Select(part => (part with { Targets = part.Labels!.Select(l => (double)l).ToArray() }).WithBiasColumn()).ToArray();
            Matrix train = parts[0].ToMatrix(), val = parts[1].ToMatrix(), test = parts[2].ToMatrix();
            double[] tTrain = parts[0].Targets!, tVal = parts[1].Targets!, tTest = parts[2].Targets!;
            var model = new ReweightOscar(train, tTrain, val, tVal, groups);
            double mean = tTrain.Average();
            baselines[seed] = tTest.Average(t => (t - mean) * (t - mean));
            double TestMse(double[] w)
            {
                double s = 0;
                for (int i = 0; i < test.Rows; i++)
                {
                    double r = Dsl.Dot(test.Row(i), w) - tTest[i];
                    s += r * r;
                }

                return s / test.Rows;
            }

            // x0: equal weights, lambda_hat = lambda_check = log 1e-3; w0 = 0.
            double[] x0 = new double[context.Train + 2];
            x0[^2] = Math.Log(1e-3);
            x0[^1] = Math.Log(1e-3);
            foreach (string method in context.Methods)
            {
                string label = MethodCatalog.Display(method) + (context.Seeds.Length > 1 ? $" seed {seed}" : "");
                RunSettings settings = context.SettingsFor(method, seed);
                double smoothing = method is "penalty" or "aid-cg" or "rhg" ? mu : 0.0;
                specs.Add(() => new RunSpec
                {
                    Method = method,
                    Label = label,
                    Seed = seed,
                    Model = model,
                    X0 = x0,
                    Y0 = new double[train.Columns],
                    Solver = MethodCatalog.Create(method, settings, smoothing),
                    Outer = settings.Outer,
                    ExtraColumns = ["testMse", "logL1", "logOscar"],
                    Evaluate = (x, y) => [TestMse(y), x[^2], x[^1]],
                    PrimaryMetric = "testMse",
                    FinalMetrics = (x, y) => new Dictionary<string, double>
                    {
                        ["testMse"] = TestMse(y),
                        ["meanPredictorMse"] = baselines[seed],
                        ["logL1"] = x[^2],
                        ["logOscar"] = x[^1],
                    },
                });
            }
        }

        IReadOnlyList<RunOutcome> runs = context.RunAll(specs);
        var checks = runs.Select(run => new Check(
            $"{run.Label}: test MSE below that of predicting the training mean ({baselines[run.Seed]:F3})",
            run.Metrics["testMse"] < baselines[run.Seed],
            string.Create(CultureInfo.InvariantCulture, $"test MSE {run.Metrics["testMse"]:F4}"))).ToList();
        string table = MethodTable(runs, [("testMse", "test MSE", "F3", 1.0), ("meanPredictorMse", "MSE of the mean", "F3", 1.0)]);
        return new ExperimentReport(runs, checks, table);
    }
}
