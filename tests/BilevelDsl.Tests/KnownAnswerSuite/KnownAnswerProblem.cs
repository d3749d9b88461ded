namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>The lower level's class in y (at every x of the verification box).</summary>
public enum LowerClass
{
    /// <summary>f(x, .) strongly convex on the lower feasible set.</summary>
    StronglyConvex,

    /// <summary>f(x, .) convex but not strongly (linear lower levels, free directions).</summary>
    Convex,

    /// <summary>f(x, .) nonconvex, or a nonconvex lower feasible set.</summary>
    Nonconvex,
}

/// <summary>
/// One problem of the known-answer suite: the model, where it comes from, its published optimum and the
/// optimum verified here (<see cref="KnownAnswerSuiteTests.RecordedOptimumIsVerified"/>), the boxes the
/// independent re-check searches, and the start every solver is given.
/// </summary>
/// <param name="Id">Short name (BOLIB's name where the problem is in BOLIB).</param>
/// <param name="Source">Authors, work, problem number.</param>
/// <param name="Lower">Class of the lower level in y.</param>
/// <param name="Create">Builds the generated model.</param>
/// <param name="XStar">A bilevel solution x*.</param>
/// <param name="YStar">The lower-level solution paired with x* (the optimistic choice when S(x*) is not a singleton).</param>
/// <param name="FStar">F(x*, y*), verified here.</param>
/// <param name="PublishedF">The published optimal (or best known) upper value.</param>
/// <param name="PublishedTolerance">How far FStar may lie from PublishedF (the published value's rounding).</param>
/// <param name="XLo">Lower corner of the box over which the global optimality of F* is checked (the problem's x bounds, or a search box).</param>
/// <param name="XHi">Upper corner of that box.</param>
/// <param name="YLo">Lower corner of the box the lower-level re-solve searches (the bounds of y, or a box that contains every lower-level solution for x in the x box).</param>
/// <param name="YHi">Upper corner of that box.</param>
/// <param name="X0">Start of x given to every solver.</param>
/// <param name="Y0">Start of y given to every solver.</param>
/// <param name="Verification">How the optimum was verified (closed form, plus the grid of the test).</param>
public sealed record KnownAnswerProblem(
    string Id,
    string Source,
    LowerClass Lower,
    Func<IBilevelKernels> Create,
    double[] XStar,
    double[] YStar,
    double FStar,
    double PublishedF,
    double PublishedTolerance,
    double[] XLo,
    double[] XHi,
    double[] YLo,
    double[] YHi,
    double[] X0,
    double[] Y0,
    string Verification)
{
    /// <summary>Whether the lower level has [LowerConstraint] inequality constraints.</summary>
    public bool HasLowerConstraints => Create().LowerConstraintCount > 0;

    /// <summary>Whether y has a declared domain (bounds or projection).</summary>
    public bool HasLowerDomain => Create().Info.HasLowerDomain;

    /// <summary>"strongly convex, constrained (3)", "nonconvex, box", ... for tables.</summary>
    public string ClassLabel
    {
        get
        {
            IBilevelKernels m = Create();
            string c = Lower switch
            {
                LowerClass.StronglyConvex => "strongly convex",
                LowerClass.Convex => "convex",
                _ => "nonconvex",
            };
            if (m.LowerConstraintCount > 0)
            {
                c += $", {m.LowerConstraintCount} constraint(s)";
            }

            if (m.Info.HasLowerDomain)
            {
                c += ", bounds";
            }

            return m.LowerConstraintCount == 0 && !m.Info.HasLowerDomain ? c + ", unconstrained" : c;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Id;
}
