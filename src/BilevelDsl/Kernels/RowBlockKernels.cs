using System.ComponentModel;

namespace BilevelDsl.Kernels;

/// <summary>
/// Row-blocked data-sum kernels for generated code. A data sum whose body starts with z_i = M x_i (M the same
/// in every row, x_i row i of a data matrix) and whose reverse sweep adds an outer product G += g_i x_iᵀ is
/// run a block of <see cref="BlockRows"/> rows at a time: <see cref="MultiplyRows"/> makes the block's
/// products, the per-row code runs on them and leaves each g_i in a block buffer, and
/// <see cref="AddOuterRows"/> adds the block's outer products while its rows are still in cache. Each data
/// row is read from memory once per call and used for every row of M, instead of once per row of M.
/// With <see cref="KernelParallelism.Degree"/> above 1, the products are split between threads by rows of
/// the block and the outer products by columns of G: the same operations compute each entry whatever the
/// split, so the results are bit-identical for every thread count.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class RowBlockKernels
{
    /// <summary>Rows per block: 32 rows of 784 doubles (200 KB) stay in a core's L2 cache between the product and the update.</summary>
    public const int BlockRows = 32;

    // Below this many multiply-adds per call, waking another thread costs more than it saves.
    private const long ParallelThreshold = 1 << 15;

    /// <summary>products[(r - start) * M.Rows + c] = (M x_r)[c] for the rows r in [start, end) of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The sizes do not match, or the block is larger than <see cref="BlockRows"/> rows of the buffer.</exception>
    public static void MultiplyRows(Span<double> products, MatrixView matrix, MatrixView data, int start, int end)
    {
        RequireBlock(products.Length, matrix.Rows, data, start, end);
        KernelSupport.RequireSameLength(matrix.Columns, data.Columns, "M.Columns", "data.Columns");
        int rows = end - start, classes = matrix.Rows, columns = matrix.Columns;
        fixed (double* z = products)
        fixed (double* m = matrix.AsSpan())
        fixed (double* x = data.AsSpan())
        {
            int parts = Parts((long)rows * classes * columns, (rows + 3) / 4);
            WorkerPool.Run(&MultiplyPart, new RowBlockJob(z, m, x, classes, columns, start, rows, parts), parts);
        }
    }

    /// <summary>G += Aᵀ X_block for the <paramref name="rows"/> x <paramref name="columns"/> matrix G stored in
    /// <paramref name="target"/>, A the (end - start) x rows matrix at the start of <paramref name="adjoints"/> and X_block
    /// rows [start, end) of <paramref name="data"/>; then clears that part of <paramref name="adjoints"/> for the next block.</summary>
    /// <exception cref="ArgumentException">The sizes do not match.</exception>
    public static void AddOuterRows(Span<double> target, int rows, int columns, Span<double> adjoints, MatrixView data, int start, int end)
    {
        RequireBlock(adjoints.Length, rows, data, start, end);
        KernelSupport.RequireSameLength(rows * columns, target.Length, "rows * columns", "target");
        KernelSupport.RequireSameLength(columns, data.Columns, "columns", "data.Columns");
        int blockRows = end - start;
        fixed (double* t = target)
        fixed (double* a = adjoints)
        fixed (double* x = data.AsSpan())
        {
            int parts = Parts((long)blockRows * rows * columns, (columns + 7) / 8);
            WorkerPool.Run(&UpdatePart, new RowBlockJob(a, t, x, rows, columns, start, blockRows, parts), parts);
        }

        adjoints.Slice(0, blockRows * rows).Clear();
    }

    private static void RequireBlock(int bufferLength, int width, MatrixView data, int start, int end)
    {
        if (start < 0 || end < start || end > data.Rows)
        {
            throw new ArgumentException($"The block [{start}, {end}) is not a range of the data's {data.Rows} rows.", nameof(start));
        }

        if ((long)(end - start) * width > bufferLength)
        {
            throw new ArgumentException($"A block of {end - start} rows needs {(long)(end - start) * width} entries of the block buffer, which has {bufferLength}.", nameof(end));
        }
    }

    private static int Parts(long multiplyAdds, int units)
    {
        int degree = KernelParallelism.Degree;
        return degree <= 1 || multiplyAdds < ParallelThreshold ? 1 : Math.Min(degree, units);
    }

    // Rows of the block in groups of four, split as evenly as whole groups allow.
    private static void MultiplyPart(in RowBlockJob job, int part)
    {
        (int first, int last) = Split((job.Rows + 3) / 4, job.Parts, part);
        int from = job.Start + (4 * first), to = Math.Min(job.Start + (4 * last), job.Start + job.Rows);
        RowBlockMicroKernels.MultiplyRows(job.First, job.Second, job.Classes, job.Columns, job.Data, from, to, job.Start);
    }

    // Columns of the target in groups of eight (two four-lane vectors).
    private static void UpdatePart(in RowBlockJob job, int part)
    {
        (int first, int last) = Split((job.Columns + 7) / 8, job.Parts, part);
        RowBlockMicroKernels.AddOuterRows(job.Second, job.Classes, job.Columns, job.First, job.Data, job.Start, job.Rows, 8 * first, Math.Min(8 * last, job.Columns));
    }

    private static (int First, int Last) Split(int units, int parts, int part) =>
        ((int)((long)units * part / parts), (int)((long)units * (part + 1) / parts));
}

/// <summary>One kernel call's pinned operands, handed to the worker threads (valid until the call returns).</summary>
internal readonly unsafe struct RowBlockJob(double* first, double* second, double* data, int classes, int columns, int start, int rows, int parts)
{
    public double* First { get; } = first;

    public double* Second { get; } = second;

    public double* Data { get; } = data;

    public int Classes { get; } = classes;

    public int Columns { get; } = columns;

    public int Start { get; } = start;

    public int Rows { get; } = rows;

    public int Parts { get; } = parts;
}
