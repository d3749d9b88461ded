using System.Numerics.Tensors;

namespace BilevelDsl.Numerics;

/// <summary>Small allocation-free vector helpers shared by the solvers (thin wrappers over <see cref="TensorPrimitives"/>).</summary>
internal static class VectorMath
{
    /// <summary>Euclidean norm.</summary>
    public static double Norm2(ReadOnlySpan<double> a) => Math.Sqrt(TensorPrimitives.SumOfSquares(a));

    /// <summary>Largest absolute entry (0 for an empty vector).</summary>
    public static double NormInf(ReadOnlySpan<double> a) => a.IsEmpty ? 0.0 : Math.Abs(TensorPrimitives.MaxMagnitude(a));

    /// <summary>
    /// ||a - b||, the Euclidean distance; with b = P(a - g) it is the projected-gradient residual, the stationarity measure
    /// of every method with a domain.
    /// </summary>
    public static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0.0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>Largest absolute entry of a - b.</summary>
    public static double DistanceInf(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double max = 0.0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]);
            if (!(d <= max))
            {
                max = d; // also propagates NaN
            }
        }

        return max;
    }

    /// <summary>Whether every entry is finite (no NaN, no infinity).</summary>
    public static bool AllFinite(ReadOnlySpan<double> a) => TensorPrimitives.IsFiniteAll(a);

    /// <summary>destination = a + scale * b.</summary>
    public static void AddScaled(ReadOnlySpan<double> a, double scale, ReadOnlySpan<double> b, Span<double> destination)
        => TensorPrimitives.MultiplyAdd(b, scale, a, destination);

    /// <summary>Swaps two array references (used to accept a trial point without copying).</summary>
    public static void Swap(ref double[] a, ref double[] b) => (a, b) = (b, a);

    /// <summary>"index 3 is NaN" for the first non-finite entry of <paramref name="v"/> ("none" when all are finite).</summary>
    public static string FirstNonFinite(ReadOnlySpan<double> v)
    {
        for (int i = 0; i < v.Length; i++)
        {
            if (!double.IsFinite(v[i]))
            {
                return $"index {i} is {InputValidation.Describe(v[i])}";
            }
        }

        return "none";
    }
}
