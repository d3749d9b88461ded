using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// Picks a method for a model from what <see cref="IBilevelKernels.Info"/> tells (lower-level constraints, domains,
/// nonsmooth terms, the size of y), runs it with its default options, and says which method ran and why in
/// <see cref="BilevelResult.Message"/> and <see cref="BilevelResult.Choice"/>. The rules (docs/solvers.md, "Which method"):
/// <list type="number">
/// <item>A nonsmooth level: CCCP-BO on the mu = 1e-4 smoothed model when the lower level has [LowerConstraint]s, BOME on the
/// mu = 1e-4 smoothed model otherwise (both certified on the exact model).</item>
/// <item>Smooth, at most <see cref="KktMaxLowerDimension"/> lower variables, no lower domain or a box: KKT-MPEC. When its
/// curvature probe finds the lower level nonconvex in y (AssumptionViolated) and there are no [LowerConstraint]s, BOME
/// (a value-function method that does not need lower-level convexity) runs instead, and the message says both.</item>
/// <item>Smooth and larger (or a lower domain that is not a box): CCCP-BO with [LowerConstraint]s, AID-CG without.</item>
/// <item>Before 2 and 3: a smooth lower level the compile-time analysis proves nonconvex in y (<see cref="LevelInfo.Convexity"/>) and
/// without [LowerConstraint]s gets BOME directly; every reason says whether lower-level convexity was proven.</item>
/// </list>
/// </summary>
public sealed class AutoSolver : IBilevelSolver
{
    /// <summary>The largest lower dimension for which KKT-MPEC is chosen (its cost per point is n (1 + J) Hessian-vector products).</summary>
    public const int KktMaxLowerDimension = 64;

    private readonly TimeSpan? _maxTime;

    /// <inheritdoc/>
    public string Name => "auto";

    /// <summary>
    /// The wall-clock budget of one <see cref="Solve"/>, passed to the chosen method's <see cref="SolverOptions.MaxTime"/>
    /// (a fallback method gets what is left). Default null: none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? MaxTime
    {
        get => _maxTime;
        init => _maxTime = value is { } t && !(t > TimeSpan.Zero)
            ? throw new ArgumentOutOfRangeException(nameof(MaxTime), t, "MaxTime must be positive (or null for no time budget).")
            : value;
    }

    /// <summary>The method the rules pick for <paramref name="model"/> with <paramref name="lowerDimension"/> lower variables, and why.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static (IBilevelSolver Solver, string Reason) Choose(IBilevelKernels model, int lowerDimension)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelInfo info = model.Info;
        int constraints = model.LowerConstraintCount;
        string constrained = constraints > 0 ? $"the lower level has {constraints} inequality constraint(s)" : "the lower level has no [LowerConstraint]s";
        if (!info.Lower.IsSmooth || !info.Upper.IsSmooth)
        {
            string nonsmooth = !info.Lower.IsSmooth ? info.Lower.Describe() : info.Upper.Describe();
            return constraints > 0
                ? (new CccpSolver(new CccpOptions { Smoothing = 1e-4 }), $"{nonsmooth} and {constrained}: CCCP-BO on the mu = 1e-4 smoothed model (gradients only, constraint-aware)")
                : (new BomeSolver(new BomeOptions { Smoothing = 1e-4 }), $"{nonsmooth} and {constrained}: BOME on the mu = 1e-4 smoothed model (a value-function method, first order)");
        }

        // The compile-time convexity verdict (docs/convexity.md), with its data checks done.
        LowerConvexity convexity = LowerConvexityGate.Resolve(model);
        if (convexity.Verdict == ConvexityVerdict.Nonconvex && constraints == 0)
        {
            return (new BomeSolver(), $"both levels are smooth, {constrained}, and the lower level is provably nonconvex in y ({convexity.Reason}"
                + (convexity.Location.Length == 0 ? string.Empty : $" at {convexity.Location}") + "): BOME (a value-function method that does not need lower-level convexity)");
        }

        string proven = convexity.IsProven
            ? $"; the lower level is {(convexity.Verdict == ConvexityVerdict.StronglyConvex ? "strongly convex" : "convex")} in y, proven at compile time"
            : convexity.Verdict == ConvexityVerdict.Nonconvex
                ? $"; the lower level is provably nonconvex in y ({convexity.Reason}), which no constraint-aware method here handles"
                : "; lower-level convexity in y is not proven at compile time";
        bool boxOrNone = !info.HasLowerDomain || KktMpecSolver.ReadLowerBox(model, lowerDimension, out _, out _) is null;
        if (lowerDimension <= KktMaxLowerDimension && boxOrNone)
        {
            return (new KktMpecSolver(), $"both levels are smooth, {constrained}, y has {lowerDimension} entries"
                + (info.HasLowerDomain ? " in a box" : string.Empty) + proven + ": KKT-MPEC (the lower level's KKT conditions, Scholtes relaxation"
                + (convexity.IsProven ? ")" : "; lower-level convexity in y is probed)"));
        }

        string why = boxOrNone ? $"y has {lowerDimension} entries (more than {KktMaxLowerDimension})" : "the lower domain is not a box";
        return constraints > 0
            ? (new CccpSolver(), $"both levels are smooth, {constrained} and {why}{proven}: CCCP-BO (convex lower level, constraint-aware projections)")
            : (new AidCgSolver(), $"both levels are smooth, {constrained} and {why}{proven}: AID-CG (implicit differentiation with conjugate gradients; strongly convex lower level)");
    }

    /// <inheritdoc/>
    public BilevelResult Solve(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        (IBilevelSolver solver, string reason) = Choose(model, y0.Length);
        solver = WithMaxTime(solver, MaxTime);
        BilevelResult result = solver.Solve(model, x0, y0, progress, cancellationToken);
        if (solver is KktMpecSolver && result.Status == SolverStatus.AssumptionViolated && model.LowerConstraintCount == 0
            && !cancellationToken.IsCancellationRequested && result.Message.Contains("negative curvature", StringComparison.Ordinal))
        {
            BilevelResult first = result;
            TimeSpan? left = MaxTime is { } budget ? Max(budget - first.Elapsed, TimeSpan.FromMilliseconds(1)) : null;
            solver = WithMaxTime(new BomeSolver(), left);
            reason += "; KKT-MPEC then found the lower level nonconvex in y, so BOME (a value-function method that does not need "
                + "lower-level convexity) ran instead. KKT-MPEC said: " + first.Message;
            result = solver.Solve(model, x0, y0, progress, cancellationToken);
            result = result with { Elapsed = first.Elapsed + result.Elapsed };
        }

        // AutoSolver has no options of its own: when the chosen method stops short, its message names one of that
        // method's options, which the user sets by running the method directly.
        string direct = result.Status switch
        {
            SolverStatus.Converged or SolverStatus.AssumptionViolated or SolverStatus.Cancelled => string.Empty,
            SolverStatus.TimeLimit => $" AutoSolver passes its own MaxTime to {solver.Name}: set AutoSolver.MaxTime.",
            _ => $" AutoSolver runs {solver.Name} with its default options; to change one, run {solver.GetType().Name} directly with its options record.",
        };
        return result with
        {
            Message = $"AutoSolver chose {solver.Name}: {reason}. {result.Message}{direct}",
            Choice = solver.Name,
        };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The chosen method with <paramref name="maxTime"/> as its options' time budget (the other options as chosen).</summary>
    private static IBilevelSolver WithMaxTime(IBilevelSolver solver, TimeSpan? maxTime) => maxTime is null ? solver : solver switch
    {
        KktMpecSolver s => new KktMpecSolver(s.Options with { MaxTime = maxTime }),
        CccpSolver s => new CccpSolver(s.Options with { MaxTime = maxTime }),
        BomeSolver s => new BomeSolver(s.Options with { MaxTime = maxTime }),
        AidCgSolver s => new AidCgSolver(s.Options with { MaxTime = maxTime }),
        _ => throw new InvalidOperationException($"AutoSolver cannot pass a time budget to {solver.Name}."),
    };
}
