using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SecondOrder;

/// <summary>[LowerConstraint] kernels, declared domains ([LowerBounds]/[UpperBounds], user projections) and Info.</summary>
public class ConstraintAndDomainTests(ITestOutputHelper output)
{
    private static readonly double[] C = [0.3, -1.2, 0.8, 0.5];

    private static IBilevelKernels Constrained() => new ConstrainedModel(C);

    [Fact]
    public void ConstraintCountAndInfo()
    {
        IBilevelKernels model = Constrained();
        Assert.Equal(3, model.LowerConstraintCount);
        Assert.Equal(3, model.Info.LowerConstraintCount);
        Assert.Equal(0, ((IBilevelKernels)new FreeModel()).LowerConstraintCount);
        Assert.Equal(0, ((IBilevelKernels)new FreeModel()).Info.LowerConstraintCount);
        Assert.Equal(0, ((IBilevelKernels)new AbsModel()).WithSmoothing(0.1).LowerConstraintCount);
    }

    [Fact]
    public void ConstraintValuesAreTheUsersMethodsInDeclarationOrder()
    {
        var concrete = new ConstrainedModel(C);
        IBilevelKernels model = concrete;
        var rng = new Random(1);
        for (int p = 0; p < 20; p++)
        {
            double[] x = Check.Normal(rng, 2), y = Check.Normal(rng, 4);
            double[] expected = [concrete.BallConstraint(x, y), concrete.ExpConstraint(x, y), concrete.LinearConstraint(x, y)];

            // And the methods compute what their documentation says (so a swapped order cannot match by accident).
            Assert.Equal(Check.Dot(y, y) - (x[0] * x[0]), expected[0], 12);
            Assert.Equal(y.Sum(t => Math.Exp(x[1] * t)) + Math.Sin(x[0] * y[0]) - 3, expected[1], 12);
            Assert.Equal(Check.Dot(C, y) - x[1], expected[2], 12);
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(expected[j], model.LowerConstraintValue(j, x, y));
                Assert.Equal(expected[j], model.LowerConstraintGradient(j, x, y, new double[2], new double[4]));
            }
        }
    }

    [Fact]
    public void ConstraintGradientsAndHessianVectorsMatchFiniteDifferences()
    {
        IBilevelKernels model = Constrained();
        var rng = new Random(2);
        for (int j = 0; j < model.LowerConstraintCount; j++)
        {
            Objective u = Objective.Constraint(model, j);
            double worstGradient = 0, worstHvp = 0;
            for (int p = 0; p < 8; p++)
            {
                double[] x = Check.Normal(rng, 2, 0.7), y = Check.Normal(rng, 4, 0.7);
                double[] gradient = u.Gradient(x, y);
                double[] difference = u.ValueDifference(x, y, 1e-3);
                double error = Check.RelativeError(gradient, difference, 1e-6);
                worstGradient = Math.Max(worstGradient, error);
                Assert.True(error <= 1e-8, $"constraint {j}: gradient {Check.Show(gradient)} vs differences {Check.Show(difference)}");
                foreach (var (vx, vy) in new[] { (Check.Normal(rng, 2), Check.Normal(rng, 4)), (new double[2], Check.Normal(rng, 4)), (Check.Normal(rng, 2), new double[4]) })
                {
                    double[] hvp = u.HessianVector(x, y, vx, vy);
                    double[] hvpDifference = u.GradientDifference(x, y, vx, vy, 1e-3);
                    error = Check.RelativeError(hvp, hvpDifference, 1e-6);
                    worstHvp = Math.Max(worstHvp, error);
                    Assert.True(error <= 1e-6, $"constraint {j}: HVP {Check.Show(hvp)} vs differences {Check.Show(hvpDifference)}");
                }
            }

            output.WriteLine($"constraint {j}: max relative error gradient {worstGradient:E2}, HVP {worstHvp:E2}");
        }
    }

    /// <summary>Closed forms: u0 has Hessian diag(-2, 0, 2, 2, 2, 2); u2 is linear.</summary>
    [Fact]
    public void ConstraintHessiansMatchClosedForms()
    {
        IBilevelKernels model = Constrained();
        var rng = new Random(3);
        double[] x = Check.Normal(rng, 2), y = Check.Normal(rng, 4);
        double[] vx = Check.Normal(rng, 2), vy = Check.Normal(rng, 4);
        double[] h0 = Objective.Constraint(model, 0).HessianVector(x, y, vx, vy);
        Assert.Equal([-2 * vx[0], 0, 2 * vy[0], 2 * vy[1], 2 * vy[2], 2 * vy[3]], h0);
        double[] h2 = Objective.Constraint(model, 2).HessianVector(x, y, vx, vy);
        Assert.Equal(new double[6], h2);

        // u1 = sum exp(x1 y_i) + sin(x0 y0) - 3: check the (x1, y_i) and (x0, y0) entries column by column.
        Objective u1 = Objective.Constraint(model, 1);
        double[] e = new double[6];
        e[1] = 1; // direction x1
        double[] column = u1.HessianVector(x, y, e);
        double[] expected = new double[6];
        expected[1] = y.Sum(t => t * t * Math.Exp(x[1] * t));
        for (int i = 0; i < 4; i++)
        {
            expected[2 + i] = Math.Exp(x[1] * y[i]) * (1 + (x[1] * y[i]));
        }

        Assert.True(Check.RelativeError(column, expected) <= 1e-12, $"{Check.Show(column)} vs {Check.Show(expected)}");
    }

    [Fact]
    public void ConstraintIndexOutOfRangeThrows()
    {
        foreach (IBilevelKernels model in new[] { Constrained(), ((IBilevelKernels)new ProjectedModel()).WithSmoothing(0.1), new FreeModel() })
        {
            int count = model.LowerConstraintCount;
            double[] x = [0.1, 0.2], y = [0.3, 0.4, 0.5, 0.6];
            foreach (int j in new[] { -1, count, count + 1, int.MaxValue, int.MinValue })
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => model.LowerConstraintValue(j, x, y));
                Assert.Throws<ArgumentOutOfRangeException>(() => model.LowerConstraintGradient(j, x, y, new double[2], new double[4]));
                Assert.Throws<ArgumentOutOfRangeException>(() => model.LowerConstraintHessianVector(j, x, y, new double[2], new double[4], new double[2], new double[4]));
            }
        }
    }

    [Fact]
    public void ConstraintKernelsCheckLengthsAndOverwrite()
    {
        IBilevelKernels model = Constrained();
        double[] x = [0.1, 0.2], y = [0.3, 0.4, 0.5, 0.6];
        Assert.Throws<ArgumentException>(() => model.LowerConstraintGradient(1, x, y, new double[3], new double[4]));
        Assert.Throws<ArgumentException>(() => model.LowerConstraintHessianVector(1, x, y, new double[2], new double[3], new double[2], new double[4]));
        double[] gx = [99, 99], gy = [99, 99, 99, 99];
        model.LowerConstraintGradient(2, x, y, gx, gy);
        Assert.Equal([0, -1], gx);
        Assert.Equal(C, gy);
    }

    [Fact]
    public void BoxDomainsProjectLikeTheDeclaredBoxes()
    {
        IBilevelKernels model = new BoxDomainModel();
        Assert.True(model.Info.HasLowerDomain);
        Assert.True(model.Info.HasUpperDomain);
        var rng = new Random(4);
        for (int p = 0; p < 200; p++)
        {
            double[] y = Check.Normal(rng, 6, 3.0), x = Check.Normal(rng, 5, 3.0);
            x[0] = 1e300;
            double[] py = (double[])y.Clone(), px = (double[])x.Clone();
            model.ProjectLower(py);
            model.ProjectUpper(px);
            Assert.Equal(y.Select(t => t < -1 ? -1 : t > 2 ? 2 : t).ToArray(), py);
            Assert.Equal(x.Select(t => t < 0 ? 0 : t).ToArray(), px);
            double[] again = (double[])py.Clone();
            model.ProjectLower(again);
            Assert.Equal(py, again);
        }
    }

    private static double[] BallReference(double[] v, double radius)
    {
        double norm = Check.Norm(v);
        return norm <= radius ? (double[])v.Clone() : v.Select(t => t * radius / norm).ToArray();
    }

    [Fact]
    public void UserProjectionsDefineTheDomains()
    {
        var concrete = new ProjectedModel { Radius = 1.5 };
        IBilevelKernels model = concrete;
        Assert.True(model.Info.HasLowerDomain);
        Assert.True(model.Info.HasUpperDomain);
        var rng = new Random(5);
        foreach (IBilevelKernels view in new[] { model, model.WithSmoothing(0.1) })
        {
            for (int p = 0; p < 200; p++)
            {
                double scale = p % 2 == 0 ? 0.3 : 3.0;
                double[] y = Check.Normal(rng, 4, scale), x = Check.Normal(rng, 5, scale);
                double[] py = (double[])y.Clone(), px = (double[])x.Clone();
                view.ProjectLower(py);
                view.ProjectUpper(px);
                double[] ball = BallReference(y, 1.5);
                Assert.True(Check.RelativeError(py, ball, 1e-300) <= 1e-14, $"ball projection {Check.Show(py)} vs {Check.Show(ball)}");
                Assert.True(Check.Norm(py) <= 1.5 * (1 + 1e-14));
                double[] simplex = ProjectionTests.SimplexReference(x, 2.0);
                Assert.True(Check.RelativeError(px, simplex, 1e-300) <= 1e-12, $"simplex projection {Check.Show(px)} vs {Check.Show(simplex)}");
            }
        }

        // The projection reads the model's data: another radius, another set.
        IBilevelKernels small = new ProjectedModel { Radius = 0.5 };
        double[] v = [3.0, 4.0];
        small.ProjectLower(v);
        Assert.Equal(0.5, Check.Norm(v), 12);
    }

    [Fact]
    public void ProjectionsAreTheIdentityWhenNoDomainIsDeclared()
    {
        foreach (IBilevelKernels model in new IBilevelKernels[] { new FreeModel(), new ConstrainedModel(C), new Norm1Model(), ((IBilevelKernels)new Norm1Model()).WithSmoothing(0.2) })
        {
            Assert.False(model.Info.HasLowerDomain);
            Assert.False(model.Info.HasUpperDomain);
            double[] v = [1e300, -1e300, 0.0, -0.0, double.NaN, double.PositiveInfinity, 3.25, -7];
            double[] copy = (double[])v.Clone();
            model.ProjectLower(copy);
            Assert.Equal(v.Select(BitConverter.DoubleToInt64Bits), copy.Select(BitConverter.DoubleToInt64Bits));
            model.ProjectUpper(copy);
            Assert.Equal(v.Select(BitConverter.DoubleToInt64Bits), copy.Select(BitConverter.DoubleToInt64Bits));
        }
    }
}
