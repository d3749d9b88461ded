using BilevelDsl.Kernels;
using BilevelDsl.Tests.SecondOrder;
using Xunit;

namespace BilevelDsl.Tests.VectorModels;

/// <summary>
/// The row-blocked data-sum kernels (RowBlockKernels) against plain per-row sums; bit-identical results for every
/// thread count, directly and through generated kernels (<see cref="ParallelKernels.WithParallelism"/>); no
/// allocation once warm. Exactness of the blocked generated kernels against finite differences and the hand-written
/// gradient is checked by <see cref="VectorModelDerivativeTests"/> (its models are blocked too).
/// </summary>
public sealed class RowBlockKernelTests
{
    [Theory]
    [InlineData(7, 13, 3, 14)]
    [InlineData(10, 784, 0, 32)]
    [InlineData(4, 8, 5, 6)]
    [InlineData(1, 3, 0, 1)]
    public void MultiplyRowsMakesEveryRowsProduct(int classes, int columns, int start, int end)
    {
        var rng = new Random(classes * columns);
        Matrix data = Check.RandomMatrix(rng, end + 2, columns);
        double[] m = Check.Normal(rng, classes * columns);
        double[] products = new double[RowBlockKernels.BlockRows * classes];
        RowBlockKernels.MultiplyRows(products, new MatrixView(m, classes, columns), data, start, end);
        for (int r = start; r < end; r++)
        {
            for (int c = 0; c < classes; c++)
            {
                double expected = 0, scale = 0;
                for (int j = 0; j < columns; j++)
                {
                    expected += m[(c * columns) + j] * data[r, j];
                    scale += Math.Abs(m[(c * columns) + j] * data[r, j]);
                }

                Assert.True(Math.Abs(products[((r - start) * classes) + c] - expected) <= 1e-14 * scale, $"row {r}, class {c}");
            }
        }

        Assert.All(products.Skip((end - start) * classes), p => Assert.Equal(0.0, p));
    }

    [Theory]
    [InlineData(7, 13, 3, 14)]
    [InlineData(10, 784, 0, 32)]
    [InlineData(5, 9, 2, 3)]
    public void AddOuterRowsAddsTheBlocksOuterProductsAndClearsItsBuffer(int classes, int columns, int start, int end)
    {
        var rng = new Random(classes + columns);
        Matrix data = Check.RandomMatrix(rng, end + 1, columns);
        double[] adjoints = Check.Normal(rng, RowBlockKernels.BlockRows * classes);
        double[] initial = Check.Normal(rng, classes * columns);
        double[] target = (double[])initial.Clone();
        double[] copy = (double[])adjoints.Clone();
        RowBlockKernels.AddOuterRows(target, classes, columns, adjoints, data, start, end);
        for (int c = 0; c < classes; c++)
        {
            for (int j = 0; j < columns; j++)
            {
                double expected = initial[(c * columns) + j], scale = Math.Abs(expected);
                for (int r = start; r < end; r++)
                {
                    expected += copy[((r - start) * classes) + c] * data[r, j];
                    scale += Math.Abs(copy[((r - start) * classes) + c] * data[r, j]);
                }

                Assert.True(Math.Abs(target[(c * columns) + j] - expected) <= 1e-14 * scale, $"class {c}, column {j}");
            }
        }

        Assert.All(adjoints.Take((end - start) * classes), a => Assert.Equal(0.0, a));
        Assert.Equal(copy.Skip((end - start) * classes), adjoints.Skip((end - start) * classes));
    }

    [Fact]
    public void BlockKernelsAreBitIdenticalForEveryThreadCount()
    {
        const int classes = 10, columns = 203, rows = 30;
        var rng = new Random(11);
        Matrix data = Check.RandomMatrix(rng, rows + 5, columns);
        double[] m = Check.Normal(rng, classes * columns), adjoints = Check.Normal(rng, RowBlockKernels.BlockRows * classes);
        double[] initial = Check.Normal(rng, classes * columns);
        double[]? products1 = null, target1 = null;
        foreach (int threads in new[] { 1, 2, 3, 4, 7, 1 })
        {
            int previous = KernelParallelism.Enter(threads);
            try
            {
                double[] products = new double[RowBlockKernels.BlockRows * classes], target = (double[])initial.Clone();
                RowBlockKernels.MultiplyRows(products, new MatrixView(m, classes, columns), data, 5, 5 + rows);
                RowBlockKernels.AddOuterRows(target, classes, columns, (double[])adjoints.Clone(), data, 5, 5 + rows);
                products1 ??= products;
                target1 ??= target;
                Assert.Equal(products1, products);
                Assert.Equal(target1, target);
            }
            finally
            {
                KernelParallelism.Restore(previous);
            }
        }
    }

    private static (HyperCleaning Model, double[] X, double[] Y, Matrix A, int[] Labels) LargerHyperCleaning()
    {
        var rng = new Random(2026);
        const int n = 150, d = 101, classes = 10;
        Matrix a = Check.RandomMatrix(rng, n, d);
        int[] labels = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray();
        Matrix v = Check.RandomMatrix(rng, 4, d);
        return (new HyperCleaning(a, labels, v, [0, 1, 2, 3], classes), Check.Normal(rng, n), Check.Normal(rng, classes * d, 0.1), a, labels);
    }

    [Fact]
    public void GeneratedKernelsAreBitIdenticalForOneTwoAndThreeThreads()
    {
        var m = LargerHyperCleaning();
        var rng = new Random(3);
        double[] vx = Check.Normal(rng, m.X.Length), vy = Check.Normal(rng, m.Y.Length);
        double[] rx = new double[m.X.Length], ry = new double[m.Y.Length];
        double reference = HyperCleaningReference.Gradient(m.A, m.Labels, 10, m.X, m.Y, rx, ry);
        double[]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 2, 1 })
        {
            IBilevelKernels k = m.Model.WithParallelism(threads);
            double[] gx = new double[m.X.Length], gy = new double[m.Y.Length], hx = new double[m.X.Length], hy = new double[m.Y.Length];
            double[] fx = new double[m.X.Length], fy = new double[m.Y.Length], fhx = new double[m.X.Length], fhy = new double[m.Y.Length];
            double value = k.LowerGradient(m.X, m.Y, gx, gy);
            k.LowerHessianVector(m.X, m.Y, vx, vy, hx, hy);
            double fused = k.LowerValueGradientHessianVector(m.X, m.Y, vx, vy, fx, fy, fhx, fhy);
            double[] all = [value, fused, .. gx, .. gy, .. hx, .. hy, .. fx, .. fy, .. fhx, .. fhy];
            first ??= all;
            Assert.Equal(first, all);
            Assert.Equal(reference, value, 1e-12);
            Assert.True(Check.RelativeError([.. gx, .. gy], [.. rx, .. ry]) < 1e-10, $"{threads} threads: gradient off the hand-written one by {Check.RelativeError([.. gx, .. gy], [.. rx, .. ry])}");
        }
    }

    [Fact]
    public void ParallelKernelsAllocateNothingOnceWarm()
    {
        var m = LargerHyperCleaning();
        IBilevelKernels k = m.Model.WithParallelism(2);
        double[] gx = new double[m.X.Length], gy = new double[m.Y.Length], hx = new double[m.X.Length], hy = new double[m.Y.Length];
        k.LowerGradient(m.X, m.Y, gx, gy);
        k.LowerHessianVector(m.X, m.Y, m.X, m.Y, hx, hy);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            k.LowerGradient(m.X, m.Y, gx, gy);
            k.LowerHessianVector(m.X, m.Y, m.X, m.Y, hx, hy);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WithParallelismRejectsAThreadCountOutsideOneToSixtyFour()
    {
        var m = LargerHyperCleaning();
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Model.WithParallelism(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Model.WithParallelism(65));
        Assert.Throws<ArgumentNullException>(() => ParallelKernels.WithParallelism(null!, 2));
    }
}
