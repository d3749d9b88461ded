using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Inner;

/// <summary>When an inner (lower-level) solve stops.</summary>
/// <param name="Tolerance">Converged when the stationarity measure (see <see cref="Stationarity"/>) is at most this.</param>
/// <param name="MaxSteps">The largest number of steps (0: only evaluate and test the start).</param>
/// <param name="StallWindow">Stalled when the stationarity measure has not reached a new minimum for this many consecutive steps.</param>
internal readonly record struct InnerStoppingRule(double Tolerance, int MaxSteps, int StallWindow)
{
    /// <summary>Throws if a field is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Tolerance is negative or NaN, MaxSteps is negative, or StallWindow is not positive.</exception>
    public void Validate()
    {
        if (!(Tolerance >= 0.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "The inner tolerance must be non-negative.");
        }

        if (MaxSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "The inner step limit must be non-negative.");
        }

        if (StallWindow <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StallWindow), StallWindow, "The stall window must be positive.");
        }
    }
}

/// <summary>
/// Detects a sequence that has stopped decreasing: <see cref="Observe"/> returns true once <see cref="Window"/>
/// consecutive observations have failed to set a new minimum (by a relative margin of 1e-9). This is the rule behind
/// "a lower level whose gradient norm stops decreasing is reported as not converged": a slowly but steadily converging
/// method keeps setting new minima and is never flagged; a constant or growing gradient norm is. A struct, so that an
/// inner solve keeps one on its stack without allocating; a field holding one must not be readonly.
/// </summary>
internal struct StagnationDetector
{
    /// <summary>The relative decrease below the best value so far that counts as a new minimum.</summary>
    public const double RelativeImprovement = 1e-9;

    private double _best;
    private int _sinceBest;

    /// <summary>Creates a detector with the given window.</summary>
    /// <exception cref="ArgumentOutOfRangeException">window is not positive.</exception>
    public StagnationDetector(int window)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        Window = window;
        Reset();
    }

    /// <summary>How many observations without a new minimum count as stagnation.</summary>
    public int Window { get; }

    /// <summary>Forgets all observations.</summary>
    public void Reset()
    {
        _best = double.PositiveInfinity;
        _sinceBest = 0;
    }

    /// <summary>Records a value; returns true when the last <see cref="Window"/> values set no new minimum.</summary>
    public bool Observe(double value)
    {
        if (value < _best * (1.0 - RelativeImprovement) || (double.IsPositiveInfinity(_best) && !double.IsNaN(value)))
        {
            _best = value;
            _sinceBest = 0;
            return false;
        }

        _sinceBest++;
        return _sinceBest >= Window;
    }
}

/// <summary>Stationarity measures shared by the inner solvers and the outer loops.</summary>
internal static class Stationarity
{
    /// <summary>
    /// ||g|| without a domain; with one, the norm of the projected-gradient step ||v - P(v - g)|| (unit step), which is 0
    /// exactly at the stationary points of the constrained problem and equals ||g|| in the interior.
    /// <paramref name="scratch"/> (length of v) receives P(v - g).
    /// </summary>
    public static double Measure(IInnerObjective objective, ReadOnlySpan<double> v, ReadOnlySpan<double> gradient, Span<double> scratch)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (!objective.HasDomain)
        {
            return VectorMath.Norm2(gradient);
        }

        VectorMath.AddScaled(v, -1.0, gradient, scratch);
        objective.Project(scratch);
        return VectorMath.Distance(v, scratch);
    }

    /// <summary>
    /// The upper level's projected-gradient residual ||x - P_X(x - g)|| (||g|| without an upper domain), the stationarity
    /// measure of x for a direction g. <paramref name="scratch"/> (length of x) receives P_X(x - g).
    /// </summary>
    public static double UpperResidual(IBilevelKernels model, bool hasUpperDomain, ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> scratch)
    {
        if (!hasUpperDomain)
        {
            return VectorMath.Norm2(g);
        }

        System.Numerics.Tensors.TensorPrimitives.Subtract(x, g, scratch);
        model.ProjectUpper(scratch);
        return VectorMath.Distance(x, scratch);
    }
}
