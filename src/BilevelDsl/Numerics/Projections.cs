namespace BilevelDsl.Numerics;

/// <summary>
/// Euclidean projections onto simple sets, in place and allocation-free. Each is idempotent and
/// nonexpansive (||P(a) - P(b)|| &lt;= ||a - b||), as projections onto closed convex sets are.
/// </summary>
public static class Projections
{
    /// <summary>Clamps every entry into [lower, upper].</summary>
    /// <exception cref="ArgumentException">lower &gt; upper, or a bound is NaN.</exception>
    public static void Box(Span<double> v, double lower, double upper)
    {
        if (!(lower <= upper))
        {
            throw new ArgumentException($"The box [{lower}, {upper}] is empty or has a NaN bound.");
        }

        for (int i = 0; i < v.Length; i++)
        {
            v[i] = Math.Clamp(v[i], lower, upper);
        }
    }

    /// <summary>Sets negative entries to zero.</summary>
    public static void NonnegativeOrthant(Span<double> v)
    {
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] < 0.0)
            {
                v[i] = 0.0;
            }
        }
    }

    /// <summary>Scales v onto the ball of the given radius around the origin when it lies outside.</summary>
    /// <exception cref="ArgumentOutOfRangeException">radius is negative or NaN.</exception>
    public static void Ball(Span<double> v, double radius)
    {
        if (!(radius >= 0.0))
        {
            throw new ArgumentOutOfRangeException(nameof(radius), radius, "The radius must be nonnegative.");
        }

        double norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        if (norm > radius)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(v, radius / norm, v);
        }
    }

    /// <summary>
    /// Projects onto the simplex { v : v_i &gt;= 0, sum v_i = total } by Michelot's algorithm: the threshold
    /// tau = (sum of the entries above it - total) / (their count) only grows, and it stops when the set of
    /// entries above it no longer changes (at most n rounds, no sorting, no allocation).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">total is not positive, or v is empty.</exception>
    public static void Simplex(Span<double> v, double total = 1.0)
    {
        if (!(total > 0.0))
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, "The simplex total must be positive.");
        }

        if (v.IsEmpty)
        {
            throw new ArgumentOutOfRangeException(nameof(v), "Cannot project an empty vector onto a simplex.");
        }

        double tau = double.NegativeInfinity;
        while (true)
        {
            double sum = 0.0;
            int count = 0;
            foreach (double value in v)
            {
                if (value > tau)
                {
                    sum += value;
                    count++;
                }
            }

            double next = (sum - total) / count;
            if (next <= tau)
            {
                break;
            }

            tau = next;
        }

        for (int i = 0; i < v.Length; i++)
        {
            v[i] = Math.Max(v[i] - tau, 0.0);
        }
    }
}
