using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// <see cref="SolverOptions.RecordX"/>: every solver's history keeps what the caller's projection returns at the end of each
/// iteration, so that hyperparameter paths can be plotted; nothing by default; the caller's exceptions propagate unchanged.
/// </summary>
public sealed class HistoryXTests(ITestOutputHelper output)
{
    public static TheoryData<string> AllSolvers() => DriverTests.AllSolvers();

    private static IBilevelKernels Model(string name) => name is "sgm" or "igfm" ? new DriverBoxToy() : new DriverToy();

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void EveryRecordKeepsXAndTheLastIsTheResultsX(string name)
    {
        BilevelResult r = DriverTests.Create(name, recordX: XProjections.All).Solve(Model(name), [0.0], [0.0, 0.0]);
        output.WriteLine($"{name}: {r.Status} after {r.Iterations} iterations, x = {r.X[0]}; path {string.Join(", ", r.History.Take(5).Select(h => h.X?[0]))} ...");
        Assert.NotEmpty(r.History);
        Assert.All(r.History, h => Assert.True(h.X is { Count: 1 } && double.IsFinite(h.X[0])));
        Assert.Equal(r.X[0], r.History[^1].X![0]);

        // The path moves: x0 = 0 and x* = 1.5, so the first and last records differ unless the run stopped at once
        // (SGM keeps x = x0: it solves the lower level's optimistic selection at fixed x).
        if (r.History.Count > 2 && name != "sgm")
        {
            Assert.NotEqual(r.History[0].X![0], r.History[^1].X![0]);
        }
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void NothingIsKeptByDefault(string name)
    {
        BilevelResult r = DriverTests.Create(name).Solve(Model(name), [0.0], [0.0, 0.0]);
        Assert.NotEmpty(r.History);
        Assert.All(r.History, h => Assert.Null(h.X));
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void AnExceptionFromTheProjectionPropagatesUnchanged(string name)
    {
        var thrown = new InvalidTimeZoneException("the caller's projection failed");
        XProjection failing = _ => throw thrown;
        InvalidTimeZoneException caught = Assert.Throws<InvalidTimeZoneException>(() => DriverTests.Create(name, recordX: failing).Solve(Model(name), [0.0], [0.0, 0.0]));
        Assert.Same(thrown, caught);
    }

    [Fact]
    public void EntriesKeepTheChosenCoordinatesInOrder()
    {
        var model = new ProjectionToy();
        var options = new AidCgOptions { MaxIterations = 5, RecordX = XProjections.Entries(2, 0) };
        BilevelResult r = new AidCgSolver(options).Solve(model, [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]);
        BilevelResult all = new AidCgSolver(options with { RecordX = XProjections.All }).Solve(model, [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]);
        Assert.Equal(5, r.History.Count);
        for (int k = 0; k < r.History.Count; k++)
        {
            Assert.Equal([all.History[k].X![2], all.History[k].X![0]], r.History[k].X!);
        }

        Assert.NotEqual(r.History[0].X![0], r.History[0].X![1]); // the coordinates move at different rates, so the order shows
    }

    [Fact]
    public void AProjectionThatReturnsNullIsTheCallersError()
    {
        var options = new AidCgOptions { RecordX = _ => null! };
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => new AidCgSolver(options).Solve(new DriverToy(), [0.0], [0.0, 0.0]));
        Assert.Contains("RecordX returned null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntriesRejectANegativeIndex() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => XProjections.Entries(0, -1));
}

/// <summary>F = sum_i (y_i - (i + 1))^2, f = 1/2 ||y - x||^2 (three entries each): x moves towards (1, 2, 3) at different rates.</summary>
[BilevelModel]
public partial class ProjectionToy
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((y[0] - 1.0) * (y[0] - 1.0)) + ((y[1] - 2.0) * (y[1] - 2.0)) + ((y[2] - 3.0) * (y[2] - 3.0));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        0.5 * (((y[0] - x[0]) * (y[0] - x[0])) + ((y[1] - x[1]) * (y[1] - x[1])) + ((y[2] - x[2]) * (y[2] - x[2])));
}
