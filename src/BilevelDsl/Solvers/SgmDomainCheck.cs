namespace BilevelDsl.Solvers;

/// <summary>
/// The model checks of SGM and IGFM, phrased for <see cref="BilevelResult.Message"/>: a compact lower domain, no
/// lower-level inequality constraints.
/// </summary>
internal static class SgmDomainCheck
{
    /// <summary>How far out the compactness probe looks: P(+-Far e_i) must stay within <see cref="FarFraction"/> * Far.</summary>
    private const double Far = 1e100;

    /// <summary>
    /// A closed convex set C is bounded exactly when its recession cone R is {0}; and P_C(t v) / t tends to P_R(v) as
    /// t grows, so C is bounded exactly when P_C(t e_i) / t and P_C(-t e_i) / t tend to 0 for every coordinate i (the
    /// polar cone of R contains every +-e_i only if R = {0}). If R contains a unit vector r, some +-e_i has
    /// ||P_R(+-e_i)|| &gt;= 1/sqrt(n), far above this fraction.
    /// </summary>
    private const double FarFraction = 1e-6;

    /// <summary>
    /// Null if the model suits SGM's projection-based lower-level steps; otherwise why not (no domain, an unbounded
    /// domain, lower-level constraints). <paramref name="scratch"/> has the length of y.
    /// </summary>
    public static string? Check(IBilevelKernels model, Span<double> scratch, string method)
    {
        if (model.LowerConstraintCount > 0)
        {
            return $"{method} handles a lower level min f(x, y) over y in a domain Y given by a projection, but the model has "
                + $"{model.LowerConstraintCount} [LowerConstraint] inequality constraint(s) u_j(x, y) <= 0, which it would ignore. "
                + "Use a method for constrained lower levels (CCCP-BO), or express the constraint as a [LowerBounds] box or a [LowerProjection].";
        }

        if (!model.Info.HasLowerDomain)
        {
            return $"{method} needs a compact lower-level domain Y (SGM projects every step onto Y, and its guarantees need Y bounded), "
                + "but the model declares no lower domain. Declare one on the model class: [LowerBounds(lo, hi)] with finite bounds, "
                + "or a [LowerProjection] method that projects onto a compact convex set; choose it large enough to contain the "
                + "lower-level solutions of interest.";
        }

        for (int i = 0; i < scratch.Length; i++)
        {
            for (int side = 0; side < 2; side++)
            {
                double sign = side == 0 ? 1.0 : -1.0;
                scratch.Clear();
                scratch[i] = sign * Far;
                model.ProjectLower(scratch);
                double norm = 0.0;
                bool finite = true;
                foreach (double v in scratch)
                {
                    finite &= double.IsFinite(v);
                    norm = Math.Max(norm, Math.Abs(v));
                }

                string probe = $"y[{i}] = {(sign > 0 ? "+" : "-")}1e100 (the other entries 0)";
                if (!finite)
                {
                    return $"{method} needs a compact lower-level domain Y, and could not confirm that the declared one is bounded: "
                        + $"ProjectLower of the point with {probe} returned a non-finite entry. Make the [LowerProjection] "
                        + "handle far-away points, or declare [LowerBounds(lo, hi)] with finite bounds.";
                }

                if (norm > FarFraction * Far)
                {
                    return $"{method} needs a compact lower-level domain Y (SGM's guarantees need Y bounded), but the declared one is unbounded: "
                        + $"ProjectLower of the point with {probe} returned a point with an entry of size {Driver.Fmt.G(norm)}. "
                        + "Use finite bounds in [LowerBounds(lo, hi)], or a [LowerProjection] onto a bounded convex set.";
                }
            }
        }

        return null;
    }
}
