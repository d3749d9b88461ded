using System.Globalization;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>The outcome of checking one level's gradient kernel at one point.</summary>
public sealed class PointCheck
{
    public required double[] X { get; init; }

    public required double[] Y { get; init; }

    public double Value { get; set; }

    public double[] GradX { get; set; } = Array.Empty<double>();

    public double[] GradY { get; set; } = Array.Empty<double>();

    /// <summary>Directions where the kernel's derivative disagrees with the finite-difference estimate.</summary>
    public List<string> Mismatches { get; } = new();

    /// <summary>Directions where the finite-difference estimate cannot be trusted (kink, branch switch, non-finite).</summary>
    public List<string> NonSmooth { get; } = new();

    public bool IsSmooth => NonSmooth.Count == 0;

    /// <summary>Directions whose derivative was compared with finite differences.</summary>
    public int Compared { get; set; }

    /// <summary>Directions (also in <see cref="NonSmooth"/>) skipped only because the value is too large for
    /// finite differences to resolve the slope (<see cref="DirectionalEstimate.Resolved"/>).</summary>
    public int Unresolved { get; set; }

    public override string ToString() =>
        $"x = {GradientChecker.Format(X)}, y = {GradientChecker.Format(Y)}: value {GradientChecker.Format(Value)}, " +
        $"gradX = {GradientChecker.Format(GradX)}, gradY = {GradientChecker.Format(GradY)}" +
        (Mismatches.Count > 0 ? Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", Mismatches) : "");
}

/// <summary>Compares a level's gradient kernel with central differences of its value kernel.</summary>
public static class GradientChecker
{
    public static SpanObjective ValueKernel(IBilevelKernels kernels, Level level) =>
        level == Level.Upper ? kernels.UpperValue : kernels.LowerValue;

    public static double Gradient(IBilevelKernels kernels, Level level, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
        level == Level.Upper ? kernels.UpperGradient(x, y, gradX, gradY) : kernels.LowerGradient(x, y, gradX, gradY);

    /// <summary>
    /// Evaluates the gradient kernel at (x, y) and compares it, along every coordinate and along
    /// <paramref name="randomDirections"/> random unit directions, with <see cref="FiniteDifference.Directional"/>
    /// of the value kernel. Directions whose estimate is not smooth are recorded in <see cref="PointCheck.NonSmooth"/>
    /// and not compared.
    /// </summary>
    public static PointCheck Check(IBilevelKernels kernels, Level level, double[] x, double[] y, Random rng, int randomDirections = 3) =>
        Check(ValueKernel(kernels, level), (a, b, ga, gb) => Gradient(kernels, level, a, b, ga, gb), level.ToString(), x, y, rng, randomDirections);

    /// <summary>The same check for any value function <paramref name="f"/> and gradient function.</summary>
    public static PointCheck Check(SpanObjective f, SpanGradient gradient, string level, double[] x, double[] y, Random rng, int randomDirections = 3)
    {
        var check = new PointCheck { X = x, Y = y };
        var gx = new double[x.Length];
        var gy = new double[y.Length];
        check.Value = gradient(x, y, gx, gy);
        check.GradX = gx;
        check.GradY = gy;

        // Coordinates compare one gradient component each (so one bad component is reported once);
        // random directions compare the whole gradient through g . d.
        var directions = new List<(string Name, double[] Dx, double[] Dy, double? Component)>();
        for (int i = 0; i < x.Length + y.Length; i++)
        {
            (double[] dx, double[] dy) = FiniteDifference.Coordinate(i, x.Length, y.Length);
            directions.Add(i < x.Length ? ($"d/dx[{i}]", dx, dy, gx[i]) : ($"d/dy[{i - x.Length}]", dx, dy, gy[i - x.Length]));
        }

        for (int r = 0; r < randomDirections; r++)
        {
            (double[] dx, double[] dy) = FiniteDifference.RandomDirection(rng, x.Length, y.Length);
            directions.Add(($"random direction {r} (dx = {Format(dx)}, dy = {Format(dy)})", dx, dy, null));
        }

        // Coordinates whose derivative could not be compared (a kink, or beyond what differences resolve).
        var uncompared = new bool[x.Length + y.Length];
        for (int d = 0; d < directions.Count; d++)
        {
            (string name, double[] dx, double[] dy, double? component) = directions[d];
            DirectionalEstimate estimate = FiniteDifference.Directional(f, x, y, dx, dy);
            double kernel = component ?? Dot(gx, dx) + Dot(gy, dy);
            if (component == null && !double.IsFinite(kernel) && OverflowsUnchecked(gx, gy, dx, dy, uncompared))
            {
                // A component beyond double's range (d/dx of 1.7 * double.MaxValue * x is +inf in doubles) makes
                // g . d infinite although the directional derivative is finite. That component's own coordinate
                // could not be compared either (its differences overflow too), so this direction is unresolved.
                // A component that is wrongly infinite has a finite coordinate estimate and is reported there.
                check.NonSmooth.Add($"{name}: the gradient has an infinite component whose coordinate could not be compared");
                check.Unresolved++;
                continue;
            }

            if (!estimate.Smooth || !estimate.Resolved)
            {
                if (component != null)
                {
                    uncompared[d] = true;
                }

                check.Unresolved += estimate.Smooth ? 1 : 0;
                check.NonSmooth.Add($"{name}: D(h) = {Format(estimate.Coarse)}, D(h/2) = {Format(estimate.Fine)}, |f| up to {Format(estimate.Magnitude)}");
                continue;
            }

            check.Compared++;
            double error = FiniteDifference.RelativeError(kernel, estimate.Value);
            if (!(error <= FiniteDifference.Tolerance))
            {
                check.Mismatches.Add($"{level} {name}: kernel {Format(kernel)}, finite differences {Format(estimate.Value)} (error {error:E2})");
            }
        }

        return check;
    }

    /// <summary>
    /// Draws points until one is smooth in every checked direction (at most 50 tries) and returns its check:
    /// keeps the finite-difference comparison away from kinks and branch switches.
    /// </summary>
    public static PointCheck CheckAtSmoothPoint(IBilevelKernels kernels, Level level, ModelSpec spec, Random rng)
    {
        PointCheck? last = null;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            double[] x = FiniteDifference.RandomPoint(rng, spec.EffectiveXLength, spec.Range);
            double[] y = FiniteDifference.RandomPoint(rng, spec.EffectiveYLength, spec.Range);
            last = Check(kernels, level, x, y, rng);
            if (last.IsSmooth)
            {
                return last;
            }
        }

        throw new InvalidOperationException(
            $"{spec} {level}: no smooth point in 50 tries; last: {last}{Environment.NewLine}{string.Join(Environment.NewLine, last!.NonSmooth)}");
    }

    private static bool OverflowsUnchecked(double[] gx, double[] gy, double[] dx, double[] dy, bool[] uncompared)
    {
        bool any = false;
        for (int i = 0; i < gx.Length + gy.Length; i++)
        {
            double g = i < gx.Length ? gx[i] : gy[i - gx.Length];
            double d = i < gx.Length ? dx[i] : dy[i - gx.Length];
            if (!double.IsFinite(g) && d != 0)
            {
                if (!uncompared[i] || double.IsNaN(g))
                {
                    return false;
                }

                any = true;
            }
        }

        return any;
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public static string Format(IEnumerable<double> v) => "[" + string.Join(", ", v.Select(Format)) + "]";
}
