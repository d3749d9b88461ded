namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// How the methods that need a convex lower level use the compile-time verdict (<see cref="LevelInfo.Convexity"/>,
/// docs/convexity.md): a provably nonconvex lower level is refused with the term that makes it so; a proven verdict is
/// trusted (KKT-MPEC skips its curvature probe); otherwise the method's run-time checks run and the result says that
/// convexity was not proven.
/// </summary>
internal static class LowerConvexityGate
{
    /// <summary>The verdict with its data checks done (Unknown, naming the failure, if a check throws).</summary>
    public static LowerConvexity Resolve(IBilevelKernels model)
    {
        LowerConvexity verdict = model.Info.Lower.Convexity;
        try
        {
            return verdict.Resolve();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return verdict with { Verdict = ConvexityVerdict.Unknown, Reason = "its data check threw " + ex.GetType().Name, Conditions = Array.Empty<DataCondition>() };
        }
    }

    /// <summary>The AssumptionViolated message for a provably nonconvex lower level; null otherwise.</summary>
    public static string? Refusal(LowerConvexity verdict, string method) =>
        verdict.Verdict != ConvexityVerdict.Nonconvex ? null
            : $"{method} needs a lower level convex in y, but the compile-time analysis proved it is not: {verdict.Describe()}. "
              + "Use a method that does not need lower-level convexity (BOME or BVFIM for a lower level without [LowerConstraint]s; AutoSolver picks one).";

    /// <summary>The sentence a result carries about lower-level convexity.</summary>
    public static string Note(LowerConvexity verdict, bool needsStrong)
    {
        if (verdict.IsProven)
        {
            return verdict.Verdict == ConvexityVerdict.StronglyConvex || !needsStrong
                ? $"Lower level {(verdict.Verdict == ConvexityVerdict.StronglyConvex ? "strongly convex" : "convex")} in y: proven at compile time ({verdict.Reason})."
                : $"Lower level convex in y: proven at compile time ({verdict.Reason}); strong convexity was not proven, only checked at run time.";
        }

        return $"Lower-level convexity in y was not proven at compile time ({verdict.Reason}"
            + (verdict.Location.Length == 0 ? string.Empty : $", at {verdict.Location}") + "); only the method's run-time checks guard it.";
    }
}
