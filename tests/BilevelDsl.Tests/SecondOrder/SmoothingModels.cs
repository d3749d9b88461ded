using System.Runtime.CompilerServices;

namespace BilevelDsl.Tests.SecondOrder;

// One model per nonsmooth primitive. The Dsl intrinsic is in the lower level, the Math one (where there is
// one) in the upper level. Kinks: Abs at y = x, Max/Min at a tie, Relu at y = x, Hinge at y - x = 1,
// PowAbs at y = x, OscarPair at |x| = |y|, Norm1 at zero entries.

internal static class SmoothingModelsSource
{
    /// <summary>The path of this file, so the Info test can find the line of each call.</summary>
    public static string Path()
    {
        string here = Here();
        if (File.Exists(here))
        {
            return here;
        }

        // Mapped source paths (deterministic CI builds): find the file above the test assembly instead.
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            string candidate = System.IO.Path.Combine(directory.FullName, "tests", "BilevelDsl.Tests", "SecondOrder", "SmoothingModels.cs");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return here;
    }

    private static string Here([CallerFilePath] string path = "") => path;
}

[BilevelModel]
public partial class AbsModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Abs(x) + y;

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.Abs(y - x);
}

[BilevelModel]
public partial class MaxModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Max(x, y);

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.Max(y, x);
}

[BilevelModel]
public partial class MinModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Min(x, y);

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.Min(y, x);
}

[BilevelModel]
public partial class ReluModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Atan(x) + y;

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.Relu(y - x);
}

[BilevelModel]
public partial class HingeModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Atan(x) + y;

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.Hinge(y - x);
}

/// <summary>PowAbs with p = 1 in the upper level, p = 0.5 in the lower level.</summary>
[BilevelModel]
public partial class PowAbsModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Dsl.PowAbs(y - x, 1.0);

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.PowAbs(y - x, 0.5);
}

[BilevelModel]
public partial class OscarModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Atan(x) + y;

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.OscarPair(x, y);
}

/// <summary>Norm1 in both levels (span model).</summary>
[BilevelModel]
public partial class Norm1Model
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Norm1(x) + Dsl.Sum(y);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Norm1(y) + Dsl.Sum(x);
}

/// <summary>A nonsmooth term reached only through a [Differentiable] helper, and several terms in one level.</summary>
[BilevelModel]
public partial class HelperKinkModel
{
    [Differentiable]
    public static double Kink(double t) => Dsl.Abs(t) + Dsl.Relu(t - 1);

    [UpperLevel]
    public double Upper(double x, double y) => Math.Atan(x) * Math.Atan(y);

    [LowerLevel]
    public double Lower(double x, double y) => Kink(y - x) + Dsl.Hinge(x - y) + Math.Max(x, y);
}

/// <summary>A smooth model: Info says smooth, WithSmoothing changes nothing.</summary>
[BilevelModel]
public partial class SmoothModel
{
    [UpperLevel]
    public double Upper(double x, double y) => Math.Sin(x) * y;

    [LowerLevel]
    public double Lower(double x, double y) => Dsl.Softplus(y - x) + (y * y);
}
