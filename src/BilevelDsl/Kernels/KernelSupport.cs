using System.ComponentModel;
using System.Numerics.Tensors;

namespace BilevelDsl.Kernels;

/// <summary>
/// Helpers called by the code that the BilevelDsl generator emits (argument checks, vector accumulation
/// for reverse-mode derivatives, and the conventions for derivatives at kinks). Not meant to be called by
/// hand; kept public because generated code lives in the user's assembly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class KernelSupport
{
    /// <summary>
    /// Checks that a gradient span has the same length as the variable it belongs to.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ ("gradX has length 3 but x has length 2").</exception>
    public static void RequireSameLength(int valueLength, int gradientLength, string valueName, string gradientName)
    {
        if (valueLength != gradientLength)
        {
            throw new ArgumentException(
                $"{gradientName} has length {gradientLength} but {valueName} has length {valueLength}.",
                gradientName);
        }
    }

    /// <summary>
    /// Checks that a span has the length a model requires (scalar models take spans of length 1).
    /// </summary>
    /// <exception cref="ArgumentException">The length is not <paramref name="expectedLength"/>.</exception>
    public static void RequireLength(int actualLength, int expectedLength, string name)
    {
        if (actualLength != expectedLength)
        {
            throw new ArgumentException(
                $"{name} has length {actualLength} but the model expects length {expectedLength}.",
                name);
        }
    }

    /// <summary>destination += scale * source, in place and vectorised.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void AddScaled(Span<double> destination, double scale, ReadOnlySpan<double> source)
    {
        RequireSameLength(destination.Length, source.Length, "destination", "source");
        if (scale == 0.0)
        {
            // A zero adjoint contributes nothing, even against an infinite partial (no 0 * inf = NaN).
            return;
        }

        TensorPrimitives.MultiplyAdd(source, scale, destination, destination);
    }

    /// <summary>destination_i += value for every i, in place and vectorised.</summary>
    public static void AddScalar(Span<double> destination, double value)
    {
        if (value == 0.0)
        {
            return;
        }

        TensorPrimitives.Add(destination, value, destination);
    }

    /// <summary>
    /// destination_i += adjoint * exp(a_i - logSumExp): the reverse-mode contribution of
    /// <see cref="Dsl.LogSumExp(ReadOnlySpan{double})"/> (its gradient is the softmax of a). No allocation.
    /// </summary>
    /// <param name="destination">Adjoint of a, accumulated into.</param>
    /// <param name="adjoint">Adjoint of the log-sum-exp value.</param>
    /// <param name="a">The argument of the log-sum-exp.</param>
    /// <param name="logSumExp">The value <c>Dsl.LogSumExp(a)</c> computed in the forward pass.</param>
    /// <exception cref="ArgumentException">The lengths of destination and a differ.</exception>
    [System.Runtime.CompilerServices.SkipLocalsInit] // the buffer is written before it is read
    public static void AddLogSumExpAdjoint(Span<double> destination, double adjoint, ReadOnlySpan<double> a, double logSumExp)
    {
        RequireSameLength(a.Length, destination.Length, "a", "destination");
        if (adjoint == 0.0)
        {
            return;
        }

        Span<double> buffer = stackalloc double[Dsl.ChunkLength];
        for (int start = 0; start < a.Length; start += Dsl.ChunkLength)
        {
            int length = Math.Min(Dsl.ChunkLength, a.Length - start);
            Span<double> weights = buffer[..length];
            TensorPrimitives.Subtract(a.Slice(start, length), logSumExp, weights);
            TensorPrimitives.Exp(weights, weights);
            Span<double> target = destination.Slice(start, length);
            TensorPrimitives.MultiplyAdd(weights, adjoint, target, target);
        }
    }

    /// <summary>
    /// The derivative convention for |t|: -1 for t &lt; 0, +1 for t &gt; 0, 0 at t = 0 (the midpoint of the
    /// subdifferential); NaN for NaN (unlike <see cref="Math.Sign(double)"/>, which throws).
    /// </summary>
    public static double Sign(double t) => t > 0.0 ? 1.0 : t < 0.0 ? -1.0 : t == 0.0 ? 0.0 : double.NaN;

    /// <summary>
    /// The derivative convention for max/min ties: 1 for t &gt; 0, 0 for t &lt; 0, 1/2 at t = 0 (each tied
    /// argument gets half); NaN for NaN.
    /// </summary>
    public static double Step(double t) => t > 0.0 ? 1.0 : t < 0.0 ? 0.0 : t == 0.0 ? 0.5 : double.NaN;
    /// <summary>
    /// sum_i exp(a_i - shift) * direction_i: the directional derivative of <see cref="Dsl.LogSumExp(ReadOnlySpan{double})"/>
    /// (with shift its value, the weights are the softmax of a). Used by Hessian-vector kernels. No allocation.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit] // the buffer is written before it is read
    public static double ExpShiftedDot(ReadOnlySpan<double> a, double shift, ReadOnlySpan<double> direction)
    {
        RequireSameLength(a.Length, direction.Length, "a", "direction");
        Span<double> buffer = stackalloc double[Dsl.ChunkLength];
        double sum = 0.0;
        for (int start = 0; start < a.Length; start += Dsl.ChunkLength)
        {
            int length = Math.Min(Dsl.ChunkLength, a.Length - start);
            Span<double> weights = buffer[..length];
            TensorPrimitives.Subtract(a.Slice(start, length), shift, weights);
            TensorPrimitives.Exp(weights, weights);
            sum += TensorPrimitives.Dot(weights, direction.Slice(start, length));
        }

        return sum;
    }

    /// <summary>
    /// destination_i += scale * exp(a_i - shift) * direction_i: the tangent of the LogSumExp adjoint term
    /// (<see cref="AddLogSumExpAdjoint"/>) along a direction. Used by Hessian-vector kernels. No allocation.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit] // the buffer is written before it is read
    public static void AddExpShiftedProduct(Span<double> destination, double scale, ReadOnlySpan<double> a, double shift, ReadOnlySpan<double> direction)
    {
        RequireSameLength(a.Length, destination.Length, "a", "destination");
        RequireSameLength(a.Length, direction.Length, "a", "direction");
        if (scale == 0.0)
        {
            return;
        }

        Span<double> buffer = stackalloc double[Dsl.ChunkLength];
        for (int start = 0; start < a.Length; start += Dsl.ChunkLength)
        {
            int length = Math.Min(Dsl.ChunkLength, a.Length - start);
            Span<double> weights = buffer[..length];
            TensorPrimitives.Subtract(a.Slice(start, length), shift, weights);
            TensorPrimitives.Exp(weights, weights);
            TensorPrimitives.Multiply(weights, direction.Slice(start, length), weights);
            Span<double> target = destination.Slice(start, length);
            TensorPrimitives.MultiplyAdd(weights, scale, target, target);
        }
    }
}
