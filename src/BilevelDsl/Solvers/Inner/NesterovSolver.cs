using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// Nesterov's accelerated projected gradient method in the FISTA form (Beck and Teboulle 2009), with backtracking and
/// function-value adaptive restart (O'Donoghue and Candes 2015):
/// t+ = (1 + sqrt(1 + 4 t^2)) / 2; w = v + ((t - 1) / t+) (v - v_prev); v+ = P(w - s grad(w)), s halved until
/// f(v+) &lt;= f(w) + grad(w)'(v+ - w) + ||v+ - w||^2 / (2 s). If f(v+) &gt; f(v) the momentum is reset (t = 1) and the
/// step is retaken from v as a plain projected gradient step, so the values decrease monotonically.
/// </summary>
/// <remarks>
/// Costs two value-and-gradient evaluations per step (at w and at v+; the latter gives the exact stationarity at the
/// iterate), plus one per halving.
/// </remarks>
internal sealed class NesterovSolver : BacktrackingSolver
{
    private readonly double[] _previous;
    private readonly double[] _w;
    private readonly double[] _gw;

    /// <summary>Creates a solver for variables of the given dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public NesterovSolver(int dimension, double initialStep = 1.0, double maxStep = 1e12, double growth = 2.0)
        : base(dimension, initialStep, maxStep, growth)
    {
        _previous = new double[dimension];
        _w = new double[dimension];
        _gw = new double[dimension];
    }

    /// <inheritdoc/>
    public override InnerSolveResult Minimize(IInnerObjective objective, Span<double> v, InnerStoppingRule rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        rule.Validate();
        GradientDescentSolver.RequireDimension(objective.Dimension, v.Length, Dimension);

        double f = objective.ValueAndGradient(v, G);
        int evaluations = 1;
        if (!double.IsFinite(f) || !VectorMath.AllFinite(G))
        {
            return new InnerSolveResult(InnerSolveStatus.NonFinite, 0, f, double.NaN, evaluations, Step);
        }

        v.CopyTo(_previous);
        double t = 1.0;
        var stall = new StagnationDetector(rule.StallWindow);
        for (int steps = 0; ; steps++)
        {
            double sigma = Stationarity.Measure(objective, v, G, Trial);
            InnerSolveStatus? done = GradientDescentSolver.StopTest(sigma, steps, rule, ref stall, cancellationToken);
            if (done is InnerSolveStatus status)
            {
                return new InnerSolveResult(status, steps, f, sigma, evaluations, Step);
            }

            // One accelerated step; on a restart, one plain step from v (which cannot be refused).
            for (int attempt = 0; ; attempt++)
            {
                double tNext = Fista.NextT(t, out double beta);
                double fw;
                if (beta == 0.0)
                {
                    v.CopyTo(_w);
                    G.AsSpan().CopyTo(_gw);
                    fw = f;
                }
                else
                {
                    Fista.Extrapolate(v, _previous, beta, _w);
                    fw = objective.ValueAndGradient(_w, _gw);
                    evaluations++;
                    if (!double.IsFinite(fw) || !VectorMath.AllFinite(_gw))
                    {
                        t = 1.0; // the extrapolated point left the objective's domain of definition: restart
                        continue;
                    }
                }

                if (Backtrack(objective, _w, fw, _gw, ref evaluations, out bool anyFinite) is not double fTrial)
                {
                    if (beta != 0.0)
                    {
                        t = 1.0;
                        continue;
                    }

                    return new InnerSolveResult(anyFinite ? InnerSolveStatus.Stalled : InnerSolveStatus.NonFinite, steps, f, sigma, evaluations, Step);
                }

                if (beta != 0.0 && fTrial > f)
                {
                    t = 1.0; // function-value restart: retake the step from v without momentum
                    continue;
                }

                v.CopyTo(_previous);
                Trial.AsSpan().CopyTo(v);
                GTrial.AsSpan().CopyTo(G);
                f = fTrial;
                t = tNext;

                break;
            }
        }
    }
}
