using System.ComponentModel;

namespace BilevelDsl.Kernels;

/// <summary>
/// Scratch memory for generated derivative kernels: the computed vectors of a body, their adjoints and
/// tangents, and the per-iteration values that reverse mode stores instead of recomputing. One arena per
/// thread (so one model instance can be used from many threads at once), used as a stack: a kernel takes
/// spans after <see cref="Mark"/> and gives them all back with <see cref="Release"/>. The arena keeps its
/// chunks, so a kernel called again with the same sizes allocates nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class KernelWorkspace
{
    private const int MinimumChunk = 4096;

    [ThreadStatic]
    private static KernelWorkspace? current;

    private readonly List<double[]> _chunks = [];
    private int _chunk;
    private int _offset;

    private KernelWorkspace()
    {
    }

    /// <summary>This thread's workspace.</summary>
    public static KernelWorkspace Current => current ??= new KernelWorkspace();

    /// <summary>The current top of the stack, to hand to <see cref="Release"/>.</summary>
    public long Mark => ((long)_chunk << 32) | (uint)_offset;

    /// <summary>Gives back every span taken since <paramref name="mark"/>.</summary>
    public void Release(long mark)
    {
        _chunk = (int)(mark >> 32);
        _offset = (int)(mark & 0xFFFFFFFF);
    }

    /// <summary>A zeroed span of <paramref name="length"/> doubles, valid until the matching <see cref="Release"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public Span<double> Take(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        while (true)
        {
            if (_chunk < _chunks.Count)
            {
                double[] chunk = _chunks[_chunk];
                if (chunk.Length - _offset >= length)
                {
                    Span<double> span = chunk.AsSpan(_offset, length);
                    _offset += length;
                    span.Clear();
                    return span;
                }

                if (_chunk + 1 < _chunks.Count && _chunks[_chunk + 1].Length >= length)
                {
                    _chunk++;
                    _offset = 0;
                    continue;
                }

                // The next chunk is too small (or missing): put a large enough one there; later chunks are
                // dropped, so the arena converges to one chunk per distinct size pattern.
                int last = _chunks.Count == 0 ? 0 : _chunks[^1].Length;
                _chunks.RemoveRange(_chunk + 1, _chunks.Count - _chunk - 1);
                _chunks.Add(new double[Math.Max(Math.Max(length, MinimumChunk), 2 * last)]);
                _chunk++;
                _offset = 0;
                continue;
            }

            _chunks.Add(new double[Math.Max(length, MinimumChunk)]);
            _chunk = _chunks.Count - 1;
            _offset = 0;
        }
    }
}
