using System.Numerics.Tensors;

namespace BilevelDsl.Kernels;

/// <summary>Smoothed primitives and their adjoint/tangent helpers, called by generated kernels.</summary>
public static partial class KernelSupport
{
    /// <summary>sqrt(t^2 + mu^2) without overflow or underflow (scaled like hypot); |t| when mu = 0.</summary>
    public static double SmoothAbs(double t, double mu)
    {
        double a = Math.Abs(t);
        double b = Math.Abs(mu);
        double large = Math.Max(a, b);
        double small = Math.Min(a, b);
        if (large == 0.0 || double.IsInfinity(large))
        {
            return large;
        }

        double ratio = small / large;
        return large * Math.Sqrt(1.0 + (ratio * ratio));
    }

    /// <summary>(a + b + sqrt((a - b)^2 + mu^2)) / 2 as max(a, b) + mu^2 / (2 (sqrt(d^2 + mu^2) + |d|)): no
    /// overflow in a + b, no cancellation; exactly max(a, b) when mu = 0.</summary>
    public static double SmoothMax(double a, double b, double mu) => Math.Max(a, b) + SmoothingGap(a - b, mu);

    /// <summary>(a + b - sqrt((a - b)^2 + mu^2)) / 2, computed like <see cref="SmoothMax"/>.</summary>
    public static double SmoothMin(double a, double b, double mu) => Math.Min(a, b) - SmoothingGap(a - b, mu);

    /// <summary>(sqrt(d^2 + mu^2) - |d|) / 2 in a cancellation-free form.</summary>
    private static double SmoothingGap(double d, double mu)
    {
        if (mu == 0.0)
        {
            return 0.0;
        }

        double norm = SmoothAbs(d, mu);
        return double.IsInfinity(norm) ? 0.0 : 0.5 * mu * mu / (norm + Math.Abs(d));
    }

    /// <summary>sum sqrt(v_i^2 + mu^2).</summary>
    public static double SmoothNorm1(ReadOnlySpan<double> v, double mu)
    {
        double sum = 0.0;
        foreach (double t in v)
        {
            sum += SmoothAbs(t, mu);
        }

        return sum;
    }

    /// <summary>destination_i += scale * Sign(v_i) (the adjoint of the l1 norm; Sign(0) = 0).</summary>
    public static void AddSign(Span<double> destination, double scale, ReadOnlySpan<double> v)
    {
        RequireSameLength(v.Length, destination.Length, "v", "destination");
        for (int i = 0; i < v.Length; i++)
        {
            destination[i] += scale * Sign(v[i]);
        }
    }

    /// <summary>sum Sign(v_i) * direction_i (the directional derivative of the l1 norm).</summary>
    public static double SignDot(ReadOnlySpan<double> v, ReadOnlySpan<double> direction)
    {
        RequireSameLength(v.Length, direction.Length, "v", "direction");
        double sum = 0.0;
        for (int i = 0; i < v.Length; i++)
        {
            sum += Sign(v[i]) * direction[i];
        }

        return sum;
    }

    /// <summary>t / sqrt(t^2 + mu^2) (the derivative of the smoothed |t|): 0 where both vanish, +-1 for infinite t
    /// (where t / norm would be inf / inf), NaN for NaN.</summary>
    public static double SmoothSign(double t, double mu)
    {
        if (double.IsInfinity(t))
        {
            return double.IsInfinity(mu) ? double.NaN : Math.Sign(t);
        }

        double norm = SmoothAbs(t, mu);
        return norm > 0.0 ? t / norm : norm == 0.0 ? 0.0 : double.NaN;
    }

    /// <summary>destination_i += scale * v_i / sqrt(v_i^2 + mu^2) (the adjoint of the smoothed l1 norm).</summary>
    public static void AddSmoothSign(Span<double> destination, double scale, ReadOnlySpan<double> v, double mu)
    {
        RequireSameLength(v.Length, destination.Length, "v", "destination");
        for (int i = 0; i < v.Length; i++)
        {
            destination[i] += scale * SmoothSign(v[i], mu);
        }
    }

    /// <summary>sum v_i / sqrt(v_i^2 + mu^2) * direction_i.</summary>
    public static double SmoothSignDot(ReadOnlySpan<double> v, double mu, ReadOnlySpan<double> direction)
    {
        RequireSameLength(v.Length, direction.Length, "v", "direction");
        double sum = 0.0;
        for (int i = 0; i < v.Length; i++)
        {
            sum += SmoothSign(v[i], mu) * direction[i];
        }

        return sum;
    }

    /// <summary>destination_i += scale * mu^2 / (v_i^2 + mu^2)^(3/2) * direction_i: the tangent of the smoothed
    /// l1 adjoint (0 where v_i = mu = 0, matching the exact norm's zero second derivative).</summary>
    public static void AddSmoothSignProduct(Span<double> destination, double scale, ReadOnlySpan<double> v, double mu, ReadOnlySpan<double> direction)
    {
        RequireSameLength(v.Length, destination.Length, "v", "destination");
        RequireSameLength(v.Length, direction.Length, "v", "direction");
        for (int i = 0; i < v.Length; i++)
        {
            double norm = SmoothAbs(v[i], mu);
            if (norm > 0.0)
            {
                double ratio = mu / norm;
                destination[i] += scale * ratio * ratio / norm * direction[i];
            }
        }
    }
}
