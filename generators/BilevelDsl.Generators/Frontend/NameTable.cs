using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>
    /// Hands out identifiers that clash with nothing in scope: the first version of a user variable keeps its
    /// name, later ones get a numeric suffix, and generated names avoid every name the user wrote.
    /// </summary>
    internal sealed class NameTable
    {
        private readonly HashSet<string> used;

        public NameTable(IEnumerable<string> reserved) => used = new HashSet<string>(reserved, System.StringComparer.Ordinal);

        public string Fresh(string baseName)
        {
            string stem = baseName.TrimStart('@');
            if (used.Add(stem))
            {
                return stem;
            }

            for (int suffix = 2; ; suffix++)
            {
                string candidate = stem + "_" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (used.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        public void Reserve(string name) => used.Add(name.TrimStart('@'));

        public NameTable Clone() => new NameTable(used);

        /// <summary>Makes an identifier valid C#: keywords get the verbatim prefix.</summary>
        public static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;
    }
}
