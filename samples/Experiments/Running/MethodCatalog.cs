using BilevelDsl.Experiments.Cli;
using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Experiments.Running;

/// <summary>
/// The method names of the command line (docs/solvers.md, lower case with dashes) and the solver each one builds
/// from <see cref="RunSettings"/>. Only the public solver API is used: <c>new XxxSolver(options)</c>.
/// </summary>
public static class MethodCatalog
{
    /// <summary>Every name the tool accepts, in the order of the docs.</summary>
    public static readonly string[] Names =
        ["aid-cg", "aid-neumann", "rhg", "trhg", "bda", "bvfim", "bome", "igfm", "spnbo", "smnbp", "penalty", "cccp"];

    /// <summary>Human-readable names for tables and legends.</summary>
    public static string Display(string name) => name switch
    {
        "aid-cg" => "AID-CG",
        "aid-neumann" => "AID-Neumann",
        "rhg" => "RHG",
        "trhg" => "TRHG",
        "bda" => "BDA",
        "bvfim" => "BVFIM",
        "bome" => "BOME",
        "igfm" => "IGFM",
        "spnbo" => "SPNBO",
        "smnbp" => "SMNBP",
        "penalty" => "Penalty",
        "cccp" => "CCCP-BO",
        _ => name,
    };

    /// <summary>Splits a comma-separated --method value and checks each name against the experiment's list.</summary>
    /// <exception cref="ExperimentException">An unknown name, or a method the experiment does not run.</exception>
    public static string[] Parse(string value, IReadOnlyList<string> allowed, string experiment)
    {
        string[] names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).Distinct().ToArray();
        if (names.Length == 0)
        {
            throw new ExperimentException($"--method is empty; {experiment} runs {string.Join(", ", allowed)}");
        }

        foreach (string name in names)
        {
            if (!Names.Contains(name))
            {
                throw new ExperimentException($"unknown method '{name}'; the methods are {string.Join(", ", Names)}");
            }

            if (!allowed.Contains(name))
            {
                throw new ExperimentException($"{experiment} does not run {name}; it runs {string.Join(", ", allowed)}");
            }
        }

        return names;
    }

    private static UpperOptimizerOptions Upper(RunSettings s) => new()
    {
        Kind = s.UpperAdam ? UpperOptimizerKind.Adam : UpperOptimizerKind.GradientDescent,
        StepSize = s.UpperStepSize,
    };

    // A fixed lower step (no growth) so that "Inner steps of size InnerStepSize" means what it says.
    private static LowerSolverOptions Lower(RunSettings s) => new()
    {
        Kind = LowerSolverKind.GradientDescent,
        MaxSteps = s.Inner,
        InitialStepSize = s.InnerStepSize,
        MaxStepSize = s.InnerStepSize,
        StepGrowth = 1.0,
    };

    private static DecaySchedule LowerTolerance(RunSettings s) => new(Math.Max(1e-2, s.LowerToleranceFloor), 0.8, s.LowerToleranceFloor);

    /// <summary>Builds the solver for <paramref name="name"/>; <paramref name="smoothing"/> &gt; 0 runs it on the smoothed model.</summary>
    public static IBilevelSolver Create(string name, RunSettings s, double smoothing = 0.0) => name switch
    {
        "aid-cg" => new AidCgSolver(Recording(new AidCgOptions
        {
            MaxIterations = s.Outer, Optimizer = Upper(s), LowerLevel = Lower(s), LowerTolerance = LowerTolerance(s),
            CgMaxIterations = s.HypergradientSteps, Smoothing = smoothing,
        }, s)),
        "aid-neumann" => new AidNeumannSolver(Recording(new AidNeumannOptions
        {
            MaxIterations = s.Outer, Optimizer = Upper(s), LowerLevel = Lower(s), LowerTolerance = LowerTolerance(s),
            NeumannTerms = s.HypergradientSteps, NeumannStepSize = s.InnerStepSize, Smoothing = smoothing,
        }, s)),
        "rhg" => new RhgSolver(Recording(new RhgOptions
        {
            MaxIterations = s.Outer, Optimizer = Upper(s), LowerTolerance = LowerTolerance(s),
            UnrollSteps = s.Inner, InnerStepSize = s.InnerStepSize, Smoothing = smoothing,
        }, s)),
        "trhg" => new TrhgSolver(Recording(new TrhgOptions
        {
            MaxIterations = s.Outer, Optimizer = Upper(s), LowerTolerance = LowerTolerance(s),
            UnrollSteps = s.Inner, InnerStepSize = s.InnerStepSize, TruncationSteps = Math.Min(s.HypergradientSteps, s.Inner),
            Smoothing = smoothing,
        }, s)),
        "bda" => new BdaSolver(Recording(new BdaOptions
        {
            MaxIterations = s.Outer, Optimizer = Upper(s), LowerTolerance = LowerTolerance(s),
            UnrollSteps = s.Inner, InnerStepSize = s.InnerStepSize, Smoothing = smoothing,
        }, s)),
        // One penalty iteration is one joint step (no inner loop), so it gets Outer x Inner of them: the budget of the
        // other methods' lower-level steps.
        "penalty" => new PenaltySolver(Recording(new PenaltyOptions
        {
            MaxIterations = s.Outer * s.Inner, Optimizer = Upper(s), Smoothing = smoothing,
            // Its y sub-problem is penalised (gamma up to 1e6): a fixed step cannot suit every gamma, so Nesterov with backtracking.
            LowerLevel = new LowerSolverOptions { MaxSteps = Math.Max(s.Inner, 1) },
            LowerTolerance = s.LowerToleranceFloor,
        }, s)),
        "bvfim" => new BvfimSolver(Recording(new BvfimOptions
        {
            MaxIterations = s.Outer, YSteps = s.Inner, ZSteps = s.Inner, XStepSize = s.UpperStepSize,
        }, s)),
        "bome" => new BomeSolver(Recording(new BomeOptions
        {
            MaxIterations = s.Outer, LowerSteps = s.Inner, StepSize = s.UpperStepSize, Smoothing = smoothing,
        }, s)),
        "igfm" => new IgfmSolver(Recording(new IgfmOptions
        {
            MaxIterations = s.Outer, StepSize = s.UpperStepSize, Seed = s.Seed,
            // theta = 1e-2, delta = 1e-3 (the IGFM paper's Sec. 7 grid); SGM's steps are the lower-level steps.
            Sgm = new SgmOptions { WarmupSteps = s.Inner, Steps = Math.Max(2 * s.Inner, 10), StepSize = s.InnerStepSize, Threshold = 1e-2, RecordHistory = false },
        }, s)),
        "spnbo" => new SpnboSolver(Recording(new SpnboOptions { Seed = s.Seed, StepSize = s.UpperStepSize }, s)),
        // SMNBP's penalty sub-solver with Adam on x (the SPNBO paper's setting for the baselines) and a round tolerance
        // floor of 1e-2 (tighter floors stall at the sub-problem's rounding level on the re-weighting problem).
        "smnbp" => new SmnbpSolver(Recording(new SmnbpOptions
        {
            Penalty = new SmnbpOptions().Penalty with { Optimizer = Upper(s), RoundTolerance = new(1e-1, 0.1, 1e-2) },
        }, s)),
        "cccp" => new CccpSolver(Recording(new CccpOptions { MaxIterations = s.Outer }, s)),
        _ => throw new ExperimentException($"unknown method '{name}'"),
    };

    // Every method's options get the run's history settings (what the history keeps of x).
    private static T Recording<T>(T options, RunSettings s)
        where T : SolverOptions => (T)(options with { RecordX = s.RecordX });
}
