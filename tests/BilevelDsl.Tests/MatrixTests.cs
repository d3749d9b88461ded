using Xunit;

namespace BilevelDsl.Tests;

public class MatrixTests
{
    [Fact]
    public void IsARowMajorViewOverTheData()
    {
        double[] data = [1, 2, 3, 4, 5, 6];
        var m = new Matrix(2, 3, data);
        Assert.Equal(2, m.Rows);
        Assert.Equal(3, m.Columns);
        Assert.Equal(6.0, m[1, 2]);
        Assert.Equal(2.0, m[0, 1]);
        Assert.Equal([4.0, 5.0, 6.0], m.Row(1).ToArray());
        Assert.Equal(data, m.AsSpan().ToArray());

        data[4] = 50; // a view, not a copy
        Assert.Equal(50.0, m[1, 1]);
    }

    [Fact]
    public void ConstructorValidates()
    {
        Assert.Throws<ArgumentException>(() => new Matrix(2, 3, new double[5]));
        Assert.Throws<ArgumentException>(() => new Matrix(-1, 3, new double[3]));
        Assert.Throws<ArgumentException>(() => new Matrix(1, -3, new double[3]));
        Assert.Throws<ArgumentNullException>(() => new Matrix(1, 1, null!));
        var ex = Assert.Throws<ArgumentException>(() => new Matrix(2, 2, new double[3]));
        Assert.Contains("data has length 3", ex.Message);
        var empty = new Matrix(0, 4, []);
        Assert.Equal(0, empty.Rows);
        Assert.Equal(4, empty.Columns);
    }

    [Fact]
    public void IndexingOutOfRangeThrows()
    {
        var m = new Matrix(2, 2, [1, 2, 3, 4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m[2, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m[0, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m[-1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(2).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(-1).Length);
    }

    [Fact]
    public void AnIndexOutsideNamesTheIndexAndTheRangeThroughMatrixAndView()
    {
        var m = new Matrix(2, 3, [1, 2, 3, 4, 5, 6]);
        Assert.Equal(6.0, m[1, 2]);
        Assert.Equal(6.0, ((MatrixView)m)[1, 2]);
        foreach (Func<int, int, double> read in new Func<int, int, double>[] { (i, j) => m[i, j], (i, j) => ((MatrixView)m)[i, j] })
        {
            var row = Assert.Throws<ArgumentOutOfRangeException>(() => read(2, 0));
            Assert.Equal("i", row.ParamName);
            Assert.Contains("Row index must be in [0, 2)", row.Message);
            var column = Assert.Throws<ArgumentOutOfRangeException>(() => read(0, 3));
            Assert.Equal("j", column.ParamName);
            Assert.Contains("Column index must be in [0, 3)", column.Message);
            Assert.Equal("i", Assert.Throws<ArgumentOutOfRangeException>(() => read(-1, -1)).ParamName);
        }

        Assert.Equal("i", Assert.Throws<ArgumentOutOfRangeException>(() => ((MatrixView)m).Row(2).Length).ParamName);
    }

    [Fact]
    public void FromRowsCopiesAndValidates()
    {
        double[][] rows = [[1, 2], [3, 4], [5, 6]];
        Matrix m = Matrix.FromRows(rows);
        Assert.Equal(3, m.Rows);
        Assert.Equal(2, m.Columns);
        Assert.Equal(4.0, m[1, 1]);
        Assert.Equal([5.0, 6.0], m.Row(2).ToArray());
        rows[0][0] = 100;
        Assert.Equal(1.0, m[0, 0]);

        var ex = Assert.Throws<ArgumentException>(() => Matrix.FromRows([[1, 2], [3]]));
        Assert.Contains("Row 1 has length 1", ex.Message);
        Assert.Throws<ArgumentNullException>(() => Matrix.FromRows(null!));
        Assert.Throws<ArgumentNullException>(() => Matrix.FromRows([[1], null!]));
        Assert.Equal(0, Matrix.FromRows([]).Rows);
    }

    [Fact]
    public void RowAccessDoesNotAllocate()
    {
        var m = new Matrix(3, 4, Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
        double sink = 0;
        long bytes = AllocationMeter.Measure(() =>
        {
            for (int i = 0; i < m.Rows; i++)
            {
                sink += Dsl.Sum(m.Row(i)) + m[i, 1];
            }
        });
        Assert.Equal(0, bytes);
        Assert.Equal(101 * (66.0 + 15.0), sink);
    }
}
