using System.Globalization;
using BilevelDsl.Experiments.Models;
using BilevelDsl.Experiments.Output;
using BilevelDsl.Experiments.Running;
using BilevelDsl.Solvers;

namespace BilevelDsl.Experiments.Experiments;

/// <summary>
/// Experiment 6: the BVFIM toy (Liu et al., ICML 2021, Figure 1). BVFIM, RHG and AID-CG from (0, 0) and (3, 3) with
/// a = 0 and a = 2, each solver with its library defaults. BVFIM must reach the global optimum from every start; the
/// hypergradient methods follow the lower-level branch nearest to the start and must reach that branch's best point.
/// </summary>
public sealed class Toy : Experiment
{
    private static readonly (double X, double Y)[] Starts = [(0, 0), (3, 3)];
    private static readonly double[] As = [0.0, 2.0];

    public override string Name => "toy";

    public override string Description => "BVFIM toy (Liu et al., ICML 2021, Eq. 30, Figure 1): min (x-a)^2 + (y-a)^2 s.t. y in argmin sin(x+y), from (0,0) and (3,3), a = 0 and 2. Solvers use their library defaults; --outer caps the iterations.";

    public override IReadOnlyList<string> Methods => ["bvfim", "rhg", "aid-cg"];

    public override ExperimentDefaults Defaults(bool quick) =>
        new(["bvfim", "rhg", "aid-cg"], Outer: 5000, Inner: 20, InnerLr: 1.0, HyperSteps: 100, Lr: 0.1, UpperAdam: false, LowerToleranceFloor: 1e-9, Train: 1, Val: 1, Test: 1);

    public override (string? Name, string? Label) Metric => ("error", "max(|x - x*|, |y - y*|) to the branch's best point");

    public override bool LogUpper => false;

    /// <summary>The global optimum x* = y* for a.</summary>
    public static double Optimum(double a) => a == 0.0 ? -Math.PI / 4 : 3 * Math.PI / 4;

    /// <summary>The best point x = y of the branch x + y = -pi/2 + 2 pi k nearest to x + y = s.</summary>
    public static double BranchPoint(double s)
    {
        double k = Math.Round((s + (Math.PI / 2)) / (2 * Math.PI));
        return (-Math.PI / 2 + (2 * Math.PI * k)) / 2;
    }

    private static IBilevelSolver Solver(string method, int outer) => method switch
    {
        "bvfim" => new BvfimSolver(new BvfimOptions { MaxIterations = outer }),
        "rhg" => new RhgSolver(new RhgOptions { MaxIterations = Math.Min(outer, 1000) }),
        _ => new AidCgSolver(new AidCgOptions { MaxIterations = Math.Min(outer, 1000) }),
    };

    public override ExperimentReport Run(ExperimentContext context)
    {
        var specs = new List<Func<RunSpec>>();
        var targets = new List<double>();
        foreach (string method in context.Methods)
        {
            foreach (double a in As)
            {
                foreach ((double x0, double y0) in Starts)
                {
                    // BVFIM is checked against the global optimum, the hypergradient methods against the best point of
                    // the branch they start on (the sum x + y moves little in their first iterations).
                    double target = method == "bvfim" ? Optimum(a) : BranchPoint(x0 + y0);
                    targets.Add(target);
                    string label = string.Create(CultureInfo.InvariantCulture, $"{MethodCatalog.Display(method)} a={a} start=({x0},{y0})");
                    specs.Add(() => new RunSpec
                    {
                        Method = method,
                        Label = label,
                        Seed = context.Settings.Seed,
                        Model = new SinToy(a),
                        X0 = [x0],
                        Y0 = [y0],
                        Solver = Solver(method, context.Settings.Outer),
                        Outer = method == "bvfim" ? context.Settings.Outer : Math.Min(context.Settings.Outer, 1000),
                        ExtraColumns = ["x", "y", "error"],
                        Evaluate = (x, y) => [x[0], y[0], Math.Max(Math.Abs(x[0] - target), Math.Abs(y[0] - target))],
                        PrimaryMetric = "error",
                        FinalMetrics = (x, y) => new Dictionary<string, double>
                        {
                            ["x"] = x[0],
                            ["y"] = y[0],
                            ["target"] = target,
                            ["error"] = Math.Max(Math.Abs(x[0] - target), Math.Abs(y[0] - target)),
                            ["globalError"] = Math.Max(Math.Abs(x[0] - Optimum(a)), Math.Abs(y[0] - Optimum(a))),
                        },
                    });
                }
            }
        }

        IReadOnlyList<RunOutcome> runs = context.RunAll(specs);
        var checks = new List<Check>();
        foreach (RunOutcome run in runs)
        {
            double error = run.Metrics["error"];
            string what = run.Method == "bvfim" ? "the global optimum" : "the best point of its lower-level branch";
            checks.Add(new Check($"{run.Label} reaches {what} x = y = {run.Metrics["target"]:F6}", error <= 1e-3,
                string.Create(CultureInfo.InvariantCulture, $"x = {run.X[0]:F6}, y = {run.Y[0]:F6}, error {error:E2}, tolerance 1e-3")));
        }

        var lines = new List<string>
        {
            "| method | a | start | x | y | F | target x* = y* | error | global optimum reached | status | iterations | s / outer it. |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        };
        foreach (RunOutcome run in runs)
        {
            string[] parts = run.Label.Split(' ');
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {parts[0]} | {parts[1][2..]} | {parts[2][6..]} | {run.X[0]:F6} | {run.Y[0]:F6} | {run.UpperValue:F6} | {run.Metrics["target"]:F6} | {run.Metrics["error"]:G2} | {(run.Metrics["globalError"] <= 1e-3 ? "yes" : "no")} | {run.Status} | {run.Iterations} | {run.SecondsPerOuterIteration:G3} |"));
        }

        return new ExperimentReport(runs, checks, string.Join('\n', lines) + "\n");
    }

    public override IReadOnlyList<string> ExtraPlots(ExperimentContext context, IReadOnlyList<RunOutcome> runs)
    {
        var files = new List<string>();
        foreach (double a in As)
        {
            string tag = a.ToString(CultureInfo.InvariantCulture);
            var series = runs.Where(r => r.Label.Contains($"a={tag} ", StringComparison.Ordinal))
                .Select(r => Plots.Filter(r.Label, r.History.Select(h => h.Extra[0]), r.History.Select(h => h.Extra[1]))).ToList();
            files.AddRange(Plots.Write(context.OutDirectory, $"paths-a{tag}", $"toy, a = {tag}: iterates (x, y)", "x", "y", series, logY: false, markers: true));
        }

        return files;
    }
}
