namespace BilevelDsl.Tests.SecondOrder;

/// <summary>A model with a sampler of test points away from its kinks and branch boundaries.</summary>
public sealed class ZooEntry
{
    public ZooEntry(string name, IBilevelKernels model, Func<Random, (double[] X, double[] Y)> sample)
    {
        Name = name;
        Model = model;
        Sample = sample;
    }

    public string Name { get; }

    public IBilevelKernels Model { get; }

    public Func<Random, (double[] X, double[] Y)> Sample { get; }

    public override string ToString() => Name;
}

/// <summary>Every smooth-or-away-from-kinks model of the second-order tests, by name.</summary>
public static class Zoo
{
    /// <summary>Distance kept from every kink and branch boundary (the difference steps are far smaller).</summary>
    public const double Margin = 0.05;

    public static readonly string[] ClosedFormNames = ["quadratic", "ridge", "logistic", "softmax", "multinomial"];

    public static readonly string[] ConstructNames = ["scalar-math", "scalar-dsl", "span"];

    public static readonly string[] AllNames = [.. ClosedFormNames, .. ConstructNames, "constrained"];

    public static ZooEntry Get(string name)
    {
        if (ClosedFormNames.Contains(name))
        {
            ClosedFormCase c = ClosedFormCase.ByName(name);
            return new ZooEntry(name, c.Model, rng => (Check.Normal(rng, c.Nx, 0.7), Check.Normal(rng, c.Ny, 0.7)));
        }

        return name switch
        {
            "scalar-math" => new ZooEntry(name, new ScalarMathZoo(), rng => Scalar(rng, -0.95, 0.95, ScalarMathSafe)),
            "scalar-dsl" => new ZooEntry(name, new ScalarDslZoo(), rng => Scalar(rng, -1.5, 1.5, ScalarDslSafe)),
            "span" => SpanEntry(),
            "constrained" => new ZooEntry(name, new ConstrainedModel([0.3, -1.2, 0.8, 0.5]), rng => (Check.Normal(rng, 2, 0.5), Check.Normal(rng, 4, 0.5))),
            _ => throw new ArgumentException("unknown model " + name),
        };
    }

    private static (double[] X, double[] Y) Scalar(Random rng, double lo, double hi, Func<double, double, bool> safe)
    {
        while (true)
        {
            double x = lo + ((hi - lo) * rng.NextDouble()), y = lo + ((hi - lo) * rng.NextDouble());
            if (safe(x, y))
            {
                return ([x], [y]);
            }
        }
    }

    private static bool Away(params double[] kinks) => kinks.All(k => Math.Abs(k) > Margin);

    /// <summary>Kinks of |x - y|, Max(x, y^2), Min(xy, y); branches x &gt; 0.25, y &gt; x, y &lt; -0.5, x &gt; 0, y &gt; 0, x &lt; -0.8.</summary>
    private static bool ScalarMathSafe(double x, double y) =>
        Away(x - y, x - (y * y), (x * y) - y, x - 0.25, y + 0.5, x, y, x + 0.8);

    /// <summary>Kinks of every nonsmooth term of ScalarDslZoo (both levels and the helper).</summary>
    private static bool ScalarDslSafe(double x, double y) =>
        Away(x * y, x - y, x - (y * y), x - (2 * y), (x * y) - x, x + y, (x * y) - 1, y,
            (x * y) + (y - x), (x * y) - (y - x));

    private static ZooEntry SpanEntry()
    {
        var rng = new Random(21);
        const int ny = 5;
        Matrix m = Check.RandomMatrix(rng, 4, ny, 0.5);
        double[] c = Check.Normal(rng, 4);
        int[] pick = [0, 3, 3, 1];
        var model = new SpanZoo(m, c, pick);
        return new ZooEntry("span", model, r =>
        {
            while (true)
            {
                double[] x = Check.Normal(r, 3, 0.5);
                double[] y = Check.Normal(r, ny, 0.7);
                if (y.All(v => Math.Abs(v) > Margin))
                {
                    return (x, y);
                }
            }
        });
    }
}
