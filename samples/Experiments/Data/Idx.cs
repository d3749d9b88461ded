using System.Buffers.Binary;
using System.IO.Compression;
using BilevelDsl.Experiments.Cli;

namespace BilevelDsl.Experiments.Data;

/// <summary>
/// Reader for the IDX format of MNIST-style data sets (optionally gzipped): a big-endian header with the magic number
/// 0x00 0x00 type rank, then one big-endian 32-bit size per dimension, then the unsigned bytes row after row.
/// </summary>
public static class Idx
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an IDX file of unsigned bytes; returns its dimensions and its bytes.</summary>
    /// <exception cref="ExperimentException">The file is missing, truncated or not an unsigned-byte IDX file.</exception>
    public static (int[] Dimensions, byte[] Values) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ExperimentException($"data file {path} not found");
        }

        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, path);
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != UnsignedByte || magic[3] is 0 or > 4)
        {
            throw new ExperimentException($"{path} is not an unsigned-byte IDX file (magic {Convert.ToHexString(magic)})");
        }

        int rank = magic[3];
        int[] dimensions = new int[rank];
        long count = 1;
        Span<byte> size = stackalloc byte[4];
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(stream, size, path);
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(size);
            if (dimensions[i] < 0)
            {
                throw new ExperimentException($"{path}: dimension {i} is negative ({dimensions[i]})");
            }

            count *= dimensions[i];
        }

        if (count > Array.MaxLength)
        {
            throw new ExperimentException($"{path}: {count} values are too many for one array");
        }

        byte[] values = new byte[count];
        ReadExactly(stream, values, path);
        return (dimensions, values);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new ExperimentException($"{path} is truncated");
        }
        catch (InvalidDataException e)
        {
            throw new ExperimentException($"{path} is not valid gzip data ({e.Message})");
        }
    }
}
