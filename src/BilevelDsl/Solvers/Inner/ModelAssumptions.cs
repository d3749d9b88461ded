namespace BilevelDsl.Solvers.Inner;

/// <summary>The model checks every smooth-lower-level method makes before it starts, phrased for BilevelResult.Message.</summary>
internal static class ModelAssumptions
{
    /// <summary>
    /// Null if the model suits a method that differentiates the lower level twice; otherwise the reason, naming the
    /// user's nonsmooth terms (from <see cref="IBilevelKernels.Info"/>) and what to do instead.
    /// </summary>
    /// <param name="model">The model as given by the user (not yet smoothed).</param>
    /// <param name="method">The method's name, e.g. "AID-CG".</param>
    /// <param name="optionsType">The options record's name, e.g. "AidCgOptions".</param>
    /// <param name="smoothing">The Smoothing option (mu); mu &gt; 0 runs on model.WithSmoothing(mu) and passes the check.</param>
    /// <param name="needsSmoothUpper">Whether the method also needs second derivatives of F (BDA).</param>
    /// <param name="allowsLowerDomain">Whether the method can honour a declared lower domain.</param>
    public static string? Check(IBilevelKernels model, string method, string optionsType, double smoothing, bool needsSmoothUpper, bool allowsLowerDomain)
    {
        ModelInfo info = model.Info;
        if (smoothing == 0.0)
        {
            if (!info.Lower.IsSmooth)
            {
                return $"{method} needs a twice-differentiable lower level (it uses lower-level Hessian-vector products), but {info.Lower.Describe()}. "
                    + $"Run it on a smoothed model: set {optionsType}.Smoothing = mu > 0 (the solver then uses model.WithSmoothing(mu)), "
                    + "or pass model.WithSmoothing(mu) yourself; or use SPNBO or SMNBP, which drive the smoothing of a nonsmooth lower level to 0.";
            }

            if (needsSmoothUpper && !info.Upper.IsSmooth)
            {
                return $"{method} needs a twice-differentiable upper level (it uses upper-level Hessian-vector products), but {info.Upper.Describe()}. "
                    + $"Set {optionsType}.Smoothing = mu > 0 (the solver then uses model.WithSmoothing(mu)), or pass model.WithSmoothing(mu) yourself.";
            }
        }

        if (model.LowerConstraintCount > 0)
        {
            return $"{method} handles a lower level min f(x, y) over y in a simple domain only, but the model has {model.LowerConstraintCount} "
                + "lower-level inequality constraint(s) u_j(x, y) <= 0, which it would ignore. Use a method for constrained lower levels (KKT-MPEC or CCCP-BO), "
                + "or express the constraint as a [LowerBounds] box or a [LowerProjection].";
        }

        if (!allowsLowerDomain && info.HasLowerDomain)
        {
            return $"{method} replaces the lower level by its stationarity condition grad_y f(x, y) = 0, which is not the optimality condition "
                + "when y has a declared domain (at a solution on the domain's boundary grad_y f is not 0). Use AID, RHG or FHG, which "
                + "differentiate through the projection.";
        }

        return null;
    }
}
