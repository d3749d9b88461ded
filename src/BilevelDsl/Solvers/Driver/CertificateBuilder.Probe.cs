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
    /// (optimistic among its near-optimal candidates). Run for upper dimensions up to
    /// <see cref="CertificateOptions.ProbeMaxUpperDimension"/> (4 m re-solves).
    /// </summary>
    private static string? DescentProbe(
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        double[] lowerSolution,
        double upperAtY,
        CertificateOptions options,
        CancellationToken cancellationToken)
    {
        double threshold = upperAtY - (1e-6 * (1.0 + Math.Abs(upperAtY)));
        var probe = new double[x.Length];
        var best = new double[y.Length];
        var candidates = new List<(double Value, double[] Y)>();
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

        return null;
    }
}
