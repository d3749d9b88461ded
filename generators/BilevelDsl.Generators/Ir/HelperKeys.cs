using System.Text.RegularExpressions;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// How helpers are named in the IR: by their method name, or — for overloads — by the name with the
    /// overload's position ("H__overload1"), so that the passes resolve a call to the overload the C# compiler bound.
    /// Calls to the user's own method print its real name (C# picks the same overload from the arguments).
    /// </summary>
    internal static class HelperKeys
    {
        private static readonly Regex OverloadSuffix = new Regex("__overload[0-9]+$", RegexOptions.CultureInvariant);

        public static string For(string name, int overload, int overloads) =>
            overloads <= 1 ? name : name + "__overload" + overload.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The C# method a helper key calls.</summary>
        public static string MethodName(string key) => OverloadSuffix.Replace(key, string.Empty);
    }
}
