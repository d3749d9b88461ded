using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>
/// Primitives added through the primitive table, against hand-derived derivatives of a corpus model that uses
/// them (the corpus tests check the same models against finite differences).
/// </summary>
public sealed class PrimitiveClosedFormTests
{
    private const double Tolerance = 1e-12;

    /// <summary>
    /// S21_Cbrt upper level F = c(2 + x y) + x c(y - 3) with c(t) = t^(1/3), c' = 1/(3 c^2), c'' = -2/(9 c^5):
    /// F_x = y c'(u) + c(v), F_y = x c'(u) + x c'(v), F_xx = y^2 c''(u), F_xy = c'(u) + x y c''(u) + c'(v),
    /// F_yy = x^2 c''(u) + x c''(v), with u = 2 + x y and v = y - 3.
    /// </summary>
    [Fact]
    public Task Cbrt_gradient_and_Hessian_match_the_closed_form()
    {
        static double D1(double t) => 1 / (3 * Math.Cbrt(t) * Math.Cbrt(t));
        static double D2(double t) => -2 / (9 * Math.Pow(Math.Cbrt(t), 5));
        return UpperMatchesClosedForm("S21_Cbrt", seed: 21, (x, y) =>
        {
            double u = 2 + (x * y), v = y - 3;
            double hxy = D1(u) + (x * y * D2(u)) + D1(v);
            return (Math.Cbrt(u) + (x * Math.Cbrt(v)), (y * D1(u)) + Math.Cbrt(v), (x * D1(u)) + (x * D1(v)),
                y * y * D2(u), hxy, (x * x * D2(u)) + (x * D2(v)));
        });
    }

    /// <summary>
    /// S22_Log10 upper level F = L(u) + x L(v) with L(t) = log10 t, L' = 1/(t ln 10), L'' = -1/(t^2 ln 10),
    /// u = 2 + x y, v = 3 + y^2: F_x = y L'(u) + L(v), F_y = x L'(u) + 2 x y L'(v), F_xx = y^2 L''(u),
    /// F_xy = L'(u) + x y L''(u) + 2 y L'(v), F_yy = x^2 L''(u) + 2 x L'(v) + 4 x y^2 L''(v).
    /// </summary>
    [Fact]
    public Task Log10_gradient_and_Hessian_match_the_closed_form()
    {
        static double D1(double t) => 1 / (t * Math.Log(10));
        static double D2(double t) => -1 / (t * t * Math.Log(10));
        return UpperMatchesClosedForm("S22_Log10", seed: 22, (x, y) =>
        {
            double u = 2 + (x * y), v = 3 + (y * y);
            double hxy = D1(u) + (x * y * D2(u)) + (2 * y * D1(v));
            return (Math.Log10(u) + (x * Math.Log10(v)), (y * D1(u)) + Math.Log10(v), (x * D1(u)) + (2 * x * y * D1(v)),
                y * y * D2(u), hxy, (x * x * D2(u)) + (2 * x * D1(v)) + (4 * x * y * y * D2(v)));
        });
    }

    /// <summary>The value, gradient and both Hessian columns of a scalar corpus model's upper level at 10 random
    /// points of [-1, 1]^2, against <paramref name="closedForm"/> (F, F_x, F_y, F_xx, F_xy, F_yy).</summary>
    private static async Task UpperMatchesClosedForm(string model, int seed, Func<double, double, (double F, double Fx, double Fy, double Fxx, double Fxy, double Fyy)> closedForm)
    {
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(CorpusModels.Get(model));
        var rng = new Random(seed);
        for (int p = 0; p < 10; p++)
        {
            double x = (2 * rng.NextDouble()) - 1, y = (2 * rng.NextDouble()) - 1;
            (double f, double fx, double fy, double fxx, double fxy, double fyy) = closedForm(x, y);
            double[,] hessian = { { fxx, fxy }, { fxy, fyy } };

            double[] gx = new double[1], gy = new double[1];
            double value = kernels.UpperGradient([x], [y], gx, gy);
            Close(f, value, $"{model}: F({x}, {y})");
            Close(fx, gx[0], $"{model}: F_x({x}, {y})");
            Close(fy, gy[0], $"{model}: F_y({x}, {y})");
            for (int column = 0; column < 2; column++)
            {
                double[] hx = new double[1], hy = new double[1];
                kernels.UpperHessianVector([x], [y], [column == 0 ? 1 : 0], [column == 1 ? 1 : 0], hx, hy);
                Close(hessian[0, column], hx[0], $"{model}: H[0, {column}] at ({x}, {y})");
                Close(hessian[1, column], hy[0], $"{model}: H[1, {column}] at ({x}, {y})");
            }
        }
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: closed form {expected:R}, kernel {actual:R}");
}
