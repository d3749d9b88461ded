using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>
/// Second-order kernels on the whole corpus (every construct of docs/dsl.md on both levels): at 5 smooth
/// points per level, the Hessian-vector product matches Richardson-extrapolated central differences of the
/// generated gradient along the direction (|a - b| / max(1, |a|, |b|) &lt;= 1e-6 per component), the joint Hessian
/// is symmetric (u·(Hv) = v·(Hu) to 1e-10 relative), and the fused kernel equals the separate kernels.
/// </summary>
public sealed class CorpusSecondOrderTests
{
    private const int PointsPerLevel = 5;
    private const double SymmetryTolerance = 1e-10;

    [Theory]
    [MemberData(nameof(CorpusModels.Names), MemberType = typeof(CorpusModels))]
    public async Task Hessian_vector_products_match_differences_of_the_gradient_and_are_symmetric(string name)
    {
        ModelSpec spec = CorpusModels.Get(name);
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(spec);
        var rng = new Random(CorpusTests.StableSeed(name) ^ 0x5EED);
        var failures = new List<string>();
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            CheckLevel(kernels, level, spec, rng, failures);
        }

        Assert.True(failures.Count == 0, ModelBatch.Describe(batch[spec]) + Environment.NewLine + string.Join(Environment.NewLine, failures.Take(10)));
    }

    /// <summary>Checks <see cref="PointsPerLevel"/> smooth random points of one level (at most 100 tries).</summary>
    internal static void CheckLevel(IBilevelKernels kernels, Level level, ModelSpec spec, Random rng, List<string> failures)
    {
        int checkedPoints = 0;
        for (int attempt = 0; attempt < 100 && checkedPoints < PointsPerLevel; attempt++)
        {
            double[] x = FiniteDifference.RandomPoint(rng, spec.EffectiveXLength, spec.Range);
            double[] y = FiniteDifference.RandomPoint(rng, spec.EffectiveYLength, spec.Range);
            (double[] ux, double[] uy) = FiniteDifference.RandomDirection(rng, x.Length, y.Length);
            (double[] vx, double[] vy) = FiniteDifference.RandomDirection(rng, x.Length, y.Length);
            if (CheckPoint(kernels, level, x, y, ux, uy, vx, vy, failures))
            {
                checkedPoints++;
            }
        }

        if (checkedPoints < PointsPerLevel)
        {
            failures.Add($"{level}: only {checkedPoints} smooth points in 100 tries");
        }
    }

    /// <summary>Checks one point; false (and nothing recorded) when the differences show a kink nearby.</summary>
    private static bool CheckPoint(IBilevelKernels kernels, Level level, double[] x, double[] y, double[] ux, double[] uy, double[] vx, double[] vy, List<string> failures)
    {
        (double[] hx, double[] hy) = HessianVector(kernels, level, x, y, vx, vy);
        (double[] kx, double[] ky) = HessianVector(kernels, level, x, y, ux, uy);

        // Differences of the gradient along v with steps h and h/2, extrapolated (error O(h^4)).
        double h = FiniteDifference.Step;
        (double[] cx, double[] cy) = GradientDifference(kernels, level, x, y, vx, vy, h);
        (double[] fx, double[] fy) = GradientDifference(kernels, level, x, y, vx, vy, h / 2);
        double[] coarse = cx.Concat(cy).ToArray();
        double[] fine = fx.Concat(fy).ToArray();
        for (int i = 0; i < coarse.Length; i++)
        {
            if (!double.IsFinite(coarse[i]) || !double.IsFinite(fine[i]) || FiniteDifference.RelativeError(coarse[i], fine[i]) > FiniteDifference.SmoothnessTolerance)
            {
                return false; // a kink or branch switch within h of the point: the estimate cannot be trusted
            }
        }

        double[] product = hx.Concat(hy).ToArray();
        for (int i = 0; i < product.Length; i++)
        {
            double estimate = ((4 * fine[i]) - coarse[i]) / 3;
            if (!(FiniteDifference.RelativeError(product[i], estimate) <= FiniteDifference.Tolerance))
            {
                failures.Add($"{level} at x = {GradientChecker.Format(x)}, y = {GradientChecker.Format(y)}: (Hv)[{i}] = {GradientChecker.Format(product[i])}, differences of the gradient give {GradientChecker.Format(estimate)}");
            }
        }

        double uHv = GradientChecker.Dot(ux, hx) + GradientChecker.Dot(uy, hy);
        double vHu = GradientChecker.Dot(vx, kx) + GradientChecker.Dot(vy, ky);
        if (!(Math.Abs(uHv - vHu) <= SymmetryTolerance * Math.Max(1.0, Math.Max(Math.Abs(uHv), Math.Abs(vHu)))))
        {
            failures.Add($"{level} at x = {GradientChecker.Format(x)}: u·Hv = {GradientChecker.Format(uHv)} but v·Hu = {GradientChecker.Format(vHu)}");
        }

        CheckFused(kernels, level, x, y, vx, vy, product, failures);
        return true;
    }

    private static void CheckFused(IBilevelKernels kernels, Level level, double[] x, double[] y, double[] vx, double[] vy, double[] product, List<string> failures)
    {
        var gx = new double[x.Length];
        var gy = new double[y.Length];
        double value = GradientChecker.Gradient(kernels, level, x, y, gx, gy);
        var fgx = new double[x.Length];
        var fgy = new double[y.Length];
        var fhx = new double[x.Length];
        var fhy = new double[y.Length];
        double fused = level == Level.Upper
            ? kernels.UpperValueGradientHessianVector(x, y, vx, vy, fgx, fgy, fhx, fhy)
            : kernels.LowerValueGradientHessianVector(x, y, vx, vy, fgx, fgy, fhx, fhy);
        double[] expected = new[] { value }.Concat(gx).Concat(gy).Concat(product).ToArray();
        double[] actual = new[] { fused }.Concat(fgx).Concat(fgy).Concat(fhx).Concat(fhy).ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(FiniteDifference.RelativeError(expected[i], actual[i]) <= 1e-12))
            {
                failures.Add($"{level}: the fused kernel's entry {i} is {GradientChecker.Format(actual[i])}, the separate kernels give {GradientChecker.Format(expected[i])}");
                return;
            }
        }
    }

    private static (double[] Hx, double[] Hy) HessianVector(IBilevelKernels kernels, Level level, double[] x, double[] y, double[] vx, double[] vy)
    {
        var hx = new double[x.Length];
        var hy = new double[y.Length];
        Array.Fill(hx, 321.0); // the kernel must overwrite
        Array.Fill(hy, -321.0);
        if (level == Level.Upper)
        {
            kernels.UpperHessianVector(x, y, vx, vy, hx, hy);
        }
        else
        {
            kernels.LowerHessianVector(x, y, vx, vy, hx, hy);
        }

        return (hx, hy);
    }

    /// <summary>(grad(z + h v) - grad(z - h v)) / 2h, split into its x and y parts.</summary>
    private static (double[] Dx, double[] Dy) GradientDifference(IBilevelKernels kernels, Level level, double[] x, double[] y, double[] vx, double[] vy, double h)
    {
        double[] xp = x.Select((t, i) => t + (h * vx[i])).ToArray();
        double[] yp = y.Select((t, i) => t + (h * vy[i])).ToArray();
        double[] xm = x.Select((t, i) => t - (h * vx[i])).ToArray();
        double[] ym = y.Select((t, i) => t - (h * vy[i])).ToArray();
        var gxp = new double[x.Length];
        var gyp = new double[y.Length];
        var gxm = new double[x.Length];
        var gym = new double[y.Length];
        GradientChecker.Gradient(kernels, level, xp, yp, gxp, gyp);
        GradientChecker.Gradient(kernels, level, xm, ym, gxm, gym);
        return (gxp.Select((g, i) => (g - gxm[i]) / (2 * h)).ToArray(), gyp.Select((g, i) => (g - gym[i]) / (2 * h)).ToArray());
    }
}
