namespace BilevelDsl.Solvers;

/// <summary>
/// A decreasing parameter sequence for BVFIM: value_k = max(Initial * Decay^k, Floor) at outer iteration k
/// (k = 0, 1, ...).
/// </summary>
/// <remarks>
/// BVFIM's convergence theory (Liu et al. 2021, Theorem 1) needs (mu1, mu2, theta, tau)_k -> 0 with
/// tau_k ln(mu2_k) -> 0. Geometric decay (Decay &lt; 1) for both tau and mu2 satisfies the second condition
/// automatically: tau0 d^k (ln mu2_0 + k ln d2) -> 0. <see cref="Floor"/> is the value at which a schedule
/// stops decreasing: in double precision the barrier sub-problem becomes too ill-conditioned if its
/// parameters shrink indefinitely, so the floors set the accuracy of the final approximation. The solver
/// only declares convergence after every schedule has reached its floor; with <c>Floor = 0</c> a run
/// therefore ends at the iteration limit.
/// </remarks>
/// <param name="Initial">The value at k = 0 (positive).</param>
/// <param name="Decay">The factor applied per outer iteration, in (0, 1] (1 keeps the value fixed).</param>
/// <param name="Floor">The smallest value the schedule takes (non-negative, at most <paramref name="Initial"/>).</param>
public readonly record struct BvfimSchedule(double Initial, double Decay, double Floor)
{
    /// <summary>The schedule's value at outer iteration <paramref name="k"/> (0-based).</summary>
    public double ValueAt(int k) => Math.Max(Initial * Math.Pow(Decay, k), Floor);

    /// <summary>Whether the schedule has reached its floor at outer iteration <paramref name="k"/>.</summary>
    public bool IsSettled(int k) => Initial * Math.Pow(Decay, k) <= Floor;

    internal void Validate(string name)
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
}
