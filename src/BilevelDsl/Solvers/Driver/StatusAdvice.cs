namespace BilevelDsl.Solvers.Driver;

/// <summary>
/// What to change when a run ends early: one sentence naming the option of the method's options record and a value to
/// try, appended by the driver to a message that names none (issue 12: "a status that ends early says which option to
/// change and to what").
/// </summary>
internal static class StatusAdvice
{
    /// <summary>The advice for <paramref name="status"/>, or null when the message already names the option (or none applies).</summary>
    public static string? For(in DriverSettings settings, SolverStatus status, string message)
    {
        string name = settings.Name;
        int budget = settings.MaxIterations;
        (string Option, string Sentence)? advice = status switch
        {
            SolverStatus.IterationLimit when name == "SPNBO" =>
                ("MaxInnerSteps", "To go on, raise MaxInnerSteps (4x), or restart from the returned X."),
            SolverStatus.IterationLimit when name == "SMNBP" =>
                ("Penalty.MaxIterations", "To go on, raise Penalty.MaxIterations (4x) or loosen SubproblemTolerance."),
            SolverStatus.IterationLimit when name == "SGM" =>
                ("Steps", "To go on, raise Steps (4x), or restart from the returned X."),
            SolverStatus.IterationLimit =>
                (BudgetOption(name), $"To go on, raise {BudgetOption(name)} (now {Fmt.I(budget)}) to {Fmt.I(4L * budget)}, or restart from the returned X."),
            SolverStatus.LowerLevelNotConverged => LowerAdvice(name),
            SolverStatus.Diverged => StepAdvice(name),
            SolverStatus.NotCertified => (ToleranceOption(name), $"The method's own test held too early: tighten {ToleranceOption(name)} (100x smaller) and restart from the returned X."),
            SolverStatus.TimeLimit when settings.MaxTime is { } time =>
                ("MaxTime", $"To go on, raise MaxTime (now {TimeBudget.Seconds(time)}) to {TimeBudget.Seconds(4 * time)}, or restart from the returned X with the same budget."),
            _ => null,
        };

        return advice is { } a && !message.Contains(a.Option, StringComparison.Ordinal) ? a.Sentence : null;
    }

    public static string BudgetOption(string name) => name is "SMNBP" or "SPNBO" ? "MaxRounds" : "MaxIterations";

    private static string ToleranceOption(string name) => name switch
    {
        "SMNBP" or "SPNBO" => "Tolerance (and Smoothing's floor)",
        "CCCP-BO" => "Epsilon",
        "SGM" => "Threshold",
        _ => "Tolerance",
    };

    private static (string, string) LowerAdvice(string name) => name switch
    {
        "RHG" or "TRHG" or "FHG" or "BDA" => ("UnrollSteps", "Raise UnrollSteps (4x) or StallWindow, or loosen the LowerTolerance floor (e.g. to 1e-7)."),
        "SPNBO" => ("MaxInnerSteps", "Raise MaxInnerSteps (4x) or stop the smoothing schedule earlier."),
        "SMNBP" => ("SubproblemTolerance", "Loosen SubproblemTolerance or raise MaxRounds."),
        "BOME" => ("LowerSteps", "Raise LowerSteps (4x) or loosen LowerTolerance."),
        "CCCP-BO" => ("LowerLevel", "Tighten LowerLevel and Projection tolerances (e.g. 1e-10) or raise LowerLevel.MaxSubproblemSteps."),
        _ => ("LowerLevel", "Raise LowerLevel.MaxSteps (4x) or StallWindow, or loosen the LowerTolerance floor (e.g. to 1e-7)."),
    };

    private static (string, string) StepAdvice(string name) => name switch
    {
        "BOME" or "IGFM" or "SGM" => ("StepSize", "Lower StepSize (10x smaller) or start closer to a solution."),
        "BVFIM" => ("XStepSize", "Lower XStepSize and YStepSize (10x smaller) or start closer to a solution."),
        "CCCP-BO" => ("Rho", "Raise Rho (10x) or start closer to a solution."),
        "SMNBP" or "SPNBO" => ("PenaltyMax", "Lower the step sizes or PenaltyMax, or start closer to a solution."),
        _ => ("Optimizer.StepSize", "Lower Optimizer.StepSize (10x smaller) or start closer to a solution."),
    };
}
