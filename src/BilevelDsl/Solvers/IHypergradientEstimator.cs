namespace BilevelDsl.Solvers;

/// <summary>A method that can estimate the hypergradient grad phi(x) of phi(x) = F(x, y*(x)) at a given point.</summary>
public interface IHypergradientEstimator
{
    /// <summary>The method's name, as used in messages and docs/solvers.md (e.g. "AID-CG").</summary>
    string MethodName { get; }

    /// <summary>
    /// Estimates grad phi(x) as the method does in its final iterations (tightest tolerances, final schedules), with the
    /// lower level started from <paramref name="y0"/>. Does not throw for bad input: see <see cref="HypergradientEstimate.Status"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    HypergradientEstimate EstimateHypergradient(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y0, CancellationToken cancellationToken = default);
}

/// <summary>A hypergradient estimate at one point, with the lower-level iterate it was computed at.</summary>
public sealed record HypergradientEstimate
{
    /// <summary>The estimate of grad phi(x) (length of x); NaN entries when the estimate failed.</summary>
    public required double[] Gradient { get; init; }

    /// <summary>The lower-level iterate the estimate was computed at (y_T for unrolled methods).</summary>
    public required double[] Y { get; init; }

    /// <summary>F(x, Y).</summary>
    public required double UpperValue { get; init; }

    /// <summary>The lower-level stationarity at Y (see <see cref="IterationRecord.LowerStationarity"/>).</summary>
    public required double LowerStationarity { get; init; }

    /// <summary>
    /// Converged when the estimate was computed and the lower level met the method's final tolerance;
    /// LowerLevelNotConverged, AssumptionViolated, Diverged or InvalidInput otherwise.
    /// </summary>
    public required SolverStatus Status { get; init; }

    /// <summary>What happened, in words.</summary>
    public required string Message { get; init; }
}
