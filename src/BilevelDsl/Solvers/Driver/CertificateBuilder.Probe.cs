using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Driver;

/// <summary>
/// The certificate's re-solve from several starts, and its two checks of the upper level: the optimistic choice among the
/// lower-level solutions found at x, and a descent probe of x (the lower level re-solved at x +- h e_i).
/// </summary>
internal static partial class CertificateBuilder
{
    /// <summary>Probe steps, relative to max(1, |x_i|): a point that is not a local solution shows a decrease at one of them.</summary>
    private static readonly double[] ProbeSteps = [1e-2, 1e-3];

    /// <summary>How far (relative to max(1, |x_i|)) the parabola's minimiser may lie from x before the model step is tried.</summary>
    private const double ModelStepTolerance = 8e-4;

    /// <summary>
    /// Re-solves the lower level at x from the returned y, y0, the projection of 0 and <paramref name="extraStarts"/> - 2
    /// perturbations; returns the best feasible value (its point in <paramref name="best"/>) and collects every feasible
    /// candidate. A nonsmooth lower level is solved on its coarse smoothing from every start and the best refined.
    /// </summary>
    private static double SolveFromStarts(
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        ReadOnlySpan<double> y0,
        int extraStarts,
        CertificateOptions options,
        double[] best,
        List<(double Value, double[] Y)> candidates,
        out bool unbounded,
        CancellationToken cancellationToken)
    {
        int n = y.Length;
        unbounded = false;
        double bestValue = double.PositiveInfinity;
        var candidate = new double[n];
        var scratch = new double[n];
        var rng = new Random(20261205);
        var draw = new double[n];
        bool smooth = model.Info.Lower.IsSmooth;
        for (int s = 0; s <= extraStarts && !cancellationToken.IsCancellationRequested; s++)
        {
            Start(model, s, y, y0, candidate, rng, draw);
            double value = Resolve(model, x, candidate, smooth ? options.MaxSteps : Math.Max(200, options.MaxSteps / 5), smooth ? [0.0] : CoarseSmoothing, cancellationToken);
            if (double.IsNegativeInfinity(value) || value < -1e150)
            {
                unbounded = true;
                candidate.AsSpan().CopyTo(best);
                return value;
            }

            if (Violation(model, x, candidate, scratch) <= options.FeasibilityTolerance * Math.Max(1.0, VectorMath.NormInf(candidate)))
            {
                candidates.Add((value, (double[])candidate.Clone()));
                if (value < bestValue)
                {
                    bestValue = value;
                    candidate.AsSpan().CopyTo(best);
                }
            }
        }

        if (!smooth && double.IsFinite(bestValue))
        {
            // Only the best coarse candidate is refined: the smoothing error of the coarse solve is O(mu) per term.
            best.AsSpan().CopyTo(candidate);
            double refined = Resolve(model, x, candidate, options.MaxSteps, FineSmoothing, cancellationToken);
            if (refined < bestValue && Violation(model, x, candidate, scratch) <= options.FeasibilityTolerance * Math.Max(1.0, VectorMath.NormInf(candidate)))
            {
                bestValue = refined;
                candidate.AsSpan().CopyTo(best);
                candidates.Add((refined, (double[])candidate.Clone()));
            }
        }

        return bestValue;
    }

    /// <summary>
    /// Null unless another lower-level solution found at x (within the strict gap of v(x)) gives a clearly smaller F: the
    /// optimistic bilevel problem picks the lower-level solution best for the upper level, so the returned pair is then not
    /// a solution (its x may still be; the message gives the better F).
    /// </summary>
    private static string? OptimisticCheck(IBilevelKernels model, ReadOnlySpan<double> x, double upperAtY, double v, double strictGap, List<(double Value, double[] Y)> candidates)
    {
        double threshold = upperAtY - (1e-4 * (1.0 + Math.Abs(upperAtY)));
        foreach ((double value, double[] other) in candidates)
        {
            if (value <= v + strictGap)
            {
                double upper = model.UpperValue(x, other);
                if (upper < threshold)
                {
                    return $"optimistic lower-level solution failed: another lower-level solution at the returned x gives F = {Fmt.G(upper)} < F(x, y) = {Fmt.G(upperAtY)} "
                        + "(the optimistic bilevel problem takes the lower-level solution best for the upper level; the method's y is a worse one)";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Null unless F(x', y*(x')) &lt; F(x, y) - 1e-6 (1 + |F(x, y)|) at some probe x' = P(x +- h max(1, |x_i|) e_i),
    /// h in {1e-2, 1e-3}, with y*(x') the best of a re-solve of the lower level at x' from y*(x), y and two perturbations
    /// (optimistic among its near-optimal candidates), or unless the model step (<see cref="ModelStepProbe"/>) finds a
    /// lower F. Run for upper dimensions up to <see cref="CertificateOptions.ProbeMaxUpperDimension"/> (4 m re-solves, plus
    /// at most m for the model steps).
    /// </summary>
    private static string? DescentProbe(
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        double[] lowerSolution,
        double upperAtY,
        double baseline,
        CertificateOptions options,
        CancellationToken cancellationToken)
    {
        double threshold = upperAtY - (1e-6 * (1.0 + Math.Abs(upperAtY)));
        var probe = new double[x.Length];
        var best = new double[y.Length];
        var candidates = new List<(double Value, double[] Y)>();
        var wide = new double[2 * x.Length];   // F(x -+ h e_i, y*) for the first (widest) h, for the model step
        wide.AsSpan().Fill(double.NaN);
        double tieSpread = 0.0;
        foreach (double h in ProbeSteps)
        {
            for (int i = 0; i < x.Length; i++)
            {
                foreach (int sign in (ReadOnlySpan<int>)[-1, 1])
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return null;
                    }

                    x.CopyTo(probe);
                    probe[i] += sign * h * Math.Max(1.0, Math.Abs(x[i]));
                    model.ProjectUpper(probe);
                    if (VectorMath.DistanceInf(probe, x) == 0.0)
                    {
                        continue;
                    }

                    candidates.Clear();
                    double v = SolveFromStarts(model, probe, lowerSolution, y, 3, options, best, candidates, out bool unbounded, cancellationToken);
                    if (unbounded || !double.IsFinite(v))
                    {
                        continue;
                    }

                    if (h == ProbeSteps[0] && probe[i] == x[i] + (sign * h * Math.Max(1.0, Math.Abs(x[i]))))
                    {
                        wide[(2 * i) + (sign > 0 ? 1 : 0)] = model.UpperValue(probe, best);
                        tieSpread = Math.Max(tieSpread, TieSpread(model, probe, v, best, candidates));
                    }

                    double near = v + (options.GapTolerance * Math.Max(1.0, Math.Abs(v)));
                    foreach ((double value, double[] other) in candidates)
                    {
                        double upper = value <= near ? model.UpperValue(probe, other) : double.PositiveInfinity;
                        if (upper < threshold)
                        {
                            return $"upper-level descent probe failed: F = {Fmt.G(upper)} at x {(sign < 0 ? "-" : "+")} {Fmt.G(h)} max(1, |x_{i}|) e_{i} "
                                + $"(the lower level re-solved there) is below F(x, y) = {Fmt.G(upperAtY)}, so the returned x is not a local solution; "
                                + "the method stopped early: tighten its Tolerance or raise its iteration budget, or try another start";
                        }
                    }
                }
            }
        }

        return ModelStepProbe(model, x, y, lowerSolution, wide, tieSpread, baseline, options, cancellationToken);
    }

    /// <summary>
    /// The descent probe compares F values with a threshold relative to F, so on a flat hyper-objective (F'' small in x) it
    /// misses a point a few 1e-3 from the minimiser: F there is within the threshold of the minimum. This check is scale-free
    /// in F. It works on phi(x) = F(x, y*(x)) with y*(x) the re-solve's best point (not the method's y, whose small lower-level
    /// gap can move F by more than the differences looked at here). Per coordinate it fits the parabola through phi at x and
    /// x -+ h e_i (h = 1e-2 max(1, |x_i|), from the probe's re-solves); when the parabola is convex and its minimiser
    /// x + d e_i is more than <see cref="ModelStepTolerance"/> max(1, |x_i|) from x, the lower level is re-solved at
    /// x + d e_i, and the optimistic F there (over the re-solved points within the gap tolerance) below
    /// <paramref name="baseline"/> (the same at x; see <see cref="OptimisticValue"/>) by half the parabola's predicted
    /// decrease, and by more than the noise of phi,
    /// shows that x is not stationary at that scale. The noise is 1e-10 relative (the re-solves' FISTA tolerance) or ten
    /// times the spread of F over re-solved points tied in f (a lower level without a unique solution; then phi is only
    /// known to that spread). At a kink of phi the parabola's minimiser lies within h/2 of x and phi there is above phi(x);
    /// on a plateau of phi the parabola is flat: neither is rejected.
    /// </summary>
    private static string? ModelStepProbe(
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        double[] lowerSolution,
        double[] wide,
        double tieSpread,
        double baseline,
        CertificateOptions options,
        CancellationToken cancellationToken)
    {
        var candidates = new List<(double Value, double[] Y)>();
        var best = new double[y.Length];
        var probe = new double[x.Length];
        double centre = model.UpperValue(x, lowerSolution);
        double noise = Math.Max(1e-10 * (1.0 + Math.Abs(centre)), 10 * tieSpread);
        for (int i = 0; i < x.Length && !cancellationToken.IsCancellationRequested; i++)
        {
            double minus = wide[2 * i], plus = wide[(2 * i) + 1];
            double h = ProbeSteps[0] * Math.Max(1.0, Math.Abs(x[i]));
            double curvature = plus - (2 * centre) + minus;
            if (!double.IsFinite(minus) || !double.IsFinite(plus) || !(curvature > 0.0))
            {
                continue;
            }

            double t = Math.Clamp(-(plus - minus) / (2 * curvature), -2.0, 2.0);   // the parabola's minimiser in units of h
            double predicted = -((t * (plus - minus) / 2) + (t * t * curvature / 2));
            if (!(Math.Abs(t * h) > ModelStepTolerance * Math.Max(1.0, Math.Abs(x[i]))) || !(predicted > 2 * noise))
            {
                continue;
            }

            x.CopyTo(probe);
            probe[i] += t * h;
            model.ProjectUpper(probe);
            candidates.Clear();
            double v = SolveFromStarts(model, probe, lowerSolution, y, 3, options, best, candidates, out bool unbounded, cancellationToken);
            if (unbounded || !double.IsFinite(v))
            {
                continue;
            }

            double upper = OptimisticValue(model, probe, v + (options.GapTolerance * Math.Max(1.0, Math.Abs(v))), best, candidates);
            noise = Math.Max(noise, 10 * TieSpread(model, probe, v, best, candidates));
            if (upper < baseline - Math.Max(noise, 0.5 * predicted))
            {
                return $"upper-level stationarity probe failed: the parabola through F(x', y*(x')) at x' = x and x -+ {Fmt.G(h)} e_{i} has its minimum at "
                    + $"x {(t < 0 ? "-" : "+")} {Fmt.G(Math.Abs(t * h))} e_{i}, and F there (the lower level re-solved) is {Fmt.G(upper)}, "
                    + $"{Fmt.G(baseline - upper)} below the optimistic F(x, y*(x)) = {Fmt.G(baseline)}: the returned x is not stationary at the "
                    + $"{Fmt.G(ModelStepTolerance)} max(1, |x_i|) scale; the method stopped early: tighten its Tolerance or raise its iteration budget";
            }
        }

        return null;
    }

    /// <summary>
    /// The smallest F(x, y') over y* and the re-solved points y' with f(x, y') &lt;= <paramref name="accepted"/>: the optimistic
    /// upper value over the lower-level solutions the certificate accepts at x (v(x) plus its gap tolerance). Near a jump of
    /// the solution map the best re-solved point can lie on the other branch while the re-solve from the method's y stays on
    /// its own (Dempe &amp; Franke 2011 Ex. 4.1 at x1 = -2.5e-13: f = x1 y1 - y2 is flat in y1 on [1, 2]; y* = (1.25, 2) gives
    /// F = 5.57, the point re-solved from y = (1, 2) gives F = 5).
    /// </summary>
    private static double OptimisticValue(IBilevelKernels model, ReadOnlySpan<double> x, double accepted, double[] best, List<(double Value, double[] Y)> candidates)
    {
        double value = model.UpperValue(x, best);
        foreach ((double f, double[] other) in candidates)
        {
            if (f <= accepted)
            {
                value = Math.Min(value, model.UpperValue(x, other));
            }
        }

        return value;
    }

    /// <summary>The largest |F(x, y') - F(x, y*)| over re-solved points y' whose f is within 1e-9 (1 + |v|) of the best v.</summary>
    private static double TieSpread(IBilevelKernels model, ReadOnlySpan<double> x, double v, double[] best, List<(double Value, double[] Y)> candidates)
    {
        if (!model.Info.Lower.IsSmooth)
        {
            return 0.0;   // its candidates are coarse solves of the smoothed level (only the best is refined): no measure of phi's noise
        }

        double atBest = model.UpperValue(x, best), spread = 0.0;
        foreach ((double value, double[] other) in candidates)
        {
            if (value <= v + (1e-9 * (1.0 + Math.Abs(v))))
            {
                spread = Math.Max(spread, Math.Abs(model.UpperValue(x, other) - atBest));
            }
        }

        return spread;
    }
}
