// The inner solver of AugmentedLagrangianSolver: FISTA on one augmented Lagrangian subproblem and the evaluations it needs.
using System.Numerics.Tensors;

namespace BilevelDsl.Numerics;

internal sealed partial class AugmentedLagrangianSolver
{
    private readonly record struct SubproblemOutcome(int Steps, bool Cancelled);

    /// <summary>
    /// FISTA with backtracking and gradient restart on L_r(.; lambda) over S, from z (where value, _g and _h hold L_r, its
    /// gradient and the constraint values). Stops when the projected-gradient residual is at most omega, at the step limit,
    /// or when no step of any length passes the backtracking test (rounding level). On exit z, value, _g, _h describe the
    /// last iterate.
    /// </summary>
    private SubproblemOutcome MinimizeSubproblem(
        ISmoothConvexFunction objective,
        IConvexConstraints constraints,
        Span<double> z,
        ReadOnlySpan<double> multipliers,
        double penalty,
        double omega,
        ref double value,
        out double stationarity,
        out double phi,
        CancellationToken cancellationToken)
    {
        z.CopyTo(_previous);
        double t = 1.0;
        for (int steps = 0; ; )
        {
            stationarity = Residual(constraints, z, _g);
            if (stationarity <= omega || steps >= _options.MaxSubproblemSteps)
            {
                phi = objective.ValueAndGradient(z, _scratch);
                return new SubproblemOutcome(steps, false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                phi = objective.ValueAndGradient(z, _scratch);
                return new SubproblemOutcome(steps, true);
            }

            double tNext = Fista.NextT(t, out double beta);
            if (beta == 0.0)
            {
                z.CopyTo(_w);
                _g.AsSpan().CopyTo(_gw);
            }
            else
            {
                Fista.Extrapolate(z, _previous, beta, _w);
                if (constraints.HasSimpleSet)
                {
                    constraints.ProjectOntoSimpleSet(_w);
                }

                double fw = EvaluateLagrangian(objective, constraints, _w, multipliers, penalty, _gw, _hw, out _);
                if (!double.IsFinite(fw) || !VectorMath.AllFinite(_gw))
                {
                    t = 1.0; // the extrapolated point left the functions' domain of definition: restart
                    continue;
                }
            }

            double s = _step;
            bool accepted = false;
            double fTrial = 0.0;
            int halvings = 0;
            for (; halvings <= MaxHalvings; halvings++, s *= 0.5)
            {
                VectorMath.AddScaled(_w, -s, _gw, _trial);
                if (constraints.HasSimpleSet)
                {
                    constraints.ProjectOntoSimpleSet(_trial);
                }

                fTrial = EvaluateLagrangian(objective, constraints, _trial, multipliers, penalty, _trialG, _trialH, out _);
                if (double.IsFinite(fTrial) && VectorMath.AllFinite(_trialG) && CurvatureTest(_gw, _trialG, _w, _trial, _d, s))
                {
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                if (beta != 0.0)
                {
                    t = 1.0;
                    continue;
                }

                // No step from z passes the test: z is as stationary as this precision allows.
                phi = objective.ValueAndGradient(z, _scratch);
                return new SubproblemOutcome(steps, false);
            }

            _step = halvings == 0 ? Math.Min(s * 2.0, MaxStep) : s;

            // Gradient restart (O'Donoghue and Candes): drop the momentum when the step's gradient mapping
            // (w - trial) / s makes an acute angle with the move trial - z, i.e. the momentum points uphill.
            double uphill = 0.0;
            for (int i = 0; i < _trial.Length; i++)
            {
                uphill += (_w[i] - _trial[i]) * (_trial[i] - z[i]);
            }

            t = uphill > 0.0 ? 1.0 : tNext;
            z.CopyTo(_previous);
            _trial.AsSpan().CopyTo(z);
            VectorMath.Swap(ref _g, ref _trialG);
            VectorMath.Swap(ref _h, ref _trialH);
            value = fTrial;
            steps++;
        }
    }

    /// <summary>||z - P_S(z - g)||, or ||g|| without a simple set.</summary>
    private double Residual(IConvexConstraints constraints, ReadOnlySpan<double> z, ReadOnlySpan<double> g)
    {
        if (!constraints.HasSimpleSet)
        {
            return VectorMath.Norm2(g);
        }

        VectorMath.AddScaled(z, -1.0, g, _scratch);
        constraints.ProjectOntoSimpleSet(_scratch);
        return VectorMath.Distance(z, _scratch);
    }

    /// <summary>
    /// L_r(z; lambda) and its gradient (into <paramref name="gradient"/>), the constraint values (into <paramref name="h"/>)
    /// and phi(z) (out). NaN if anything is not finite.
    /// </summary>
    private double EvaluateLagrangian(
        ISmoothConvexFunction objective,
        IConvexConstraints constraints,
        ReadOnlySpan<double> z,
        ReadOnlySpan<double> multipliers,
        double penalty,
        Span<double> gradient,
        Span<double> h,
        out double phi)
    {
        phi = objective.ValueAndGradient(z, gradient);
        double value = phi;
        for (int i = 0; i < h.Length; i++)
        {
            double hi = constraints.ValueAndGradient(i, z, _constraintGradient);
            h[i] = hi;
            if (!double.IsFinite(hi))
            {
                return double.NaN;
            }

            double lambda = multipliers[i];
            double shifted = lambda + (penalty * hi);
            if (shifted > 0.0)
            {
                value += ((shifted * shifted) - (lambda * lambda)) / (2.0 * penalty);
                TensorPrimitives.MultiplyAdd(_constraintGradient, shifted, gradient, gradient);
            }
            else
            {
                value -= lambda * lambda / (2.0 * penalty);
            }
        }

        return value;
    }

    /// <summary>
    /// The backtracking test (gT - g)'(t - w) &lt;= ||t - w||^2 / s, with <paramref name="d"/> receiving t - w: the majorisation
    /// f(t) &lt;= f(w) + g'(t - w) + ||t - w||^2 / (2 s) that FISTA needs, with f(t) - f(w) - g'(t - w) replaced by its
    /// trapezoid estimate (gT - g)'(t - w) / 2, which is exact for quadratics and second-order accurate otherwise. Unlike
    /// the value test it is not swamped by rounding: near a solution a value computed as a sum of large terms that cancel
    /// carries an absolute error far above the predicted decrease (which limits a value test to a gradient of about the
    /// square root of that error), while gradients stay accurate to a relative precision.
    /// </summary>
    private static bool CurvatureTest(ReadOnlySpan<double> g, ReadOnlySpan<double> gTrial, ReadOnlySpan<double> w, ReadOnlySpan<double> trial, Span<double> d, double s)
    {
        TensorPrimitives.Subtract(trial, w, d);
        double dd = TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)d);
        if (dd == 0.0)
        {
            return true; // the projection maps the step back onto w
        }

        return TensorPrimitives.Dot(gTrial, d) - TensorPrimitives.Dot(g, d) <= dd / s;
    }
}
