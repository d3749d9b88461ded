using System.Numerics.Tensors;

namespace BilevelDsl;

/// <summary>
/// Functions that objective bodies may call. The generator knows their derivatives, so using them keeps an
/// objective differentiable; at run time they are vectorised with <see cref="TensorPrimitives"/>, numerically
/// stable, and allocation-free, so that they can be called in every iteration of a solver.
/// </summary>
public static partial class Dsl
{
    /// <summary>Chunk size for the stack buffers of the allocation-free vectorised loops.</summary>
    internal const int ChunkLength = 256;

    /// <summary>The inner product of two vectors of the same length.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Dot needs vectors of the same length, but they have lengths {a.Length} and {b.Length}.", nameof(b));
        }

        return TensorPrimitives.Dot(a, b);
    }

    /// <summary>The squared Euclidean norm, sum of a_i^2 (0 for an empty vector).</summary>
    public static double SquaredNorm(ReadOnlySpan<double> a) => TensorPrimitives.SumOfSquares(a);

    /// <summary>The sum of the entries (0 for an empty vector).</summary>
    public static double Sum(ReadOnlySpan<double> a) => TensorPrimitives.Sum(a);

    /// <summary>
    /// log(sum_i exp(a_i)), computed as m + log(sum_i exp(a_i - m)) with m = max_i a_i so that it neither
    /// overflows for large entries nor underflows to log(0) for very negative ones.
    /// </summary>
    /// <returns>The log-sum-exp; +inf if an entry is +inf, -inf if all entries are -inf, NaN if an entry is NaN.</returns>
    /// <exception cref="ArgumentException"><paramref name="a"/> is empty.</exception>
    [System.Runtime.CompilerServices.SkipLocalsInit] // the buffer is written before it is read
    public static double LogSumExp(ReadOnlySpan<double> a)
    {
        if (a.IsEmpty)
        {
            throw new ArgumentException("LogSumExp of an empty vector is undefined.", nameof(a));
        }

        double max = TensorPrimitives.Max(a);
        if (double.IsNaN(max) || double.IsInfinity(max))
        {
            // NaN propagates; +inf dominates; all entries -inf gives log(0) = -inf.
            return max;
        }

        Span<double> buffer = stackalloc double[ChunkLength];
        double sum = 0.0;
        for (int start = 0; start < a.Length; start += ChunkLength)
        {
            ReadOnlySpan<double> chunk = a.Slice(start, Math.Min(ChunkLength, a.Length - start));
            Span<double> shifted = buffer[..chunk.Length];
            TensorPrimitives.Subtract(chunk, max, shifted);
            TensorPrimitives.Exp(shifted, shifted);
            sum += TensorPrimitives.Sum(shifted);
        }

        // sum >= 1 (the maximal entry contributes exp(0)), so the logarithm is well conditioned.
        return max + Math.Log(sum);
    }

    /// <summary>
    /// The logistic function 1 / (1 + e^-t), evaluated without overflow: for t &lt; 0 as e^t / (1 + e^t).
    /// Never NaN for a non-NaN argument; exactly 0 or 1 only where the true value rounds to it.
    /// </summary>
    public static double Sigmoid(double t)
    {
        if (t >= 0.0)
        {
            return 1.0 / (1.0 + Math.Exp(-t));
        }

        double e = Math.Exp(t);
        return e / (1.0 + e);
    }

    /// <summary>
    /// log(1 + e^t), evaluated as max(t, 0) + log1p(e^-|t|) so that it neither overflows for large t nor loses
    /// the tiny value e^t for very negative t.
    /// </summary>
    public static double Softplus(double t) => Math.Max(t, 0.0) + Log1P(Math.Exp(-Math.Abs(t)));

    /// <summary>log(1 + u) accurate also for tiny u (Goldberg's correction of the rounding in 1 + u).</summary>
    internal static double Log1P(double u)
    {
        double onePlus = 1.0 + u;
        if (onePlus == 1.0)
        {
            return u;
        }

        return Math.Log(onePlus) * u / (onePlus - 1.0);
    }
}
