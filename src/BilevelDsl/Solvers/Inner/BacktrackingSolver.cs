using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// What the backtracking inner solvers share: the work arrays of a step (gradient, trial point, its gradient, the step)
/// and the adaptive step size (starts at the initial step, halves on failure, grows by <c>growth</c> after a first-try
/// success, never above the maximum).
/// </summary>
internal abstract class BacktrackingSolver : ILowerLevelSolver
{
    private protected BacktrackingSolver(int dimension, double initialStep, double maxStep, double growth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        RequirePositiveFinite(initialStep, nameof(initialStep));
        RequirePositiveFinite(maxStep, nameof(maxStep));
        RequireFiniteAtLeastOne(growth, nameof(growth));
        Dimension = dimension;
        G = new double[dimension];
        Trial = new double[dimension];
        GTrial = new double[dimension];
        D = new double[dimension];
        InitialStep = Math.Min(initialStep, maxStep);
        MaxStep = maxStep;
        Growth = growth;
        Step = InitialStep;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>The step size the next step will try first.</summary>
    public double StepSize => Step;

    private protected double[] G { get; }

    private protected double[] Trial { get; }

    private protected double[] GTrial { get; }

    private protected double[] D { get; }

    private protected double InitialStep { get; }

    private protected double MaxStep { get; }

    private protected double Growth { get; }

    private protected double Step { get; set; }

    /// <inheritdoc/>
    public void Reset() => Step = InitialStep;

    /// <inheritdoc/>
    public abstract InnerSolveResult Minimize(IInnerObjective objective, Span<double> v, InnerStoppingRule rule, CancellationToken cancellationToken = default);
}
