namespace BilevelDsl;

/// <summary>
/// A row-major matrix view over a span (no copy): what <see cref="Dsl.Reshape"/> returns, so that a vector
/// variable can be read as a weight matrix. A data <see cref="Matrix"/> converts to a view implicitly, so every
/// matrix intrinsic takes either.
/// </summary>
public readonly ref struct MatrixView
{
    private readonly ReadOnlySpan<double> _data;

    /// <summary>Creates a <paramref name="rows"/> x <paramref name="columns"/> view of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">A size is negative, or <c>data.Length != rows * columns</c>.</exception>
    public MatrixView(ReadOnlySpan<double> data, int rows, int columns)
    {
        if (rows < 0 || columns < 0)
        {
            throw new ArgumentException($"A matrix view needs non-negative sizes, but {rows} x {columns} was asked for.", nameof(rows));
        }

        if ((long)rows * columns != data.Length)
        {
            throw new ArgumentException(
                $"A {rows} x {columns} view needs {(long)rows * columns} entries, but the span has {data.Length}.", nameof(data));
        }

        _data = data;
        Rows = rows;
        Columns = columns;
    }

    private MatrixView(int rows, int columns, ReadOnlySpan<double> data)
    {
        _data = data;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns.</summary>
    public int Columns { get; }

    /// <summary>Entry (<paramref name="i"/>, <paramref name="j"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the view.</exception>
    public double this[int i, int j]
    {
        get
        {
            if ((uint)i >= (uint)Rows || (uint)j >= (uint)Columns)
            {
                ThrowIndexOutOfRange(i, j, Rows, Columns);
            }

            return _data[(i * Columns) + j];
        }
    }

    /// <summary>Row <paramref name="i"/> (no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is outside [0, Rows).</exception>
    public ReadOnlySpan<double> Row(int i)
    {
        if ((uint)i >= (uint)Rows)
        {
            ThrowIndexOutOfRange(i, 0, Rows, Columns);
        }

        return _data.Slice(i * Columns, Columns);
    }

    /// <summary>All entries, row after row.</summary>
    public ReadOnlySpan<double> AsSpan() => _data;

    /// <summary>A data matrix as a view (no copy).</summary>
    public static implicit operator MatrixView(Matrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return matrix.View;
    }

    /// <summary>
    /// The exception of an index outside a <paramref name="rows"/> x <paramref name="columns"/> matrix, thrown here so
    /// that the indexers stay small enough to inline into a model's loops. The JIT sees that this method never returns
    /// and keeps the call off the loop's path; marking it NoInlining hides that and made both indexers 4.8 times slower
    /// than the same loop over the flat span (tests/BilevelDsl.Benchmarks, MatrixIndexerBenchmarks).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void ThrowIndexOutOfRange(int i, int j, int rows, int columns)
    {
        if ((uint)i >= (uint)rows)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"Row index must be in [0, {rows}).");
        }

        throw new ArgumentOutOfRangeException(nameof(j), j, $"Column index must be in [0, {columns}).");
    }

    /// <summary>A view of sizes already checked (by <see cref="Matrix"/>'s constructor), without checking them again.</summary>
    internal static MatrixView OfCheckedSizes(ReadOnlySpan<double> data, int rows, int columns) => new(rows, columns, data);
}
