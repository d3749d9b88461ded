using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>Settings of <see cref="AidNeumannSolver"/>.</summary>
public sealed record AidNeumannOptions : HypergradientOptions
{
    /// <summary>J: the number of Neumann terms after the first (J Hessian-vector products per outer iteration).</summary>
    public int NeumannTerms { get; init; } = 100;

    /// <summary>
    /// a: the Neumann step, below 1 / L for L the largest curvature of d2f/dy2. Null (the default) takes
    /// a = 1 / |lambda|_max estimated by power iteration at each outer iteration (see <see cref="UnrolledOptions.InnerStepSize"/>).
    /// </summary>
    public double? NeumannStepSize { get; init; }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequirePositive(NeumannTerms, nameof(NeumannTerms));
        RequirePositiveOrNull(NeumannStepSize, nameof(NeumannStepSize));
    }
}
