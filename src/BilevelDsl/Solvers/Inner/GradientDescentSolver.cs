using System.Numerics.Tensors;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// Projected gradient descent with backtracking: v &lt;- P(v - s grad), with s halved until the sufficient-decrease
/// (majorisation) test f(v+) &lt;= f(v) + grad'(v+ - v) + ||v+ - v||^2 / (2 s) holds. Without a domain that is Armijo's
/// test with constant 1/2. After a step accepted at the first try, the next step starts from s * growth (at most
/// MaxStepSize), so the step adapts to the local curvature in both directions.
/// </summary>
/// <remarks>
/// Near a solution the value test is swamped by rounding; a trial within rounding of the test is accepted when the
/// curvature along the step is at most 1/s, (grad(v+) - grad(v))'d &lt;= ||d||^2 / s, which is the same test evaluated with
/// gradients (exact to rounding). Trial points where the objective is not finite only shorten the step.
/// </remarks>
internal sealed class GradientDescentSolver : BacktrackingSolver
{
    /// <summary>How many times a step is halved before the solve gives up (status Stalled).</summary>
    public const int MaxHalvings = 60;

    /// <summary>Creates a solver for variables of the given dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public GradientDescentSolver(int dimension, double initialStep = 1.0, double maxStep = 1e12, double growth = 2.0)
        : base(dimension, initialStep, maxStep, growth)
    {
    }

    /// <inheritdoc/>
    public override InnerSolveResult Minimize(IInnerObjective objective, Span<double> v, InnerStoppingRule rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        rule.Validate();
        RequireDimension(objective.Dimension, v.Length, Dimension);

        double f = objective.ValueAndGradient(v, G);
        int evaluations = 1;
        if (!double.IsFinite(f) || !VectorMath.AllFinite(G))
        {
            return new InnerSolveResult(InnerSolveStatus.NonFinite, 0, f, double.NaN, evaluations, Step);
        }

        var stall = new StagnationDetector(rule.StallWindow);
        for (int steps = 0; ; steps++)
        {
            double sigma = Stationarity.Measure(objective, v, G, Trial);
            InnerSolveStatus? done = StopTest(sigma, steps, rule, ref stall, cancellationToken);
            if (done is InnerSolveStatus status)
            {
                return new InnerSolveResult(status, steps, f, sigma, evaluations, Step);
            }

            if (Backtrack(objective, v, f, G, ref evaluations, out bool anyFinite) is not double fTrial)
            {
                // Every trial non-finite: the objective is NaN/Inf around v along -g (not a domain edge, which shorter steps avoid).
                return new InnerSolveResult(anyFinite ? InnerSolveStatus.Stalled : InnerSolveStatus.NonFinite, steps, f, sigma, evaluations, Step);
            }

            Trial.AsSpan().CopyTo(v);
            GTrial.AsSpan().CopyTo(G);
            f = fTrial;
        }
    }

    /// <summary>
    /// The backtracking test f(t) &lt;= f(v) + g'(t - v) + ||t - v||^2 / (2 s), with its rounding-level fallback
    /// (gT - g)'(t - v) &lt;= ||t - v||^2 / s. <paramref name="d"/> receives t - v. False if anything is not finite.
    /// </summary>
    internal static bool SufficientDecrease(double f, double fTrial, ReadOnlySpan<double> g, ReadOnlySpan<double> gTrial, ReadOnlySpan<double> v, ReadOnlySpan<double> trial, Span<double> d, double s)
    {
        if (!double.IsFinite(fTrial) || !VectorMath.AllFinite(gTrial))
        {
            return false;
        }

        TensorPrimitives.Subtract(trial, v, d);
        double gd = TensorPrimitives.Dot(g, d);
        double dd = TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)d);
        if (dd == 0.0)
        {
            return true; // the projection maps the step back onto v: v is stationary
        }

        double bound = f + gd + (0.5 * dd / s);
        if (fTrial <= bound)
        {
            return true;
        }

        double allowance = 16.0 * 1.1102230246251565e-16 * (Math.Abs(f) + Math.Abs(fTrial) + Math.Abs(gd));
        return fTrial <= bound + allowance && TensorPrimitives.Dot(gTrial, d) - gd <= dd / s;
    }

    internal static void RequireDimension(int objectiveDimension, int vLength, int dimension)
    {
        if (objectiveDimension != dimension || vLength != dimension)
        {
            throw new ArgumentException($"The objective has dimension {objectiveDimension} and the variable length {vLength}, but the solver was created for dimension {dimension}.");
        }
    }

    /// <summary>The shared order of the stopping tests: tolerance, stagnation, step limit, cancellation.</summary>
    internal static InnerSolveStatus? StopTest(double sigma, int steps, InnerStoppingRule rule, ref StagnationDetector stall, CancellationToken cancellationToken)
    {
        if (sigma <= rule.Tolerance)
        {
            return InnerSolveStatus.Converged;
        }

        if (stall.Observe(sigma))
        {
            return InnerSolveStatus.Stalled;
        }

        if (steps >= rule.MaxSteps)
        {
            return InnerSolveStatus.StepLimit;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return InnerSolveStatus.Cancelled;
        }

        return null;
    }
}
