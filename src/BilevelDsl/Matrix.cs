namespace BilevelDsl;

/// <summary>
/// A dense, row-major, read-only matrix used as model data (for example a design matrix in an objective).
/// </summary>
/// <remarks>
/// The matrix is a view over the array passed to the constructor; it does not copy it, so that large data
/// sets are not duplicated. Callers must not mutate that array while the matrix is in use. The generator
/// treats matrices as constants: objectives are never differentiated with respect to their entries.
/// </remarks>
public sealed class Matrix
{
    private readonly double[] _data;

    /// <summary>Creates a <paramref name="rows"/> x <paramref name="columns"/> view over <paramref name="data"/> (row-major).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">A size is negative, or <c>data.Length != rows * columns</c>.</exception>
    public Matrix(int rows, int columns, double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0)
        {
            throw new ArgumentException($"rows must be non-negative but is {rows}.", nameof(rows));
        }

        if (columns < 0)
        {
            throw new ArgumentException($"columns must be non-negative but is {columns}.", nameof(columns));
        }

        if ((long)rows * columns != data.Length)
        {
            throw new ArgumentException(
                $"data has length {data.Length} but a {rows} x {columns} matrix needs {(long)rows * columns} entries.",
                nameof(data));
        }

        Rows = rows;
        Columns = columns;
        _data = data;
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns.</summary>
    public int Columns { get; }

    /// <summary>The entry in row <paramref name="i"/>, column <paramref name="j"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the matrix.</exception>
    public double this[int i, int j]
    {
        get
        {
            // Not View[i, j]: that is four calls per entry where the JIT does not optimise (a Debug build, as the tests
            // run; a CCCP-BO test reading a[i, j] in its loops took twice as long) and 8.3 us instead of 4.8 us for a
            // 64 x 64 quadratic form in a Release build (MatrixIndexerBenchmarks).
            if ((uint)i >= (uint)Rows || (uint)j >= (uint)Columns)
            {
                MatrixView.ThrowIndexOutOfRange(i, j, Rows, Columns);
            }

            return _data[(i * Columns) + j];
        }
    }

    /// <summary>Row <paramref name="i"/> as a span of length <see cref="Columns"/> (no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is outside [0, Rows).</exception>
    public ReadOnlySpan<double> Row(int i) => View.Row(i);

    /// <summary>This matrix as a view (no copy; the sizes were checked by the constructor).</summary>
    internal MatrixView View => MatrixView.OfCheckedSizes(_data, Rows, Columns);

    /// <summary>All entries, row after row (no copy).</summary>
    public ReadOnlySpan<double> AsSpan() => _data;

    /// <summary>Builds a matrix from an array of equally long rows, copying the entries.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rows"/> or one of its rows is null.</exception>
    /// <exception cref="ArgumentException">The rows do not all have the same length.</exception>
    public static Matrix FromRows(double[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0)
        {
            return new Matrix(0, 0, []);
        }

        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] is null)
            {
                throw new ArgumentNullException(nameof(rows), $"Row {i} is null.");
            }
        }

        int columns = rows[0].Length;
        double[] data = new double[checked(rows.Length * columns)];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != columns)
            {
                throw new ArgumentException(
                    $"Row {i} has length {rows[i].Length} but row 0 has length {columns}; rows must be equally long.",
                    nameof(rows));
            }

            rows[i].AsSpan().CopyTo(data.AsSpan(i * columns, columns));
        }

        return new Matrix(rows.Length, columns, data);
    }
}
