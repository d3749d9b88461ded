// TRHG: truncated reverse-mode hypergradient.
// A. Shaban, C.-A. Cheng, N. Hatch, B. Boots, "Truncated back-propagation for bilevel optimization", AISTATS 2019.
//
// Update rule (Shaban et al. 2019, Algorithm 1): RHG's forward pass y_{t+1} = P(y_t - s grad_y f(x, y_t)), t = 0..T-1, but the
// backward pass stops after K < T steps:
//   p = grad_y F(x, y_T), g = grad_x F(x, y_T);
//   for t = T-1 down to T-K:  p <- J_t p;  g -= s hvp_xy_f(x, y_t; p);  p -= s hvp_yy_f(x, y_t; p)
// Only the last K iterates are stored (n K memory). Near a strongly convex lower level's solution the dropped terms
// decay like (1 - s mu)^K (Shaban et al., Proposition 3.1).
namespace BilevelDsl.Solvers;

/// <summary>
/// TRHG (Shaban et al. 2019): RHG with the backward pass truncated to the last K of T unrolled steps: memory n K and K
/// Hessian-vector products instead of n T and T, at a bias that shrinks geometrically with K.
/// </summary>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class TrhgSolver(TrhgOptions options) : HypergradientSolver<TrhgOptions>(options, "trhg", "TRHG")
{
    /// <summary>Creates a solver with the default <see cref="TrhgOptions"/>.</summary>
    public TrhgSolver()
        : this(new TrhgOptions())
    {
    }

    private protected override HypergradientMethod CreateMethod(HypergradientContext context) =>
        new ReverseUnroll(context, Options.UnrollSteps, Options.TruncationSteps, Options.InnerStepSize);
}
