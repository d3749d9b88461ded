using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>Settings of <see cref="RhgSolver"/> (see <see cref="UnrolledOptions"/> for T and s).</summary>
public sealed record RhgOptions : UnrolledOptions;

/// <summary>Settings of <see cref="TrhgSolver"/>: RHG whose backward pass stops after K steps.</summary>
public sealed record TrhgOptions : UnrolledOptions
{
    /// <summary>K: the backward steps kept (at most <see cref="UnrolledOptions.UnrollSteps"/>); memory is n K.</summary>
    public int TruncationSteps { get; init; } = 10;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequirePositive(TruncationSteps, nameof(TruncationSteps));
        if (TruncationSteps > UnrollSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(TruncationSteps), TruncationSteps, $"TruncationSteps must be at most UnrollSteps ({UnrollSteps}).");
        }
    }
}

/// <summary>Settings of <see cref="FhgSolver"/> (see <see cref="UnrolledOptions"/> for T and s).</summary>
public sealed record FhgOptions : UnrolledOptions;
