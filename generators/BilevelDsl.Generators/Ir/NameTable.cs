using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// Hands out identifiers that clash with nothing in scope: the first version of a user variable keeps its
    /// name, later ones get a numeric suffix, and generated names avoid every name the user wrote.
    /// </summary>
    internal sealed class NameTable
    {
        private readonly HashSet<string> used;

        /// <summary>Per stem, the suffix to try next: so n versions of one name cost O(n), not O(n^2).</summary>
        private readonly Dictionary<string, int> nextSuffix = new Dictionary<string, int>(System.StringComparer.Ordinal);

        public NameTable(IEnumerable<string> reserved) => used = new HashSet<string>(reserved, System.StringComparer.Ordinal);

        public string Fresh(string baseName)
        {
            string stem = baseName.TrimStart('@');
            if (used.Add(stem))
            {
                return stem;
            }

            int suffix = nextSuffix.TryGetValue(stem, out int next) ? next : 2;
            while (true)
            {
                string candidate = stem + "_" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
                suffix++;
                if (used.Add(candidate))
                {
                    nextSuffix[stem] = suffix;
                    return candidate;
                }
            }
        }

        public void Reserve(string name) => used.Add(name.TrimStart('@'));

        public NameTable Clone()
        {
            var clone = new NameTable(used);
            foreach (KeyValuePair<string, int> entry in nextSuffix)
            {
                clone.nextSuffix[entry.Key] = entry.Value;
            }

            return clone;
        }

        /// <summary>Makes an identifier valid C#: keywords get the verbatim prefix.</summary>
        public static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;
    }
}
