using System.CommandLine;

namespace BilevelDsl.Experiments.Cli;

/// <summary>The options every experiment subcommand shares (null: the experiment's default, which --help shows).</summary>
public sealed class CommonOptions
{
    public Option<string?> Method { get; } = new("--method", "-m")
    {
        Description = "Method(s), comma-separated: aid-cg, aid-neumann, rhg, trhg, bda, bvfim, bome, igfm, spnbo, smnbp, penalty, cccp (each experiment lists the ones it runs; default: all of them)",
    };

    public Option<int?> Outer { get; } = new("--outer") { Description = "Outer (upper-level) iterations" };

    public Option<int?> Inner { get; } = new("--inner") { Description = "Lower-level steps per outer iteration (solve steps for AID, unrolled steps for RHG/TRHG/BDA)" };

    public Option<double?> InnerLr { get; } = new("--inner-lr") { Description = "Lower-level gradient step size" };

    public Option<int?> HyperSteps { get; } = new("--hyper-steps") { Description = "CG iterations (AID-CG), Neumann terms (AID-Neumann), truncation (TRHG)" };

    public Option<double?> Lr { get; } = new("--lr") { Description = "Upper-level step size (Adam on x unless the experiment says otherwise)" };

    public Option<double?> LowerTol { get; } = new("--lower-tol")
    {
        Description = "Lower-level stationarity ||grad_y f|| the hypergradient methods must reach by the end (below it the run ends IterationLimit, above it LowerLevelNotConverged)",
    };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the data split, the label noise and stochastic methods", DefaultValueFactory = _ => 0 };

    public Option<int> Seeds { get; } = new("--seeds") { Description = "Repeat every run for seeds seed, seed+1, ..., and report mean ± std", DefaultValueFactory = _ => 1 };

    public Option<int?> Train { get; } = new("--train") { Description = "Training samples" };

    public Option<int?> Val { get; } = new("--val") { Description = "Validation samples" };

    public Option<int?> Test { get; } = new("--test") { Description = "Test samples" };

    public Option<int> Threads { get; } = new("--threads") { Description = "Runs (methods x seeds) executed at the same time; each run is single-threaded", DefaultValueFactory = _ => 1 };

    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Output directory for result.json, history.csv and the plots (default results/<experiment>)" };

    public Option<bool> Quick { get; } = new("--quick") { Description = "Small sizes for CI; checks its own results and exits 1 if a check fails" };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Method, Outer, Inner, InnerLr, HyperSteps, Lr, LowerTol, Seed, Seeds, Train, Val, Test, Threads, Out, Quick })
        {
            command.Options.Add(option);
        }
    }
}
