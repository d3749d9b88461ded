using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="AidCgSolver"/>. The lower-level solve and the linear solve share Pedregosa's decreasing
/// tolerance schedule <see cref="HypergradientOptions.LowerTolerance"/>.
/// </summary>
public sealed record AidCgOptions : HypergradientOptions
{
    /// <summary>J: the largest number of conjugate-gradient iterations per outer iteration.</summary>
    public int CgMaxIterations { get; init; } = 100;

    /// <summary>Whether CG starts from the previous outer iteration's solution q (Pedregosa's warm start) instead of 0.</summary>
    public bool WarmStartCg { get; init; } = true;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequirePositive(CgMaxIterations, nameof(CgMaxIterations));
    }
}
