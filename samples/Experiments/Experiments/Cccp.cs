using System.CommandLine;
using System.Globalization;
using BilevelDsl.Experiments.Cli;
using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Output;
using BilevelDsl.Experiments.Running;
using BilevelDsl.Solvers;

namespace BilevelDsl.Experiments.Experiments;

/// <summary>
/// Experiment 5: CCCP-BO on its paper's synthetic problem (Sec. 5): Figure 1, min_{j &lt;= k} ||g_j||^2 against k for
/// fixed rho = r L (r from --rhos, epsilon 1e-3), and Figure 2, the lower-level gap g - v along the run for several
/// epsilon (rho = L). L = ||c||^2 + ||d||^2 + 4 bounds the curvature of F (derived in the test suite's CCCP tests).
/// </summary>
public sealed class Cccp : Experiment
{
    public const int Dimension = 10;
    public const int Rank = 6;

    private readonly Option<string> _rhos = new("--rhos") { Description = "rho as multiples of L, comma-separated (Figure 1)", DefaultValueFactory = _ => "1,2,4" };
    private readonly Option<string> _epsilons = new("--epsilons") { Description = "epsilon values, comma-separated (Figure 2)", DefaultValueFactory = _ => "1e-1,1e-2,1e-3,1e-4" };

    public override string Name => "cccp";

    public override string Description =>
        "CCCP-BO synthetic experiment (its Figures 1 and 2): x, y in R^10, a rank-6 PSD lower level; min ||g_k||^2 against k for several rho, and the gap g - v for several epsilon.";

    public override IReadOnlyList<string> Methods => ["cccp"];

    public override IEnumerable<Option> ExtraOptions => [_rhos, _epsilons];

    public override (string? Name, string? Label) Metric => ("minGradSquared", "min_{j<=k} ||g_j||^2");

    public override ExperimentDefaults Defaults(bool quick) =>
        new(["cccp"], Outer: 3000, Inner: 1, InnerLr: 1, HyperSteps: 1, Lr: 1, UpperAdam: false, LowerToleranceFloor: 1e-9, Train: 1, Val: 1, Test: 1);

    /// <summary>The seeded data: c, d ~ N(0, I), B = P Q with P 10x6, Q 6x10 Gaussian, A = B'B, the start, and L.</summary>
    public static (CccpSynthetic Model, double[] X0, double[] Y0, double L) Problem(int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] c = Enumerable.Range(0, Dimension).Select(_ => Normal()).ToArray();
        double[] d = Enumerable.Range(0, Dimension).Select(_ => Normal()).ToArray();
        double[] p = Enumerable.Range(0, Dimension * Rank).Select(_ => Normal() / Math.Sqrt(Rank)).ToArray();
        double[] q = Enumerable.Range(0, Rank * Dimension).Select(_ => Normal() / Math.Sqrt(Dimension)).ToArray();
        double[] b = new double[Dimension * Dimension];
        for (int i = 0; i < Dimension; i++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                for (int l = 0; l < Rank; l++)
                {
                    b[(i * Dimension) + j] += p[(i * Rank) + l] * q[(l * Dimension) + j];
                }
            }
        }

        double[] a = new double[Dimension * Dimension];
        for (int i = 0; i < Dimension; i++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                for (int l = 0; l < Dimension; l++)
                {
                    a[(i * Dimension) + j] += b[(l * Dimension) + i] * b[(l * Dimension) + j];
                }
            }
        }

        double lipschitz = c.Sum(t => t * t) + d.Sum(t => t * t) + 4;
        double[] x0 = Enumerable.Range(0, Dimension).Select(_ => Normal()).ToArray();
        double[] y0 = Enumerable.Range(0, Dimension).Select(_ => Normal()).ToArray();
        return (new CccpSynthetic(c, d, new Matrix(Dimension, Dimension, a)), x0, y0, lipschitz);
    }

    private static double[] Parse(string text, string option) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v) ? v : throw new ExperimentException($"{option}: '{t}' is not a positive number"))
            .ToArray();

    public override ExperimentReport Run(ExperimentContext context)
    {
        double[] rhos = Parse(context.Parse.GetValue(_rhos)!, "--rhos");
        double[] epsilons = Parse(context.Parse.GetValue(_epsilons)!, "--epsilons");
        context.SettingsJson["rhoMultiplesOfL"] = rhos;
        context.SettingsJson["epsilons"] = epsilons;
        var specs = new List<Func<RunSpec>>();
        var settingsOf = new List<(double Rho, double Epsilon, double L)>();
        foreach (int seed in context.Seeds)
        {
            var (model, x0, y0, lipschitz) = Problem(seed);
            string suffix = context.Seeds.Length > 1 ? $" seed {seed}" : "";
            IEnumerable<(double R, double Eps, string Label)> runs =
                rhos.Select(r => (r, 1e-3, string.Create(CultureInfo.InvariantCulture, $"rho={r}L eps=0.001{suffix}")))
                    .Concat(epsilons.Where(e => e != 1e-3 || !rhos.Contains(1.0)).Select(e => (1.0, e, string.Create(CultureInfo.InvariantCulture, $"rho=1L eps={e:G3}{suffix}"))));
            foreach ((double r, double eps, string label) in runs)
            {
                settingsOf.Add((r * lipschitz, eps, lipschitz));
                var solver = new CccpSolver(new CccpOptions { Rho = r * lipschitz, AdaptiveRho = false, Epsilon = eps, MaxIterations = context.Settings.Outer, Tolerance = 1e-7 });
                specs.Add(() => new RunSpec
                {
                    Method = "cccp",
                    Label = label,
                    Seed = seed,
                    Model = model,
                    X0 = x0,
                    Y0 = y0,
                    Solver = solver,
                    Outer = context.Settings.Outer,
                    FinalMetrics = (x, y) => new Dictionary<string, double>
                    {
                        ["rho"] = r * lipschitz,
                        ["rhoOverL"] = r,
                        ["epsilon"] = eps,
                        ["gap"] = ((IBilevelKernels)model).LowerValue(x, y),
                        ["upper"] = ((IBilevelKernels)model).UpperValue(x, y),
                    },
                });
            }
        }

        IReadOnlyList<RunOutcome> outcomes = context.RunAll(specs);
        var withMin = outcomes.Select(WithRunningMinimum).ToList();
        var checks = new List<Check>();
        var lines = new List<string>
        {
            "| run | rho / L | epsilon | iterations to ||g|| <= 1e-7 | largest gap g - v on the way | final gap | F at the end | Theorem 4.3 bound holds at every k | status |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        foreach (RunOutcome run in withMin)
        {
            double rho = run.Metrics["rho"], eps = run.Metrics["epsilon"];
            double maxGap = run.History.Count == 0 ? double.NaN : run.History.Max(h => h.Lower);
            double start = run.History.Count == 0 ? double.NaN : run.History[0].Upper;
            bool bound = run.History.Select((h, k) => h.Extra[0] <= 2 * rho * (start + 1) / (k + 1) * (1 + 1e-9)).All(ok => ok);
            checks.Add(new Check($"{run.Label}: converges to F = inf F = -1", run.Status == SolverStatus.Converged && Math.Abs(run.Metrics["upper"] + 1) <= 1e-6,
                string.Create(CultureInfo.InvariantCulture, $"{run.Status}, F = {run.Metrics["upper"]:F9}")));
            checks.Add(new Check($"{run.Label}: the gap g - v stays below epsilon", maxGap <= eps * (1 + 1e-6),
                string.Create(CultureInfo.InvariantCulture, $"largest gap {maxGap:E3}")));
            checks.Add(new Check($"{run.Label}: min_j<=k ||g_j||^2 <= 2 rho (F(z_1) - inf F) / k (Theorem 4.3)", bound, "every k"));
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {run.Label} | {run.Metrics["rhoOverL"]:G3} | {eps:G3} | {run.Iterations} | {maxGap:E2} | {run.Metrics["gap"]:E2} | {run.Metrics["upper"]:F9} | {(bound ? "yes" : "no")} | {run.Status} |"));
        }

        return new ExperimentReport(withMin, checks, string.Join('\n', lines) + "\n");
    }

    /// <summary>Adds the running minimum of ||g_j||^2 (DirectionNorm is ||g_k|| for CCCP-BO) and the gap as history columns.</summary>
    private static RunOutcome WithRunningMinimum(RunOutcome run)
    {
        double best = double.PositiveInfinity;
        var history = run.History.Select(h =>
        {
            best = Math.Min(best, h.DirectionNorm * h.DirectionNorm);
            return h with { Extra = [best, h.Lower] };
        }).ToList();
        return run with { History = history, ExtraColumns = ["minGradSquared", "gap"] };
    }

    public override bool LogUpper => false;

    public override IReadOnlyList<string> ExtraPlots(ExperimentContext context, IReadOnlyList<RunOutcome> runs)
    {
        var files = new List<string>();
        var fig1 = runs.Where(r => r.Label.Contains("eps=0.001", StringComparison.Ordinal))
            .Select(r => Plots.Filter(r.Label, r.History.Select(h => Math.Log10(h.Iteration)), r.History.Select(h => h.Extra[0]))).ToList();
        files.AddRange(Plots.Write(context.OutDirectory, "figure1-min-grad-vs-k", "CCCP-BO: min_{j<=k} ||g_j||^2 against k (epsilon 1e-3)", "log10 k", "min ||g_j||^2", fig1, logY: true));
        var fig2 = runs.Where(r => r.Label.StartsWith("rho=1L", StringComparison.Ordinal))
            .Select(r => Plots.Filter(r.Label, r.History.Select(h => (double)h.Iteration), r.History.Select(h => h.Extra[1]))).ToList();
        files.AddRange(Plots.Write(context.OutDirectory, "figure2-gap-vs-k", "CCCP-BO: lower-level gap g - v along the run (rho = L)", "iteration k", "g - v", fig2, logY: true));
        return files;
    }
}
