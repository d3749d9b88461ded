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
}
