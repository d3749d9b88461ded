using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>
/// The derivative conventions exactly at kinks (docs/ad-conventions.md): d|t|/dt at 0 = 0; Max/Min ties give
/// each argument 1/2; d sqrt(t)/dt at 0 = 0; Pow(a, b) at a == 0 with b &lt; 1 gives d/da = 0, d/db = 0 for
/// a &lt;= 0; branches not taken never leak NaN; a zero adjoint never multiplies an infinite partial into NaN.
/// </summary>
public sealed class KinkConventionTests
{
    private static readonly ModelSpec[] Models =
    {
        Scalar("AbsAtZero", "return Math.Abs(x) + Math.Abs(y - 1);", "return Math.Abs(x - y) + 0.5 * y;"),
        Scalar("MaxMinTies", "return Math.Max(x, y) + Math.Max(x * x, y);", "return 2 * Math.Min(x, y) + Math.Min(y, 0.3);"),
        Scalar("SqrtAtZero", "return Math.Sqrt(x) + y;", "return Math.Sqrt(x * x + y * y);"),
        Scalar("UntakenBranches",
            "return (x > 0 ? Math.Log(x) : 0) + y;",
            """
            if (y > 0)
            {
                return Math.Sqrt(y) * x + Math.Log(y);
            }
            return x * 0.5;
            """),
        Scalar("PowConventions", "return Math.Pow(x, 0.5) + y;", "return Math.Pow(x, y);"),
        Scalar("ZeroTimesInfinity",
            """
            double d = x / Zero;
            return Math.Exp(-d * d) + y;
            """,
            "return (y - x) * (y - x);") with { Members = "private static readonly double Zero = 0.0;" },
        Scalar("ZeroAdjointInfinitePartial",
            "return Math.Max(Math.Log(x), -10) + y;",
            """
            double t = Math.Log(x);
            return y > 0 ? y * y : t + y;
            """),
    };

    private static ModelSpec Scalar(string name, string upper, string lower) =>
        new() { Name = name, Namespace = "Kinks", Kind = ModelKind.Scalar, Upper = upper, Lower = lower, Covers = "kink convention" };

    private static readonly Lazy<Task<ModelBatch>> LazyBatch = new(() => ModelBatch.BuildAsync(Models, runAnalyzer: false, "Kinks"));

    /// <summary>(model, level, x, y, expected value, expected d/dx, expected d/dy).</summary>
    public static TheoryData<string, Level, double, double, double, double, double> Cases => new()
    {
        { "AbsAtZero", Level.Upper, 0, 1, 0, 0, 0 },                 // |x| at 0 and |y - 1| at 0: both 0
        { "AbsAtZero", Level.Lower, 0.3, 0.3, 0.15, 0, 0.5 },        // |x - y| at x == y contributes 0
        { "MaxMinTies", Level.Upper, 0.3, 0.3, 0.3 + 0.3, 0.5, 0.5 + 1 },       // Max(x, y) tied; Max(0.09, 0.3) not tied
        { "MaxMinTies", Level.Upper, 0.5, 0.25, 0.5 + 0.25, 1 + 0.5, 0.5 },       // Max(x*x, y) tied: 1/2 * 2x, 1/2
        { "MaxMinTies", Level.Lower, -0.2, -0.2, -0.4 - 0.2, 1, 1 + 1 },          // Min(x, y) tied: 2 * 1/2 each
        { "MaxMinTies", Level.Lower, 0.9, 0.3, 0.6 + 0.3, 0, 2 + 0.5 },           // Min(y, 0.3) tied: 1/2 to y
        { "SqrtAtZero", Level.Upper, 0, 2, 2, 0, 1 },                 // d sqrt(x)/dx at 0 taken as 0
        { "SqrtAtZero", Level.Lower, 0, 0, 0, 0, 0 },                 // sqrt(x^2 + y^2) at the origin: 0, not NaN
        { "UntakenBranches", Level.Upper, -1, 0.5, 0.5, 0, 1 },       // Log(-1) is never evaluated on the taken path
        { "UntakenBranches", Level.Lower, 3, -1, 1.5, 0.5, 0 },       // Sqrt(-1), Log(-1) in the branch not taken
        { "PowConventions", Level.Upper, 0, 1, 1, 0, 1 },             // d/da a^0.5 at a = 0 taken as 0
        { "PowConventions", Level.Lower, 0, 2, 0, 0, 0 },             // d/da = 2 * 0 = 0; d/db = 0 (a <= 0)
        { "PowConventions", Level.Lower, -2, 2, 4, -4, 0 },           // d/db = 0 for a < 0
        { "PowConventions", Level.Lower, 2, 3, 8, 12, 8 * 0.69314718055994530942 }, // d/db = a^b ln a
        { "ZeroTimesInfinity", Level.Upper, 0.5, 2, 2, 0, 1 },         // d = inf: exp(-d*d) = 0 has adjoint 0 times partial -2d = -inf
        { "ZeroAdjointInfinitePartial", Level.Upper, 0, 1, -9, 0, 1 }, // Max(-inf, -10): adjoint 0 times 1/0
        { "ZeroAdjointInfinitePartial", Level.Lower, 0, 1, 1, 0, 2 },  // t = Log(0) = -inf is unused
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Derivatives_at_kinks_follow_the_conventions(string model, Level level, double x, double y, double value, double dx, double dy)
    {
        ModelBatch batch = await LazyBatch.Value;
        ModelSpec spec = Models.Single(m => m.Name == model);
        IBilevelKernels kernels = batch.CreateKernels(spec);
        var gx = new[] { double.NaN };
        var gy = new[] { double.NaN };
        double actual = GradientChecker.Gradient(kernels, level, new[] { x }, new[] { y }, gx, gy);
        string what = $"{spec} {level} at x = {x}, y = {y}: value {actual}, d/dx {gx[0]}, d/dy {gy[0]} " +
                      $"(expected {value}, {dx}, {dy}){Environment.NewLine}{ModelBatch.Describe(batch[spec])}";
        Assert.True(Close(value, actual) && Close(dx, gx[0]) && Close(dy, gy[0]), what);
    }

    private static bool Close(double expected, double actual) =>
        !double.IsNaN(actual) && Math.Abs(expected - actual) <= 1e-14 * Math.Max(1, Math.Abs(expected));
}
