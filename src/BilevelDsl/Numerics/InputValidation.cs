namespace BilevelDsl.Numerics;

/// <summary>
/// Checks of a solver's start point, phrased for <c>BilevelResult.Message</c>, and the range checks of the options
/// records' <c>Validate</c> (one copy each; the message names the setting).
/// </summary>
internal static class InputValidation
{
    /// <summary>Throws unless value &gt; 0; <paramref name="symbol"/> is the paper's name of the setting, if any.</summary>
    public static void RequirePositive(int value, string name, string? symbol = null)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{Named(name, symbol)} must be positive.");
        }
    }

    /// <summary>Throws unless value is positive and finite.</summary>
    public static void RequirePositiveFinite(double value, string name, string? symbol = null)
    {
        if (!(value > 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{Named(name, symbol)} must be positive and finite.");
        }
    }

    /// <summary>Throws unless value is finite and &gt;= 0.</summary>
    public static void RequireNonNegativeFinite(double value, string name, string? symbol = null)
    {
        if (!(value >= 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{Named(name, symbol)} must be non-negative and finite.");
        }
    }

    /// <summary>Throws unless value &gt;= 0.</summary>
    public static void RequireNonNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative.");
        }
    }

    /// <summary>Throws unless value &gt;= 0 (positive infinity is allowed); <paramref name="note"/> ends the message.</summary>
    public static void RequireNonNegative(double value, string name, string note = "")
    {
        if (!(value >= 0.0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative{note}.");
        }
    }

    /// <summary>Throws unless value is finite and &gt;= 1 (a growth factor).</summary>
    public static void RequireFiniteAtLeastOne(double value, string name)
    {
        if (!(value >= 1.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and at least 1.");
        }
    }

    /// <summary>Throws unless value &gt;= <paramref name="lower"/>, the value of the setting <paramref name="lowerName"/>.</summary>
    public static void RequireAtLeast(double value, string name, double lower, string lowerName)
    {
        if (!(value >= lower))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {lowerName}.");
        }
    }

    /// <summary>Throws unless 0 &lt; value &lt;= 1 (a weight or fraction).</summary>
    public static void RequireFraction(double value, string name)
    {
        if (!(value > 0.0 && value <= 1.0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in (0, 1].");
        }
    }

    /// <summary>Throws unless value is a named member of its enum; the message lists the members ("Kind must be A, B or C.").</summary>
    public static void RequireDefined<TEnum>(TEnum value, string name, string? label = null)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            string[] names = Enum.GetNames<TEnum>();
            string list = names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
            throw new ArgumentOutOfRangeException(name, value, $"{label ?? name} must be {list}.");
        }
    }

    /// <summary>Throws ArgumentOutOfRangeException (a setting, not an argument) if a nested options record is null.</summary>
    public static void RequireSetting(object? value, string name)
    {
        if (value is null)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must not be null.");
        }
    }

    private static string Named(string name, string? symbol) => symbol is null ? name : $"{name} ({symbol})";

    /// <summary>Throws unless value is null or positive and finite.</summary>
    public static void RequirePositiveOrNull(double? value, string name)
    {
        if (value is double v && (!(v > 0.0) || double.IsInfinity(v)))
        {
            throw new ArgumentOutOfRangeException(name, v, $"{name} must be positive and finite (or null for the automatic choice).");
        }
    }

    /// <summary>Throws unless 0 &lt;= value &lt; 1 (the Adam decay rates).</summary>
    public static void RequireUnitInterval(double value, string name)
    {
        if (!(value >= 0.0 && value < 1.0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
        }
    }

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
