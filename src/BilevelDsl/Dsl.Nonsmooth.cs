using System.Numerics.Tensors;

namespace BilevelDsl;

/// <summary>Nonsmooth intrinsics: exact values here; IBilevelKernels.WithSmoothing(mu) gives their smoothed forms.</summary>
public static partial class Dsl
{
    /// <summary>|t|. Derivative convention at 0: 0. Smoothed: sqrt(t^2 + mu^2).</summary>
    public static double Abs(double t) => Math.Abs(t);

    /// <summary>max(a, b). At a tie each argument gets derivative 1/2. Smoothed: (a + b + sqrt((a - b)^2 + mu^2)) / 2.</summary>
    public static double Max(double a, double b) => Math.Max(a, b);

    /// <summary>min(a, b). At a tie each argument gets derivative 1/2. Smoothed: (a + b - sqrt((a - b)^2 + mu^2)) / 2.</summary>
    public static double Min(double a, double b) => Math.Min(a, b);

    /// <summary>max(t, 0) (rectified linear unit). Derivative 1/2 at 0.</summary>
    public static double Relu(double t) => Math.Max(t, 0.0);

    /// <summary>max(0, 1 - t) (hinge loss of a margin t). Derivative -1/2 at t = 1.</summary>
    public static double Hinge(double t) => Math.Max(0.0, 1.0 - t);

    /// <summary>|t|^p for 0 &lt; p &lt;= 1 (non-Lipschitz at 0 for p &lt; 1; derivative taken as 0 there).
    /// Smoothed: (t^2 + mu^2)^(p/2).</summary>
    public static double PowAbs(double t, double p) => Math.Pow(Math.Abs(t), p);

    /// <summary>
    /// The OSCAR pair term max(|a|, |b|), computed as (|a + b| + |a - b|) / 2, the form whose smoothing
    /// (sqrt((a + b)^2 + mu^2) + sqrt((a - b)^2 + mu^2)) / 2 the SPNBO seed uses.
    /// </summary>
    public static double OscarPair(double a, double b) => (Math.Abs(a + b) + Math.Abs(a - b)) * 0.5;

    /// <summary>sum |v_i| (the l1 norm). Smoothed: sum sqrt(v_i^2 + mu^2).</summary>
    public static double Norm1(ReadOnlySpan<double> v) => TensorPrimitives.SumOfMagnitudes(v);
}
