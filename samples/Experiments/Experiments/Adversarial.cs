using System.CommandLine;
using System.Globalization;
using BilevelDsl.Experiments.Cli;
using BilevelDsl.Experiments.Data;
using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Output;
using BilevelDsl.Experiments.Running;

namespace BilevelDsl.Experiments.Experiments;

/// <summary>
/// Experiment 3: adversarial training (IGFM paper, Sec. 7.1, Table 2) with lambda = 1, half of M's diagonal zero and the
/// other half evenly spaced in [1e-9, 1]. The paper's LIBSVM "abalone" set is not on this machine: the default is the
/// diabetes data of Debian's python3-sklearn (442 x 10; features and target standardised, a bias feature added); --data
/// takes any CSV or LIBSVM file. Metric: phi(x) = F(x, y*(x)) with the optimistic lower-level solution, in closed form.
/// </summary>
public sealed class Adversarial : Experiment
{
    private readonly Option<string?> _data = new("--data") { Description = "CSV/whitespace (last column the target unless --target) or LIBSVM file; default: the diabetes data of python3-sklearn" };
    private readonly Option<string?> _target = new("--target") { Description = "A file with the targets, one per row" };
    private readonly Option<double> _lambda = new("--lambda") { Description = "lambda of the lower level", DefaultValueFactory = _ => 1.0 };

    public override string Name => "adversarial";

    public override string Description =>
        "Adversarial training with least squares (IGFM paper, Example 5.4, Table 2): a learner x against a data provider y whose lower level ignores half the samples (M PSD, half its diagonal zero). Metric: phi(x).";

    public override IReadOnlyList<string> Methods => ["aid-cg", "rhg", "bda", "bome", "igfm"];

    public override IEnumerable<Option> ExtraOptions => [_data, _target, _lambda];

    public override (string? Name, string? Label) Metric => ("phi", "phi(x) = F(x, y*(x))");

    public override ExperimentDefaults Defaults(bool quick) =>
        new(["aid-cg", "rhg", "bda", "bome", "igfm"], Outer: 500, Inner: 10, InnerLr: 100, HyperSteps: 10, Lr: 0.1, UpperAdam: false, LowerToleranceFloor: 1e-3,
            Train: 442, Val: 1, Test: 1)
        {
            // The whole protocol takes seconds, so --quick runs it in full. The lower step 100 is below 2/L = 2n/((1 + lambda) max m).
            // IGFM's x-step estimates the hypergradient from random directions (variance grows with dim x = 11): 0.1
            // diverges and 0.01 (the paper's grid) is still far from min phi after 500 iterations; 0.03 is between them.
            MethodLr = new Dictionary<string, double> { ["igfm"] = 0.03 },
        };

    /// <summary>phi(x): y_i* = (a_i x + lambda b_i)/(1 + lambda) where m_i &gt; 0 and y_i = a_i x (best for the learner) where m_i = 0.</summary>
    public static double Phi(Matrix a, double[] b, double[] m, double lambda, ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            if (m[i] > 0)
            {
                double r = (lambda / (1 + lambda)) * (Dsl.Dot(a.Row(i), x) - b[i]);
                s += r * r;
            }
        }

        return s / (2.0 * a.Rows);
    }

    /// <summary>min_x phi(x): least squares on the rows with m_i &gt; 0 (normal equations, Gaussian elimination with pivoting).</summary>
    public static double[] PhiMinimizer(Matrix a, double[] b, double[] m)
    {
        int d = a.Columns;
        var g = new double[d, d + 1];
        for (int i = 0; i < a.Rows; i++)
        {
            if (m[i] <= 0)
            {
                continue;
            }

            ReadOnlySpan<double> row = a.Row(i);
            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k < d; k++)
                {
                    g[j, k] += row[j] * row[k];
                }

                g[j, d] += row[j] * b[i];
            }
        }

        for (int c = 0; c < d; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < d; r++)
            {
                pivot = Math.Abs(g[r, c]) > Math.Abs(g[pivot, c]) ? r : pivot;
            }

            for (int k = 0; k <= d; k++)
            {
                (g[c, k], g[pivot, k]) = (g[pivot, k], g[c, k]);
            }

            for (int r = 0; r < d; r++)
            {
                if (r != c && g[c, c] != 0)
                {
                    double factor = g[r, c] / g[c, c];
                    for (int k = c; k <= d; k++)
                    {
                        g[r, k] -= factor * g[c, k];
                    }
                }
            }
        }

        return Enumerable.Range(0, d).Select(j => g[j, j] != 0 ? g[j, d] / g[j, j] : 0.0).ToArray();
    }

    public override ExperimentReport Run(ExperimentContext context)
    {
        ParseResult parse = context.Parse;
        string? dataPath = parse.GetValue(_data);
        string? targetPath = parse.GetValue(_target);
        if (dataPath is null)
        {
            dataPath = Path.Combine(TabularLoader.DiabetesDirectory, "diabetes_data_raw.csv.gz");
            targetPath ??= Path.Combine(TabularLoader.DiabetesDirectory, "diabetes_target.csv.gz");
        }

        double lambda = parse.GetValue(_lambda);
        if (!(lambda > 0) || !double.IsFinite(lambda))
        {
            throw new ExperimentException($"--lambda must be positive, not {lambda}");
        }

        LabelledData data = TabularLoader.Standardize(TabularLoader.Load(dataPath, targetPath)).WithBiasColumn();
        int n = Math.Min(context.Train, data.Rows);
        context.SettingsJson["data"] = dataPath;
        context.SettingsJson["target"] = targetPath;
        context.SettingsJson["lambda"] = lambda;
        context.SettingsJson["samples"] = n;

        var specs = new List<Func<RunSpec>>();
        var optima = new Dictionary<int, (double Phi0, double PhiStar)>();
        foreach (int seed in context.Seeds)
        {
            var random = new Random(seed);
            LabelledData sample = data.Take(Splits.Permutation(data.Rows, random).AsSpan(0, n));
            Matrix a = sample.ToMatrix();
            double[] b = sample.Targets!;

            // M: a random half of the diagonal zero, the other half evenly spaced in [1e-9, 1] (random order).
            double[] m = new double[n];
            int[] order = Splits.Permutation(n, random);
            int half = n / 2;
            for (int k = 0; k < half; k++)
            {
                m[order[k]] = 1e-9 + ((1 - 1e-9) * k / Math.Max(1, half - 1));
            }

            var model = new AdversarialLeastSquares(a, b, m, lambda);
            double phi0 = Phi(a, b, m, lambda, new double[a.Columns]);
            double phiStar = Phi(a, b, m, lambda, PhiMinimizer(a, b, m));
            optima[seed] = (phi0, phiStar);
            foreach (string method in context.Methods)
            {
                string label = MethodCatalog.Display(method) + (context.Seeds.Length > 1 ? $" seed {seed}" : "");
                RunSettings settings = context.SettingsFor(method, seed);
                specs.Add(() => new RunSpec
                {
                    Method = method,
                    Label = label,
                    Seed = seed,
                    Model = model,
                    X0 = new double[a.Columns],
                    Y0 = (double[])b.Clone(),
                    Solver = MethodCatalog.Create(method, settings),
                    Outer = settings.Outer,
                    ExtraColumns = ["phi"],
                    Evaluate = (x, _) => [Phi(a, b, m, lambda, x)],
                    PrimaryMetric = "phi",
                    FinalMetrics = (x, _) => new Dictionary<string, double>
                    {
                        ["phi"] = Phi(a, b, m, lambda, x),
                        ["phiAtStart"] = phi0,
                        ["phiOptimum"] = phiStar,
                    },
                });
            }
        }

        IReadOnlyList<RunOutcome> runs = context.RunAll(specs);
        var checks = new List<Check>();
        foreach (RunOutcome run in runs)
        {
            (double phi0, double phiStar) = optima[run.Seed];
            double phi = run.Metrics["phi"];
            checks.Add(new Check($"{run.Label}: phi(x) at least halfway from phi(x0) = {phi0:F4} to min phi = {phiStar:F4}",
                phi <= phiStar + (0.5 * (phi0 - phiStar)) && phi >= phiStar - 1e-9,
                string.Create(CultureInfo.InvariantCulture, $"phi {phi:F6}")));
        }

        string table = MethodTable(runs, [("phi", "phi(x) (MSE)", "F4", 1.0), ("phiOptimum", "min phi", "F4", 1.0)]);
        return new ExperimentReport(runs, checks, table);
    }

    public override bool LogUpper => true;
}
