using System.Globalization;

namespace BilevelDsl.Solvers.Driver;

/// <summary>
/// The one number format of every solver message: three significant digits, invariant culture (a message must read the
/// same on every machine, and tests and users compare them).
/// </summary>
internal static class Fmt
{
    /// <summary>The value with three significant digits in the invariant culture ("1.23E-07", "NaN", "Infinity").</summary>
    public static string G(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>An integer in the invariant culture.</summary>
    public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}
