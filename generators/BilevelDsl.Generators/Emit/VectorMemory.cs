using System.Collections.Generic;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>
    /// Where a program's computed vectors live: every <see cref="VecLocal"/> gets its span once, at the top of
    /// the program, from the thread's <c>KernelWorkspace</c> (allocation-free once warm, safe when one model is
    /// used from several threads); inside loops only a Clear (or, for stored vectors, a slice of the store)
    /// remains. Stores are taken where they stand, because their size depends on the loop's bounds.
    /// </summary>
    internal static class VectorMemory
    {
        public const string Workspace = "__bilevelWorkspace";
        public const string Mark = "__bilevelMark";

        /// <summary>The declarations to print before the body (empty when it has no computed vector).</summary>
        public static List<string> Declarations(Block body)
        {
            var declared = new HashSet<string>(System.StringComparer.Ordinal);
            var lines = new List<string>();
            IrWalker.VisitStatements(body, statement =>
            {
                if (statement is VecLocal local && declared.Add(local.Name))
                {
                    lines.Add(IrPrinter.Span + " " + IrPrinter.Name(local.Name) + " = "
                        + (local.Store == null ? Workspace + ".Take(" + IrPrinter.Expression(local.Length) + ")" : "default") + ";");
                }
                else if (statement is SpanAlias alias && declared.Add(alias.Name))
                {
                    lines.Add("global::System.ReadOnlySpan<double> " + IrPrinter.Name(alias.Name) + " = default;");
                }
            });
            return lines;
        }

        public static bool Uses(Block body)
        {
            bool any = false;
            IrWalker.VisitStatements(body, statement => any |= statement is VecLocal || statement is VecStore || statement is SpanAlias);
            return any;
        }
    }
}
