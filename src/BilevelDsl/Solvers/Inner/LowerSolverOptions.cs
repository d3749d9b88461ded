using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers.Inner;

/// <summary>The lower-level (inner) solvers available to the bilevel methods.</summary>
public enum LowerSolverKind
{
    /// <summary><see cref="GradientDescentSolver"/>: projected gradient descent with backtracking.</summary>
    GradientDescent,

    /// <summary><see cref="NesterovSolver"/>: accelerated projected gradient (FISTA) with backtracking and restart.</summary>
    Nesterov,

    /// <summary><see cref="AdamSolver"/>: projected Adam with a constant step.</summary>
    Adam,
}

/// <summary>Settings of the lower-level solver a bilevel method uses (which method, how many steps, its step sizes).</summary>
public sealed record LowerSolverOptions
{
    /// <summary>Which solver.</summary>
    public LowerSolverKind Kind { get; init; } = LowerSolverKind.Nesterov;

    /// <summary>The largest number of steps per solve (0: the method does not run a separate lower-level solve).</summary>
    public int MaxSteps { get; init; } = 1000;

    /// <summary>Gradient descent and Nesterov: the first step size tried (then adapted by backtracking and growth).</summary>
    public double InitialStepSize { get; init; } = 1.0;

    /// <summary>Gradient descent and Nesterov: the largest step size.</summary>
    public double MaxStepSize { get; init; } = 1e12;

    /// <summary>Gradient descent and Nesterov: the factor the step grows by after a step accepted at the first try (at least 1).</summary>
    public double StepGrowth { get; init; } = 2.0;

    /// <summary>Adam: the step size a.</summary>
    public double AdamStepSize { get; init; } = 1e-2;

    /// <summary>Adam: the first-moment decay b1, in [0, 1).</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>Adam: the second-moment decay b2, in [0, 1).</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>Adam: eps in the denominator.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Steps without a new minimum of the stationarity measure after which a solve counts as stalled.</summary>
    public int StallWindow { get; init; } = 100;

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        RequireDefined(Kind, nameof(Kind));
        RequireNonNegative(MaxSteps, "LowerLevel." + nameof(MaxSteps));
        RequirePositiveFinite(InitialStepSize, "LowerLevel." + nameof(InitialStepSize));
        RequirePositiveFinite(MaxStepSize, "LowerLevel." + nameof(MaxStepSize));
        RequireFiniteAtLeastOne(StepGrowth, "LowerLevel." + nameof(StepGrowth));
        RequirePositiveFinite(AdamStepSize, "LowerLevel." + nameof(AdamStepSize));
        RequireUnitInterval(AdamBeta1, "LowerLevel." + nameof(AdamBeta1));
        RequireUnitInterval(AdamBeta2, "LowerLevel." + nameof(AdamBeta2));
        RequirePositiveFinite(AdamEpsilon, "LowerLevel." + nameof(AdamEpsilon));
        RequirePositive(StallWindow, "LowerLevel." + nameof(StallWindow));
    }

    /// <summary>Creates the solver for variables of the given dimension (its work arrays are allocated here, once).</summary>
    internal ILowerLevelSolver Create(int dimension) => Kind switch
    {
        LowerSolverKind.GradientDescent => new GradientDescentSolver(dimension, InitialStepSize, MaxStepSize, StepGrowth),
        LowerSolverKind.Nesterov => new NesterovSolver(dimension, InitialStepSize, MaxStepSize, StepGrowth),
        _ => new AdamSolver(dimension, AdamStepSize, AdamBeta1, AdamBeta2, AdamEpsilon),
    };

    /// <summary>The stopping rule for one solve with the given tolerance.</summary>
    internal InnerStoppingRule Rule(double tolerance) => new(tolerance, MaxSteps, StallWindow);
}
