using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Dead-definition elimination for one scope of a derivative program. Only variables the caller names as
    /// removable (declared in that scope) are candidates; statements with effects outside the scope (vector
    /// updates, accumulation into outer variables) always stay. Pure IR, so it applies to any mode's output.
    /// </summary>
    internal static class DeadCode
    {
        public static List<Stmt> Eliminate(List<Stmt> scope, ISet<string> removable)
        {
            List<Stmt> current = scope;
            while (true)
            {
                HashSet<string> reads = IrWalker.Reads(current);
                var dead = new HashSet<string>(removable.Where(n => !reads.Contains(n)), System.StringComparer.Ordinal);
                List<Stmt> next = EliminateInLoops(Filter(current, dead));
                if (Count(next) == Count(current))
                {
                    return next;
                }

                current = next;
            }
        }

        /// <summary>Each loop body is a scope of its own: its per-iteration variables are only read inside it.</summary>
        private static List<Stmt> EliminateInLoops(List<Stmt> statements)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in statements)
            {
                switch (statement)
                {
                    case For loop:
                        List<Stmt> body = Eliminate(loop.Body.Statements.ToList(), DeclaredIn(loop.Body));
                        if (body.Count > 0)
                        {
                            output.Add(loop with { Body = new Block(EquatableArray.From(body)) });
                        }

                        break;
                    case If branch:
                        output.Add(branch with { Then = new Block(EquatableArray.From(EliminateInLoops(branch.Then.Statements.ToList()))), Else = new Block(EquatableArray.From(EliminateInLoops(branch.Else.Statements.ToList()))) });
                        break;
                    default:
                        output.Add(statement);
                        break;
                }
            }

            return output;
        }

        /// <summary>Variables a scope declares (in its branches too, not in nested loops).</summary>
        public static HashSet<string> DeclaredIn(Block block) =>
            new HashSet<string>(IrWalker.Definitions(block, intoLoops: false).Select(d => d.Name), System.StringComparer.Ordinal);

        private static List<Stmt> Filter(IEnumerable<Stmt> statements, HashSet<string> dead)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in statements)
            {
                switch (statement)
                {
                    case Assign a when dead.Contains(a.Target):
                    case Declare d when dead.Contains(d.Name):
                    case AddTo add when dead.Contains(add.Target):
                        break;
                    case HelperPartials h when h.Outputs.All(dead.Contains):
                        break;
                    case HelperPartialsTangent t when t.Outputs.Concat(t.OutputTangents).All(dead.Contains):
                        break;
                    case If branch:
                        var whenTrue = Filter(branch.Then.Statements, dead);
                        var whenFalse = Filter(branch.Else.Statements, dead);
                        if (whenTrue.Count + whenFalse.Count > 0)
                        {
                            output.Add(branch with { Then = new Block(EquatableArray.From(whenTrue)), Else = new Block(EquatableArray.From(whenFalse)) });
                        }

                        break;
                    case For loop:
                        var body = Filter(loop.Body.Statements, dead);
                        if (body.Count > 0)
                        {
                            output.Add(loop with { Body = new Block(EquatableArray.From(body)) });
                        }

                        break;
                    default:
                        output.Add(statement);
                        break;
                }
            }

            return output;
        }

        private static int Count(IEnumerable<Stmt> statements) => statements.Sum(s => s switch
        {
            If branch => 1 + Count(branch.Then.Statements) + Count(branch.Else.Statements),
            For loop => 1 + Count(loop.Body.Statements),
            _ => 1,
        });
    }
}
