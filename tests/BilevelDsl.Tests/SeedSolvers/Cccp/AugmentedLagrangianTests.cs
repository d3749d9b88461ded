using BilevelDsl.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.Cccp;

/// <summary>
/// The augmented Lagrangian solver on its own: Euclidean projections with answers derived independently (closed forms,
/// active-set enumeration, a secular equation solved by bisection), its KKT residuals recomputed here, and its failure
/// statuses.
/// </summary>
public class AugmentedLagrangianTests(ITestOutputHelper output)
{
    private const double PointTolerance = 1e-8;

    [Fact]
    public void HalfspaceProjectionMatchesTheClosedForm()
    {
        var rng = new Random(11);
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            double[] a = Normal(rng, 6);
            double b = rng.NextDouble() - 0.5;
            double[] c = Normal(rng, 6, 2.0);

            // P(c) = c - max(0, a'c - b) / ||a||^2 a, multiplier max(0, a'c - b) / ||a||^2.
            double excess = Math.Max(0, Dot(a, c) - b) / Dot(a, a);
            double[] expected = c.Select((ci, i) => ci - (excess * a[i])).ToArray();

            var set = new ConstraintList(6, new Halfspace(a, b));
            (double[] z, double[] lambda, ConstrainedSolveResult r) = Project(set, c);
            Assert.Equal(ConstrainedSolveStatus.Converged, r.Status);
            worst = Math.Max(worst, MaxDiff(z, expected));
            Assert.True(MaxDiff(z, expected) <= PointTolerance, $"trial {trial}: |z - z*| = {MaxDiff(z, expected):E2}");
            Assert.Equal(excess, lambda[0], 1e-8);
            CheckKkt(set, c, z, lambda, r, null);
        }

        output.WriteLine($"halfspace: worst |z - z*|_inf = {worst:E2}");
    }

    [Fact]
    public void BallProjectionMatchesTheClosedForm()
    {
        var rng = new Random(12);
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            double[] center = Normal(rng, 5);
            double radius = 0.5 + rng.NextDouble();
            double[] c = Normal(rng, 5, 2.0);
            double distance = Math.Sqrt(c.Select((ci, i) => (ci - center[i]) * (ci - center[i])).Sum());

            // P(c) = o + r (c - o) / ||c - o|| outside; with h = ||z - o||^2 - r^2 the multiplier is (||c - o|| / r - 1) / 2.
            double[] expected = distance <= radius ? c : c.Select((ci, i) => center[i] + (radius * (ci - center[i]) / distance)).ToArray();
            double expectedLambda = distance <= radius ? 0 : ((distance / radius) - 1) / 2;

            var set = new ConstraintList(5, new Ball(center, radius));
            (double[] z, double[] lambda, ConstrainedSolveResult r) = Project(set, c);
            Assert.Equal(ConstrainedSolveStatus.Converged, r.Status);
            worst = Math.Max(worst, MaxDiff(z, expected));
            Assert.True(MaxDiff(z, expected) <= PointTolerance, $"trial {trial}: |z - z*| = {MaxDiff(z, expected):E2}");
            Assert.Equal(expectedLambda, lambda[0], 1e-7);
            CheckKkt(set, c, z, lambda, r, null);
        }

        output.WriteLine($"ball: worst |z - z*|_inf = {worst:E2}");
    }

    [Fact]
    public void ProjectionOntoTheCornerOfTwoHalfspaces()
    {
        // {z1 <= 0, z2 <= 0}: P((1, 2)) = (0, 0) with multipliers (1, 2).
        var set = new ConstraintList(2, new Halfspace([1, 0], 0), new Halfspace([0, 1], 0));
        (double[] z, double[] lambda, ConstrainedSolveResult r) = Project(set, [1, 2]);
        Assert.Equal(ConstrainedSolveStatus.Converged, r.Status);
        Assert.True(MaxDiff(z, [0, 0]) <= PointTolerance, $"z = ({z[0]}, {z[1]})");
        Assert.Equal(1.0, lambda[0], 1e-8);
        Assert.Equal(2.0, lambda[1], 1e-8);
        CheckKkt(set, [1, 2], z, lambda, r, null);
    }

    [Fact]
    public void IntersectionOfTwoHalfspacesMatchesActiveSetEnumeration()
    {
        var rng = new Random(13);
        double worst = 0;
        int bothActive = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            double[] a1 = Normal(rng, 4), a2 = Normal(rng, 4), c = Normal(rng, 4, 2.0);
            double b1 = rng.NextDouble() - 0.5, b2 = rng.NextDouble() - 0.5;
            (double[] expected, double[] expectedLambda) = TwoHalfspaceProjection(a1, b1, a2, b2, c);
            if (expectedLambda[0] > 0 && expectedLambda[1] > 0)
            {
                bothActive++;
            }

            var set = new ConstraintList(4, new Halfspace(a1, b1), new Halfspace(a2, b2));
            (double[] z, double[] lambda, ConstrainedSolveResult r) = Project(set, c);
            Assert.Equal(ConstrainedSolveStatus.Converged, r.Status);
            worst = Math.Max(worst, MaxDiff(z, expected));
            Assert.True(MaxDiff(z, expected) <= PointTolerance, $"trial {trial}: |z - z*| = {MaxDiff(z, expected):E2}");
            Assert.True(MaxDiff(lambda, expectedLambda) <= 1e-6, $"trial {trial}: multipliers ({lambda[0]}, {lambda[1]}), expected ({expectedLambda[0]}, {expectedLambda[1]})");
            CheckKkt(set, c, z, lambda, r, null);
        }

        output.WriteLine($"two halfspaces: worst |z - z*|_inf = {worst:E2}; {bothActive} of 40 cases with both constraints active");
        Assert.True(bothActive >= 5, $"only {bothActive} cases exercised the corner");
    }

    [Fact]
    public void EllipsoidProjectionMatchesTheSecularEquation()
    {
        // h(z) = z'Qz - 1 with Q = R diag(q) R' (R a Householder reflection). P(c) = (I + 2 lambda Q)^-1 c, where lambda >= 0
        // solves sum_i q_i (c~_i / (1 + 2 lambda q_i))^2 = 1 in the eigenbasis (c~ = R'c); found here by bisection.
        var rng = new Random(14);
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            const int n = 5;
            double[] q = Enumerable.Range(0, n).Select(_ => 0.2 + (3 * rng.NextDouble())).ToArray();
            double[] v = Normal(rng, n);
            double[,] reflection = Householder(v);
            double[,] matrix = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    for (int l = 0; l < n; l++)
                    {
                        matrix[i, j] += reflection[i, l] * q[l] * reflection[j, l];
                    }
                }
            }

            double[] c = Normal(rng, n, 2.0);
            double[] cTilde = Apply(reflection, c, transpose: true);
            double Constraint(double lambda) => cTilde.Select((ct, i) => q[i] * Math.Pow(ct / (1 + (2 * lambda * q[i])), 2)).Sum() - 1;
            double expectedLambda = 0;
            if (Constraint(0) > 0)
            {
                double lo = 0, hi = 1;
                while (Constraint(hi) > 0)
                {
                    hi *= 2;
                }

                for (int it = 0; it < 200; it++)
                {
                    double mid = 0.5 * (lo + hi);
                    if (Constraint(mid) > 0)
                    {
                        lo = mid;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                expectedLambda = 0.5 * (lo + hi);
            }

            double[] expected = Apply(reflection, cTilde.Select((ct, i) => ct / (1 + (2 * expectedLambda * q[i]))).ToArray(), transpose: false);

            var set = new ConstraintList(n, new Ellipsoid(matrix));
            (double[] z, double[] lambda, ConstrainedSolveResult r) = Project(set, c);
            Assert.Equal(ConstrainedSolveStatus.Converged, r.Status);
            worst = Math.Max(worst, MaxDiff(z, expected));
            Assert.True(MaxDiff(z, expected) <= PointTolerance, $"trial {trial}: |z - z*| = {MaxDiff(z, expected):E2}");
            Assert.Equal(expectedLambda, lambda[0], 1e-7);
            CheckKkt(set, c, z, lambda, r, null);
        }

        output.WriteLine($"ellipsoid: worst |z - z*|_inf = {worst:E2}");
    }

    [Fact]
    public void SimpleSetAndConstraintTogether()
    {
        // {z >= 0 (the simple set)} and sum z <= 1: when sum max(c, 0) > 1 the projection is max(c - tau, 0) with
        // sum max(c_i - tau, 0) = 1 (tau by bisection), and the multiplier of the sum constraint is tau.
        var rng = new Random(15);
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            double[] c = Normal(rng, 6, 1.5);
            c[0] = Math.Abs(c[0]) + 1.2; // sum of the positive part > 1
            double lo = -10, hi = 10;
            for (int it = 0; it < 200; it++)
            {
                double mid = 0.5 * (lo + hi);
                if (c.Sum(ci => Math.Max(ci - mid, 0)) > 1)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            double tau = 0.5 * (lo + hi);
            double[] expected = c.Select(ci => Math.Max(ci - tau, 0)).ToArray();

            var set = new ConstraintList(6, new Halfspace(Enumerable.Repeat(1.0, 6).ToArray(), 1)) { SimpleSet = Projections.NonnegativeOrthant };
            (double[] z, double[] lambda, ConstrainedSolveResult r) = Project(set, c);
            Assert.Equal(ConstrainedSolveStatus.Converged, r.Status);
            Assert.All(z, zi => Assert.True(zi >= 0));
            worst = Math.Max(worst, MaxDiff(z, expected));
            Assert.True(MaxDiff(z, expected) <= PointTolerance, $"trial {trial}: |z - z*| = {MaxDiff(z, expected):E2}");
            Assert.Equal(tau, lambda[0], 1e-7);
            CheckKkt(set, c, z, lambda, r, Projections.NonnegativeOrthant);
        }

        output.WriteLine($"orthant + halfspace: worst |z - z*|_inf = {worst:E2}");
    }

    [Fact]
    public void MinimizesALinearObjectiveOverABall()
    {
        // min a'z s.t. ||z||^2 <= 1: z* = -a / ||a||, lambda* = ||a|| / 2 (not strongly convex: the constraint decides).
        double[] a = [0.3, -1.2, 0.8, 0.5];
        double norm = Math.Sqrt(Dot(a, a));
        var solver = new AugmentedLagrangianSolver(4, 1);
        double[] z = new double[4];
        double[] lambda = new double[1];
        ConstrainedSolveResult r = solver.Minimize(new Linear(a), new ConstraintList(4, new Ball(new double[4], 1)), z, lambda);
        Assert.Equal(ConstrainedSolveStatus.Converged, r.Status);
        Assert.True(MaxDiff(z, a.Select(ai => -ai / norm).ToArray()) <= PointTolerance);
        Assert.Equal(norm / 2, lambda[0], 1e-8);
        Assert.Equal(-norm, r.Value, 1e-9);
    }

    [Fact]
    public void WarmStartedMultipliersConvergeInFewerIterations()
    {
        var set = new ConstraintList(2, new Ball([0, 0], 1));
        (_, double[] lambda, ConstrainedSolveResult cold) = Project(set, [3, 4]);
        var solver = new AugmentedLagrangianSolver(2, 1);
        double[] z = [3, 4];
        ConstrainedSolveResult warm = solver.Project([3, 4], set, z, lambda);
        Assert.Equal(ConstrainedSolveStatus.Converged, warm.Status);
        Assert.True(warm.OuterIterations < cold.OuterIterations, $"warm {warm.OuterIterations} vs cold {cold.OuterIterations}");
        Assert.True(MaxDiff(z, [0.6, 0.8]) <= PointTolerance);
    }

    [Fact]
    public void InfeasibleConstraintsAreReportedAsInfeasible()
    {
        // z1 <= -1 and z1 >= 1.
        var set = new ConstraintList(2, new Halfspace([1, 0], -1), new Halfspace([-1, 0], -1));
        (_, _, ConstrainedSolveResult r) = Project(set, [0.3, 0.2]);
        Assert.Equal(ConstrainedSolveStatus.Infeasible, r.Status);
        Assert.True(r.Violation >= 0.5, $"violation {r.Violation}");
    }

    [Fact]
    public void NonFiniteConstraintIsReported()
    {
        var set = new ConstraintList(2, new Halfspace([double.NaN, 1], 0));
        (_, _, ConstrainedSolveResult r) = Project(set, [1, 1]);
        Assert.Equal(ConstrainedSolveStatus.NonFinite, r.Status);
    }

    [Fact]
    public void IterationLimitIsReportedNotHidden()
    {
        var options = new AugmentedLagrangianOptions { MaxOuterIterations = 1 };
        var solver = new AugmentedLagrangianSolver(2, 1, options);
        double[] z = [3, 4];
        double[] lambda = new double[1];
        ConstrainedSolveResult r = solver.Project([3, 4], new ConstraintList(2, new Ball([0, 0], 1)), z, lambda);
        Assert.Equal(ConstrainedSolveStatus.IterationLimit, r.Status);
        Assert.True(r.Complementarity > options.FeasibilityTolerance || r.Stationarity > options.StationarityTolerance);
    }

    [Fact]
    public void CancellationIsReported()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var solver = new AugmentedLagrangianSolver(2, 1);
        double[] z = [3, 4];
        ConstrainedSolveResult r = solver.Project([3, 4], new ConstraintList(2, new Ball([0, 0], 1)), z, new double[1], cts.Token);
        Assert.Equal(ConstrainedSolveStatus.Cancelled, r.Status);
    }

    [Fact]
    public void ProjectionDoesNotAllocate()
    {
        var solver = new AugmentedLagrangianSolver(3, 2);
        var set = new ConstraintList(3, new Ball([0, 0, 0], 1), new Halfspace([1, 1, 1], 0.5));
        double[] c = [2, 1, -0.5];
        double[] z = new double[3];
        double[] lambda = new double[2];
        long bytes = AllocationMeter.Measure(
            () =>
            {
                Array.Clear(z);
                Array.Clear(lambda);
                solver.Project(c, set, z, lambda);
            },
            20);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void RejectsWrongLengthsAndInvalidOptions()
    {
        var solver = new AugmentedLagrangianSolver(2, 1);
        var set = new ConstraintList(2, new Ball([0, 0], 1));
        Assert.Throws<ArgumentException>(() => solver.Project([1, 2, 3], set, new double[2], new double[1]));
        Assert.Throws<ArgumentException>(() => solver.Project([1, 2], set, new double[3], new double[1]));
        Assert.Throws<ArgumentException>(() => solver.Project([1, 2], set, new double[2], new double[2]));
        Assert.Throws<ArgumentException>(() => solver.Project([1, 2], new ConstraintList(3, new Ball([0, 0, 0], 1)), new double[2], new double[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentedLagrangianSolver(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentedLagrangianSolver(2, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentedLagrangianSolver(2, 1, new AugmentedLagrangianOptions { PenaltyGrowth = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentedLagrangianSolver(2, 1, new AugmentedLagrangianOptions { StationarityTolerance = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentedLagrangianSolver(2, 1, new AugmentedLagrangianOptions { MaxPenalty = 1, InitialPenalty = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentedLagrangianSolver(2, 1, new AugmentedLagrangianOptions { RequiredDecrease = 1 }));
    }

    // ---- helpers ----

    private static (double[] Z, double[] Lambda, ConstrainedSolveResult Result) Project(ConstraintList set, double[] c)
    {
        var solver = new AugmentedLagrangianSolver(set.Dimension, set.Count);
        double[] z = (double[])c.Clone();
        double[] lambda = new double[set.Count];
        ConstrainedSolveResult r = solver.Project(c, set, z, lambda);
        return (z, lambda, r);
    }

    /// <summary>Recomputes the KKT residuals of a projection from the returned point and multipliers.</summary>
    private static void CheckKkt(ConstraintList set, double[] c, double[] z, double[] lambda, ConstrainedSolveResult r, Projector? simpleSet)
    {
        var options = new AugmentedLagrangianOptions();
        Assert.True(r.Stationarity <= options.StationarityTolerance, $"reported stationarity {r.Stationarity:E2}");
        Assert.True(r.Complementarity <= options.FeasibilityTolerance, $"reported complementarity {r.Complementarity:E2}");

        // Stationarity: z = P_S(z - (z - c + sum lambda_i grad h_i)).
        double[] lagrangianGradient = z.Select((zi, i) => zi - c[i]).ToArray();
        double[] gradient = new double[z.Length];
        for (int i = 0; i < set.Count; i++)
        {
            Assert.True(lambda[i] >= 0, $"lambda_{i} = {lambda[i]}");
            double h = set.ValueAndGradient(i, z, gradient);
            Assert.True(h <= 1e-9, $"h_{i}(z) = {h:E2}");
            Assert.True(Math.Abs(lambda[i] * h) <= 1e-9, $"lambda_{i} h_{i} = {lambda[i] * h:E2}");
            for (int l = 0; l < z.Length; l++)
            {
                lagrangianGradient[l] += lambda[i] * gradient[l];
            }
        }

        double[] step = z.Select((zi, l) => zi - lagrangianGradient[l]).ToArray();
        simpleSet?.Invoke(step);
        Assert.True(MaxDiff(step, z) <= 1e-9, $"stationarity residual {MaxDiff(step, z):E2}");
    }

    private static (double[] Z, double[] Lambda) TwoHalfspaceProjection(double[] a1, double b1, double[] a2, double b2, double[] c)
    {
        // Active sets {}, {1}, {2}, {1, 2}: the one whose candidate is feasible with nonnegative multipliers is the projection.
        bool Feasible(double[] z) => Dot(a1, z) <= b1 + 1e-12 && Dot(a2, z) <= b2 + 1e-12;
        if (Feasible(c))
        {
            return (c, [0, 0]);
        }

        foreach ((double[] a, double b, int index) in new[] { (a1, b1, 0), (a2, b2, 1) })
        {
            double mu = (Dot(a, c) - b) / Dot(a, a);
            double[] z = c.Select((ci, i) => ci - (mu * a[i])).ToArray();
            if (mu >= 0 && Feasible(z))
            {
                double[] lambda = new double[2];
                lambda[index] = mu;
                return (z, lambda);
            }
        }

        // Both active: [a1'a1 a1'a2; a2'a1 a2'a2] lambda = [a1'c - b1; a2'c - b2].
        double g11 = Dot(a1, a1), g12 = Dot(a1, a2), g22 = Dot(a2, a2);
        double r1 = Dot(a1, c) - b1, r2 = Dot(a2, c) - b2;
        double det = (g11 * g22) - (g12 * g12);
        double l1 = ((g22 * r1) - (g12 * r2)) / det, l2 = ((g11 * r2) - (g12 * r1)) / det;
        Assert.True(l1 >= 0 && l2 >= 0, "active-set enumeration found no candidate");
        return (c.Select((ci, i) => ci - (l1 * a1[i]) - (l2 * a2[i])).ToArray(), [l1, l2]);
    }

    private static double[,] Householder(double[] v)
    {
        int n = v.Length;
        double vv = Dot(v, v);
        double[,] h = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                h[i, j] = (i == j ? 1 : 0) - (2 * v[i] * v[j] / vv);
            }
        }

        return h;
    }

    private static double[] Apply(double[,] m, double[] v, bool transpose)
    {
        int n = v.Length;
        double[] result = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                result[i] += (transpose ? m[j, i] : m[i, j]) * v[j];
            }
        }

        return result;
    }

    internal static double[] Normal(Random rng, int n, double scale = 1.0) =>
        Enumerable.Range(0, n).Select(_ => scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();

    private static double Dot(double[] a, double[] b) => a.Select((ai, i) => ai * b[i]).Sum();

    private static double MaxDiff(double[] a, double[] b) => a.Select((ai, i) => Math.Abs(ai - b[i])).Max();

    // ---- constraint functions (allocation-free, so the allocation test measures the solver only) ----

    private abstract class ConstraintFunction
    {
        public abstract double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient);
    }

    /// <summary>a'z - b.</summary>
    private sealed class Halfspace(double[] a, double b) : ConstraintFunction
    {
        public override double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient)
        {
            double value = -b;
            for (int i = 0; i < z.Length; i++)
            {
                value += a[i] * z[i];
                gradient[i] = a[i];
            }

            return value;
        }
    }

    /// <summary>||z - o||^2 - r^2.</summary>
    private sealed class Ball(double[] center, double radius) : ConstraintFunction
    {
        public override double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient)
        {
            double value = -radius * radius;
            for (int i = 0; i < z.Length; i++)
            {
                double d = z[i] - center[i];
                value += d * d;
                gradient[i] = 2 * d;
            }

            return value;
        }
    }

    /// <summary>z'Qz - 1 (Q symmetric positive definite).</summary>
    private sealed class Ellipsoid(double[,] q) : ConstraintFunction
    {
        public override double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient)
        {
            double value = -1;
            for (int i = 0; i < z.Length; i++)
            {
                double qz = 0;
                for (int j = 0; j < z.Length; j++)
                {
                    qz += q[i, j] * z[j];
                }

                value += z[i] * qz;
                gradient[i] = 2 * qz;
            }

            return value;
        }
    }

    private sealed class Linear(double[] a) : ISmoothConvexFunction
    {
        public int Dimension => a.Length;

        public double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient)
        {
            a.CopyTo(gradient);
            double value = 0;
            for (int i = 0; i < z.Length; i++)
            {
                value += a[i] * z[i];
            }

            return value;
        }
    }

    private sealed class ConstraintList(int dimension, params ConstraintFunction[] functions) : IConvexConstraints
    {
        public int Dimension => dimension;

        public int Count => functions.Length;

        public Projector? SimpleSet { get; init; }

        public bool HasSimpleSet => SimpleSet is not null;

        public double ValueAndGradient(int i, ReadOnlySpan<double> z, Span<double> gradient) => functions[i].ValueAndGradient(z, gradient);

        public void ProjectOntoSimpleSet(Span<double> z) => SimpleSet!(z);
    }

    internal delegate void Projector(Span<double> z);
}
