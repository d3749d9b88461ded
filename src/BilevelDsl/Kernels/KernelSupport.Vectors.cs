using System.Numerics.Tensors;

namespace BilevelDsl.Kernels;

/// <summary>Matrix-vector, outer-product and softmax updates for generated kernels. Every update
/// accumulates (destination += ...): reverse and tangent mode only ever add contributions.</summary>
public static partial class KernelSupport
{
    /// <summary>destination += scale * M v.</summary>
    public static void AddMatVec(Span<double> destination, double scale, MatrixView matrix, ReadOnlySpan<double> vector)
    {
        RequireSameLength(matrix.Rows, destination.Length, "M.Rows", "destination");
        RequireSameLength(matrix.Columns, vector.Length, "M.Columns", "v");
        if (scale == 0.0)
        {
            return;
        }

        ReadOnlySpan<double> data = matrix.AsSpan();
        int columns = matrix.Columns;
        for (int k = 0; k < destination.Length; k++)
        {
            destination[k] += scale * TensorPrimitives.Dot(data.Slice(k * columns, columns), vector);
        }
    }

    /// <summary>destination += scale * Mᵀ v.</summary>
    public static void AddMatTVec(Span<double> destination, double scale, MatrixView matrix, ReadOnlySpan<double> vector)
    {
        RequireSameLength(matrix.Columns, destination.Length, "M.Columns", "destination");
        RequireSameLength(matrix.Rows, vector.Length, "M.Rows", "v");
        ReadOnlySpan<double> data = matrix.AsSpan();
        int columns = matrix.Columns;
        for (int k = 0; k < vector.Length; k++)
        {
            double weight = scale * vector[k];
            if (weight != 0.0)
            {
                TensorPrimitives.MultiplyAdd(data.Slice(k * columns, columns), weight, destination, destination);
            }
        }
    }

    /// <summary>T += scale * a bᵀ for a row-major <paramref name="rows"/> x <paramref name="columns"/> matrix T.</summary>
    public static void AddOuter(Span<double> target, int rows, int columns, double scale, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        RequireSameLength(rows * columns, target.Length, "rows * columns", "target");
        RequireSameLength(rows, a.Length, "rows", "a");
        RequireSameLength(columns, b.Length, "columns", "b");
        for (int k = 0; k < rows; k++)
        {
            double weight = scale * a[k];
            if (weight != 0.0)
            {
                Span<double> row = target.Slice(k * columns, columns);
                TensorPrimitives.MultiplyAdd(b, weight, row, row);
            }
        }
    }

    /// <summary>destination += scale * softmax(v).</summary>
    public static void AddSoftmax(Span<double> destination, double scale, ReadOnlySpan<double> vector) =>
        AddLogSumExpAdjoint(destination, scale, vector, Dsl.LogSumExp(vector));

    /// <summary>destination += scale * J(v) u, with J(v) = diag(p) - p pᵀ the (symmetric) Jacobian of
    /// p = softmax(v): both the adjoint and the tangent of softmax.</summary>
    public static void AddSoftmaxJacobian(Span<double> destination, double scale, ReadOnlySpan<double> vector, ReadOnlySpan<double> u)
    {
        RequireSameLength(vector.Length, destination.Length, "v", "destination");
        RequireSameLength(vector.Length, u.Length, "v", "u");
        if (scale == 0.0)
        {
            return;
        }

        double shift = Dsl.LogSumExp(vector);
        double weighted = 0.0;
        for (int i = 0; i < vector.Length; i++)
        {
            weighted += Math.Exp(vector[i] - shift) * u[i];
        }

        for (int i = 0; i < vector.Length; i++)
        {
            double p = Math.Exp(vector[i] - shift);
            destination[i] += scale * p * (u[i] - weighted);
        }
    }

    /// <summary>destination += scale * (d/dt J(v + t w) u at t = 0): the tangent of <see cref="AddSoftmaxJacobian"/>
    /// along a direction w of v. With p = softmax(v) and q = J w = p (w - pᵀw):
    /// d(J u) = q u - q (pᵀu) - p (qᵀu).</summary>
    public static void AddSoftmaxJacobianTangent(Span<double> destination, double scale, ReadOnlySpan<double> vector, ReadOnlySpan<double> direction, ReadOnlySpan<double> u)
    {
        RequireSameLength(vector.Length, destination.Length, "v", "destination");
        RequireSameLength(vector.Length, direction.Length, "v", "direction");
        RequireSameLength(vector.Length, u.Length, "v", "u");
        if (scale == 0.0)
        {
            return;
        }

        double shift = Dsl.LogSumExp(vector);
        double pw = 0.0, pu = 0.0;
        for (int i = 0; i < vector.Length; i++)
        {
            double p = Math.Exp(vector[i] - shift);
            pw += p * direction[i];
            pu += p * u[i];
        }

        double qu = 0.0;
        for (int i = 0; i < vector.Length; i++)
        {
            double p = Math.Exp(vector[i] - shift);
            qu += p * (direction[i] - pw) * u[i];
        }

        for (int i = 0; i < vector.Length; i++)
        {
            double p = Math.Exp(vector[i] - shift);
            double q = p * (direction[i] - pw);
            destination[i] += scale * ((q * u[i]) - (q * pu) - (p * qu));
        }
    }

    /// <summary>softmax(v)ᵀ u (the inner product a scale's adjoint needs).</summary>
    public static double SoftmaxDot(ReadOnlySpan<double> vector, ReadOnlySpan<double> u) =>
        ExpShiftedDot(vector, Dsl.LogSumExp(vector), u);
}
