using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// Acceptance 1 (hypergradients): on the ridge problem every method's hypergradient matches the closed form
/// phi'(x) = -e^x (V'(V w* - c))' (A'A + e^x I)^-1 w* to 1e-6 relative, given enough inner/CG/unroll steps. Also: the
/// unrolled methods are the exact derivatives of their unrolled maps, and the domain (projection) handling is right.
/// </summary>
public class HypergradientAccuracyTests(ITestOutputHelper output)
{
    internal static readonly RidgeClosedForm Ridge = new(5, 30, 30, 3.0, 7);

    /// <summary>Every method, with enough steps for a 1e-6 hypergradient on the ridge problem (condition number about 6).</summary>
    public static IHypergradientEstimator Method(string name) => name switch
    {
        "AID-CG" => new AidCgSolver(),
        "AID-Neumann" => new AidNeumannSolver(new AidNeumannOptions { NeumannTerms = 300 }),
        "RHG" => new RhgSolver(new RhgOptions { UnrollSteps = 300 }),
        "TRHG" => new TrhgSolver(new TrhgOptions { UnrollSteps = 300, TruncationSteps = 150 }),
        "FHG" => new FhgSolver(new FhgOptions { UnrollSteps = 300 }),
        "BDA" => new BdaSolver(new BdaOptions { UnrollSteps = 300 }),
        "Penalty" => new PenaltySolver(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static TheoryData<string, double> RidgeCases()
    {
        var data = new TheoryData<string, double>();
        foreach (string m in new[] { "AID-CG", "AID-Neumann", "RHG", "TRHG", "FHG", "BDA", "Penalty" })
        {
            data.Add(m, 0.0);
            data.Add(m, 2.0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RidgeCases))]
    public void RidgeHypergradientMatchesTheClosedForm(string method, double x)
    {
        double exact = Ridge.Hypergradient(x);
        HypergradientEstimate e = Method(method).EstimateHypergradient(Ridge.Kernels(), [x], new double[5]);
        double relative = Math.Abs(e.Gradient[0] - exact) / Math.Abs(exact);
        output.WriteLine($"{method} at x = {x}: estimate {e.Gradient[0]:R}, closed form {exact:R}, relative error {relative:E2}; {e.Message}");
        Assert.Equal(SolverStatus.Converged, e.Status);
        Assert.True(relative <= 1e-6, $"relative error {relative:E2}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    public void HypergradientCheckMatchesTheClosedFormAndCatchesAWrongEstimate(double x)
    {
        double exact = Ridge.Hypergradient(x);
        HypergradientCheckResult check = HypergradientCheck.Compare(new AidCgSolver(), Ridge.Kernels(), [x], new double[5]);
        output.WriteLine(check.Message);
        Assert.True(check.ReferenceConverged);
        Assert.True(Math.Abs(check.FiniteDifference[0] - exact) <= 1e-6 * Math.Abs(exact), $"finite difference {check.FiniteDifference[0]} vs {exact}");
        Assert.True(check.RelativeError <= 1e-6);
        Assert.Equal(Ridge.Phi(x), check.Phi, 1e-9);

        HypergradientCheckResult wrong = HypergradientCheck.Compare(new ScaledEstimator(new AidCgSolver(), 1.01), Ridge.Kernels(), [x], new double[5]);
        Assert.Equal(0.01, wrong.RelativeError, 1e-4);
    }

    [Fact]
    public void RhgIsTheExactDerivativeOfItsUnrolledMap()
    {
        // sin toy, T = 20 steps of y <- y - s cos(x + y) from y0: g = d/dx F(x, y_T(x)), by central differences of the
        // unrolled map written out here.
        const double a = 2.0, s = 0.5, y0 = 0.1, x = 0.3;
        const int steps = 20;
        double expected = CentralDifference(h => UnrolledPhi(x + h), 1e-5);
        var rhg = new RhgSolver(new RhgOptions { UnrollSteps = steps, InnerStepSize = s });
        HypergradientEstimate e = rhg.EstimateHypergradient(new SolverSinToy { A = a }, [x], [y0]);
        output.WriteLine($"RHG {e.Gradient[0]:R} vs unrolled-map derivative {expected:R}");
        Assert.Equal(expected, e.Gradient[0], 1e-8);

        var fhg = new FhgSolver(new FhgOptions { UnrollSteps = steps, InnerStepSize = s });
        Assert.Equal(e.Gradient[0], fhg.EstimateHypergradient(new SolverSinToy { A = a }, [x], [y0]).Gradient[0], 1e-12);

        var trhgFull = new TrhgSolver(new TrhgOptions { UnrollSteps = steps, TruncationSteps = steps, InnerStepSize = s });
        Assert.Equal(e.Gradient[0], trhgFull.EstimateHypergradient(new SolverSinToy { A = a }, [x], [y0]).Gradient[0], 1e-13);

        static double UnrolledPhi(double xv)
        {
            double y = y0;
            for (int t = 0; t < steps; t++)
            {
                y -= s * Math.Cos(xv + y);
            }

            return ((xv - a) * (xv - a)) + ((y - a) * (y - a));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    public void TrhgKeepsExactlyTheLastKBackwardSteps(int k)
    {
        // Written out with the sin toy's second derivatives by hand: h_t = d2f/dy2 = d2f/dxdy = -sin(x + y_t).
        const double a = 2.0, s = 0.5, y0 = 0.1, x = 0.3;
        const int steps = 20;
        var ys = new double[steps + 1];
        ys[0] = y0;
        for (int t = 0; t < steps; t++)
        {
            ys[t + 1] = ys[t] - (s * Math.Cos(x + ys[t]));
        }

        double p = 2 * (ys[steps] - a);
        double g = 2 * (x - a);
        for (int t = steps - 1; t >= steps - k; t--)
        {
            double h = -Math.Sin(x + ys[t]);
            g -= s * h * p;
            p -= s * h * p;
        }

        var trhg = new TrhgSolver(new TrhgOptions { UnrollSteps = steps, TruncationSteps = k, InnerStepSize = s });
        Assert.Equal(g, trhg.EstimateHypergradient(new SolverSinToy { A = a }, [x], [y0]).Gradient[0], 1e-13);
    }

    [Fact]
    public void BdaIsTheExactDerivativeOfItsAggregatedUnrolledMap()
    {
        // One outer iteration with mu_0 = 0.6: g_0 = d/dx F(x, y_T(x)) for y_{t+1} = y_t - (a_t s_u dF/dy + (1 - a_t) s_l df/dy),
        // a_t = mu / (t + 1). The solver's first x step x_1 = x_0 - alpha g_0 reveals g_0.
        const double a = 2.0, sl = 0.5, su = 0.3, mu = 0.6, y0 = 0.1, x0 = 0.3, alpha = 1e-3;
        const int steps = 20;
        double expected = CentralDifference(h => AggregatedPhi(x0 + h), 1e-5);
        var bda = new BdaSolver(new BdaOptions
        {
            UnrollSteps = steps,
            InnerStepSize = sl,
            UpperInnerStepSize = su,
            Aggregation = new(mu, 0.5, 1e-3),
            MaxIterations = 2,
            Optimizer = new() { StepSize = alpha },
        });
        BilevelResult r = bda.Solve(new SolverSinToy { A = a }, [x0], [y0]);
        double g0 = (x0 - r.X[0]) / alpha;
        output.WriteLine($"BDA g0 {g0:R} vs aggregated unrolled-map derivative {expected:R}");
        Assert.Equal(2, r.Iterations);
        Assert.Equal(expected, g0, 1e-7);
        Assert.Equal(Math.Abs(g0), r.History[0].DirectionNorm, 1e-9);

        static double AggregatedPhi(double xv)
        {
            double y = y0;
            for (int t = 0; t < steps; t++)
            {
                double at = mu / (t + 1);
                y -= (at * su * 2 * (y - a)) + ((1 - at) * sl * Math.Cos(xv + y));
            }

            return ((xv - a) * (xv - a)) + ((y - a) * (y - a));
        }
    }

    public static TheoryData<string> DomainMethods => ["AID-CG", "AID-Neumann", "RHG", "TRHG", "FHG", "BDA"];

    [Theory]
    [MemberData(nameof(DomainMethods))]
    public void LowerBoxIsHonouredWithTheActiveBoundFixed(string method)
    {
        // y >= 0 with t(x) = (x - 1, 2 - x, x/2 - 3): for x in (1, 2), y* = (x - 1, 2 - x, 0) (third bound active), so
        // phi(x) = 1/2 ((x - 2)^2 + (1 - x)^2 + 1) + x^2 / 2 and phi'(x) = 3x - 3.
        const double x = 1.5;
        HypergradientEstimate e = Method(method).EstimateHypergradient(new BoxLowerModel(), [x], [0.0, 0.0, 0.0]);
        output.WriteLine($"{method}: {e.Gradient[0]:R} vs {3 * x - 3}; y = ({string.Join(", ", e.Y)}); {e.Message}");
        Assert.Equal(SolverStatus.Converged, e.Status);
        Assert.Equal(3 * x - 3, e.Gradient[0], 1e-6);
        Assert.Equal(0.5, e.Y[0], 1e-8);
        Assert.Equal(0.5, e.Y[1], 1e-8);
        Assert.Equal(0.0, e.Y[2]);
    }

    [Theory]
    [MemberData(nameof(DomainMethods))]
    public void CoupledBoxHypergradientMatchesFiniteDifferences(string method)
    {
        IBilevelKernels model = CoupledBox();
        double[] x = [0.9, 0.4];
        HypergradientCheckResult check = HypergradientCheck.Compare(Method(method), model, x, new double[3]);
        output.WriteLine($"{check.Message} y = ({string.Join(", ", check.Estimate.Y.Select(v => v.ToString("F6")))})");
        Assert.True(check.ReferenceConverged);
        Assert.Contains(check.Estimate.Y, v => v == 0.0 || v == 1.0); // an active bound
        Assert.True(check.RelativeError <= 1e-6, check.Message);
    }

    internal static IBilevelKernels CoupledBox() => new CoupledBoxModel(
        new Matrix(3, 3, [2.0, 0.6, 0.2, 0.6, 1.5, 0.4, 0.2, 0.4, 1.2]),
        new Matrix(3, 2, [1.5, -0.5, 0.2, 1.0, -1.0, 0.8]));

    private static double CentralDifference(Func<double, double> f, double h) => (f(h) - f(-h)) / (2 * h);

    /// <summary>A deliberately wrong estimator (scales another's estimate), to show that the check catches it.</summary>
    private sealed class ScaledEstimator(IHypergradientEstimator inner, double factor) : IHypergradientEstimator
    {
        public string MethodName => "scaled " + inner.MethodName;

        public HypergradientEstimate EstimateHypergradient(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y0, CancellationToken cancellationToken = default)
        {
            HypergradientEstimate e = inner.EstimateHypergradient(model, x, y0, cancellationToken);
            return e with { Gradient = e.Gradient.Select(g => g * factor).ToArray() };
        }
    }
}
