using BilevelDsl.Solvers;
using Xunit;

namespace BilevelDsl.Tests.Solvers;

/// <summary>Models for the solvers' use of the compile-time convexity verdict (issue 13 §1).</summary>
[BilevelModel]
public partial class ConvexQuadraticForm(Matrix Q)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(x) + Dsl.SquaredNorm(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Span<double> v = stackalloc double[y.Length];
        Dsl.MatVec(Q, y, v);
        return (0.5 * Dsl.Dot(y, v)) - Dsl.Dot(x, y);
    }
}

/// <summary>f = -y^2 + x y: provably nonconvex in y.</summary>
[BilevelModel]
public partial class ConcaveLower
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (x * y) - (y * y);
}

/// <summary>f = (y - x)^2 + sin(y) / 4: strongly convex (f'' >= 2 - 1/4), but the rules cannot prove it.</summary>
[BilevelModel]
public partial class UnprovenLower
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => ((y - x) * (y - x)) + (0.25 * Math.Sin(y));
}

/// <summary>f = (y - x)^2: proven strongly convex.</summary>
[BilevelModel]
public partial class ProvenLower
{
    [UpperLevel]
    public double Upper(double x, double y) => ((x - 1) * (x - 1)) + (y * y);

    [LowerLevel]
    public double Lower(double x, double y) => (y - x) * (y - x);
}

public sealed class ConvexityUseTests
{
    private static readonly Matrix Psd = Matrix.FromRows([[2.0, 1.0], [1.0, 2.0]]);
    private static readonly Matrix Indefinite = Matrix.FromRows([[1.0, 3.0], [3.0, 1.0]]);

    [Fact]
    public void QuadraticFormVerdictIsDecidedOnTheData()
    {
        LowerConvexity compiled = ((IBilevelKernels)new ConvexQuadraticForm(Psd)).Info.Lower.Convexity;
        Assert.Equal(ConvexityVerdict.Convex, compiled.Verdict);
        Assert.Single(compiled.Conditions);
        Assert.False(compiled.IsProven);

        LowerConvexity psd = compiled.Resolve();
        Assert.True(psd.IsProven, psd.Describe());
        Assert.Contains("'Q' positive semidefinite", psd.Reason, StringComparison.Ordinal);

        LowerConvexity indefinite = ((IBilevelKernels)new ConvexQuadraticForm(Indefinite)).Info.Lower.Convexity.Resolve();
        Assert.Equal(ConvexityVerdict.Unknown, indefinite.Verdict);
        Assert.Contains("negative eigenvalue", indefinite.Reason, StringComparison.Ordinal);
        Assert.Contains("ConvexityUseTests.cs(", indefinite.Location, StringComparison.Ordinal);

        LowerConvexity notSquare = ((IBilevelKernels)new ConvexQuadraticForm(Matrix.FromRows([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))).Info.Lower.Convexity.Resolve();
        Assert.Contains("not square", notSquare.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MethodsThatNeedConvexityRefuseAProvablyNonconvexLowerLevelNamingTheTerm()
    {
        IBilevelKernels model = new ConcaveLower();
        Assert.Equal(ConvexityVerdict.Nonconvex, model.Info.Lower.Convexity.Verdict);
        IBilevelSolver[] solvers = [new KktMpecSolver(), new CccpSolver(), new AidCgSolver(), new AidNeumannSolver(), new SgmSolver(new SgmOptions())];
        foreach (IBilevelSolver solver in solvers)
        {
            BilevelResult result = solver.Solve(model, [0.5], [0.5]);
            Assert.True(result.Status == SolverStatus.AssumptionViolated, $"{solver.Name}: {result.Status} {result.Message}");
            if (solver is not SgmSolver)
            {
                // SGM refuses first for its missing compact domain; the others name the concave term.
                Assert.Contains("ConvexityUseTests.cs(", result.Message, StringComparison.Ordinal);
                Assert.Contains("(x * y) - (y * y)", result.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void ResultsSayWhetherConvexityWasProven()
    {
        BilevelResult proven = new KktMpecSolver().Solve(new ProvenLower(), [0.5], [0.0]);
        Assert.Contains("strongly convex in y: proven at compile time", proven.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("probed", proven.Message, StringComparison.Ordinal);

        BilevelResult unproven = new KktMpecSolver().Solve(new UnprovenLower(), [0.5], [0.0]);
        Assert.Contains("not proven at compile time", unproven.Message, StringComparison.Ordinal);
        Assert.Contains("Math.Sin", unproven.Message, StringComparison.Ordinal);

        BilevelResult aid = new AidCgSolver().Solve(new ProvenLower(), [0.5], [0.0]);
        Assert.Contains("proven at compile time", aid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoSolverUsesTheVerdictAndSaysSo()
    {
        (IBilevelSolver nonconvex, string why) = AutoSolver.Choose(new ConcaveLower(), 1);
        Assert.IsType<BomeSolver>(nonconvex);
        Assert.Contains("provably nonconvex", why, StringComparison.Ordinal);

        (IBilevelSolver convex, string because) = AutoSolver.Choose(new ProvenLower(), 1);
        Assert.IsType<KktMpecSolver>(convex);
        Assert.Contains("proven at compile time", because, StringComparison.Ordinal);

        (_, string unknown) = AutoSolver.Choose(new UnprovenLower(), 1);
        Assert.Contains("not proven at compile time", unknown, StringComparison.Ordinal);
    }
}
