using BilevelDsl.Tests.SecondOrder;
using Xunit;

namespace BilevelDsl.Tests.VectorModels;

/// <summary>Every new construct and both mixed signatures: gradients against differences, HVPs against
/// gradient differences and for symmetry, [Gradient] requests against the kernels, and the kernels called
/// on the model's own type.</summary>
public sealed class ConstructAndSignatureTests
{
    public static TheoryData<string, string> Objectives() => new()
    {
        { "constructs", "upper" }, { "constructs", "lower" },
        { "ridge", "upper" }, { "ridge", "lower" },
        { "reverse-mix", "upper" }, { "reverse-mix", "lower" },
    };

    private static (IBilevelKernels Model, double[] X, double[] Y) Make(string name, int seed)
    {
        var rng = new Random(seed);
        return name switch
        {
            "constructs" => (new VectorConstructs(Check.RandomMatrix(rng, 4, 6, 0.5)), Check.Normal(rng, 4), Check.Normal(rng, 6)),
            "ridge" => (new ScalarHyperparameterRidge(Check.RandomMatrix(rng, 8, 3), Check.Normal(rng, 8), Check.RandomMatrix(rng, 5, 3), Check.Normal(rng, 5)), [Check.Normal(rng, 1)[0] * 0.5], Check.Normal(rng, 3)),
            _ => (new VectorUpperScalarLower(), Check.Normal(rng, 3), [Check.Normal(rng, 1)[0]]),
        };
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void GradientsAndHessianVectorProductsAreExact(string name, string level)
    {
        for (int seed = 1; seed <= 3; seed++)
        {
            (IBilevelKernels model, double[] x, double[] y) = Make(name, seed);
            Objective f = Objective.Of(model, level == "upper" ? Level.Upper : Level.Lower);
            double value = f.GradientAndValue(x, y, out double[] g);
            Assert.Equal(f.Value(x, y), value, 12);
            double[] difference = f.ValueDifference(x, y, 1e-4);
            Assert.True(Check.RelativeError(g, difference) < 1e-7, $"{name} {level}: gradient vs differences {Check.RelativeError(g, difference)}: {Check.Show(g)} vs {Check.Show(difference)}");

            var rng = new Random(50 + seed);
            double[] u = Check.Normal(rng, x.Length + y.Length), w = Check.Normal(rng, x.Length + y.Length);
            double[] hu = f.HessianVector(x, y, u), hw = f.HessianVector(x, y, w);
            double[] gradientDifference = f.GradientDifference(x, y, u[..x.Length], u[x.Length..], 1e-4);
            Assert.True(Check.RelativeError(hu, gradientDifference) < 1e-7, $"{name} {level}: HVP vs gradient differences {Check.RelativeError(hu, gradientDifference)}");
            double a = Check.Dot(w, hu), b = Check.Dot(u, hw);
            Assert.True(Math.Abs(a - b) <= 1e-11 * Math.Max(1, Math.Abs(a)), $"{name} {level}: w'Hu = {a}, u'Hw = {b}");
        }
    }

    [Fact]
    public void GradientRequestsWithMixedSignaturesMatchTheKernels()
    {
        (IBilevelKernels model, double[] x, double[] y) = Make("ridge", 4);
        var ridge = (ScalarHyperparameterRidge)model;
        double[] gw = new double[3];
        double value = ridge.TrainGradient(x[0], y, out double gLambda, gw);
        double[] kx = new double[1], ky = new double[3];
        Assert.Equal(model.LowerGradient(x, y, kx, ky), value, 13);
        Assert.Equal(kx[0], gLambda, 13);
        Assert.Equal(ky, gw);

        var reverse = new VectorUpperScalarLower();
        double[] rx = [0.3, -0.7, 1.1];
        double[] gx = new double[3];
        double reverseValue = reverse.LowerGradientRequest(rx, 0.4, gx, out double gy);
        double[] kx2 = new double[3], ky2 = new double[1];
        Assert.Equal(((IBilevelKernels)reverse).LowerGradient(rx, [0.4], kx2, ky2), reverseValue, 13);
        Assert.Equal(kx2, gx);
        Assert.Equal(ky2[0], gy, 13);
    }

    [Fact]
    public void KernelsAreCallableOnTheModelsOwnType()
    {
        var model = new VectorUpperScalarLower();
        double[] gx = new double[2], gy = new double[1];
        double value = model.LowerGradient([1.0, 2.0], [0.5], gx, gy);
        Assert.Equal(model.LowerValue([1.0, 2.0], [0.5]), value, 14);
        // Closed form: d/dy [(y - sum x)^2 + 0.1 y^2 x.x] = 2 (y - sum x) + 0.2 y x.x = 2 (0.5 - 3) + 0.2 * 0.5 * 5.
        Assert.Equal(-4.5, gy[0], 12);
        Assert.Equal([2 * (1 * (3.0 - 0.5)) + (0.2 * 0.25 * 1), 2 * (3.0 - 0.5) + (0.2 * 0.25 * 2)], gx);
    }

    [Fact]
    public void ScalarVariablesTakeSpansOfLengthOne()
    {
        var model = new ScalarHyperparameterRidge(new Matrix(1, 1, [1.0]), [1.0], new Matrix(1, 1, [1.0]), [1.0]);
        Assert.Throws<ArgumentException>(() => model.LowerValue([0.0, 1.0], [0.5]));
        Assert.Throws<ArgumentException>(() => model.LowerGradient([0.0], [0.5], new double[1], new double[2]));
    }
}

/// <summary>A Reshape whose sizes do not match its vector fails in every kernel, as the user's code does.</summary>
[BilevelModel]
public partial class ReshapeOfTwoByThree
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var W = Dsl.Reshape(y, 2, 3);
        return Dsl.Dot(W.Row(1), x);
    }
}

public sealed class ReshapeSizeTests
{
    [Fact]
    public void EveryKernelRejectsAVectorOfTheWrongLength()
    {
        var model = new ReshapeOfTwoByThree();
        double[] x = [1, 2, 3], y = new double[7], gy = new double[7];
        Assert.Throws<ArgumentException>(() => model.LowerValue(x, y));
        Assert.Throws<ArgumentException>(() => model.LowerGradient(x, y, new double[3], gy));
        Assert.Throws<ArgumentException>(() => model.LowerHessianVector(x, y, x, y, new double[3], gy));
        // With the right length: the value is row 1 of W (ones) times x = 1 + 2 + 3.
        Assert.Equal(6.0, model.LowerGradient(x, [0, 0, 0, 1, 1, 1], new double[3], new double[6]), 12);
    }
}

/// <summary>A top-level loop that runs no iteration (found by a mutant): its store is empty, not negative.</summary>
[BilevelModel]
public partial class EmptyLoopStore
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.SquaredNorm(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = Dsl.Dot(x, y);
        Span<double> p = stackalloc double[2];
        for (int i = 10; i < y.Length; i++)
        {
            Dsl.Softmax(y.Slice(0, 2), p);
            s += p[1] * x[0];
        }

        return s;
    }
}

public sealed class EmptyLoopTests
{
    [Fact]
    public void ALoopWithoutIterationsStoresNothingAndDifferentiates()
    {
        var model = new EmptyLoopStore();
        double[] gx = new double[3], gy = new double[3];
        Assert.Equal(1 * 4 + 2 * 5 + 3 * 6.0, model.LowerGradient([1, 2, 3], [4, 5, 6], gx, gy), 12);
        Assert.Equal([4.0, 5, 6], gx);
        Assert.Equal([1.0, 2, 3], gy);
    }
}
