namespace BilevelDsl.Solvers;

/// <summary>How a solver run ended.</summary>
public enum SolverStatus
{
    /// <summary>The method's convergence test held; the result is the solver's answer.</summary>
    Converged,

    /// <summary>The iteration limit was reached first; the result is the last iterate, which may still be usable.</summary>
    IterationLimit,

    /// <summary>An iterate or a kernel result became NaN or infinite; the result is the last finite iterate and must not be trusted.</summary>
    Diverged,

    /// <summary>The start or its dimensions were rejected before iterating (see <see cref="BilevelResult.Message"/>).</summary>
    InvalidInput,

    /// <summary>The cancellation token was signalled; the result is the last iterate.</summary>
    Cancelled,

    /// <summary>
    /// The model breaks an assumption of the method (for example a nonsmooth lower level given to a method that
    /// needs second derivatives, or a lower level that is not strongly convex where the method needs it);
    /// <see cref="BilevelResult.Message"/> names the offending term and what to use instead. The result is not a solution.
    /// </summary>
    AssumptionViolated,

    /// <summary>
    /// The lower-level problem was not solved: its stationarity measure stopped decreasing above the tolerance
    /// (or was still above it at the end). The returned y is not a lower-level solution and must not be used as one.
    /// </summary>
    LowerLevelNotConverged,

    /// <summary>
    /// The method's own convergence test held, but the independent check of the answer failed (see
    /// <see cref="BilevelResult.Certificate"/>; <see cref="BilevelResult.Message"/> names the failing check): y is not
    /// lower-level optimal or not feasible at the returned x. The result must not be used as a solution.
    /// </summary>
    NotCertified,

    /// <summary>
    /// The options' <see cref="SolverOptions.MaxTime"/> budget ran out first; the result is the last iterate, which may still
    /// be usable (see <see cref="BilevelResult.Certificate"/>); <see cref="BilevelResult.Message"/> says how far the run got
    /// and to what to raise the budget.
    /// </summary>
    TimeLimit,
}
