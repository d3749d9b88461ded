using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SecondOrder;

/// <summary>
/// Hessian-vector products of generated kernels against (a) fourth-order central differences of the generated
/// gradient and (b) closed-form Hessians; symmetry of the joint Hessian; the fused kernel against the separate ones.
/// </summary>
public class HessianVectorTests(ITestOutputHelper output)
{
    private const double DifferenceTolerance = 1e-6;
    private const double ClosedFormTolerance = 1e-10;
    private const double Step = 5e-4;

    public static TheoryData<string, Level> ClosedFormCases()
    {
        var data = new TheoryData<string, Level>();
        foreach (string name in Zoo.ClosedFormNames)
        {
            data.Add(name, Level.Upper);
            data.Add(name, Level.Lower);
        }

        return data;
    }

    public static TheoryData<string, Level> ConstructCases()
    {
        var data = new TheoryData<string, Level>();
        foreach (string name in Zoo.ConstructNames)
        {
            data.Add(name, Level.Upper);
            data.Add(name, Level.Lower);
        }

        return data;
    }

    public static TheoryData<string> AllModels() => [.. Zoo.AllNames];

    /// <summary>The three kinds of direction the interface documents: mixed, (0, vy) and (vx, 0).</summary>
    private static IEnumerable<(string Kind, double[] Vx, double[] Vy)> Directions(Random rng, int nx, int ny)
    {
        for (int r = 0; r < 2; r++)
        {
            yield return ("mixed", Check.Normal(rng, nx), Check.Normal(rng, ny));
            yield return ("vx=0", new double[nx], Check.Normal(rng, ny));
            yield return ("vy=0", Check.Normal(rng, nx), new double[ny]);
        }
    }

    /// <summary>||a - b|| / max(||a||, ||b||) with a small absolute floor for blocks that are exactly zero.</summary>
    private static double BlockError(double[] a, double[] b, double scale) => Check.RelativeError(a, b, floor: 1e-6 * Math.Max(scale, 1.0));

    /// <summary>Compares HVP with a reference, as a whole and block by block (x part and y part separately).</summary>
    private static double Compare(double[] hvp, double[] reference, int nx, double tolerance, string what)
    {
        double scale = Check.Norm(reference);
        double whole = BlockError(hvp, reference, scale);
        double blockX = BlockError(hvp[..nx], reference[..nx], scale);
        double blockY = BlockError(hvp[nx..], reference[nx..], scale);
        double worst = Math.Max(whole, Math.Max(blockX, blockY));
        Assert.True(worst <= tolerance, $"{what}: relative error {worst:E2} (whole {whole:E2}, x block {blockX:E2}, y block {blockY:E2})\n  kernel    {Check.Show(hvp)}\n  reference {Check.Show(reference)}");
        return worst;
    }

    [Theory]
    [MemberData(nameof(ClosedFormCases))]
    public void HessianVectorMatchesClosedFormAndGradientDifferences(string name, Level level)
    {
        ClosedFormCase c = ClosedFormCase.ByName(name);
        Objective objective = Objective.Of(c.Model, level);
        var rng = new Random(100 + name.Length + (int)level);
        double worstClosed = 0, worstDifference = 0;
        for (int p = 0; p < 4; p++)
        {
            double[] x = Check.Normal(rng, c.Nx, 0.7), y = Check.Normal(rng, c.Ny, 0.7);
            double[,] h = c.Hessian(level, x, y);
            foreach ((string kind, double[] vx, double[] vy) in Directions(rng, c.Nx, c.Ny))
            {
                double[] hvp = objective.HessianVector(x, y, vx, vy);
                double[] exact = Check.MatVec(h, [.. vx, .. vy]);
                worstClosed = Math.Max(worstClosed, Compare(hvp, exact, c.Nx, ClosedFormTolerance, $"{name} {level} point {p} {kind} vs closed form"));
                double[] difference = objective.GradientDifference(x, y, vx, vy, Step);
                worstDifference = Math.Max(worstDifference, Compare(hvp, difference, c.Nx, DifferenceTolerance, $"{name} {level} point {p} {kind} vs gradient differences"));
            }

            // Column by column: H e_i is the i-th column of the closed form (every block entry checked).
            for (int i = 0; i < c.Nx + c.Ny; i++)
            {
                double[] e = new double[c.Nx + c.Ny];
                e[i] = 1;
                double[] column = objective.HessianVector(x, y, e);
                double[] exact = Check.MatVec(h, e);
                worstClosed = Math.Max(worstClosed, Compare(column, exact, c.Nx, ClosedFormTolerance, $"{name} {level} point {p} column {i}"));
            }
        }

        output.WriteLine($"{name} {level}: max relative error vs closed form {worstClosed:E2}, vs gradient differences {worstDifference:E2}");
    }

    [Theory]
    [MemberData(nameof(ConstructCases))]
    public void HessianVectorOfEveryConstructMatchesGradientDifferences(string name, Level level)
    {
        ZooEntry entry = Zoo.Get(name);
        var rng = new Random(200 + name.Length + (int)level);

        // The exact kernels away from kinks, and the smoothed view (smooth everywhere) at the same points.
        foreach ((string label, IBilevelKernels model) in new[] { ("exact", entry.Model), ("mu = 0.1", entry.Model.WithSmoothing(0.1)) })
        {
            Objective objective = Objective.Of(model, level);
            double worst = 0, worstGradient = 0;
            for (int p = 0; p < 12; p++)
            {
                (double[] x, double[] y) = entry.Sample(rng);
                double[] gradient = objective.Gradient(x, y);
                double[] valueDifference = objective.ValueDifference(x, y, Step / 5);
                double gradientError = Check.RelativeError(gradient, valueDifference, 1e-6);
                worstGradient = Math.Max(worstGradient, gradientError);
                Assert.True(gradientError <= 1e-8, $"{name} {level} {label} at x={Check.Show(x)} y={Check.Show(y)}: gradient {Check.Show(gradient)} vs value differences {Check.Show(valueDifference)}");
                foreach ((string kind, double[] vx, double[] vy) in Directions(rng, x.Length, y.Length))
                {
                    double[] hvp = objective.HessianVector(x, y, vx, vy);
                    double[] difference = objective.GradientDifference(x, y, vx, vy, Step / 5);
                    Check.AllFinite(hvp, $"{name} {level} HVP");
                    worst = Math.Max(worst, Compare(hvp, difference, x.Length, DifferenceTolerance, $"{name} {level} {label} at x={Check.Show(x)} y={Check.Show(y)} {kind}"));
                }
            }

            output.WriteLine($"{name} {level} {label}: max relative error HVP vs gradient differences {worst:E2}, gradient vs value differences {worstGradient:E2}");
        }
    }

    /// <summary>The early-return branch of SpanZoo.Lower (x0 &gt; 10 returns ||y||^2: Hessian 2 I in y, 0 elsewhere).</summary>
    [Fact]
    public void EarlyReturnBranchHasItsOwnHessian()
    {
        IBilevelKernels model = Zoo.Get("span").Model;
        var rng = new Random(5);
        double[] x = [11.0, 0.3, -0.2], y = Check.Normal(rng, 5);
        double[] vx = Check.Normal(rng, 3), vy = Check.Normal(rng, 5);
        double[] hvp = Objective.Of(model, Level.Lower).HessianVector(x, y, vx, vy);
        Assert.Equal(new double[3], hvp[..3]);
        Assert.Equal(vy.Select(v => 2 * v).ToArray(), hvp[3..]);
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void JointHessianIsSymmetric(string name)
    {
        ZooEntry entry = Zoo.Get(name);
        var rng = new Random(300 + name.Length);
        IBilevelKernels smoothed = entry.Model.WithSmoothing(0.1);
        var objectives = new List<Objective>
        {
            Objective.Of(entry.Model, Level.Upper), Objective.Of(entry.Model, Level.Lower),
            Objective.Of(smoothed, Level.Upper), Objective.Of(smoothed, Level.Lower),
        };
        for (int j = 0; j < entry.Model.LowerConstraintCount; j++)
        {
            objectives.Add(Objective.Constraint(entry.Model, j));
        }

        double worst = 0;
        foreach (Objective objective in objectives)
        {
            for (int p = 0; p < 6; p++)
            {
                (double[] x, double[] y) = entry.Sample(rng);
                int n = x.Length + y.Length;
                for (int r = 0; r < 4; r++)
                {
                    double[] u = Check.Normal(rng, n), v = Check.Normal(rng, n);
                    double uHv = Check.Dot(u, objective.HessianVector(x, y, v));
                    double vHu = Check.Dot(v, objective.HessianVector(x, y, u));
                    double scale = Math.Max(Math.Abs(uHv), Math.Abs(vHu));
                    double error = scale == 0 ? 0 : Math.Abs(uHv - vHu) / scale;
                    worst = Math.Max(worst, error);
                    Assert.True(error <= 1e-10, $"{name} {objective.Name}: u.Hv = {uHv:R}, v.Hu = {vHu:R}, relative difference {error:E2}");
                }
            }
        }

        output.WriteLine($"{name}: max relative asymmetry {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void FusedKernelEqualsSeparateKernels(string name)
    {
        ZooEntry entry = Zoo.Get(name);
        var rng = new Random(400 + name.Length);
        foreach (IBilevelKernels model in new[] { entry.Model, entry.Model.WithSmoothing(0.05) })
        {
            for (int p = 0; p < 5; p++)
            {
                (double[] x, double[] y) = entry.Sample(rng);
                double[] vx = Check.Normal(rng, x.Length), vy = Check.Normal(rng, y.Length);
                foreach (Level level in new[] { Level.Upper, Level.Lower })
                {
                    double[] gx = Enumerable.Repeat(7.0, x.Length).ToArray(), gy = Enumerable.Repeat(7.0, y.Length).ToArray();
                    double[] hx = Enumerable.Repeat(-7.0, x.Length).ToArray(), hy = Enumerable.Repeat(-7.0, y.Length).ToArray();
                    double fused = level == Level.Upper
                        ? model.UpperValueGradientHessianVector(x, y, vx, vy, gx, gy, hx, hy)
                        : model.LowerValueGradientHessianVector(x, y, vx, vy, gx, gy, hx, hy);
                    Objective objective = Objective.Of(model, level);
                    double value = objective.Value(x, y);
                    double gradientValue = objective.GradientAndValue(x, y, out double[] gradient);
                    double[] hvp = objective.HessianVector(x, y, vx, vy);
                    string what = $"{name} {level} (mu = {(ReferenceEquals(model, entry.Model) ? "exact" : "0.05")}) point {p}";
                    Assert.True(Math.Abs(fused - value) <= 1e-12 * Math.Max(1, Math.Abs(value)), $"{what}: fused value {fused:R}, value {value:R}");
                    Assert.True(Math.Abs(gradientValue - value) <= 1e-12 * Math.Max(1, Math.Abs(value)), $"{what}: gradient kernel returns {gradientValue:R}, value {value:R}");
                    Assert.True(Check.RelativeError([.. gx, .. gy], gradient, 1e-300) <= 1e-12, $"{what}: fused gradient {Check.Show([.. gx, .. gy])} vs {Check.Show(gradient)}");
                    Assert.True(Check.RelativeError([.. hx, .. hy], hvp, 1e-300) <= 1e-12, $"{what}: fused HVP {Check.Show([.. hx, .. hy])} vs {Check.Show(hvp)}");
                }
            }
        }
    }

    /// <summary>HVP kernels overwrite their outputs and check span lengths like the gradient kernels.</summary>
    [Fact]
    public void HessianVectorKernelsOverwriteAndCheckLengths()
    {
        IBilevelKernels model = Zoo.Get("ridge").Model;
        double[] x = [0.2], y = [0.1, -0.3, 0.5, 0.7];
        double[] vx = [0.4], vy = [1, 2, 3, 4];
        double[] hx1 = [0.0], hy1 = new double[4];
        double[] hx2 = [123.0], hy2 = [5, 6, 7, 8];
        model.LowerHessianVector(x, y, vx, vy, hx1, hy1);
        model.LowerHessianVector(x, y, vx, vy, hx2, hy2);
        Assert.Equal(hx1, hx2);
        Assert.Equal(hy1, hy2);
        Assert.Throws<ArgumentException>(() => model.LowerHessianVector(x, y, vx, [1, 2, 3], new double[1], new double[4]));
        Assert.Throws<ArgumentException>(() => model.LowerHessianVector(x, y, vx, vy, new double[2], new double[4]));
        Assert.Throws<ArgumentException>(() => model.UpperHessianVector(x, y, vx, vy, new double[1], new double[3]));
        Assert.Throws<ArgumentException>(() => model.UpperValueGradientHessianVector(x, y, vx, vy, new double[1], new double[3], new double[1], new double[4]));
        IBilevelKernels scalar = new ScalarMathZoo();
        Assert.Throws<ArgumentException>(() => scalar.UpperHessianVector([0.1], [0.2], [1.0, 2.0], [1.0], new double[1], new double[1]));
    }
}
