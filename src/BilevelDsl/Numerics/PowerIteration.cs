using System.Numerics.Tensors;

namespace BilevelDsl.Numerics;

/// <summary>
/// Estimates the largest eigenvalue magnitude |lambda|_max of a symmetric operator by power iteration: v &lt;- A v / ||A v||.
/// The estimate ||A v|| (v of unit norm) never exceeds |lambda|_max and approaches it from below.
/// </summary>
internal static class PowerIteration
{
    /// <summary>
    /// Runs <paramref name="iterations"/> power steps from <paramref name="vector"/> (a warm start; a zero or non-finite vector
    /// is replaced by a fixed generic start) and returns ||A v|| for the final unit vector v. On exit
    /// <paramref name="vector"/> holds that unit vector, ready to warm-start the next call. Returns 0 when A v = 0
    /// (A vanishes on the vector), NaN when the operator returns a non-finite value.
    /// </summary>
    /// <exception cref="ArgumentException">The spans do not have the operator's dimension.</exception>
    public static double LargestMagnitude(ILinearOperator a, Span<double> vector, Span<double> work, int iterations) =>
        LargestMagnitude(a, vector, work, iterations, out _);

    /// <summary>
    /// As <see cref="LargestMagnitude(ILinearOperator, Span{double}, Span{double}, int)"/>, and also returns the Rayleigh
    /// quotient v'Av of the last input vector (the signed eigenvalue estimate: negative for a dominant negative eigenvalue).
    /// </summary>
    public static double LargestMagnitude(ILinearOperator a, Span<double> vector, Span<double> work, int iterations, out double rayleigh)
    {
        rayleigh = double.NaN;
        ArgumentNullException.ThrowIfNull(a);
        if (vector.Length != a.Dimension || work.Length != a.Dimension)
        {
            throw new ArgumentException($"vector and work must have the operator's dimension {a.Dimension} (they have {vector.Length} and {work.Length}).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        double norm = Math.Sqrt(TensorPrimitives.SumOfSquares(vector));
        if (!(norm > 0.0) || !double.IsFinite(norm))
        {
            GenericStart(vector);
            norm = Math.Sqrt(TensorPrimitives.SumOfSquares(vector));
        }

        TensorPrimitives.Multiply(vector, 1.0 / norm, vector);
        double estimate = 0.0;
        for (int i = 0; i < iterations; i++)
        {
            a.Apply(vector, work);
            double workNorm = Math.Sqrt(TensorPrimitives.SumOfSquares(work));
            if (!double.IsFinite(workNorm))
            {
                return double.NaN;
            }

            rayleigh = TensorPrimitives.Dot((ReadOnlySpan<double>)vector, work);
            if (workNorm == 0.0)
            {
                return 0.0;
            }

            estimate = workNorm;
            TensorPrimitives.Multiply(work, 1.0 / workNorm, vector);
        }

        return estimate;
    }

    /// <summary>A deterministic start with no special structure (not orthogonal to typical eigenvectors).</summary>
    public static void GenericStart(Span<double> vector)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = 1.0 + (0.5 * Math.Sin(1.0 + (2.0 * i)));
        }
    }
}
