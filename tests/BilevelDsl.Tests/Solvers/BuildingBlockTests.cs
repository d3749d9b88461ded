using BilevelDsl.Numerics;
using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Inner;
using Xunit;

namespace BilevelDsl.Tests.Solvers;

/// <summary>f(v) = 1/2 sum d_i v_i^2 - b'v, optionally on the box [lower, upper]^n; minimiser clamp(b_i / d_i) (separable).</summary>
internal sealed class DiagonalQuadratic(double[] d, double[] b, double lower = double.NegativeInfinity, double upper = double.PositiveInfinity) : IInnerObjective
{
    public int Evaluations { get; private set; }

    public int Dimension => d.Length;

    public bool HasDomain => !double.IsInfinity(lower) || !double.IsInfinity(upper);

    public double[] Minimiser => d.Select((di, i) => Math.Clamp(b[i] / di, lower, upper)).ToArray();

    public double Value(ReadOnlySpan<double> v)
    {
        Evaluations++;
        double s = 0.0;
        for (int i = 0; i < v.Length; i++)
        {
            s += (0.5 * d[i] * v[i] * v[i]) - (b[i] * v[i]);
        }

        return s;
    }

    public double ValueAndGradient(ReadOnlySpan<double> v, Span<double> gradient)
    {
        for (int i = 0; i < v.Length; i++)
        {
            gradient[i] = (d[i] * v[i]) - b[i];
        }

        return Value(v);
    }

    public void Project(Span<double> v) => Projections.Box(v, lower, upper);
}

/// <summary>f(v) = c'v (unbounded below): gradient norm constant.</summary>
internal sealed class LinearObjective(double[] c) : IInnerObjective
{
    public int Dimension => c.Length;

    public bool HasDomain => false;

    public double Value(ReadOnlySpan<double> v) => Dense.Dot(c, v.ToArray());

    public double ValueAndGradient(ReadOnlySpan<double> v, Span<double> gradient)
    {
        c.CopyTo(gradient);
        return Value(v);
    }

    public void Project(Span<double> v)
    {
    }
}

/// <summary>An objective that is NaN everywhere.</summary>
internal sealed class NaNObjective : IInnerObjective
{
    public int Dimension => 2;

    public bool HasDomain => false;

    public double Value(ReadOnlySpan<double> v) => double.NaN;

    public double ValueAndGradient(ReadOnlySpan<double> v, Span<double> gradient)
    {
        gradient.Fill(double.NaN);
        return double.NaN;
    }

    public void Project(Span<double> v)
    {
    }
}

/// <summary>A dense symmetric matrix as an operator.</summary>
internal sealed class MatrixOperator(double[,] a) : ILinearOperator
{
    public int Applications { get; private set; }

    public int Dimension => a.GetLength(0);

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        Applications++;
        for (int i = 0; i < Dimension; i++)
        {
            double s = 0.0;
            for (int j = 0; j < Dimension; j++)
            {
                s += a[i, j] * v[j];
            }

            result[i] = s;
        }
    }
}

public class LowerLevelSolverTests
{
    private static readonly double[] D = [1.0, 4.0, 10.0, 0.5];
    private static readonly double[] B = [1.0, -2.0, 3.0, -0.25];

    public static TheoryData<LowerSolverKind> Kinds => [LowerSolverKind.GradientDescent, LowerSolverKind.Nesterov, LowerSolverKind.Adam];

    private static ILowerLevelSolver Create(LowerSolverKind kind, int n) =>
        new LowerSolverOptions { Kind = kind, AdamStepSize = 0.05, StallWindow = 500 }.Create(n);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ConvergesToTheMinimiserOfAQuadratic(LowerSolverKind kind)
    {
        var objective = new DiagonalQuadratic(D, B);
        double[] v = new double[4];
        double tolerance = kind == LowerSolverKind.Adam ? 1e-6 : 1e-10;
        InnerSolveResult r = Create(kind, 4).Minimize(objective, v, new InnerStoppingRule(tolerance, 20000, 500));

        Assert.Equal(InnerSolveStatus.Converged, r.Status);
        Assert.True(r.Stationarity <= tolerance);
        double[] expected = objective.Minimiser;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], v[i], tolerance * 10 / D[i]);
        }

        Assert.Equal(objective.Value(v), r.Value, 1e-12);
        Assert.True(r.Evaluations >= r.Steps);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ProjectedVersionsHonourABox(LowerSolverKind kind)
    {
        // The unconstrained minimiser (1, -0.5, 0.3, -0.5) has negative entries; on [0, inf) they are 0.
        var objective = new DiagonalQuadratic(D, B, 0.0, double.PositiveInfinity);
        double[] v = [2.0, 2.0, 2.0, 2.0];
        double tolerance = kind == LowerSolverKind.Adam ? 1e-6 : 1e-10;
        InnerSolveResult r = Create(kind, 4).Minimize(objective, v, new InnerStoppingRule(tolerance, 20000, 500));

        Assert.Equal(InnerSolveStatus.Converged, r.Status);
        Assert.Equal([1.0, 0.0, 0.3, 0.0], v.Select(t => Math.Round(t, 5)).ToArray());
        Assert.All(v, t => Assert.True(t >= 0.0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void UnboundedObjectiveIsReportedAsStalledNotConverged(LowerSolverKind kind)
    {
        var objective = new LinearObjective([1.0, -2.0]);
        double[] v = new double[2];
        InnerSolveResult r = new LowerSolverOptions { Kind = kind }.Create(2).Minimize(objective, v, new InnerStoppingRule(1e-8, 10000, 30));

        Assert.Equal(InnerSolveStatus.Stalled, r.Status);
        Assert.Equal(Math.Sqrt(5.0), r.Stationarity, 1e-12);
        Assert.True(r.Steps <= 31, $"steps {r.Steps}");
        Assert.True(double.IsFinite(v[0]) && double.IsFinite(v[1]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NonFiniteStartIsReportedAndTheVariableIsUnchanged(LowerSolverKind kind)
    {
        double[] v = [0.5, 0.25];
        InnerSolveResult r = new LowerSolverOptions { Kind = kind }.Create(2).Minimize(new NaNObjective(), v, new InnerStoppingRule(1e-8, 100, 10));
        Assert.Equal(InnerSolveStatus.NonFinite, r.Status);
        Assert.Equal([0.5, 0.25], v);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepLimitAndCancellationAreReported(LowerSolverKind kind)
    {
        var objective = new DiagonalQuadratic(D, B);
        double[] v = new double[4];
        InnerSolveResult limited = Create(kind, 4).Minimize(objective, v, new InnerStoppingRule(1e-14, 3, 100));
        Assert.Equal(InnerSolveStatus.StepLimit, limited.Status);
        Assert.Equal(3, limited.Steps);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        double[] w = new double[4];
        InnerSolveResult cancelled = Create(kind, 4).Minimize(objective, w, new InnerStoppingRule(1e-14, 100, 100), cts.Token);
        Assert.Equal(InnerSolveStatus.Cancelled, cancelled.Status);
        Assert.Equal(0, cancelled.Steps);
    }

    [Fact]
    public void NesterovNeedsFewerEvaluationsThanGradientDescentOnAnIllConditionedQuadratic()
    {
        double[] d = Enumerable.Range(0, 20).Select(i => Math.Pow(10.0, 3.0 * i / 19.0)).ToArray();
        double[] b = Enumerable.Repeat(1.0, 20).ToArray();
        var gdObjective = new DiagonalQuadratic(d, b);
        var nesterovObjective = new DiagonalQuadratic(d, b);
        var rule = new InnerStoppingRule(1e-8, 200000, 1000);
        InnerSolveResult gd = new GradientDescentSolver(20).Minimize(gdObjective, new double[20], rule);
        InnerSolveResult nesterov = new NesterovSolver(20).Minimize(nesterovObjective, new double[20], rule);
        Assert.Equal(InnerSolveStatus.Converged, gd.Status);
        Assert.Equal(InnerSolveStatus.Converged, nesterov.Status);
        Assert.True(nesterov.Evaluations * 3 < gd.Evaluations, $"Nesterov {nesterov.Evaluations} vs GD {gd.Evaluations} evaluations");
    }

    [Fact]
    public void WrongDimensionThrows()
    {
        var objective = new DiagonalQuadratic(D, B);
        Assert.Throws<ArgumentException>(() => new GradientDescentSolver(3).Minimize(objective, new double[4], new InnerStoppingRule(1e-8, 10, 10)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void MinimizeDoesNotAllocate(LowerSolverKind kind)
    {
        var objective = new DiagonalQuadratic(D, B);
        ILowerLevelSolver solver = Create(kind, 4);
        double[] v = new double[4];
        var rule = new InnerStoppingRule(1e-10, 200, 100);
        long bytes = AllocationMeter.Measure(() =>
        {
            Array.Clear(v);
            solver.Minimize(objective, v, rule);
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void LowerLevelObjectiveWrapsTheModelAtFixedX()
    {
        var model = new LiuCounterexample();
        double[] x = [0.75];
        var objective = new LowerLevelObjective(model, x, 2);
        double[] g = new double[2];
        double f = objective.ValueAndGradient([0.5, 3.0], g);
        Assert.Equal(0.25 - (2 * 0.75 * 0.5), f, 1e-15);
        Assert.Equal([(2 * 0.5) - (2 * 0.75), 0.0], g);
        Assert.Equal(-2 * 0.5, objective.GradientX[0], 1e-15);
        x[0] = 1.0; // read at every evaluation
        Assert.Equal(0.25 - 1.0, objective.Value([0.5, 3.0]), 1e-15);

        double[] v = new double[2];
        InnerSolveResult r = new NesterovSolver(2).Minimize(objective, v, new InnerStoppingRule(1e-12, 1000, 100));
        Assert.Equal(InnerSolveStatus.Converged, r.Status);
        Assert.Equal(1.0, v[0], 1e-12); // y1* = x
    }
}

public class StoppingRuleTests
{
    [Fact]
    public void StagnationDetectorFlagsAConstantSequenceAfterTheWindow()
    {
        var d = new StagnationDetector(5);
        Assert.False(d.Observe(1.0));
        for (int i = 0; i < 4; i++)
        {
            Assert.False(d.Observe(1.0));
        }

        Assert.True(d.Observe(1.0));
        d.Reset();
        Assert.False(d.Observe(1.0));
    }

    [Fact]
    public void StagnationDetectorNeverFlagsASlowlyDecreasingSequence()
    {
        var d = new StagnationDetector(3);
        double v = 1.0;
        for (int i = 0; i < 10000; i++)
        {
            v *= 1.0 - 1e-6;
            Assert.False(d.Observe(v));
        }
    }

    [Fact]
    public void StagnationDetectorFlagsAGrowingOrOscillatingSequence()
    {
        var grow = new StagnationDetector(4);
        bool flagged = false;
        for (int i = 0; i < 6; i++)
        {
            flagged |= grow.Observe(1.0 + i);
        }

        Assert.True(flagged);
        var oscillate = new StagnationDetector(4);
        flagged = false;
        for (int i = 0; i < 10; i++)
        {
            flagged |= oscillate.Observe(i % 2 == 0 ? 1.0 : 2.0);
        }

        Assert.True(flagged);
    }

    [Fact]
    public void DecayScheduleDecaysToItsFloor()
    {
        var s = new DecaySchedule(1e-2, 0.5, 1e-4);
        Assert.Equal(1e-2, s.ValueAt(0));
        Assert.Equal(2.5e-3, s.ValueAt(2), 1e-18);
        Assert.Equal(1e-4, s.ValueAt(100));
        Assert.False(s.IsSettled(6)); // 1.5625e-4
        Assert.True(s.IsSettled(7));  // 7.8e-5
        Assert.Equal(1e-4, s.ValueAt(int.MaxValue));
    }

    [Theory]
    [InlineData(0.0, 0.5, 0.0, "Initial")]
    [InlineData(1.0, 1.5, 0.0, "Decay")]
    [InlineData(1.0, 0.5, 2.0, "Floor")]
    [InlineData(double.NaN, 0.5, 0.0, "Initial")]
    public void DecayScheduleValidates(double initial, double decay, double floor, string field)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DecaySchedule(initial, decay, floor).Validate("LowerTolerance"));
        Assert.Contains("LowerTolerance." + field, e.Message);
    }

    [Fact]
    public void StationarityIsTheProjectedGradientStepOnADomain()
    {
        var boxed = new DiagonalQuadratic([1.0, 1.0], [0.0, 0.0], 0.0, 1.0);
        // at v = (0, 0.5) with g = (2, -3): P(v - g) = (0, 1), so the step is (0, -0.5)
        Assert.Equal(0.5, Stationarity.Measure(boxed, [0.0, 0.5], [2.0, -3.0], new double[2]), 1e-15);
        var free = new DiagonalQuadratic([1.0, 1.0], [0.0, 0.0]);
        Assert.Equal(Math.Sqrt(13.0), Stationarity.Measure(free, [0.0, 0.5], [2.0, -3.0], new double[2]), 1e-15);
    }

    [Fact]
    public void InnerStoppingRuleValidates()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InnerStoppingRule(-1.0, 10, 10).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new InnerStoppingRule(1.0, -1, 10).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new InnerStoppingRule(1.0, 10, 0).Validate());
    }
}

public class LinearAlgebraTests
{
    private static readonly double[,] Spd = { { 4, 1, 0.5, 0 }, { 1, 3, 0.2, 0.1 }, { 0.5, 0.2, 2, 0.3 }, { 0, 0.1, 0.3, 1 } };

    [Fact]
    public void ConjugateGradientSolvesAnSpdSystem()
    {
        double[] b = [1.0, -2.0, 0.5, 3.0];
        double[] expected = Dense.SolveSpd(Spd, b);
        double[] q = new double[4];
        ConjugateGradientResult r = new ConjugateGradient(4).Solve(new MatrixOperator(Spd), b, q, 1e-13, 50);
        Assert.Equal(ConjugateGradientStatus.Converged, r.Status);
        Assert.True(r.Iterations <= 5, $"iterations {r.Iterations}"); // n = 4 in exact arithmetic
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], q[i], 1e-12);
        }
    }

    [Fact]
    public void ConjugateGradientWarmStartAtTheSolutionCostsOneProduct()
    {
        double[] b = [1.0, -2.0, 0.5, 3.0];
        double[] q = Dense.SolveSpd(Spd, b);
        var op = new MatrixOperator(Spd);
        ConjugateGradientResult r = new ConjugateGradient(4).Solve(op, b, q, 1e-10, 50);
        Assert.Equal(ConjugateGradientStatus.Converged, r.Status);
        Assert.Equal(1, op.Applications);
    }

    [Fact]
    public void ConjugateGradientReportsZeroCurvatureOnASingularInconsistentSystem()
    {
        // H = diag(2, 0) (the Liu et al. lower level), b with a component in the null space.
        double[] q = new double[2];
        ConjugateGradientResult r = new ConjugateGradient(2).Solve(new MatrixOperator(new double[,] { { 2, 0 }, { 0, 0 } }), [1.0, 1.0], q, 1e-10, 50);
        Assert.Equal(ConjugateGradientStatus.NonPositiveCurvature, r.Status);
        Assert.Equal(0.0, r.Curvature);
    }

    [Fact]
    public void ConjugateGradientReportsNegativeCurvature()
    {
        double[] q = new double[2];
        ConjugateGradientResult r = new ConjugateGradient(2).Solve(new MatrixOperator(new double[,] { { -1, 0 }, { 0, 2 } }), [1.0, 0.0], q, 1e-10, 50);
        Assert.Equal(ConjugateGradientStatus.NonPositiveCurvature, r.Status);
        Assert.True(r.Curvature < 0);
    }

    [Fact]
    public void ConjugateGradientWithZeroRightHandSideReturnsZero()
    {
        double[] q = [5.0, 5.0, 5.0, 5.0];
        ConjugateGradientResult r = new ConjugateGradient(4).Solve(new MatrixOperator(Spd), new double[4], q, 1e-10, 50);
        Assert.Equal(ConjugateGradientStatus.Converged, r.Status);
        Assert.Equal(new double[4], q);
    }

    [Fact]
    public void PowerIterationFindsTheLargestMagnitudeAndItsSign()
    {
        var op = new MatrixOperator(new double[,] { { 1, 0, 0 }, { 0, 5, 0 }, { 0, 0, -7 } });
        double[] v = new double[3];
        double lambda = PowerIteration.LargestMagnitude(op, v, new double[3], 200, out double rayleigh);
        Assert.Equal(7.0, lambda, 1e-9);
        Assert.Equal(-7.0, rayleigh, 1e-9);
    }

    [Fact]
    public void CurvatureCheckSeesDefiniteSingularAndIndefiniteHessians()
    {
        // Liu et al.: d2f/dy2 = diag(2, 0) (singular)
        var liu = new LowerHessianOperator(new LiuCounterexample(), [0.3], 2) { Y = [0.1, 0.2] };
        Assert.Equal(0.0, CurvatureCheck.Ratio(liu), 1e-12);

        // sin(x + y) at x + y = pi/2 (a maximum of the lower level): d2f/dy2 = -1
        var atMax = new LowerHessianOperator(new SolverSinToy(), [0.0], 1) { Y = [Math.PI / 2] };
        Assert.Equal(-1.0, CurvatureCheck.Ratio(atMax), 1e-12);

        // the quadratic: Q positive definite, ratio = lambda_min / lambda_max of Q
        var quadratic = new LowerHessianOperator(QuadraticClosedForm.Kernels(), [0.1, 0.2], 3) { Y = [0.0, 0.0, 0.0] };
        double ratio = CurvatureCheck.Ratio(quadratic);
        Assert.True(ratio > 0.2 && ratio <= 1.0, $"ratio {ratio}");
    }
}

public class UpperOptimizerTests
{
    [Fact]
    public void GradientDescentStepsAndProjects()
    {
        double[] x = [1.0, -1.0];
        new GradientDescentOptimizer(2, 0.5).Step(x, [4.0, -2.0]);
        Assert.Equal([-1.0, 0.0], x);
        double[] boxed = [1.0, -1.0];
        new GradientDescentOptimizer(2, 0.5, v => Projections.Box(v, -0.5, 0.5)).Step(boxed, [4.0, -2.0]);
        Assert.Equal([-0.5, 0.0], boxed);
    }

    [Fact]
    public void AdamFirstStepHasLengthStepSizeInEveryCoordinate()
    {
        // bias-corrected first step: m = g, r = g^2, so the step is a g / (|g| + eps)
        double[] x = [0.0, 0.0];
        var adam = new AdamOptimizer(2, 0.1);
        adam.Step(x, [100.0, -0.001]);
        Assert.Equal(-0.1, x[0], 1e-9);
        Assert.Equal(0.1, x[1], 1e-5);
        adam.Reset();
        double[] y = [0.0];
        var projected = new AdamOptimizer(1, 0.1, projection: v => Projections.Box(v, 0.0, 1.0));
        projected.Step(y, [1.0]);
        Assert.Equal(0.0, y[0]);
    }

    [Fact]
    public void AdamMinimisesAQuadratic()
    {
        double[] x = [3.0, -2.0];
        var adam = new UpperOptimizerOptions { Kind = UpperOptimizerKind.Adam, StepSize = 0.05 }.Create(2, null);
        for (int k = 0; k < 2000; k++)
        {
            adam.Step(x, [2 * (x[0] - 1), 8 * (x[1] + 0.5)]);
        }

        Assert.Equal(1.0, x[0], 1e-2);
        Assert.Equal(-0.5, x[1], 1e-2);
    }

    [Fact]
    public void StepsDoNotAllocate()
    {
        double[] x = [1.0, 2.0];
        double[] g = [0.1, 0.2];
        IUpperOptimizer gd = new GradientDescentOptimizer(2, 0.1);
        IUpperOptimizer adam = new AdamOptimizer(2, 0.1);
        Assert.Equal(0, AllocationMeter.Measure(() => gd.Step(x, g)));
        Assert.Equal(0, AllocationMeter.Measure(() => adam.Step(x, g)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void OptionsValidateTheStepSize(double step)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new UpperOptimizerOptions { StepSize = step }.Validate());
        Assert.Contains("Optimizer.StepSize", e.Message);
    }
}

public class ProjectionJacobianTests
{
    [Fact]
    public void IsTheIdentityInsideTheDomainAndMasksActiveBoundsOutside()
    {
        IBilevelKernels model = new BoxLowerModel(); // y >= 0
        var j = new ProjectionJacobian(model, 3);
        Assert.True(j.SetPoint([0.5, 0.2, 3.0]));
        double[] r = new double[3];
        j.Apply([1.0, -2.0, 3.0], r);
        Assert.Equal([1.0, -2.0, 3.0], r);

        Assert.False(j.SetPoint([0.5, 0.2, -1.0])); // the third entry is projected onto its bound
        j.Apply([1.0, -2.0, 3.0], r);
        Assert.Equal(1.0, r[0], 1e-8);
        Assert.Equal(-2.0, r[1], 1e-8);
        Assert.Equal(0.0, r[2], 1e-12);
    }
}
