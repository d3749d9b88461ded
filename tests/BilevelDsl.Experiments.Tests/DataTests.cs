using System.IO.Compression;
using BilevelDsl.Experiments.Cli;
using BilevelDsl.Experiments.Data;
using Xunit;

namespace BilevelDsl.Experiments.Tests;

public sealed class DataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bilevel-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteGz(string name, byte[] content)
    {
        string path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(content);
        return path;
    }

    private static byte[] IdxImages(int count, int side, Func<int, int, byte> pixel)
    {
        var bytes = new List<byte> { 0, 0, 8, 3 };
        foreach (int dim in new[] { count, side, side })
        {
            bytes.AddRange(BitConverter.GetBytes(dim).Reverse());
        }

        for (int n = 0; n < count; n++)
        {
            for (int p = 0; p < side * side; p++)
            {
                bytes.Add(pixel(n, p));
            }
        }

        return bytes.ToArray();
    }

    [Fact]
    public void IdxReadsBigEndianDimensionsAndBytes()
    {
        string path = WriteGz("x-idx3-ubyte.gz", IdxImages(3, 2, (n, p) => (byte)((10 * n) + p)));
        (int[] dims, byte[] values) = Idx.Read(path);
        Assert.Equal([3, 2, 2], dims);
        Assert.Equal(12, values.Length);
        Assert.Equal(23, values[11]); // image 2, pixel 3
    }

    [Fact]
    public void IdxRejectsTruncatedAndForeignFiles()
    {
        byte[] full = IdxImages(2, 2, (_, _) => 1);
        Assert.Contains("truncated", Assert.Throws<ExperimentException>(() => Idx.Read(WriteGz("short.gz", full[..^3]))).Message);
        Assert.Contains("not an unsigned-byte IDX", Assert.Throws<ExperimentException>(() => Idx.Read(WriteGz("float.gz", [0, 0, 0x0D, 1, 0, 0, 0, 0]))).Message);
    }

    [Fact]
    public void FashionMnistScalesPoolsAndNamesThePackageWhenMissing()
    {
        // 28x28 images whose pixel value is 255 in the top-left 14x14 quarter only; labels 0 and 9.
        byte[] images = IdxImages(2, 28, (_, p) => p / 28 < 14 && p % 28 < 14 ? (byte)255 : (byte)0);
        WriteGz("train-images-idx3-ubyte.gz", images);
        WriteGz("train-labels-idx1-ubyte.gz", [0, 0, 8, 1, 0, 0, 0, 2, 0, 9]);
        LabelledData full = FashionMnist.Load(trainingPart: true, pool: 1, directory: _dir);
        Assert.Equal(784, full.Columns);
        Assert.Equal(2, full.Rows);
        Assert.Equal(1.0, full.Features[0]);
        Assert.Equal(0.0, full.Features[783]);
        Assert.Equal([0, 9], full.Labels!);
        Assert.Throws<ExperimentException>(() => FashionMnist.Load(trainingPart: true, pool: 14, directory: _dir));
        LabelledData pooled = FashionMnist.Load(trainingPart: true, pool: 7, directory: _dir);
        Assert.Equal(16, pooled.Columns);
        Assert.Equal(1.0, pooled.Features[0], 12); // block (0, 0): rows and columns 0-6, bright
        Assert.Equal(1.0, pooled.Features[1], 12); // block (0, 1): columns 7-13, bright
        Assert.Equal(0.0, pooled.Features[2], 12); // block (0, 2): columns 14-20, dark
        Assert.Equal(0.0, pooled.Features[15], 12);
        var missing = Assert.Throws<ExperimentException>(() => FashionMnist.Load(trainingPart: false, directory: _dir));
        Assert.Contains("dataset-fashion-mnist", missing.Message);
    }

    [Fact]
    public void TabularLoaderReadsCsvWithHeaderWhitespaceWithTargetFileAndLibSvm()
    {
        string csv = Path.Combine(_dir, "a.csv");
        File.WriteAllText(csv, "f1,f2,y\n1,2,3\n4,5,6\n");
        LabelledData a = TabularLoader.Load(csv, null);
        Assert.Equal(2, a.Columns);
        Assert.Equal([1.0, 2, 4, 5], a.Features);
        Assert.Equal([3.0, 6], a.Targets!);

        string spaces = WriteGz("x.txt.gz", "1 2\n3 4\n"u8.ToArray());
        string target = Path.Combine(_dir, "t.txt");
        File.WriteAllText(target, "7\n8\n");
        LabelledData b = TabularLoader.Load(spaces, target);
        Assert.Equal(2, b.Columns);
        Assert.Equal([7.0, 8], b.Targets!);

        string libsvm = Path.Combine(_dir, "l.svm");
        File.WriteAllText(libsvm, "15 1:0.5 3:-1\n7 2:2\n");
        LabelledData c = TabularLoader.Load(libsvm, null);
        Assert.Equal(3, c.Columns);
        Assert.Equal([0.5, 0, -1, 0, 2, 0], c.Features);
        Assert.Equal([15.0, 7], c.Targets!);

        File.WriteAllText(csv, "1,2\n3,x\n");
        Assert.Contains("line 2", Assert.Throws<ExperimentException>(() => TabularLoader.Load(csv, null)).Message);
    }

    [Fact]
    public void StandardizeGivesZeroMeanUnitVarianceAndKeepsConstantColumnsZero()
    {
        var data = new LabelledData([1, 5, 2, 5, 3, 5], 2, null, [10, 20, 30]);
        LabelledData s = TabularLoader.Standardize(data);
        double[] first = [s.Features[0], s.Features[2], s.Features[4]];
        Assert.Equal(0.0, first.Average(), 12);
        Assert.Equal(1.0, first.Average(v => v * v), 12);
        Assert.Equal([0.0, 0, 0], [s.Features[1], s.Features[3], s.Features[5]]);
        Assert.Equal(0.0, s.Targets!.Average(), 12);
    }

    [Fact]
    public void SplitsAreDisjointSeededAndCorruptionIsExact()
    {
        int[][] parts = Splits.DisjointIndices(100, new Random(3), 40, 30, 20);
        Assert.Equal(90, parts.SelectMany(p => p).Distinct().Count());
        Assert.Equal(parts[0], Splits.DisjointIndices(100, new Random(3), 40, 30, 20)[0]);
        Assert.Throws<ExperimentException>(() => Splits.DisjointIndices(10, new Random(1), 6, 5));

        int[] labels = Enumerable.Range(0, 1000).Select(i => i % 10).ToArray();
        (int[] noisy, bool[] clean) = Splits.Corrupt(labels, 10, 0.5, new Random(1), exact: true);
        Assert.Equal(500, clean.Count(c => !c));
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(clean[i], noisy[i] == labels[i]); // a corrupted label is always a different class
            Assert.InRange(noisy[i], 0, 9);
        }
    }
}
