using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;

namespace BilevelDsl.Kernels;

/// <summary>The body of a generated data loop for the rows [from, to) of chunk <c>chunk</c> (see <see cref="RowChunkFrame"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate void RowChunkBody(RowChunkFrame frame, int chunk, int from, int to);

/// <summary>
/// Multi-core data loops for generated code. A generated data loop whose iterations only share accumulators
/// (scalar sums, vectors that are only added to, and entries of a vector indexed by the row) is cut into
/// fixed chunks of <see cref="ChunkRows"/> rows; each chunk runs the whole fused loop body (forward and reverse
/// sweep) for its rows into its own accumulators, starting from zero, from its thread's
/// <see cref="KernelWorkspace"/>, then adds them to the shared ones in chunk order (<see cref="WaitTurn"/>,
/// <see cref="EndTurn"/>). The chunks and the order of every addition are the same for any thread count,
/// so results are bit-identical for 1, 2 or n threads; threads take the next chunk as they finish one.
/// With <see cref="KernelParallelism.Degree"/> 1 the caller runs every chunk itself. One frame per calling
/// thread, reused: no allocation per call once warm.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class RowChunkFrame
{
    /// <summary>Rows per chunk: eight blocks of <see cref="RowBlockKernels.BlockRows"/>. Adding a chunk's partial
    /// gradient (one pass over a few cached vectors) costs little against 256 rows of data.</summary>
    public const int ChunkRows = 8 * RowBlockKernels.BlockRows;

    /// <summary>The most spans, scalars and sums of each kind a loop may hand to its chunks.</summary>
    public const int Slots = 8;

    [ThreadStatic]
    private static RowChunkFrame? current;

    private readonly nint[] reads = new nint[Slots], writes = new nint[Slots];
    private readonly int[] readLengths = new int[Slots], writeLengths = new int[Slots];
    private readonly double[] scalars = new double[Slots], sums = new double[Slots];
    private RowChunkBody? body;
    private int from, to, chunks, next, committed, failed;
    private ExceptionDispatchInfo? error;

    private RowChunkFrame()
    {
    }

    /// <summary>This thread's frame.</summary>
    public static RowChunkFrame Current => current ??= new RowChunkFrame();

    /// <summary>Hands a loop-invariant scalar to the chunks.</summary>
    public void SetScalar(int slot, double value) => scalars[slot] = value;

    /// <summary>A scalar set by <see cref="SetScalar"/>.</summary>
    public double Scalar(int slot) => scalars[slot];

    /// <summary>Sets a scalar accumulator's value before the loop.</summary>
    public void SetSum(int slot, double value) => sums[slot] = value;

    /// <summary>A scalar accumulator's value (after <see cref="Run"/>: with every chunk's sum added in chunk order).</summary>
    public double Sum(int slot) => sums[slot];

    /// <summary>Adds a chunk's sum to an accumulator; call only between <see cref="WaitTurn"/> and <see cref="EndTurn"/>.</summary>
    public void AddSum(int slot, double value) => sums[slot] += value;

    /// <summary>Read-only span <paramref name="slot"/> of the running loop.</summary>
    public ReadOnlySpan<double> Read(int slot) => new((void*)reads[slot], readLengths[slot]);

    /// <summary>Shared span <paramref name="slot"/> of the running loop: written at the chunk's rows only, or added to in turn.</summary>
    public Span<double> Write(int slot) => new((void*)writes[slot], writeLengths[slot]);

    /// <summary>target += partial, elementwise (a chunk's accumulator into the shared one, in its turn).</summary>
    public static void AddInto(Span<double> target, ReadOnlySpan<double> partial) => TensorPrimitives.Add(target, partial, target);

    /// <summary>Runs <paramref name="loopBody"/> on every chunk of [<paramref name="start"/>, <paramref name="end"/>), on up to
    /// <see cref="KernelParallelism.Degree"/> threads; the spans stay pinned until it returns. Exceptions of a chunk
    /// are rethrown here (the first one; the chunks after it are abandoned).</summary>
    public void Run(
        RowChunkBody loopBody,
        int start,
        int end,
        ReadOnlySpan<double> read0 = default,
        ReadOnlySpan<double> read1 = default,
        ReadOnlySpan<double> read2 = default,
        ReadOnlySpan<double> read3 = default,
        ReadOnlySpan<double> read4 = default,
        ReadOnlySpan<double> read5 = default,
        ReadOnlySpan<double> read6 = default,
        ReadOnlySpan<double> read7 = default,
        Span<double> write0 = default,
        Span<double> write1 = default,
        Span<double> write2 = default,
        Span<double> write3 = default,
        Span<double> write4 = default,
        Span<double> write5 = default,
        Span<double> write6 = default,
        Span<double> write7 = default)
    {
        ArgumentNullException.ThrowIfNull(loopBody);
        if (body != null)
        {
            throw new InvalidOperationException("A chunked data loop cannot run inside another one on the same thread.");
        }

        if (end <= start)
        {
            return;
        }

        fixed (double* r0 = read0, r1 = read1, r2 = read2, r3 = read3, r4 = read4, r5 = read5, r6 = read6, r7 = read7)
        fixed (double* w0 = write0, w1 = write1, w2 = write2, w3 = write3, w4 = write4, w5 = write5, w6 = write6, w7 = write7)
        {
            Pin(reads, readLengths, 0, r0, read0.Length);
            Pin(reads, readLengths, 1, r1, read1.Length);
            Pin(reads, readLengths, 2, r2, read2.Length);
            Pin(reads, readLengths, 3, r3, read3.Length);
            Pin(reads, readLengths, 4, r4, read4.Length);
            Pin(reads, readLengths, 5, r5, read5.Length);
            Pin(reads, readLengths, 6, r6, read6.Length);
            Pin(reads, readLengths, 7, r7, read7.Length);
            Pin(writes, writeLengths, 0, w0, write0.Length);
            Pin(writes, writeLengths, 1, w1, write1.Length);
            Pin(writes, writeLengths, 2, w2, write2.Length);
            Pin(writes, writeLengths, 3, w3, write3.Length);
            Pin(writes, writeLengths, 4, w4, write4.Length);
            Pin(writes, writeLengths, 5, w5, write5.Length);
            Pin(writes, writeLengths, 6, w6, write6.Length);
            Pin(writes, writeLengths, 7, w7, write7.Length);
            body = loopBody;
            (from, to) = (start, end);
            chunks = (int)(((long)end - start + ChunkRows - 1) / ChunkRows);
            (next, committed, failed, error) = (0, 0, 0, null);
            int degree = KernelParallelism.Degree;
            int parts = degree <= 1 ? 1 : Math.Min(degree, chunks);
            try
            {
                WorkerPool.Run(&Work, default, this, parts);
            }
            finally
            {
                body = null;
                Array.Clear(reads);
                Array.Clear(writes);
            }

            error?.Throw();
        }
    }

    /// <summary>Waits until every chunk before <paramref name="chunk"/> has added its accumulators.</summary>
    public void WaitTurn(int chunk)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref committed) != chunk)
        {
            if (Volatile.Read(ref failed) != 0)
            {
                throw new ChunkAbandonedException();
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Ends <paramref name="chunk"/>'s turn: the next chunk may add its accumulators.</summary>
    public void EndTurn(int chunk) => Volatile.Write(ref committed, chunk + 1);

    private static void Pin(nint[] pointers, int[] lengths, int slot, double* pointer, int length)
    {
        pointers[slot] = (nint)pointer;
        lengths[slot] = length;
    }

    // One part: takes chunks in order until none is left. Chunk bodies never split their block kernels
    // between threads (Degree 1 while they run): the chunks are the parallelism.
    private static void Work(in RowBlockJob job, object? state, int part)
    {
        var frame = (RowChunkFrame)state!;
        int previous = KernelParallelism.Enter(1);
        try
        {
            while (Volatile.Read(ref frame.failed) == 0)
            {
                int chunk = Interlocked.Increment(ref frame.next) - 1;
                if (chunk >= frame.chunks)
                {
                    break;
                }

                int first = frame.from + (chunk * ChunkRows);
                frame.body!(frame, chunk, first, (int)Math.Min((long)first + ChunkRows, frame.to));
            }
        }
        catch (ChunkAbandonedException)
        {
            // An earlier chunk failed; its exception is the one reported.
        }
        catch (Exception e)
        {
            if (Interlocked.Exchange(ref frame.failed, 1) == 0)
            {
                frame.error = ExceptionDispatchInfo.Capture(e);
            }
        }
        finally
        {
            KernelParallelism.Restore(previous);
        }
    }

    private sealed class ChunkAbandonedException : Exception
    {
    }
}
