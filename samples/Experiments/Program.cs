// The `bilevel` tool: the four reference papers' experiments on real data, one subcommand each (docs/experiments.md).
using System.CommandLine;
using System.Runtime.InteropServices;
using BilevelDsl.Experiments.Cli;
using BilevelDsl.Experiments.Experiments;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels through the solvers' CancellationToken (partial results are still written); a second one kills.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("bilevel: cancelling (Ctrl+C again to kill)...");
        cancellation.Cancel();
    }
};

// SIGTERM (a CI timeout, `kill`) and a SIGINT that does not come from a terminal (a background job) cancel the same way.
void CancelOnSignal(PosixSignalContext context)
{
    if (!cancellation.IsCancellationRequested)
    {
        context.Cancel = true;
        Console.Error.WriteLine($"bilevel: {context.Signal}: cancelling...");
        cancellation.Cancel();
    }
}

using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, CancelOnSignal);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, CancelOnSignal);

Experiment[] experiments = [new Hyperclean(), new L2Tune(), new Adversarial(), new Reweight(), new Cccp(), new Toy()];
var common = new CommonOptions();
var root = new RootCommand("bilevel: the reference papers' bilevel experiments (BVFIM, IGFM, SPNBO, CCCP-BO) with BilevelDsl's solvers. Results go to --out (result.json, history.csv, PNG and SVG plots); docs/experiments.md has the numbers.");
foreach (Experiment experiment in experiments)
{
    root.Subcommands.Add(ExperimentCommand.Create(experiment, common, () => cancellation.Token));
}

root.Subcommands.Add(ReportCommand.Create(experiments, common, () => cancellation.Token));

ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    string command = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
    string message = parse.Errors[0].Message.Replace("System.Nullable`1[System.Int32]", "an integer").Replace("System.Nullable`1[System.Double]", "a number")
        .Replace("System.Int32", "an integer").Replace("System.Double", "a number");
    Console.Error.WriteLine($"bilevel{command}: {message} (see bilevel{command} --help)");
    return 1;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
