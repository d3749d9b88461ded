namespace BilevelDsl.Solvers;

/// <summary>
/// A method for bilevel problems min_x F(x, y) s.t. y in argmin_y f(x, y), driven only by the kernels of
/// an <see cref="IBilevelKernels"/> model. Every solver reports its outcome through
/// <see cref="BilevelResult.Status"/> instead of throwing, so that callers can handle bad starts and divergence
/// uniformly.
/// </summary>
public interface IBilevelSolver
{
    /// <summary>The method's name in lower case with dashes ("aid-cg", "bvfim", "cccp", ...), as used in messages and tables.</summary>
    string Name { get; }

    /// <summary>
    /// Solves the bilevel problem of <paramref name="model"/> from the start (<paramref name="x0"/>, <paramref name="y0"/>).
    /// </summary>
    /// <param name="model">The model's kernels (usually generated from a <see cref="BilevelModelAttribute"/> class).</param>
    /// <param name="x0">Start of the upper-level variable; copied, never modified.</param>
    /// <param name="y0">Start of the lower-level variable; copied, never modified.</param>
    /// <param name="progress">Receives one <see cref="SolverProgress"/> per outer iteration, if given.</param>
    /// <param name="cancellationToken">Ends the run with <see cref="SolverStatus.Cancelled"/> and the last iterate.</param>
    /// <returns>The last iterate, its objective values, the status and the iteration history.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    BilevelResult Solve(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
