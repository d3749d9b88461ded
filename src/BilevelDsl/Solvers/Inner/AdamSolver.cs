using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// Adam (Kingma and Ba 2015), projected: m &lt;- b1 m + (1 - b1) g; r &lt;- b2 r + (1 - b2) g^2;
/// v &lt;- P(v - a (m / (1 - b1^k)) / (sqrt(r / (1 - b2^k)) + eps)). One value-and-gradient evaluation per step.
/// </summary>
/// <remarks>
/// With a constant step a, Adam is not guaranteed to converge to arbitrary precision (its iterates can settle into an
/// oscillation whose size shrinks with a); if the stationarity measure stops setting new minima above the tolerance the solve
/// ends as <see cref="InnerSolveStatus.Stalled"/>, which is the honest outcome. The moments restart with every
/// <see cref="Minimize"/> call.
/// </remarks>
internal sealed class AdamSolver : ILowerLevelSolver
{
    private readonly double[] _g;
    private readonly double[] _trial;
    private readonly double[] _gTrial;
    private readonly AdamUpdate _adam;

    /// <summary>Creates a solver for variables of the given dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AdamSolver(int dimension, double stepSize = 1e-2, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        _adam = new AdamUpdate(dimension, stepSize, beta1, beta2, epsilon);
        Dimension = dimension;
        _g = new double[dimension];
        _trial = new double[dimension];
        _gTrial = new double[dimension];
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public void Reset()
    {
        // Moments restart with every Minimize call; there is no other state.
    }

    /// <inheritdoc/>
    public InnerSolveResult Minimize(IInnerObjective objective, Span<double> v, InnerStoppingRule rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        rule.Validate();
        GradientDescentSolver.RequireDimension(objective.Dimension, v.Length, Dimension);

        double f = objective.ValueAndGradient(v, _g);
        int evaluations = 1;
        if (!double.IsFinite(f) || !VectorMath.AllFinite(_g))
        {
            return new InnerSolveResult(InnerSolveStatus.NonFinite, 0, f, double.NaN, evaluations, double.NaN);
        }

        _adam.Reset();
        var stall = new StagnationDetector(rule.StallWindow);
        for (int steps = 0; ; steps++)
        {
            double sigma = Stationarity.Measure(objective, v, _g, _trial);
            InnerSolveStatus? done = GradientDescentSolver.StopTest(sigma, steps, rule, ref stall, cancellationToken);
            if (done is InnerSolveStatus status)
            {
                return new InnerSolveResult(status, steps, f, sigma, evaluations, double.NaN);
            }

            _adam.Step(_g, v, _trial);
            objective.Project(_trial);
            double fTrial = objective.ValueAndGradient(_trial, _gTrial);
            evaluations++;
            if (!double.IsFinite(fTrial) || !VectorMath.AllFinite(_gTrial))
            {
                return new InnerSolveResult(InnerSolveStatus.NonFinite, steps, f, sigma, evaluations, double.NaN);
            }

            _trial.AsSpan().CopyTo(v);
            _gTrial.AsSpan().CopyTo(_g);
            f = fTrial;
        }
    }
}
