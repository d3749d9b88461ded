using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>
/// Settings of the independent check every solver runs on its answer (see <see cref="SolutionCertificate"/>): the lower
/// level is re-solved at the returned x by an augmented Lagrangian method with FISTA subproblems (projection- and
/// constraint-aware; smoothing continuation for a nonsmooth lower level) from the returned y and a few other starts.
/// </summary>
public sealed record CertificateOptions
{
    /// <summary>The defaults (check on).</summary>
    public static CertificateOptions Default { get; } = new();

    /// <summary>The check off: results carry no certificate and <see cref="SolverStatus.Converged"/> means only the method's own test held.</summary>
    public static CertificateOptions Off { get; } = new() { Enabled = false };

    /// <summary>Whether the check runs (default true). It runs for results with status Converged or IterationLimit.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Passes when f(x, y) - v(x) &lt;= GapTolerance * max(1, |v(x)|) (or, for CCCP-BO, which solves the epsilon-relaxed
    /// problem by design, when the gap is within its Epsilon plus its lower-level feasibility tolerance). Default 1e-6.
    /// </summary>
    public double GapTolerance { get; init; } = 1e-6;

    /// <summary>
    /// Passes when every lower-level constraint u_j(x, y) &lt;= FeasibilityTolerance * max(1, ||y||_inf) and y is that close to
    /// its declared domain (distance to its projection). Default 1e-6.
    /// </summary>
    public double FeasibilityTolerance { get; init; } = 1e-6;

    /// <summary>The largest number of FISTA steps of one re-solve subproblem (a fifth of it, at least 200, for the coarse solves of a nonsmooth lower level). Default 2000.</summary>
    public int MaxSteps { get; init; } = 2000;

    /// <summary>Starts besides the returned y: the caller's y0, then the projection of 0, then antithetic pairs of fixed perturbations of y of growing spread. Default 6.</summary>
    public int ExtraStarts { get; init; } = 6;

    /// <summary>
    /// The upper-level descent probe (F with the lower level re-solved at x +- h max(1, |x_i|) e_i, h = 1e-2 and 1e-3) runs
    /// when x has at most this many entries (it costs 4 m re-solves). Default 16; 0 turns it off.
    /// </summary>
    public int ProbeMaxUpperDimension { get; init; } = 16;

    /// <summary>
    /// Lower levels with more entries than this are re-solved from the returned y only, within a time budget (see
    /// <see cref="CostFraction"/>): the multi-start re-solve is for small, possibly nonconvex lower levels. Default 1000.
    /// </summary>
    public int LargeLowerDimension { get; init; } = 1000;

    /// <summary>The large-lower-level re-solve's time budget as a fraction of the solve's own time. Default 0.1.</summary>
    public double CostFraction { get; init; } = 0.1;

    /// <summary>The smallest time budget of the large-lower-level re-solve. Default 50 ms.</summary>
    public TimeSpan MinimumBudget { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN, MaxSteps is not positive or ExtraStarts is negative.</exception>
    public void Validate()
    {
        RequireNonNegative(GapTolerance, nameof(GapTolerance));
        RequireNonNegative(FeasibilityTolerance, nameof(FeasibilityTolerance));

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(ExtraStarts);
        ArgumentOutOfRangeException.ThrowIfNegative(ProbeMaxUpperDimension);
        ArgumentOutOfRangeException.ThrowIfNegative(LargeLowerDimension);
        RequirePositiveFinite(CostFraction, nameof(CostFraction));
    }
}

/// <summary>
/// The independent check of a result: the lower level re-solved at the returned x, whatever the method. Read
/// <see cref="LowerGap"/> (how far y is from lower-level optimal), <see cref="LowerConstraintViolation"/> (how infeasible y
/// is) and <see cref="UpperStationarity"/> (the method's own measure at the end); <see cref="Passed"/> says whether the
/// documented tolerances (<see cref="CertificateOptions"/>) held, and <see cref="FailedCheck"/> which one did not.
/// </summary>
public sealed record SolutionCertificate
{
    /// <summary>Whether every check passed; a Converged result always has a passed certificate (otherwise its status is NotCertified).</summary>
    public required bool Passed { get; init; }

    /// <summary>The failing check and its numbers, or null.</summary>
    public required string? FailedCheck { get; init; }

    /// <summary>The checks that ran, in order ("lower-level optimality gap", "lower-level feasibility", ...).</summary>
    public required IReadOnlyList<string> Checks { get; init; }

    /// <summary>v(x), the smallest lower-level value the re-solve found at the returned x (an upper bound of min_y f(x, y)).</summary>
    public required double LowerOptimalValue { get; init; }

    /// <summary>f(x, y) - v(x) at the returned (x, y): about 0 (or negative) for a lower-level optimal y.</summary>
    public required double LowerGap { get; init; }

    /// <summary>The largest violation of a lower-level constraint or of the lower domain at the returned y (0 when feasible).</summary>
    public required double LowerConstraintViolation { get; init; }

    /// <summary>The upper-level stationarity measure the method targets, at its last iteration (NaN when it has none).</summary>
    public required double UpperStationarity { get; init; }

    /// <summary>y*, the re-solved lower-level solution at the returned x (null when the re-solve found no feasible point).</summary>
    public required double[]? LowerSolution { get; init; }

    /// <summary>
    /// F(x, y*) when the returned y is not lower-optimal to the strict tolerance (GapTolerance), or is infeasible, and the
    /// re-solve found a feasible y*: the upper value actually achievable at x. NaN otherwise.
    /// </summary>
    public required double UpperValueAtLowerSolution { get; init; }

    /// <summary>The time the check took (included in <see cref="BilevelResult.Elapsed"/>).</summary>
    public required TimeSpan Elapsed { get; init; }
}
