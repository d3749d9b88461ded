using System.Numerics.Tensors;

namespace BilevelDsl;

/// <summary>Vector and matrix intrinsics: views, matrix-vector products, axpy, softmax and elementwise maps.
/// Each writes a computed vector (a <c>stackalloc</c>ed local) that later intrinsics or indexing read.</summary>
public static partial class Dsl
{
    /// <summary>A row-major <paramref name="rows"/> x <paramref name="columns"/> matrix view of a vector (no copy).
    /// Used on the lower or upper variable it is differentiable: gradients flow into the right entries.</summary>
    /// <exception cref="ArgumentException"><c>vector.Length != rows * columns</c>.</exception>
    public static MatrixView Reshape(ReadOnlySpan<double> vector, int rows, int columns) => new(vector, rows, columns);

    /// <summary>result = M v (overwrites result).</summary>
    /// <exception cref="ArgumentException">The sizes do not match (v must have M.Columns entries, result M.Rows).</exception>
    public static void MatVec(MatrixView matrix, ReadOnlySpan<double> vector, Span<double> result)
    {
        RequireSize(vector.Length, matrix.Columns, "v", "M.Columns");
        RequireSize(result.Length, matrix.Rows, "result", "M.Rows");
        for (int k = 0; k < matrix.Rows; k++)
        {
            result[k] = TensorPrimitives.Dot(matrix.Row(k), vector);
        }
    }

    /// <summary>result = Mᵀ v (overwrites result).</summary>
    /// <exception cref="ArgumentException">The sizes do not match (v must have M.Rows entries, result M.Columns).</exception>
    public static void MatTVec(MatrixView matrix, ReadOnlySpan<double> vector, Span<double> result)
    {
        RequireSize(vector.Length, matrix.Rows, "v", "M.Rows");
        RequireSize(result.Length, matrix.Columns, "result", "M.Columns");
        result.Clear();
        for (int k = 0; k < matrix.Rows; k++)
        {
            TensorPrimitives.MultiplyAdd(matrix.Row(k), vector[k], result, result);
        }
    }

    /// <summary>result += a v.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Axpy(double a, ReadOnlySpan<double> vector, Span<double> result)
    {
        RequireSize(result.Length, vector.Length, "result", "v.Length");
        TensorPrimitives.MultiplyAdd(vector, a, result, result);
    }

    /// <summary>result = softmax(v) = exp(v - LogSumExp(v)) (overwrites result; stable for large entries).</summary>
    /// <exception cref="ArgumentException">The lengths differ or v is empty.</exception>
    public static void Softmax(ReadOnlySpan<double> vector, Span<double> result)
    {
        RequireSize(result.Length, vector.Length, "result", "v.Length");
        double shift = LogSumExp(vector);
        TensorPrimitives.Subtract(vector, shift, result);
        TensorPrimitives.Exp(result, result);
    }

    /// <summary>The cross-entropy of softmax(logits) against class <paramref name="label"/>:
    /// LogSumExp(logits) - logits[label].</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is not an index of logits.</exception>
    public static double SoftmaxCrossEntropy(ReadOnlySpan<double> logits, int label)
    {
        if ((uint)label >= (uint)logits.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, $"The label must be a class index in [0, {logits.Length}).");
        }

        return LogSumExp(logits) - logits[label];
    }

    /// <summary>result_i = f(v_i) for a scalar function the generator can differentiate (a Math or Dsl function,
    /// or a [Differentiable] helper of the model), passed as a method group: <c>Dsl.Map(h, a, Math.Tanh)</c>.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Map(ReadOnlySpan<double> vector, Span<double> result, Func<double, double> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        RequireSize(result.Length, vector.Length, "result", "v.Length");
        for (int i = 0; i < vector.Length; i++)
        {
            result[i] = function(vector[i]);
        }
    }

    private static void RequireSize(int actual, int expected, string name, string expectedName)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has length {actual} but must have {expectedName} = {expected} entries.", name);
        }
    }
}
