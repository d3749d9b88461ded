using System;
using System.Collections.Generic;
using System.Linq;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// Names of the members the generator adds to a model ("Lower__Gradient", "H__Partials", "__bilevelInfo").
    /// They join a user name and a kind with a separator of underscores that is longer than any run of
    /// underscores in the user's member names, so no generated member can equal a user member. The separator
    /// is scoped to the emission of one model, which runs on one thread.
    /// </summary>
    internal static class GeneratedNames
    {
        [ThreadStatic]
        private static string? separator;

        public static string Separator => separator ?? "__";

        public static string Join(string name, string kind) => name + Separator + kind;

        /// <summary>Uses the shortest separator (two underscores or more) that no user member name contains.</summary>
        public static IDisposable For(IEnumerable<string> userMemberNames)
        {
            List<string> names = userMemberNames.ToList();
            string chosen = "__";
            while (names.Any(n => n.IndexOf(chosen, StringComparison.Ordinal) >= 0))
            {
                chosen += "_";
            }

            string? previous = separator;
            separator = chosen;
            return new Restore(previous);
        }

        private sealed class Restore : IDisposable
        {
            private readonly string? previous;

            public Restore(string? previous) => this.previous = previous;

            public void Dispose() => separator = previous;
        }
    }
}
