using System.Numerics.Tensors;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Numerics;

/// <summary>
/// Adam's moments and update (Kingma and Ba, "Adam: A method for stochastic optimization", ICLR 2015, Algorithm 1),
/// shared by the lower-level Adam solver and the upper-level Adam optimiser:
/// m = b1 m + (1 - b1) g; r = b2 r + (1 - b2) g^2; destination = start - a / (1 - b1^k) * m / (sqrt(r / (1 - b2^k)) + eps).
/// The work arrays are allocated once, here; <see cref="Step"/> does not allocate.
/// </summary>
internal sealed class AdamUpdate
{
    private readonly double[] _m;
    private readonly double[] _r;
    private readonly double[] _scratch;
    private readonly double _stepSize;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private double _bias1 = 1.0;
    private double _bias2 = 1.0;

    /// <summary>Creates the moments (zero) for vectors of the given dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AdamUpdate(int dimension, double stepSize, double beta1, double beta2, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        RequirePositiveFinite(stepSize, nameof(stepSize));
        RequireUnitInterval(beta1, nameof(beta1));
        RequireUnitInterval(beta2, nameof(beta2));
        RequirePositiveFinite(epsilon, nameof(epsilon));
        _m = new double[dimension];
        _r = new double[dimension];
        _scratch = new double[dimension];
        _stepSize = stepSize;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
    }

    /// <summary>Zeroes the moments and the bias products (a fresh start).</summary>
    public void Reset()
    {
        Array.Clear(_m);
        Array.Clear(_r);
        _bias1 = 1.0;
        _bias2 = 1.0;
    }

    /// <summary>
    /// Updates the moments and the bias products with gradient <paramref name="g"/> and writes the stepped point into
    /// <paramref name="destination"/> (which may be <paramref name="start"/>).
    /// </summary>
    public void Step(ReadOnlySpan<double> g, ReadOnlySpan<double> start, Span<double> destination)
    {
        TensorPrimitives.Multiply(_m, _beta1, _m);
        TensorPrimitives.MultiplyAdd(g, 1.0 - _beta1, _m, _m);
        TensorPrimitives.Multiply(g, g, _scratch);
        TensorPrimitives.Multiply(_r, _beta2, _r);
        TensorPrimitives.MultiplyAdd(_scratch, 1.0 - _beta2, _r, _r);
        _bias1 *= _beta1;
        _bias2 *= _beta2;
        TensorPrimitives.Multiply(_r, 1.0 / (1.0 - _bias2), _scratch);
        TensorPrimitives.Sqrt(_scratch, _scratch);
        TensorPrimitives.Add(_scratch, _epsilon, _scratch);
        TensorPrimitives.Divide(_m, _scratch, _scratch);
        TensorPrimitives.MultiplyAdd(_scratch, -_stepSize / (1.0 - _bias1), start, destination);
    }
}
