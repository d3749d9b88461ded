using Xunit;

namespace BilevelDsl.Tests.SecondOrder;

/// <summary>Bounded smooth functions: their exact second derivatives are tiny (not NaN) at huge arguments.</summary>
[BilevelModel]
public partial class BoundedSmoothModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Atan(x) + Math.Tanh(y) + Dsl.Sigmoid(x - y);

    [LowerLevel]
    public double Lower(double x, double y) => Math.Atan(y) + Dsl.Softplus(x) + (Math.Sin(x) * Math.Cos(y));
}

/// <summary>
/// Finite arguments whose difference (or a sum inside the primitive) overflows: the exact kernels stay finite, so
/// the smoothed ones must as well (KernelSupport.SmoothMax is written to avoid exactly this overflow).
/// </summary>
public class OverflowEdgeTests
{
    private static void AssertFinite(IBilevelKernels model, Level level, double[] x, double[] y, double[] v, string what)
    {
        Objective o = Objective.Of(model, level);
        double value = o.Value(x, y);
        double[] gradient = o.Gradient(x, y);
        double[] hvp = o.HessianVector(x, y, v);
        Assert.True(
            double.IsFinite(value) && gradient.All(double.IsFinite) && hvp.All(double.IsFinite),
            $"{what} {level} at x = {Check.Show(x)}, y = {Check.Show(y)}: value {value}, gradient {Check.Show(gradient)}, HVP {Check.Show(hvp)}");
    }

    [Theory]
    [InlineData(1e308, -1e308)]
    [InlineData(-1e308, 1e308)]
    [InlineData(1.7e308, -1.7e308)]
    public void SmoothedMaxAndMinStayFiniteWhenTheDifferenceOfFiniteArgumentsOverflows(double x, double y)
    {
        foreach (IBilevelKernels model in new IBilevelKernels[] { new MaxModel(), new MinModel() })
        {
            foreach (Level level in new[] { Level.Upper, Level.Lower })
            {
                AssertFinite(model, level, [x], [y], [1.0, 1.0], model.GetType().Name + " exact");
                AssertFinite(model.WithSmoothing(1e-3), level, [x], [y], [1.0, 1.0], model.GetType().Name + " mu = 1e-3");
            }
        }
    }

    [Theory]
    [InlineData(1e300, -1e300)]
    [InlineData(1e308, -1e308)]
    [InlineData(-1.7e308, 1.7e308)]
    public void HessianVectorOfBoundedSmoothFunctionsIsFiniteAtHugeArguments(double x, double y)
    {
        IBilevelKernels model = new BoundedSmoothModel();
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            AssertFinite(model, level, [x], [y], [1.0, 1.0], "BoundedSmoothModel");
        }
    }
}
