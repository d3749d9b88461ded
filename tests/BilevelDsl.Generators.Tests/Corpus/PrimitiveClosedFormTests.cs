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
    public async Task Cbrt_gradient_and_Hessian_match_the_closed_form()
    {
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(CorpusModels.Get("S21_Cbrt"));
        static double D1(double t) => 1 / (3 * Math.Cbrt(t) * Math.Cbrt(t));
        static double D2(double t) => -2 / (9 * Math.Pow(Math.Cbrt(t), 5));
        var rng = new Random(21);
        for (int p = 0; p < 10; p++)
        {
            double x = (2 * rng.NextDouble()) - 1, y = (2 * rng.NextDouble()) - 1;
            double u = 2 + (x * y), v = y - 3;
            double[] gradient = [(y * D1(u)) + Math.Cbrt(v), (x * D1(u)) + (x * D1(v))];
            double[,] hessian =
            {
                { y * y * D2(u), D1(u) + (x * y * D2(u)) + D1(v) },
                { D1(u) + (x * y * D2(u)) + D1(v), (x * x * D2(u)) + (x * D2(v)) },
            };

            double[] gx = new double[1], gy = new double[1];
            double value = kernels.UpperGradient([x], [y], gx, gy);
            Close(Math.Cbrt(u) + (x * Math.Cbrt(v)), value, $"F({x}, {y})");
            Close(gradient[0], gx[0], $"F_x({x}, {y})");
            Close(gradient[1], gy[0], $"F_y({x}, {y})");
            for (int column = 0; column < 2; column++)
            {
                double[] hx = new double[1], hy = new double[1];
                kernels.UpperHessianVector([x], [y], [column == 0 ? 1 : 0], [column == 1 ? 1 : 0], hx, hy);
                Close(hessian[0, column], hx[0], $"H[0, {column}] at ({x}, {y})");
                Close(hessian[1, column], hy[0], $"H[1, {column}] at ({x}, {y})");
            }
        }
    }

    /// <summary>
    /// S22_Log10 upper level F = L(u) + x L(v) with L(t) = log10 t, L' = 1/(t ln 10), L'' = -1/(t^2 ln 10),
    /// u = 2 + x y, v = 3 + y^2: F_x = y L'(u) + L(v), F_y = x L'(u) + 2 x y L'(v), F_xx = y^2 L''(u),
    /// F_xy = L'(u) + x y L''(u) + 2 y L'(v), F_yy = x^2 L''(u) + 2 x L'(v) + 4 x y^2 L''(v).
    /// </summary>
    [Fact]
    public async Task Log10_gradient_and_Hessian_match_the_closed_form()
    {
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(CorpusModels.Get("S22_Log10"));
        double ln10 = Math.Log(10);
        double D1(double t) => 1 / (t * ln10);
        double D2(double t) => -1 / (t * t * ln10);
        var rng = new Random(22);
        for (int p = 0; p < 10; p++)
        {
            double x = (2 * rng.NextDouble()) - 1, y = (2 * rng.NextDouble()) - 1;
            double u = 2 + (x * y), v = 3 + (y * y);
            double[] gradient = [(y * D1(u)) + Math.Log10(v), (x * D1(u)) + (2 * x * y * D1(v))];
            double hxy = D1(u) + (x * y * D2(u)) + (2 * y * D1(v));
            double[,] hessian =
            {
                { y * y * D2(u), hxy },
                { hxy, (x * x * D2(u)) + (2 * x * D1(v)) + (4 * x * y * y * D2(v)) },
            };

            double[] gx = new double[1], gy = new double[1];
            double value = kernels.UpperGradient([x], [y], gx, gy);
            Close(Math.Log10(u) + (x * Math.Log10(v)), value, $"F({x}, {y})");
            Close(gradient[0], gx[0], $"F_x({x}, {y})");
            Close(gradient[1], gy[0], $"F_y({x}, {y})");
            for (int column = 0; column < 2; column++)
            {
                double[] hx = new double[1], hy = new double[1];
                kernels.UpperHessianVector([x], [y], [column == 0 ? 1 : 0], [column == 1 ? 1 : 0], hx, hy);
                Close(hessian[0, column], hx[0], $"H[0, {column}] at ({x}, {y})");
                Close(hessian[1, column], hy[0], $"H[1, {column}] at ({x}, {y})");
            }
        }
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: closed form {expected:R}, kernel {actual:R}");
}
