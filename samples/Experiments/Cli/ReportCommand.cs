using System.CommandLine;
using BilevelDsl.Experiments.Experiments;

namespace BilevelDsl.Experiments.Cli;

/// <summary>
/// `bilevel report`: runs whole tables (the named experiments, or all six) with their defaults or the given options,
/// and writes each one's Markdown table, summary and figures into docs/experiments/&lt;experiment&gt;/.
/// </summary>
public static class ReportCommand
{
    public static Command Create(IReadOnlyList<Experiment> experiments, CommonOptions common, Func<CancellationToken> cancellation)
    {
        var which = new Option<string>("--experiments")
        {
            Description = $"Comma-separated experiments to run ({string.Join(", ", experiments.Select(e => e.Name))})",
            DefaultValueFactory = _ => string.Join(',', experiments.Select(e => e.Name)),
        };
        var docs = new Option<string>("--docs")
        {
            Description = "The docs directory; each table goes to <docs>/experiments/<experiment>/ (table.md, summary.json, figures)",
            DefaultValueFactory = _ => "docs",
        };
        var command = new Command("report", "Runs whole tables and writes their Markdown tables and figures into docs/ (the common options apply to every experiment; --method only where the experiment runs it).");
        command.Options.Add(which);
        command.Options.Add(docs);
        common.AddTo(command);
        foreach (Option option in experiments.SelectMany(e => e.ExtraOptions).DistinctBy(o => o.Name))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            string[] names = parse.GetValue(which)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (string name in names)
            {
                if (experiments.All(e => e.Name != name))
                {
                    Console.Error.WriteLine($"bilevel report: unknown experiment '{name}'; the experiments are {string.Join(", ", experiments.Select(e => e.Name))}");
                    return 1;
                }
            }

            int worst = 0;
            foreach (string name in names)
            {
                Experiment experiment = experiments.First(e => e.Name == name);
                string dir = Path.Combine(parse.GetValue(docs)!, "experiments", experiment.Name + (parse.GetValue(common.Quick) ? "-quick" : ""));
                Console.WriteLine($"== report: {experiment.Name} -> {dir}");
                int code = ExperimentCommand.Execute(experiment, common, parse, cancellation(), dir);
                worst = Math.Max(worst, code);
                if (code == ExperimentCommand.Cancelled)
                {
                    break;
                }
            }

            return worst;
        });
        return command;
    }
}
