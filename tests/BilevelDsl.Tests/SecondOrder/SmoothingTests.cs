using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SecondOrder;

/// <summary>
/// One point of one nonsmooth primitive: the smoothed value error predicted by the smoothing formula of
/// docs (written here in a cancellation-free form), and the nominal rate of that error as mu -&gt; 0.
/// </summary>
public sealed record SmoothCase(string Name, Func<IBilevelKernels> Model, Level Level, double[] X, double[] Y, double Rate, Func<double, double> PredictedValueError)
{
    public override string ToString() => Name;
}

public class SmoothingTests(ITestOutputHelper output)
{
    private static readonly double[] Mus = [1e-1, 1e-2, 1e-3, 1e-4];

    /// <summary>sqrt(t^2 + mu^2) - |t| without cancellation.</summary>
    private static double Gap(double t, double mu) => mu * mu / (Math.Sqrt((t * t) + (mu * mu)) + Math.Abs(t));

    /// <summary>(t^2 + mu^2)^(p/2) - |t|^p, by the binomial series of (1 + u)^(p/2) - 1 with u = (mu/t)^2.</summary>
    private static double PowGap(double t, double p, double mu)
    {
        if (t == 0)
        {
            return Math.Pow(mu, p);
        }

        double u = (mu / t) * (mu / t), q = p / 2, term = 1, sum = 0;
        Assert.True(u < 0.5, "series point too close to the kink");
        for (int k = 1; k < 60; k++)
        {
            term *= (q - k + 1) / k * u;
            sum += term;
        }

        return Math.Pow(Math.Abs(t), p) * sum;
    }

    private static readonly SmoothCase[] Cases =
    [
        new("Dsl.Abs at kink", () => new AbsModel(), Level.Lower, [0.3], [0.3], 1, mu => Gap(0, mu)),
        new("Dsl.Abs away", () => new AbsModel(), Level.Lower, [0.3], [1.0], 2, mu => Gap(0.7, mu)),
        new("Math.Abs at kink", () => new AbsModel(), Level.Upper, [0.0], [0.5], 1, mu => Gap(0, mu)),
        new("Math.Abs away", () => new AbsModel(), Level.Upper, [-0.6], [0.5], 2, mu => Gap(-0.6, mu)),
        new("Dsl.Max at tie", () => new MaxModel(), Level.Lower, [0.4], [0.4], 1, mu => Gap(0, mu) / 2),
        new("Dsl.Max away", () => new MaxModel(), Level.Lower, [0.4], [-0.5], 2, mu => Gap(0.9, mu) / 2),
        new("Math.Max at tie", () => new MaxModel(), Level.Upper, [-0.4], [-0.4], 1, mu => Gap(0, mu) / 2),
        new("Math.Max away", () => new MaxModel(), Level.Upper, [0.1], [0.8], 2, mu => Gap(0.7, mu) / 2),
        new("Dsl.Min at tie", () => new MinModel(), Level.Lower, [0.4], [0.4], 1, mu => -Gap(0, mu) / 2),
        new("Dsl.Min away", () => new MinModel(), Level.Lower, [0.4], [-0.5], 2, mu => -Gap(0.9, mu) / 2),
        new("Math.Min at tie", () => new MinModel(), Level.Upper, [1.5], [1.5], 1, mu => -Gap(0, mu) / 2),
        new("Math.Min away", () => new MinModel(), Level.Upper, [0.1], [0.8], 2, mu => -Gap(0.7, mu) / 2),
        new("Relu at 0", () => new ReluModel(), Level.Lower, [0.2], [0.2], 1, mu => Gap(0, mu) / 2),
        new("Relu away (inactive)", () => new ReluModel(), Level.Lower, [0.2], [-0.5], 2, mu => Gap(-0.7, mu) / 2),
        new("Relu away (active)", () => new ReluModel(), Level.Lower, [-0.2], [0.4], 2, mu => Gap(0.6, mu) / 2),
        new("Hinge at 1", () => new HingeModel(), Level.Lower, [0.0], [1.0], 1, mu => Gap(0, mu) / 2),
        new("Hinge away", () => new HingeModel(), Level.Lower, [0.0], [0.2], 2, mu => Gap(0.8, mu) / 2),
        new("PowAbs(p=0.5) at 0", () => new PowAbsModel(), Level.Lower, [0.3], [0.3], 0.5, mu => PowGap(0, 0.5, mu)),
        new("PowAbs(p=0.5) away", () => new PowAbsModel(), Level.Lower, [0.3], [1.0], 2, mu => PowGap(0.7, 0.5, mu)),
        new("PowAbs(p=1) at 0", () => new PowAbsModel(), Level.Upper, [0.3], [0.3], 1, mu => PowGap(0, 1.0, mu)),
        new("PowAbs(p=1) away", () => new PowAbsModel(), Level.Upper, [0.3], [-0.5], 2, mu => PowGap(-0.8, 1.0, mu)),
        new("OscarPair at a = b", () => new OscarModel(), Level.Lower, [0.4], [0.4], 1, mu => (Gap(0.8, mu) + Gap(0, mu)) / 2),
        new("OscarPair at a = -b", () => new OscarModel(), Level.Lower, [0.4], [-0.4], 1, mu => (Gap(0, mu) + Gap(0.8, mu)) / 2),
        new("OscarPair at 0", () => new OscarModel(), Level.Lower, [0.0], [0.0], 1, mu => Gap(0, mu)),
        new("OscarPair away", () => new OscarModel(), Level.Lower, [0.9], [0.2], 2, mu => (Gap(1.1, mu) + Gap(0.7, mu)) / 2),
        new("Norm1 with zero entries", () => new Norm1Model(), Level.Lower, [1.0, 2.0], [0, 0.5, 0, -0.3], 1, mu => (2 * Gap(0, mu)) + Gap(0.5, mu) + Gap(0.3, mu)),
        new("Norm1 away", () => new Norm1Model(), Level.Lower, [1.0, 2.0], [0.4, 0.5, -0.6, -0.3], 2, mu => Gap(0.4, mu) + Gap(0.5, mu) + Gap(0.6, mu) + Gap(0.3, mu)),
        new("Norm1 (upper) with a zero entry", () => new Norm1Model(), Level.Upper, [0.0, -0.7, 0.9], [1.0, 2.0], 1, mu => Gap(0, mu) + Gap(0.7, mu) + Gap(0.9, mu)),
        new("Helper kinks (Abs, Relu, Hinge, Max) at 0", () => new HelperKinkModel(), Level.Lower, [0.0], [0.0], 1, mu => Gap(0, mu) + (Gap(-1, mu) / 2) + (Gap(1, mu) / 2) + (Gap(0, mu) / 2)),
    ];

    public static TheoryData<string> CaseNames() => [.. Cases.Select(c => c.Name)];

    private static SmoothCase Case(string name) => Cases.Single(c => c.Name == name);

    private static double Rate(double coarse, double fine) => Math.Log10(Math.Abs(coarse) / Math.Abs(fine));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void SmoothedValueAndGradientConvergeAtThePredictedRate(string name)
    {
        SmoothCase c = Case(name);
        IBilevelKernels model = c.Model();
        Objective exact = Objective.Of(model, c.Level);
        double exactValue = exact.Value(c.X, c.Y);
        double[] exactGradient = exact.Gradient(c.X, c.Y);
        var valueErrors = new double[Mus.Length];
        var gradientErrors = new double[Mus.Length];
        for (int k = 0; k < Mus.Length; k++)
        {
            double mu = Mus[k];
            Objective smoothed = Objective.Of(model.WithSmoothing(mu), c.Level);
            valueErrors[k] = smoothed.Value(c.X, c.Y) - exactValue;
            double predicted = c.PredictedValueError(mu);
            Assert.True(
                Math.Abs(valueErrors[k] - predicted) <= 1e-7 * Math.Abs(predicted) + 1e-15,
                $"{name}, mu = {mu}: smoothed - exact = {valueErrors[k]:R}, the smoothing formula gives {predicted:R}");
            gradientErrors[k] = Check.Sub(smoothed.Gradient(c.X, c.Y), exactGradient).Max(Math.Abs);
            Assert.True(gradientErrors[k] <= 10 * mu * mu, $"{name}, mu = {mu}: gradient error {gradientErrors[k]:E3} is not O(mu^2)");
        }

        var valueRates = new List<double>();
        var gradientRates = new List<double>();
        for (int k = 0; k + 1 < Mus.Length; k++)
        {
            double rate = Rate(valueErrors[k], valueErrors[k + 1]);
            valueRates.Add(rate);
            Assert.True(Math.Abs(rate - c.Rate) <= 0.06, $"{name}: value error {valueErrors[k]:E3} at mu = {Mus[k]}, {valueErrors[k + 1]:E3} at mu = {Mus[k + 1]}: observed rate {rate:F3}, predicted {c.Rate}");
            if (gradientErrors[k + 1] > 1e-13)
            {
                double gradientRate = Rate(gradientErrors[k], gradientErrors[k + 1]);
                gradientRates.Add(gradientRate);
                Assert.True(Math.Abs(gradientRate - 2) <= 0.06, $"{name}: gradient error {gradientErrors[k]:E3} -> {gradientErrors[k + 1]:E3}: observed rate {gradientRate:F3}, predicted 2");
            }
        }

        output.WriteLine($"{name}: value errors {string.Join(", ", valueErrors.Select(e => e.ToString("E3", CultureInfo.InvariantCulture)))}; "
            + $"value rates {string.Join(", ", valueRates.Select(r => r.ToString("F4", CultureInfo.InvariantCulture)))} (predicted {c.Rate}); "
            + $"gradient errors {string.Join(", ", gradientErrors.Select(e => e.ToString("E3", CultureInfo.InvariantCulture)))}; "
            + $"gradient rates {(gradientRates.Count == 0 ? "- (error 0)" : string.Join(", ", gradientRates.Select(r => r.ToString("F4", CultureInfo.InvariantCulture))))}");
    }

    /// <summary>The smoothed objective is smooth: its HVP matches differences of its gradient, even at the kink.</summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void SmoothedHessianVectorMatchesGradientDifferences(string name)
    {
        SmoothCase c = Case(name);
        IBilevelKernels model = c.Model();
        var rng = new Random(name.Length);
        double worst = 0;
        foreach (double mu in new[] { 0.1, 0.01 })
        {
            Objective smoothed = Objective.Of(model.WithSmoothing(mu), c.Level);
            for (int r = 0; r < 3; r++)
            {
                double[] vx = Check.Normal(rng, c.X.Length), vy = Check.Normal(rng, c.Y.Length);
                double[] hvp = smoothed.HessianVector(c.X, c.Y, vx, vy);
                double[] difference = smoothed.GradientDifference(c.X, c.Y, vx, vy, mu * 1e-2);
                double error = Check.RelativeError(hvp, difference, 1e-8);
                worst = Math.Max(worst, error);
                Assert.True(error <= 1e-6, $"{name}, mu = {mu}: HVP {Check.Show(hvp)} vs differences {Check.Show(difference)} (relative error {error:E2})");
            }
        }

        output.WriteLine($"{name}: smoothed HVP vs gradient differences, max relative error {worst:E2}");
    }

    private static IEnumerable<(string Name, Func<IBilevelKernels> Model, double[][] Points)> NonsmoothModels()
    {
        double[][] scalar =
        [
            [0, 0], [0.3, 0.3], [1e200, 1e200], [-1e300, -1e300], [1e200, -1e300], [-1e300, 1e200],
            [0, 1e200], [0, -1e300], [1e200, 0], [-1e300, 0], [0, 1], [1, 0], [-1e300, 1e300], [1e300, 1e300],
        ];
        yield return ("AbsModel", () => new AbsModel(), scalar);
        yield return ("MaxModel", () => new MaxModel(), scalar);
        yield return ("MinModel", () => new MinModel(), scalar);
        yield return ("ReluModel", () => new ReluModel(), scalar);
        yield return ("HingeModel", () => new HingeModel(), scalar);
        yield return ("PowAbsModel", () => new PowAbsModel(), scalar);
        yield return ("OscarModel", () => new OscarModel(), scalar);
        yield return ("HelperKinkModel", () => new HelperKinkModel(), scalar);
        yield return ("Norm1Model", () => new Norm1Model(),
        [
            [0, 0, 0, 0, 0], [1e200, -1e300, 0, 1e200, -1e300], [0, 0, 1e300, -1e300, 0], [-1e300, -1e300, -1e300, 1e300, 1e300],
        ]);
    }

    /// <summary>Value, gradient and HVP, exact and smoothed, are finite at zeros, ties and huge arguments.</summary>
    [Fact]
    public void NoNaNOrInfinityAtZerosTiesAndHugeArguments()
    {
        var failures = new List<string>();
        foreach ((string name, Func<IBilevelKernels> create, double[][] points) in NonsmoothModels())
        {
            IBilevelKernels model = create();
            foreach (double mu in new[] { 0.0, 1e-4, 1.0 })
            {
                IBilevelKernels view = model.WithSmoothing(mu);
                foreach (double[] point in points)
                {
                    int nx = point.Length == 2 ? 1 : 2;
                    double[] x = point[..nx], y = point[nx..];
                    foreach (Level level in new[] { Level.Upper, Level.Lower })
                    {
                        Objective objective = Objective.Of(view, level);
                        string where = $"{name} {level} mu = {mu} at x = {Check.Show(x)}, y = {Check.Show(y)}";
                        double value = objective.Value(x, y);
                        if (!double.IsFinite(value))
                        {
                            failures.Add($"{where}: value {value}");
                        }

                        double[] gradient = objective.Gradient(x, y);
                        if (!gradient.All(double.IsFinite))
                        {
                            failures.Add($"{where}: gradient {Check.Show(gradient)}");
                        }

                        foreach (double[] v in new[] { Enumerable.Repeat(1.0, point.Length).ToArray(), point.Select((_, i) => i % 2 == 0 ? 1.0 : -1.0).ToArray() })
                        {
                            double[] hvp = objective.HessianVector(x, y, v);
                            if (!hvp.All(double.IsFinite))
                            {
                                failures.Add($"{where}: HVP along {Check.Show(v)} = {Check.Show(hvp)}");
                            }
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} non-finite results:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>mu = 0 is the exact model: identical values, gradients and HVPs (also from a smoothed view).</summary>
    [Fact]
    public void WithSmoothingZeroIsTheExactModel()
    {
        var rng = new Random(3);
        foreach ((string name, Func<IBilevelKernels> create, double[][] points) in NonsmoothModels())
        {
            IBilevelKernels model = create();
            foreach (IBilevelKernels zero in new[] { model.WithSmoothing(0.0), model.WithSmoothing(0.5).WithSmoothing(0.0) })
            {
                foreach (double[] point in points.Take(3).Append(Check.Normal(rng, points[0].Length)))
                {
                    int nx = point.Length == 2 ? 1 : 2;
                    double[] x = point[..nx], y = point[nx..];
                    double[] v = Check.Normal(rng, point.Length);
                    foreach (Level level in new[] { Level.Upper, Level.Lower })
                    {
                        Objective a = Objective.Of(model, level), b = Objective.Of(zero, level);
                        Assert.Equal(a.Value(x, y), b.Value(x, y));
                        Assert.Equal(a.Gradient(x, y), b.Gradient(x, y));
                        Assert.Equal(a.HessianVector(x, y, v), b.HessianVector(x, y, v));
                    }
                }
            }

            // A positive mu really changes the value at a kink (so the comparison above can fail).
            double[] kink = new double[points[0].Length];
            int n = kink.Length == 2 ? 1 : 2;
            Assert.NotEqual(model.LowerValue(kink[..n], kink[n..]), model.WithSmoothing(0.5).LowerValue(kink[..n], kink[n..]));
        }
    }

    [Fact]
    public void InvalidSmoothingParametersThrow()
    {
        IBilevelKernels[] models = [new AbsModel(), new Norm1Model(), new SmoothModel(), ((IBilevelKernels)new AbsModel()).WithSmoothing(0.1), ((IBilevelKernels)new SmoothModel()).WithSmoothing(0.1), new FreeModel()];
        foreach (IBilevelKernels model in models)
        {
            foreach (double mu in new[] { -1.0, -1e-300, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            {
                var exception = Assert.Throws<ArgumentOutOfRangeException>(() => model.WithSmoothing(mu));
                Assert.Equal("mu", exception.ParamName);
            }

            Assert.NotNull(model.WithSmoothing(double.MaxValue));
            Assert.NotNull(model.WithSmoothing(double.Epsilon));
        }
    }

    [Fact]
    public void SmoothModelIsUnchangedBySmoothing()
    {
        IBilevelKernels model = new SmoothModel();
        foreach (double mu in new[] { 0.0, 1e-3, 1.0 })
        {
            IBilevelKernels view = model.WithSmoothing(mu);
            foreach (Level level in new[] { Level.Upper, Level.Lower })
            {
                Objective a = Objective.Of(model, level), b = Objective.Of(view, level);
                double[] x = [0.3], y = [-0.7];
                Assert.Equal(a.Value(x, y), b.Value(x, y));
                Assert.Equal(a.Gradient(x, y), b.Gradient(x, y));
                Assert.Equal(a.HessianVector(x, y, [0.2, 1.1]), b.HessianVector(x, y, [0.2, 1.1]));
            }
        }
    }

    /// <summary>Two views with different mu used from many threads at once give the sequential results.</summary>
    [Fact]
    public void ViewsWithDifferentMuAreIndependentUnderParallelUse()
    {
        foreach (IBilevelKernels model in new IBilevelKernels[] { new Norm1Model(), new OscarModel(), new HelperKinkModel() })
        {
            IBilevelKernels[] views = [model.WithSmoothing(1e-2), model.WithSmoothing(0.3), model];
            bool scalar = model is not Norm1Model;
            const int count = 600;
            var rng = new Random(17);
            var points = Enumerable.Range(0, count).Select(_ => Check.Normal(rng, scalar ? 2 : 6)).ToArray();
            double[][] Evaluate(int i)
            {
                IBilevelKernels view = views[i % views.Length];
                int nx = scalar ? 1 : 3;
                double[] x = points[i][..nx], y = points[i][nx..];
                double[] v = points[(i + 1) % count];
                var result = new List<double[]>();
                foreach (Level level in new[] { Level.Upper, Level.Lower })
                {
                    Objective o = Objective.Of(view, level);
                    result.Add([o.Value(x, y)]);
                    result.Add(o.Gradient(x, y));
                    result.Add(o.HessianVector(x, y, v));
                    var gx = new double[nx];
                    var gy = new double[y.Length];
                    var hx = new double[nx];
                    var hy = new double[y.Length];
                    double f = level == Level.Upper
                        ? view.UpperValueGradientHessianVector(x, y, v[..nx], v[nx..], gx, gy, hx, hy)
                        : view.LowerValueGradientHessianVector(x, y, v[..nx], v[nx..], gx, gy, hx, hy);
                    result.Add([f, .. gx, .. gy, .. hx, .. hy]);
                }

                return [.. result];
            }

            double[][][] sequential = Enumerable.Range(0, count).Select(Evaluate).ToArray();
            var parallel = new double[count][][];
            for (int round = 0; round < 3; round++)
            {
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = Evaluate(i));
                for (int i = 0; i < count; i++)
                {
                    for (int part = 0; part < sequential[i].Length; part++)
                    {
                        Assert.Equal(sequential[i][part], parallel[i][part]);
                    }
                }
            }

            // The views differ at a kink (otherwise the test could not detect a shared mu).
            int n = scalar ? 1 : 3;
            double[] zeroX = new double[n], zeroY = new double[scalar ? 1 : 3];
            Assert.NotEqual(views[0].LowerValue(zeroX, zeroY), views[1].LowerValue(zeroX, zeroY));
            Assert.NotEqual(views[1].LowerValue(zeroX, zeroY), views[2].LowerValue(zeroX, zeroY));
        }
    }

    [Fact]
    public void SmoothModelInfoSaysSmooth()
    {
        ModelInfo info = ((IBilevelKernels)new SmoothModel()).Info;
        Assert.True(info.Upper.IsSmooth);
        Assert.True(info.Lower.IsSmooth);
        Assert.Empty(info.Upper.NonsmoothTerms);
        Assert.Empty(info.Lower.NonsmoothTerms);
        Assert.Equal("Upper", info.Upper.Method);
        Assert.Equal("Lower", info.Lower.Method);
        Assert.Contains("smooth", info.Lower.Describe());
        Assert.DoesNotContain("nonsmooth", info.Lower.Describe());
        Assert.Equal(0, info.LowerConstraintCount);
        Assert.False(info.HasUpperDomain);
        Assert.False(info.HasLowerDomain);
    }

    /// <summary>Expected primitives per level (in any order), from the model sources in SmoothingModels.cs.</summary>
    public static TheoryData<string, string, string> InfoCases() => new()
    {
        { nameof(AbsModel), "Abs", "Abs" },
        { nameof(MaxModel), "Max", "Max" },
        { nameof(MinModel), "Min", "Min" },
        { nameof(ReluModel), "", "Relu" },
        { nameof(HingeModel), "", "Hinge" },
        { nameof(PowAbsModel), "PowAbs", "PowAbs" },
        { nameof(OscarModel), "", "OscarPair" },
        { nameof(Norm1Model), "Norm1", "Norm1" },
        { nameof(HelperKinkModel), "", "Abs Relu Hinge Max" },
    };

    [Theory]
    [MemberData(nameof(InfoCases))]
    public void NonsmoothModelInfoListsEveryTermWithFileAndLine(string modelName, string upperPrimitives, string lowerPrimitives)
    {
        Type type = typeof(AbsModel).Assembly.GetType("BilevelDsl.Tests.SecondOrder." + modelName)!;
        var model = (IBilevelKernels)Activator.CreateInstance(type)!;
        string path = SmoothingModelsSource.Path();
        Assert.True(File.Exists(path), $"source file {path} not found");
        string fileName = Path.GetFileName(path);
        string[] lines = File.ReadAllLines(path);
        foreach (IBilevelKernels view in new[] { model, model.WithSmoothing(0.1) })
        {
            ModelInfo info = view.Info;
            foreach ((LevelInfo level, string expected) in new[] { (info.Upper, upperPrimitives), (info.Lower, lowerPrimitives) })
            {
                string[] expectedPrimitives = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(expectedPrimitives.Length == 0, level.IsSmooth);
                Assert.Equal(expectedPrimitives.Order(), level.NonsmoothTerms.Select(t => t.Primitive).Order());
                foreach (NonsmoothTerm term in level.NonsmoothTerms)
                {
                    Match m = Regex.Match(term.Location, @"^(?<file>.+)\((?<line>\d+),(?<column>\d+)\)$");
                    Assert.True(m.Success, $"location '{term.Location}' is not file(line,column)");
                    Assert.Equal(fileName, m.Groups["file"].Value);
                    int line = int.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture);
                    int column = int.Parse(m.Groups["column"].Value, CultureInfo.InvariantCulture);
                    string sourceLine = lines[line - 1];
                    Assert.True(
                        sourceLine.Length >= column - 1 + term.Text.Length && sourceLine.Substring(column - 1, term.Text.Length) == term.Text,
                        $"term {term} does not point at its text: line {line} is '{sourceLine}'");
                    Assert.Matches(@"^(Dsl|Math)\." + term.Primitive + @"\(", term.Text);
                    Assert.Contains(term.Location, level.Describe());
                }

                if (!level.IsSmooth)
                {
                    Assert.Contains("nonsmooth", level.Describe());
                }
            }
        }
    }
}
