namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>An objective as the kernels and span-model level methods see it.</summary>
public delegate double SpanObjective(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

/// <summary>A [Gradient] kernel of a span model.</summary>
public delegate double SpanGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

/// <summary>A [Gradient] kernel of a scalar model.</summary>
public delegate double ScalarGradient(double x, double y, out double gradX, out double gradY);

/// <summary>A central-difference estimate of a directional derivative, with its self-check.</summary>
/// <param name="Value">The Richardson-extrapolated estimate (4 D(h/2) - D(h)) / 3, error O(h^4).</param>
/// <param name="Coarse">D(h) = (f(z + h d) - f(z - h d)) / 2h.</param>
/// <param name="Fine">D(h/2).</param>
/// <param name="Finite">Every value on the stencil was finite.</param>
/// <param name="Magnitude">The largest |f| on the stencil.</param>
public readonly record struct DirectionalEstimate(double Value, double Coarse, double Fine, bool Finite, double Magnitude = 0)
{
    /// <summary>
    /// True when the rounding error of the difference quotients, about 3 eps |f| / h, is below the tolerance at
    /// the estimate's scale. A finite but huge value (a term like Math.Cbrt(double.MaxValue) * y) hides every
    /// O(1) slope in its last bit: the differences are then 0, and the direction cannot be checked.
    /// </summary>
    public bool Resolved =>
        3 * FiniteDifference.MachineEpsilon * Magnitude / FiniteDifference.Step
            <= FiniteDifference.Tolerance * Math.Max(1, Math.Abs(Value));

    /// <summary>
    /// True when the two step sizes agree to <see cref="FiniteDifference.SmoothnessTolerance"/>. For a smooth
    /// function they differ by about h^2/8 |f'''| (~1e-9 |f'''|); a kink or a branch switch within h = 1e-4 of
    /// the point along the direction makes them differ by a fraction of the jump in slope, so the point is
    /// reported as not smooth and its derivative is not compared.
    /// </summary>
    public bool Smooth =>
        Finite && FiniteDifference.RelativeError(Coarse, Fine) <= FiniteDifference.SmoothnessTolerance;
}

/// <summary>
/// Central finite differences along a direction in the joint (x, y) space.
/// </summary>
/// <remarks>
/// Step: h = 1e-4 on points of size O(1), Richardson-extrapolated from the central differences with steps h and
/// h/2: truncation error O(h^4) ~ 1e-16 |f^(5)|, rounding error ~ 3 eps |f| / h ~ 7e-12 |f|. Both are far below
/// the 1e-6 tolerance for the moderate values the test models produce.
/// Error metric: |a - b| / max(1, |a|, |b|): relative for large values, absolute near zero (where a relative
/// error is meaningless because the rounding error of the difference quotient does not shrink with the
/// derivative).
/// </remarks>
public static class FiniteDifference
{
    public const double Step = 1e-4;

    /// <summary>The spacing of doubles at 1 (2^-52).</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Largest accepted <see cref="RelativeError"/> between a kernel derivative and the estimate.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Largest accepted disagreement between the two step sizes before the point counts as non-smooth.</summary>
    public const double SmoothnessTolerance = 1e-6;

    public static double RelativeError(double a, double b)
    {
        if (a.Equals(b))
        {
            return 0; // also NaN == NaN and inf == inf
        }

        return Math.Abs(a - b) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b)));
    }

    /// <summary>Estimates d/dt f(x + t dx, y + t dy) at t = 0.</summary>
    public static DirectionalEstimate Directional(SpanObjective f, double[] x, double[] y, double[] dx, double[] dy)
    {
        var xs = new double[x.Length];
        var ys = new double[y.Length];
        bool finite = true;
        double magnitude = 0;

        double Eval(double t)
        {
            for (int i = 0; i < x.Length; i++)
            {
                xs[i] = x[i] + t * dx[i];
            }

            for (int i = 0; i < y.Length; i++)
            {
                ys[i] = y[i] + t * dy[i];
            }

            double v = f(xs, ys);
            finite &= double.IsFinite(v);
            magnitude = Math.Max(magnitude, Math.Abs(v));
            return v;
        }

        double coarse = (Eval(Step) - Eval(-Step)) / (2 * Step);
        double fine = (Eval(Step / 2) - Eval(-Step / 2)) / Step;
        double value = (4 * fine - coarse) / 3;
        return new DirectionalEstimate(value, coarse, fine, finite && double.IsFinite(value), magnitude);
    }

    /// <summary>A uniformly random point of the cube [-range, range]^n.</summary>
    public static double[] RandomPoint(Random rng, int length, double range)
    {
        var p = new double[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (2 * rng.NextDouble() - 1) * range;
        }

        return p;
    }

    /// <summary>A random unit direction in the joint (x, y) space, split into its x and y parts.</summary>
    public static (double[] Dx, double[] Dy) RandomDirection(Random rng, int xLength, int yLength)
    {
        var d = new double[xLength + yLength];
        double norm = 0;
        for (int i = 0; i < d.Length; i++)
        {
            // Box-Muller: a standard normal deviate; normalised below, so the direction is uniform on the sphere.
            double u1 = 1.0 - rng.NextDouble();
            double u2 = rng.NextDouble();
            d[i] = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            norm += d[i] * d[i];
        }

        norm = Math.Sqrt(norm);
        return (d.Take(xLength).Select(v => v / norm).ToArray(), d.Skip(xLength).Select(v => v / norm).ToArray());
    }

    /// <summary>The unit direction along coordinate <paramref name="index"/> of the joint (x, y) vector.</summary>
    public static (double[] Dx, double[] Dy) Coordinate(int index, int xLength, int yLength)
    {
        var dx = new double[xLength];
        var dy = new double[yLength];
        if (index < xLength)
        {
            dx[index] = 1;
        }
        else
        {
            dy[index - xLength] = 1;
        }

        return (dx, dy);
    }
}
