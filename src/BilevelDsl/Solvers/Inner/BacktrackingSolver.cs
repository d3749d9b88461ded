using BilevelDsl.Numerics;
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

    /// <summary>
    /// One backtracking step from <paramref name="v"/> along -<paramref name="g"/>: the step halves from <see cref="Step"/>
    /// until <see cref="GradientDescentSolver.SufficientDecrease"/> holds, which leaves the trial point in <see cref="Trial"/>
    /// and its gradient in <see cref="GTrial"/>; a first-try success lets the next step grow. Returns f at the trial point,
    /// or null when no step was accepted (<paramref name="anyFinite"/>: whether any trial was finite).
    /// </summary>
    private protected double? Backtrack(IInnerObjective objective, ReadOnlySpan<double> v, double f, ReadOnlySpan<double> g, ref int evaluations, out bool anyFinite)
    {
        double s = Step;
        anyFinite = false;
        for (int halvings = 0; halvings <= GradientDescentSolver.MaxHalvings; halvings++, s *= 0.5)
        {
            VectorMath.AddScaled(v, -s, g, Trial);
            objective.Project(Trial);
            double fTrial = objective.ValueAndGradient(Trial, GTrial);
            evaluations++;
            anyFinite |= double.IsFinite(fTrial) && VectorMath.AllFinite(GTrial);
            if (GradientDescentSolver.SufficientDecrease(f, fTrial, g, GTrial, v, Trial, D, s))
            {
                Step = halvings == 0 ? Math.Min(s * Growth, MaxStep) : s;
                return fTrial;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public abstract InnerSolveResult Minimize(IInnerObjective objective, Span<double> v, InnerStoppingRule rule, CancellationToken cancellationToken = default);
}
