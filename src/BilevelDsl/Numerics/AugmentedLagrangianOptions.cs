namespace BilevelDsl.Numerics;

/// <summary>Settings of <see cref="AugmentedLagrangianSolver"/>. Tolerances are absolute: scale the problem, or them.</summary>
public sealed record AugmentedLagrangianOptions
{
    /// <summary>Converged when the stationarity residual (see <see cref="ConstrainedSolveResult.Stationarity"/>) is at most this ...</summary>
    public double StationarityTolerance { get; init; } = 1e-10;

    /// <summary>... and max_i |min(-h_i, lambda_i)| (so in particular every h_i) is at most this.</summary>
    public double FeasibilityTolerance { get; init; } = 1e-10;

    /// <summary>The penalty r of the first outer iteration.</summary>
    public double InitialPenalty { get; init; } = 10.0;

    /// <summary>The factor r grows by when the infeasibility measure did not decrease enough (greater than 1).</summary>
    public double PenaltyGrowth { get; init; } = 10.0;

    /// <summary>The largest penalty; reaching it with the infeasibility measure still not decreasing ends the run as <see cref="ConstrainedSolveStatus.Infeasible"/>.</summary>
    public double MaxPenalty { get; init; } = 1e12;

    /// <summary>The penalty is kept when the infeasibility measure fell to at most this fraction of its previous value, in (0, 1).</summary>
    public double RequiredDecrease { get; init; } = 0.25;

    /// <summary>The projected-gradient tolerance of the first subproblem (then divided by at least 10 per outer iteration, and at most the last infeasibility measure, down to the stationarity tolerance).</summary>
    public double InitialSubproblemTolerance { get; init; } = 1e-2;

    /// <summary>The largest number of multiplier updates.</summary>
    public int MaxOuterIterations { get; init; } = 100;

    /// <summary>The largest number of FISTA steps per subproblem.</summary>
    public int MaxSubproblemSteps { get; init; } = 20000;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public void Validate() => Validate(string.Empty);

    /// <summary>As <see cref="Validate()"/>, with <paramref name="prefix"/> (e.g. "Projection.") before each setting's name.</summary>
    internal void Validate(string prefix)
    {
        RequireNonNegativeFinite(StationarityTolerance, prefix + nameof(StationarityTolerance));
        RequireNonNegativeFinite(FeasibilityTolerance, prefix + nameof(FeasibilityTolerance));
        RequirePositiveFinite(InitialPenalty, prefix + nameof(InitialPenalty));
        RequirePositiveFinite(MaxPenalty, prefix + nameof(MaxPenalty));
        RequirePositiveFinite(InitialSubproblemTolerance, prefix + nameof(InitialSubproblemTolerance));
        if (!(PenaltyGrowth > 1.0) || double.IsInfinity(PenaltyGrowth))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(PenaltyGrowth), PenaltyGrowth, $"{prefix}{nameof(PenaltyGrowth)} must be finite and greater than 1.");
        }

        if (!(MaxPenalty >= InitialPenalty))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(MaxPenalty), MaxPenalty, $"{prefix}{nameof(MaxPenalty)} must be at least {prefix}{nameof(InitialPenalty)}.");
        }

        if (!(RequiredDecrease > 0.0 && RequiredDecrease < 1.0))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(RequiredDecrease), RequiredDecrease, $"{prefix}{nameof(RequiredDecrease)} must be in (0, 1).");
        }

        if (MaxOuterIterations <= 0)
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(MaxOuterIterations), MaxOuterIterations, $"{prefix}{nameof(MaxOuterIterations)} must be positive.");
        }

        if (MaxSubproblemSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(MaxSubproblemSteps), MaxSubproblemSteps, $"{prefix}{nameof(MaxSubproblemSteps)} must be positive.");
        }
    }

    private static void RequireNonNegativeFinite(double value, string name)
    {
        if (!(value >= 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative and finite.");
        }
    }

    private static void RequirePositiveFinite(double value, string name)
    {
        if (!(value > 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
        }
    }
}
