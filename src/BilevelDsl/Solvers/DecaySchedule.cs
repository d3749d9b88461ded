namespace BilevelDsl.Solvers;

/// <summary>
/// A decreasing parameter sequence value_k = max(Initial * Decay^k, Floor), k = 0, 1, ..., shared by every solver
/// that lets a parameter shrink over its iterations: BVFIM's (mu1, mu2, theta, tau), the lower-level and
/// linear-system tolerances of the hypergradient methods (Pedregosa 2016: a summable sequence; a geometric one is),
/// BDA's aggregation weight, and the smoothing and tolerance schedules of SPNBO, SMNBP and the penalty method.
/// </summary>
/// <remarks>
/// BVFIM's theory (Liu et al. 2021, Theorem 1) needs its schedules to tend to 0 with tau_k ln(mu2_k) -> 0; geometric
/// decay of both satisfies the second condition: tau0 d^k (ln mu2_0 + k ln d2) -> 0. <see cref="Floor"/> is where a
/// schedule stops decreasing (in double precision a problem becomes too ill-conditioned if its parameters shrink
/// indefinitely), so floors set the accuracy of the final approximation.
/// </remarks>
/// <param name="Initial">The value at k = 0 (positive, finite).</param>
/// <param name="Decay">The factor per iteration, in (0, 1] (1 keeps the value fixed).</param>
/// <param name="Floor">The smallest value taken (non-negative, at most Initial).</param>
public readonly record struct DecaySchedule(double Initial, double Decay, double Floor)
{
    /// <summary>The value at iteration <paramref name="k"/> (0-based).</summary>
    public double ValueAt(int k) => Math.Max(Initial * Math.Pow(Decay, k), Floor);

    /// <summary>Whether the value has reached the floor at iteration <paramref name="k"/>.</summary>
    public bool IsSettled(int k) => Initial * Math.Pow(Decay, k) <= Floor;

    /// <summary>Throws if a field is out of range; the message uses <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Initial is not positive and finite, Decay not in (0, 1], or Floor not in [0, Initial].</exception>
    public void Validate(string name)
    {
        if (!(Initial > 0.0) || double.IsInfinity(Initial))
        {
            throw new ArgumentOutOfRangeException(name, Initial, $"{name}.Initial must be positive and finite.");
        }

        if (!(Decay > 0.0 && Decay <= 1.0))
        {
            throw new ArgumentOutOfRangeException(name, Decay, $"{name}.Decay must be in (0, 1].");
        }

        if (!(Floor >= 0.0 && Floor <= Initial))
        {
            throw new ArgumentOutOfRangeException(name, Floor, $"{name}.Floor must be in [0, {name}.Initial].");
        }
    }

    /// <summary>As <see cref="Validate"/>, and also throws unless Floor &gt; 0; <paramref name="why"/> ends the message.</summary>
    internal void ValidatePositiveFloor(string name, string why)
    {
        Validate(name);
        if (!(Floor > 0.0))
        {
            throw new ArgumentOutOfRangeException(name, Floor, $"{name}.Floor must be positive: {why}.");
        }
    }
}
