using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of <see cref="BdaSolver"/>: the unrolled aggregated iteration (T, s_l = <see cref="UnrolledOptions.InnerStepSize"/>,
/// s_u = <see cref="UpperInnerStepSize"/>) and the aggregation weight mu, which decays over the outer iterations.
/// </summary>
public sealed record BdaOptions : UnrolledOptions
{
    /// <summary>s_u: the step along grad_y F in the aggregated lower-level iteration. Null uses s_l.</summary>
    public double? UpperInnerStepSize { get; init; }

    /// <summary>
    /// mu_k, the aggregation weight of outer iteration k: the unrolled step t mixes the levels with a_t = mu_k / (t + 1).
    /// Liu et al. keep mu fixed; here it decays geometrically, and once it reaches <see cref="DecaySchedule.Floor"/>
    /// the aggregation is switched off (mu = 0, plain RHG), so that the selection bias a_T s_u grad_y F of a finite unroll
    /// vanishes. The run may only report Converged after that. Initial must be at most 1 (a_0 = mu is a convex weight).
    /// The defaults switch the aggregation off after 167 outer iterations.
    /// </summary>
    public DecaySchedule Aggregation { get; init; } = new(0.5, 0.95, 1e-4);

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequirePositiveOrNull(UpperInnerStepSize, nameof(UpperInnerStepSize));
        Aggregation.Validate(nameof(Aggregation));
        if (Aggregation.Initial > 1.0)
        {
            throw new ArgumentOutOfRangeException(nameof(Aggregation), Aggregation.Initial, "Aggregation.Initial must be in (0, 1]: a_0 = mu weighs the upper-level direction.");
        }
    }
}
