using System.CommandLine;
using System.Globalization;
using BilevelDsl.Experiments.Cli;
using BilevelDsl.Experiments.Data;
using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Output;
using BilevelDsl.Experiments.Running;
using BilevelDsl.Solvers;

namespace BilevelDsl.Experiments.Experiments;

/// <summary>
/// Experiment 2: l2-regularisation tuning of multinomial logistic regression (IGFM paper, Sec. 7.2, Table 3) on
/// FashionMNIST instead of MNIST; training labels replaced by a uniformly random class with probability p, clean
/// validation set; x = log(lambda). Metric: test accuracy, and the validation loss after an accurate lower-level
/// re-solve at the returned lambda.
/// </summary>
public sealed class L2Tune : Experiment
{
    private readonly Option<string> _corruption = new("--corruptions") { Description = "Label-noise rates p, comma-separated (the paper: 0.5,0.3,0.1; --quick: 0.5)" };
    private readonly Option<int?> _pool = new("--pool") { Description = "Average-pool the images by 1, 2, 4 or 7 (default 1; 4 with --quick)" };
    private readonly Option<double> _x0 = new("--x0") { Description = "Start log(lambda)", DefaultValueFactory = _ => -2.0 };

    public override string Name => "l2tune";

    public override string Description =>
        "l2-regularisation tuning (IGFM paper, Table 3) on FashionMNIST: multinomial logistic regression on noisy labels, x = log(lambda) tuned on a clean validation set.";

    public override IReadOnlyList<string> Methods => ["aid-cg", "rhg", "bda", "bome", "igfm"];

    public override IEnumerable<Option> ExtraOptions => [_corruption, _pool, _x0];

    public override (string? Name, string? Label) Metric => ("testAccuracy", "test accuracy");

    public override ExperimentDefaults Defaults(bool quick) => quick
        ? new(["aid-cg", "rhg", "bda", "bome", "igfm"], Outer: 20, Inner: 10, InnerLr: 0.5, HyperSteps: 10, Lr: 0.1, UpperAdam: true, LowerToleranceFloor: 5e-2, Train: 400, Val: 400, Test: 2000) { MethodLr = FirstOrderLr }
        : new(["aid-cg", "rhg", "bda", "bome", "igfm"], Outer: 100, Inner: 10, InnerLr: 0.03, HyperSteps: 10, Lr: 0.1, UpperAdam: true, LowerToleranceFloor: 5e-2, Train: 40000, Val: 20000, Test: 10000) { MethodLr = FirstOrderLr };

    // Lower-level step: 0.5 on the --quick problem (7 x 7 pixels); at 785 features the lower level's curvature is about
    // 30 (half the squared norm of the mean image), so RHG's and BDA's unrolled steps of 0.5 diverge there and 0.03 is used.
    // BOME and IGFM step x and y together with one plain step; 1 is the best of the paper's grid 10^-5..10^2 on the quick
    // problem (0.1 leaves W nearly untrained after 20 iterations; 10 overshoots log lambda).
    private static readonly Dictionary<string, double> FirstOrderLr = new() { ["bome"] = 1.0, ["igfm"] = 1.0 };

    public override ExperimentReport Run(ExperimentContext context)
    {
        ParseResult parse = context.Parse;
        string rates = parse.GetValue(_corruption) ?? (context.Quick ? "0.5" : "0.5,0.3,0.1");
        double[] ps = rates.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v < 1 ? v : throw new ExperimentException($"--corruptions: '{t}' is not a rate in [0, 1)"))
            .ToArray();
        int pool = parse.GetValue(_pool) ?? (context.Quick ? 4 : 1);
        double x0 = parse.GetValue(_x0);
        context.SettingsJson["corruptions"] = ps;
        context.SettingsJson["pool"] = pool;
        context.SettingsJson["x0"] = x0;
        context.SettingsJson["split"] = new Dictionary<string, object?> { ["train"] = context.Train, ["val"] = context.Val, ["test"] = context.Test };

        LabelledData all = FashionMnist.Load(trainingPart: true, pool);
        LabelledData testPart = FashionMnist.Load(trainingPart: false, pool);
        var specs = new List<Func<RunSpec>>();
        foreach (double p in ps)
        {
            foreach (int seed in context.Seeds)
            {
                var random = new Random(seed);
                LabelledData[] parts = Splits.Disjoint(all, random, context.Train, context.Val);
                LabelledData train = parts[0].WithBiasColumn(), val = parts[1].WithBiasColumn();
                LabelledData test = Splits.Disjoint(testPart, random, context.Test)[0].WithBiasColumn();
                (int[] noisy, _) = Splits.Corrupt(train.Labels!, FashionMnist.Classes, p, random, exact: false, differentClass: false);
                Matrix trainMatrix = train.ToMatrix(), valMatrix = val.ToMatrix(), testMatrix = test.ToMatrix();
                var model = new L2Logistic(trainMatrix, noisy, valMatrix, val.Labels!, FashionMnist.Classes);
                int yLength = FashionMnist.Classes * train.Columns;
                double Accuracy(double[] y) => Classifiers.Accuracy(Classifiers.LinearScores, y, testMatrix, test.Labels!, FashionMnist.Classes);

                foreach (string method in context.Methods)
                {
                    string label = string.Create(CultureInfo.InvariantCulture, $"{MethodCatalog.Display(method)} p={p}") + (context.Seeds.Length > 1 ? $" seed {seed}" : "");
                    RunSettings settings = context.SettingsFor(method, seed) with { RecordX = XProjections.All }; // x = log lambda: its path
                    specs.Add(() => new RunSpec
                    {
                        Method = method,
                        Label = label,
                        Seed = seed,
                        Model = model,
                        X0 = [x0],
                        Y0 = new double[yLength],
                        Solver = MethodCatalog.Create(method, settings),
                        Outer = settings.Outer,
                        ExtraColumns = ["testAccuracy", "logLambda"],
                        Evaluate = (x, y) => [Accuracy(y), x[0]],
                        EvaluateEvery = Math.Max(1, settings.Outer / 20),
                        PrimaryMetric = "testAccuracy",
                        FinalMetrics = (x, y) =>
                        {
                            (double[] resolved, double stationarity, int resolveSteps) = LowerLevelResolve.Solve(model, x, y, tolerance: 1e-5, maxSteps: 2000);
                            return new Dictionary<string, double>
                            {
                                ["testAccuracy"] = Accuracy(y),
                                ["logLambda"] = x[0],
                                ["corruption"] = p,
                                ["resolvedValidationLoss"] = ((IBilevelKernels)model).UpperValue(x, resolved),
                                ["resolvedTestAccuracy"] = Accuracy(resolved),
                                ["resolvedStationarity"] = stationarity,
                                ["resolvedSteps"] = resolveSteps,
                            };
                        },
                    });
                }
            }
        }

        IReadOnlyList<RunOutcome> runs = context.RunAll(specs);
        var checks = new List<Check>();
        foreach (RunOutcome run in runs)
        {
            checks.Add(new Check($"{run.Label}: test accuracy above chance (0.1) by a margin (0.4)", run.Metrics["testAccuracy"] > 0.4,
                string.Create(CultureInfo.InvariantCulture, $"accuracy {run.Metrics["testAccuracy"]:F4}")));
            checks.Add(new Check($"{run.Label}: the re-solved validation loss is finite and below log(10) (the loss of W = 0)",
                run.Metrics["resolvedValidationLoss"] < Math.Log(10),
                string.Create(CultureInfo.InvariantCulture, $"{run.Metrics["resolvedValidationLoss"]:F4}")));
        }

        string table = MethodTable(runs, [("testAccuracy", "test accuracy (%)", "F2", 100.0), ("resolvedValidationLoss", "validation loss at y*(lambda)", "F4", 1.0), ("logLambda", "log lambda", "F3", 1.0)]);
        return new ExperimentReport(runs, checks, table);
    }

    public override IReadOnlyList<string> ExtraPlots(ExperimentContext context, IReadOnlyList<RunOutcome> runs) =>
        Plots.Write(context.OutDirectory, "loglambda-vs-iteration", "l2tune: hyperparameter path", "outer iteration", "log lambda",
            runs.Select(r => Plots.Filter(r.Label, r.History.Select(h => (double)h.Iteration), r.History.Select(h => h.X is { Count: > 0 } x ? x[0] : double.NaN))).ToList(), logY: false);
}
