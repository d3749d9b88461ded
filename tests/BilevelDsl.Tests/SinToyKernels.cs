using BilevelDsl;
using BilevelDsl.Kernels;

namespace BilevelDsl.Tests;

/// <summary>
/// The BVFIM paper's toy (Eq. 30), differentiated by hand: F = (x-a)^2 + (y-a)^2, f = sin(x + y).
/// Independent of the generator, so the solver tests do not depend on it.
/// </summary>
internal sealed class SinToyKernels(double a) : FirstOrderKernels
{
    public double A { get; } = a;

    public int Calls { get; private set; }

    public override double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Check(x, y);
        Calls++;
        return ((x[0] - A) * (x[0] - A)) + ((y[0] - A) * (y[0] - A));
    }

    public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Check(x, y);
        Calls++;
        return Math.Sin(x[0] + y[0]);
    }

    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Check(x, y);
        KernelSupport.RequireSameLength(x.Length, gradX.Length, "x", "gradX");
        KernelSupport.RequireSameLength(y.Length, gradY.Length, "y", "gradY");
        Calls++;
        gradX[0] = 2.0 * (x[0] - A);
        gradY[0] = 2.0 * (y[0] - A);
        return ((x[0] - A) * (x[0] - A)) + ((y[0] - A) * (y[0] - A));
    }

    public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        Check(x, y);
        KernelSupport.RequireSameLength(x.Length, gradX.Length, "x", "gradX");
        KernelSupport.RequireSameLength(y.Length, gradY.Length, "y", "gradY");
        Calls++;
        double c = Math.Cos(x[0] + y[0]);
        gradX[0] = c;
        gradY[0] = c;
        return Math.Sin(x[0] + y[0]);
    }

    // F = (x-a)^2 + (y-a)^2: Hessian 2 I.
    public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Check(x, y);
        hx[0] = 2.0 * vx[0];
        hy[0] = 2.0 * vy[0];
    }

    // f = sin(x + y): Hessian -sin(x + y) [[1, 1], [1, 1]].
    public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        Check(x, y);
        double h = -Math.Sin(x[0] + y[0]) * (vx[0] + vy[0]);
        hx[0] = h;
        hy[0] = h;
    }

    private static void Check(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        KernelSupport.RequireLength(x.Length, 1, "x");
        KernelSupport.RequireLength(y.Length, 1, "y");
    }
}

/// <summary>Wraps kernels and, from the given call on, makes one chosen kernel return NaN.</summary>
internal sealed class NaNAfterKernels(IBilevelKernels inner, int healthyCalls, bool inUpperGradient) : FirstOrderKernels
{
    private int _calls;

    public override double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => inner.UpperValue(x, y);

    public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => inner.LowerValue(x, y);

    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        double v = inner.UpperGradient(x, y, gradX, gradY);
        if (inUpperGradient && ++_calls > healthyCalls)
        {
            gradX[0] = double.NaN;
        }

        return v;
    }

    public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        inner.UpperHessianVector(x, y, vx, vy, hx, hy);

    public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
        inner.LowerHessianVector(x, y, vx, vy, hx, hy);

    public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        double v = inner.LowerGradient(x, y, gradX, gradY);
        if (!inUpperGradient && ++_calls > healthyCalls)
        {
            return double.NaN;
        }

        return v;
    }
}

/// <summary>
/// The algorithms catalogue's second known answer: F = (x - y2)^2 + (y1 - 1)^2, f = y1^2 - 2 x y1 with
/// y in R^2 (f does not depend on y2, so the lower level has a continuum of solutions). x* = 1, y* = (1, 1).
/// </summary>
internal sealed class NonUniqueLowerLevelKernels : FirstOrderKernels
{
    public override double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((x[0] - y[1]) * (x[0] - y[1])) + ((y[0] - 1.0) * (y[0] - 1.0));

    public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] * y[0]) - (2.0 * x[0] * y[0]);

    public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        KernelSupport.RequireSameLength(x.Length, gradX.Length, "x", "gradX");
        KernelSupport.RequireSameLength(y.Length, gradY.Length, "y", "gradY");
        gradX[0] = 2.0 * (x[0] - y[1]);
        gradY[0] = 2.0 * (y[0] - 1.0);
        gradY[1] = -2.0 * (x[0] - y[1]);
        return UpperValue(x, y);
    }

    public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
    {
        KernelSupport.RequireSameLength(x.Length, gradX.Length, "x", "gradX");
        KernelSupport.RequireSameLength(y.Length, gradY.Length, "y", "gradY");
        gradX[0] = -2.0 * y[0];
        gradY[0] = (2.0 * y[0]) - (2.0 * x[0]);
        gradY[1] = 0.0;
        return LowerValue(x, y);
    }

    // Variables (x, y1, y2): Hessian of F is [[2, 0, -2], [0, 2, 0], [-2, 0, 2]].
    public override void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        hx[0] = (2.0 * vx[0]) - (2.0 * vy[1]);
        hy[0] = 2.0 * vy[0];
        hy[1] = (-2.0 * vx[0]) + (2.0 * vy[1]);
    }

    // Hessian of f is [[0, -2, 0], [-2, 2, 0], [0, 0, 0]].
    public override void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
    {
        hx[0] = -2.0 * vy[0];
        hy[0] = (-2.0 * vx[0]) + (2.0 * vy[0]);
        hy[1] = 0.0;
    }
}
