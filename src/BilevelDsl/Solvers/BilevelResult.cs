namespace BilevelDsl.Solvers;

/// <summary>
/// The outcome of <see cref="IBilevelSolver.Solve"/>: the final iterate, its objective values, how the run
/// ended and why, and the per-iteration history.
/// </summary>
public sealed record BilevelResult
{
    /// <summary>The final upper-level variable (a fresh array owned by the caller).</summary>
    public required double[] X { get; init; }

    /// <summary>The final lower-level variable (a fresh array owned by the caller).</summary>
    public required double[] Y { get; init; }

    /// <summary>F(X, Y); NaN when the run stopped before it could be evaluated (invalid input).</summary>
    public required double UpperValue { get; init; }

    /// <summary>f(X, Y); NaN when the run stopped before it could be evaluated (invalid input).</summary>
    public required double LowerValue { get; init; }

    /// <summary>How the run ended. Only <see cref="SolverStatus.Converged"/> means the convergence test held.</summary>
    public required SolverStatus Status { get; init; }

    /// <summary>The number of outer iterations completed.</summary>
    public required int Iterations { get; init; }

    /// <summary>Wall-clock duration of the solve.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>One record per completed outer iteration, in order (empty when history recording is off).</summary>
    public required IReadOnlyList<IterationRecord> History { get; init; }

    /// <summary>A human-readable account of the outcome (what converged, what went non-finite, what was invalid).</summary>
    public required string Message { get; init; }

    /// <summary>
    /// The independent check of this result (the lower level re-solved at X; see <see cref="SolutionCertificate"/>), or null
    /// when it did not run: turned off (<see cref="CertificateOptions.Enabled"/>), or a status other than Converged,
    /// IterationLimit or NotCertified. Its cost is <see cref="SolutionCertificate.Elapsed"/>, included in <see cref="Elapsed"/>.
    /// </summary>
    public SolutionCertificate? Certificate { get; init; }

    /// <summary>The name of the method <see cref="AutoSolver"/> ran ("kkt-mpec", "bome", ...; why: in <see cref="Message"/>); null for a solver called directly.</summary>
    public string? Choice { get; init; }
}
