using System.Numerics.Tensors;

namespace BilevelDsl.Numerics;

/// <summary>
/// One Adam update (Kingma and Ba, "Adam: A method for stochastic optimization", ICLR 2015, Algorithm 1), shared by the
/// lower-level Adam solver and the upper-level Adam optimiser:
/// m = b1 m + (1 - b1) g; r = b2 r + (1 - b2) g^2; destination = start - a / (1 - b1^k) * m / (sqrt(r / (1 - b2^k)) + eps).
/// </summary>
internal static class AdamUpdate
{
    /// <summary>
    /// Updates the moments <paramref name="m"/>, <paramref name="r"/> and the bias products with gradient <paramref name="g"/>
    /// and writes the stepped point into <paramref name="destination"/> (which may be <paramref name="start"/>).
    /// </summary>
    public static void Step(
        Span<double> m,
        Span<double> r,
        ReadOnlySpan<double> g,
        Span<double> scratch,
        double beta1,
        double beta2,
        double epsilon,
        double stepSize,
        ref double bias1,
        ref double bias2,
        ReadOnlySpan<double> start,
        Span<double> destination)
    {
        TensorPrimitives.Multiply(m, beta1, m);
        TensorPrimitives.MultiplyAdd(g, 1.0 - beta1, m, m);
        TensorPrimitives.Multiply(g, g, scratch);
        TensorPrimitives.Multiply(r, beta2, r);
        TensorPrimitives.MultiplyAdd(scratch, 1.0 - beta2, r, r);
        bias1 *= beta1;
        bias2 *= beta2;
        TensorPrimitives.Multiply(r, 1.0 / (1.0 - bias2), scratch);
        TensorPrimitives.Sqrt(scratch, scratch);
        TensorPrimitives.Add(scratch, epsilon, scratch);
        TensorPrimitives.Divide(m, scratch, scratch);
        TensorPrimitives.MultiplyAdd(scratch, -stepSize / (1.0 - bias1), start, destination);
    }
}
