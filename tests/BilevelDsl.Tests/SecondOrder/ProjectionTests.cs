using BilevelDsl.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SecondOrder;

/// <summary>BilevelDsl.Numerics.Projections: idempotent, nonexpansive, the right sets, invalid arguments.</summary>
public class ProjectionTests(ITestOutputHelper output)
{
    private delegate void Projection(Span<double> v);

    /// <summary>Sort-based simplex projection (Held, Wolfe and Crowder): tau from the largest rho entries.</summary>
    public static double[] SimplexReference(double[] v, double total)
    {
        double[] u = v.OrderByDescending(t => t).ToArray();
        double cumulative = 0, tau = 0;
        for (int j = 0; j < u.Length; j++)
        {
            cumulative += u[j];
            double candidate = (cumulative - total) / (j + 1);
            if (u[j] - candidate > 0)
            {
                tau = candidate;
            }
        }

        return v.Select(t => Math.Max(t - tau, 0)).ToArray();
    }

    private static readonly (string Name, Projection Project)[] Sets =
    [
        ("box [-0.5, 1.25]", v => Projections.Box(v, -0.5, 1.25)),
        ("box [0, inf)", v => Projections.Box(v, 0, double.PositiveInfinity)),
        ("box [2, 2]", v => Projections.Box(v, 2, 2)),
        ("ball r = 1", v => Projections.Ball(v, 1.0)),
        ("ball r = 0.01", v => Projections.Ball(v, 0.01)),
        ("ball r = 0", v => Projections.Ball(v, 0.0)),
        ("orthant", v => Projections.NonnegativeOrthant(v)),
        ("simplex 1", v => Projections.Simplex(v)),
        ("simplex 3.5", v => Projections.Simplex(v, 3.5)),
    ];

    private static double[] Apply(Projection p, double[] v)
    {
        double[] copy = (double[])v.Clone();
        p(copy);
        return copy;
    }

    private static IEnumerable<double[]> Points(Random rng, int count)
    {
        double[] scales = [1e-3, 0.1, 1, 10, 100];
        for (int i = 0; i < count; i++)
        {
            int n = 1 + rng.Next(8);
            double[] v = Check.Normal(rng, n, scales[i % scales.Length]);
            if (i % 7 == 0)
            {
                v[rng.Next(n)] = v[0]; // ties
            }

            yield return v;
        }
    }

    [Fact]
    public void ProjectionsAreIdempotentAndNonexpansive()
    {
        var rng = new Random(8);
        double[][] points = Points(rng, 600).ToArray();
        foreach ((string name, Projection project) in Sets)
        {
            double worstIdempotence = 0, worstExpansion = 0;
            foreach (double[] a in points)
            {
                double[] pa = Apply(project, a);
                double[] ppa = Apply(project, pa);
                double idempotence = Check.Norm(Check.Sub(ppa, pa));
                worstIdempotence = Math.Max(worstIdempotence, idempotence / Math.Max(1, Check.Norm(pa)));
                Assert.True(idempotence <= 1e-14 * Math.Max(1, Check.Norm(pa)), $"{name}: P(P(v)) != P(v) for v = {Check.Show(a)}: {Check.Show(pa)} then {Check.Show(ppa)}");

                // A far point and a nearby point of the same length.
                double[] far = Check.Normal(rng, a.Length, 3);
                double[] near = a.Select(t => t + (1e-6 * (rng.NextDouble() - 0.5))).ToArray();
                foreach (double[] b in new[] { far, near })
                {
                    double[] pb = Apply(project, b);
                    double distance = Check.Norm(Check.Sub(a, b));
                    double projected = Check.Norm(Check.Sub(pa, pb));
                    worstExpansion = Math.Max(worstExpansion, projected - distance);
                    Assert.True(projected <= distance + 1e-12, $"{name}: ||P(a) - P(b)|| = {projected:R} > ||a - b|| = {distance:R} for a = {Check.Show(a)}, b = {Check.Show(b)}");
                }
            }

            output.WriteLine($"{name}: max |P(P(v)) - P(v)| / max(1, |P(v)|) = {worstIdempotence:E2}, max (||P(a)-P(b)|| - ||a-b||) = {worstExpansion:E2}");
        }
    }

    [Fact]
    public void ProjectionsLandInTheirSets()
    {
        var rng = new Random(9);
        foreach (double[] v in Points(rng, 400))
        {
            double[] box = Apply(w => Projections.Box(w, -0.5, 1.25), v);
            Assert.Equal(v.Select(t => Math.Min(Math.Max(t, -0.5), 1.25)).ToArray(), box);

            double[] orthant = Apply(Projections.NonnegativeOrthant, v);
            Assert.Equal(v.Select(t => t < 0 ? 0 : t).ToArray(), orthant);

            double[] ball = Apply(w => Projections.Ball(w, 1.0), v);
            double norm = Check.Norm(v);
            double[] expected = norm <= 1 ? v : v.Select(t => t / norm).ToArray();
            Assert.True(Check.RelativeError(ball, expected, 1e-300) <= 1e-15, $"ball {Check.Show(ball)} vs {Check.Show(expected)}");
            Assert.True(Check.Norm(ball) <= 1 + 1e-15);

            foreach (double total in new[] { 1.0, 3.5, 1e-3 })
            {
                double[] simplex = Apply(w => Projections.Simplex(w, total), v);
                Assert.All(simplex, t => Assert.True(t >= 0, $"negative entry {t}"));
                Assert.True(Math.Abs(simplex.Sum() - total) <= 1e-12 * Math.Max(total, v.Select(Math.Abs).Max()), $"sum {simplex.Sum():R}, total {total}");
                double[] reference = SimplexReference(v, total);
                Assert.True(Check.Norm(Check.Sub(simplex, reference)) <= 1e-12 * Math.Max(1, Check.Norm(v)), $"simplex {Check.Show(simplex)} vs sort-based {Check.Show(reference)} for v = {Check.Show(v)}");
            }
        }
    }

    [Fact]
    public void SimplexProjectionEdgeCases()
    {
        // A point of the simplex is its own projection; equal entries share the total; one entry gets it all.
        double[] inside = [0.2, 0.3, 0.5];
        Assert.True(Check.Norm(Check.Sub(Apply(v => Projections.Simplex(v), inside), inside)) <= 1e-15);
        Assert.Equal([0.25, 0.25, 0.25, 0.25], Apply(v => Projections.Simplex(v), [7.0, 7.0, 7.0, 7.0]));
        Assert.Equal([0.0, 2.0, 0.0], Apply(v => Projections.Simplex(v, 2.0), [-5.0, 100.0, 1.0]));
        Assert.Equal([3.0], Apply(v => Projections.Simplex(v, 3.0), [-12345.5]));
        Assert.Equal([0.5, 0.0, 0.5], Apply(v => Projections.Simplex(v), [1e6, -1e6, 1e6]));
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        double[] v = [1.0, 2.0];
        Assert.Throws<ArgumentException>(() => Projections.Box(v, 1.0, 0.0));
        Assert.Throws<ArgumentException>(() => Projections.Box(v, double.NaN, 1.0));
        Assert.Throws<ArgumentException>(() => Projections.Box(v, 0.0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Projections.Ball(v, -1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Projections.Ball(v, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Projections.Simplex(v, 0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Projections.Simplex(v, -2.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Projections.Simplex(v, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Projections.Simplex(Span<double>.Empty, 1.0));
        Assert.Equal([1.0, 2.0], v); // a rejected call leaves the vector alone
    }
}
