namespace BilevelDsl.Numerics;

/// <summary>Checks of a solver's start point, phrased for <c>BilevelResult.Message</c>.</summary>
internal static class InputValidation
{
    /// <summary>Returns null if the vector is a valid start, otherwise a message saying what is wrong with it.</summary>
    public static string? CheckStart(ReadOnlySpan<double> value, string name)
    {
        if (value.IsEmpty)
        {
            return $"{name} is empty; a bilevel problem needs at least one {(name == "x0" ? "upper" : "lower")}-level variable.";
        }

        for (int i = 0; i < value.Length; i++)
        {
            if (!double.IsFinite(value[i]))
            {
                return $"{name}[{i}] is {Describe(value[i])}; the start must be finite.";
            }
        }

        return null;
    }

    /// <summary>"NaN", "+Infinity" or "-Infinity" (or the number).</summary>
    public static string Describe(double value) =>
        double.IsNaN(value) ? "NaN" :
        double.IsPositiveInfinity(value) ? "+Infinity" :
        double.IsNegativeInfinity(value) ? "-Infinity" :
        value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
