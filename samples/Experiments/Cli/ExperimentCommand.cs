using System.CommandLine;
using System.Globalization;
using System.Text;
using BilevelDsl.Experiments.Experiments;
using BilevelDsl.Experiments.Output;
using BilevelDsl.Experiments.Running;

namespace BilevelDsl.Experiments.Cli;

/// <summary>Turns an <see cref="Experiment"/> into a subcommand and runs it: options, progress, output files, exit code.</summary>
public static class ExperimentCommand
{
    public const int Cancelled = 130;

    public static Command Create(Experiment experiment, CommonOptions common, Func<CancellationToken> cancellation)
    {
        ExperimentDefaults full = experiment.Defaults(false), quick = experiment.Defaults(true);
        var command = new Command(experiment.Name,
            $"{experiment.Description}\nMethods: {string.Join(", ", experiment.Methods)}. Defaults: {Describe(full)}; with --quick: {Describe(quick)}.");
        common.AddTo(command);
        foreach (Option option in experiment.ExtraOptions)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => Execute(experiment, common, parse, cancellation(), outOverride: null));
        return command;
    }

    private static string Describe(ExperimentDefaults d) => string.Create(CultureInfo.InvariantCulture,
        $"--outer {d.Outer} --inner {d.Inner} --inner-lr {d.InnerLr} --hyper-steps {d.HyperSteps} --lr {d.Lr} --lower-tol {d.LowerToleranceFloor} --train {d.Train} --val {d.Val} --test {d.Test}");

    /// <summary>Runs the experiment and writes its files; returns the exit code (0, 1, or 130 after Ctrl+C).</summary>
    public static int Execute(Experiment experiment, CommonOptions common, ParseResult parse, CancellationToken cancellation, string? outOverride)
    {
        try
        {
            ExperimentContext? context = null;
            ExperimentReport? report = null;
            RunDisplay.Run(display =>
            {
                context = Resolve(experiment, common, parse, display, cancellation, outOverride);
                report = experiment.Run(context);
            });
            return Finish(experiment, context!, report!, perRunFiles: outOverride is null);
        }
        catch (ExperimentException e)
        {
            Console.Error.WriteLine($"bilevel {experiment.Name}: {e.Message}");
            return 1;
        }
    }

    private static ExperimentContext Resolve(Experiment experiment, CommonOptions o, ParseResult parse, IRunDisplay display, CancellationToken cancellation, string? outOverride)
    {
        bool quick = parse.GetValue(o.Quick);
        ExperimentDefaults d = experiment.Defaults(quick, parse);
        string[] methods = MethodCatalog.Parse(parse.GetValue(o.Method) ?? string.Join(',', d.Methods), experiment.Methods, experiment.Name);
        int outer = Positive(parse.GetValue(o.Outer) ?? d.Outer, "--outer");
        int inner = Positive(parse.GetValue(o.Inner) ?? d.Inner, "--inner");
        int hyper = Positive(parse.GetValue(o.HyperSteps) ?? d.HyperSteps, "--hyper-steps");
        double innerLr = PositiveReal(parse.GetValue(o.InnerLr) ?? d.InnerLr, "--inner-lr");
        double lr = PositiveReal(parse.GetValue(o.Lr) ?? d.Lr, "--lr");
        int seed = parse.GetValue(o.Seed);
        int seeds = Positive(parse.GetValue(o.Seeds), "--seeds");
        int threads = Positive(parse.GetValue(o.Threads), "--threads");
        double lowerTol = PositiveReal(parse.GetValue(o.LowerTol) ?? d.LowerToleranceFloor, "--lower-tol");
        var settings = new RunSettings(outer, inner, innerLr, hyper, lr, d.UpperAdam, lowerTol, seed);
        string outDirectory = outOverride ?? parse.GetValue(o.Out) ?? Path.Combine("results", experiment.Name + (quick ? "-quick" : ""));
        var json = new Dictionary<string, object?>
        {
            ["experiment"] = experiment.Name,
            ["quick"] = quick,
            ["methods"] = methods,
            ["outer"] = outer,
            ["inner"] = inner,
            ["innerStepSize"] = innerLr,
            ["hypergradientSteps"] = hyper,
            ["upperStepSize"] = lr,
            ["upperStepSizePerMethod"] = parse.GetValue(o.Lr) is null ? d.MethodLr : null,
            ["upperOptimizer"] = d.UpperAdam ? "adam" : "gradient descent",
            ["lowerToleranceFloor"] = lowerTol,
            ["seeds"] = Enumerable.Range(seed, seeds).ToArray(),
            ["threads"] = threads,
            ["commandLine"] = Environment.GetCommandLineArgs().Skip(1).ToArray(),
        };
        return new ExperimentContext
        {
            Methods = methods,
            Settings = settings,
            Seeds = Enumerable.Range(seed, seeds).ToArray(),
            Train = Positive(parse.GetValue(o.Train) ?? d.Train, "--train"),
            Val = Positive(parse.GetValue(o.Val) ?? d.Val, "--val"),
            Test = Positive(parse.GetValue(o.Test) ?? d.Test, "--test"),
            Threads = threads,
            OutDirectory = outDirectory,
            Quick = quick,
            Parse = parse,
            Display = display,
            Cancellation = cancellation,
            SettingsJson = json,
            MethodLr = parse.GetValue(o.Lr) is null ? d.MethodLr : new Dictionary<string, double>(),
        };
    }

    // perRunFiles: false for `report`, whose output goes into docs/: summary.json has every run's final results, and the
    // per-iteration histories would only bloat the repository.
    private static int Finish(Experiment experiment, ExperimentContext context, ExperimentReport report, bool perRunFiles)
    {
        string dir = context.OutDirectory;
        Directory.CreateDirectory(dir);
        IReadOnlyList<RunOutcome> runs = report.Runs;
        if (runs.Count == 1)
        {
            ResultWriter.WriteRun(dir, experiment.Name, runs[0], context.SettingsJson);
        }
        else if (perRunFiles)
        {
            foreach (RunOutcome run in runs)
            {
                ResultWriter.WriteRun(Path.Combine(dir, DirectoryName(run.Label)), experiment.Name, run, context.SettingsJson);
            }
        }

        string[] checks = report.Checks.Select(c => c.ToString()).ToArray();
        ResultWriter.WriteSummary(dir, experiment.Name, runs, context.SettingsJson, checks);
        File.WriteAllText(Path.Combine(dir, "table.md"), report.Table);
        (string? metric, string? metricLabel) = experiment.Metric;
        var figures = new List<string>(Plots.WriteStandard(dir, experiment.Name, runs, metric, metricLabel, experiment.LogUpper));
        figures.AddRange(experiment.ExtraPlots(context, runs));

        var text = new StringBuilder();
        text.Append('\n').Append(report.Table);
        foreach (RunOutcome run in runs.Where(r => !r.Succeeded))
        {
            text.Append(CultureInfo.InvariantCulture, $"{run.Label}: {run.Status}: {run.Message}\n");
        }

        foreach (string check in checks)
        {
            text.Append("check ").Append(check).Append('\n');
        }

        string files = runs.Count == 1 || perRunFiles ? "result.json and history.csv per run, " : "";
        text.Append(CultureInfo.InvariantCulture, $"wrote {dir}/ ({files}summary.json, table.md, {figures.Count} figure files)\n");
        Console.Write(text.ToString());

        if (context.Cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine($"bilevel {experiment.Name}: cancelled; partial results written to {dir}");
            return Cancelled;
        }

        RunOutcome? failed = runs.FirstOrDefault(r => !r.Succeeded);
        if (failed is not null)
        {
            Console.Error.WriteLine($"bilevel {experiment.Name}: {failed.Label} ended {failed.Status} without converging: {OneLine(failed.Message)}");
            return 1;
        }

        Check? failedCheck = report.Checks.FirstOrDefault(c => !c.Passed);
        if (failedCheck is not null)
        {
            Console.Error.WriteLine($"bilevel {experiment.Name}: check failed: {failedCheck.Name} ({failedCheck.Detail})");
            return 1;
        }

        return 0;
    }

    public static string DirectoryName(string label) =>
        string.Concat(label.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '-')).Replace("--", "-").Trim('-');

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ExperimentException($"{name} must be a positive integer, not {value}");

    private static double PositiveReal(double value, string name) =>
        value > 0 && double.IsFinite(value) ? value : throw new ExperimentException($"{name} must be positive and finite, not {value}");
}
