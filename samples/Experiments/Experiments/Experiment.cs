using System.CommandLine;
using System.Globalization;
using BilevelDsl.Experiments.Cli;
using BilevelDsl.Experiments.Output;
using BilevelDsl.Experiments.Running;

namespace BilevelDsl.Experiments.Experiments;

/// <summary>A named self-check of a --quick run (and of full runs where it applies).</summary>
public sealed record Check(string Name, bool Passed, string Detail)
{
    public override string ToString() => $"{(Passed ? "ok" : "FAILED")}: {Name} ({Detail})";
}

/// <summary>What an experiment returns: its runs, its checks and its Markdown table.</summary>
public sealed record ExperimentReport(IReadOnlyList<RunOutcome> Runs, IReadOnlyList<Check> Checks, string Table);

/// <summary>Everything an experiment needs from the command line, resolved against its defaults.</summary>
public sealed class ExperimentContext
{
    public required string[] Methods { get; init; }
    public required RunSettings Settings { get; init; }
    public required int[] Seeds { get; init; }
    public required int Train { get; init; }
    public required int Val { get; init; }
    public required int Test { get; init; }
    public required int Threads { get; init; }
    public required string OutDirectory { get; init; }
    public required bool Quick { get; init; }
    public required ParseResult Parse { get; init; }
    public required IRunDisplay Display { get; init; }
    public required CancellationToken Cancellation { get; init; }
    public required Dictionary<string, object?> SettingsJson { get; init; }

    /// <summary>Upper step sizes per method when --lr was not given (from <see cref="ExperimentDefaults.MethodLr"/>).</summary>
    public IReadOnlyDictionary<string, double> MethodLr { get; init; } = new Dictionary<string, double>();

    /// <summary>The settings of one method: <see cref="Settings"/> with the method's own default step when --lr was not given.</summary>
    public RunSettings SettingsFor(string method, int seed) =>
        Settings with { Seed = seed, UpperStepSize = MethodLr.TryGetValue(method, out double lr) ? lr : Settings.UpperStepSize };

    /// <summary>Runs the specs, <see cref="Threads"/> at a time, in the given order of results; stops starting new ones after Ctrl+C.</summary>
    public IReadOnlyList<RunOutcome> RunAll(IReadOnlyList<Func<RunSpec>> specs)
    {
        var results = new RunOutcome?[specs.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Threads) };
        Parallel.For(0, specs.Count, options, i =>
        {
            if (Cancellation.IsCancellationRequested && i > 0)
            {
                return;
            }

            results[i] = ExperimentRunner.Execute(specs[i](), Display, Cancellation);
        });
        return results.Where(r => r is not null).Select(r => r!).ToArray();
    }
}

/// <summary>The defaults an experiment uses when an option is not given (full and --quick).</summary>
public sealed record ExperimentDefaults(
    string[] Methods, int Outer, int Inner, double InnerLr, int HyperSteps, double Lr, bool UpperAdam, double LowerToleranceFloor,
    int Train, int Val, int Test)
{
    /// <summary>Per-method upper step sizes that replace <see cref="Lr"/> unless --lr is given.</summary>
    public IReadOnlyDictionary<string, double> MethodLr { get; init; } = new Dictionary<string, double>();
}

/// <summary>One subcommand of the tool: a table or figure of one of the reference papers.</summary>
public abstract class Experiment
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>The methods this experiment can run.</summary>
    public abstract IReadOnlyList<string> Methods { get; }

    public abstract ExperimentDefaults Defaults(bool quick);

    /// <summary>The defaults for this command line: those of <see cref="Defaults(bool)"/> unless an experiment-specific
    /// option (a different model, say) needs others.</summary>
    public virtual ExperimentDefaults Defaults(bool quick, ParseResult parse) => Defaults(quick);

    /// <summary>Experiment-specific options.</summary>
    public virtual IEnumerable<Option> ExtraOptions => [];

    /// <summary>Runs the experiment (data, models, solver runs, evaluation, self-checks).</summary>
    public abstract ExperimentReport Run(ExperimentContext context);

    /// <summary>Experiment-specific figures besides the standard four.</summary>
    public virtual IReadOnlyList<string> ExtraPlots(ExperimentContext context, IReadOnlyList<RunOutcome> runs) => [];

    /// <summary>The column shown in progress and plotted as the task metric.</summary>
    public virtual (string? Name, string? Label) Metric => (null, null);

    public virtual bool LogUpper => false;

    /// <summary>mean ± std (sample standard deviation) of values, or the single value.</summary>
    public static string MeanStd(IReadOnlyList<double> values, string format)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return "n/a";
        }

        double mean = finite.Average();
        if (finite.Length == 1)
        {
            return mean.ToString(format, CultureInfo.InvariantCulture);
        }

        double sd = Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1));
        return $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {sd.ToString(format, CultureInfo.InvariantCulture)}";
    }

    /// <summary>A Markdown table with one row per method: the mean ± std of each metric over seeds and the timings.</summary>
    public static string MethodTable(IReadOnlyList<RunOutcome> runs, IReadOnlyList<(string Key, string Header, string Format, double Scale)> columns)
    {
        var lines = new List<string>
        {
            "| method | " + string.Join(" | ", columns.Select(c => c.Header)) + " | s / outer it. | CPU s / outer it. | status |",
            "|---|" + string.Concat(columns.Select(_ => "---|")) + "---|---|---|",
        };
        foreach (var group in runs.GroupBy(r => r.Label.Split(" seed ")[0]))
        {
            var cells = columns.Select(c => MeanStd(group.Select(r => r.Metrics.TryGetValue(c.Key, out double v) ? v * c.Scale : double.NaN).ToArray(), c.Format));
            string statuses = string.Join(", ", group.GroupBy(r => r.Status).Select(s => s.Count() > 1 ? $"{s.Key} x{s.Count()}" : s.Key.ToString()));
            lines.Add($"| {group.Key} | {string.Join(" | ", cells)} | {MeanStd(group.Select(r => r.SecondsPerOuterIteration).ToArray(), "G3")} | {MeanStd(group.Select(r => r.CpuSecondsPerOuterIteration).ToArray(), "G3")} | {statuses} |");
        }

        return string.Join('\n', lines) + '\n';
    }
}
