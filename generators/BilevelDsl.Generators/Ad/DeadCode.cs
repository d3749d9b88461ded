using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Dead-definition elimination for one scope of a derivative program, in time linear in its size: a use
    /// count per variable, and a worklist of variables nothing reads. Only variables the caller names as
    /// removable (declared in that scope) and the variables declared inside its loops are candidates (names are
    /// unique, so a loop's per-iteration variables are only read inside it); statements with effects outside
    /// the scope (vector updates, accumulation into outer variables) always stay. Pure IR, so it applies to any
    /// mode's output.
    /// </summary>
    internal static class DeadCode
    {
        public static List<Stmt> Eliminate(List<Stmt> scope, ISet<string> removable)
        {
            var candidates = new HashSet<string>(removable, System.StringComparer.Ordinal);
            IrWalker.VisitStatements(new Block(EquatableArray.From(scope)), statement =>
            {
                if (statement is For loop)
                {
                    candidates.UnionWith(DeclaredIn(loop.Body));
                }
            });

            List<Stmt> current = scope;
            while (true)
            {
                HashSet<string> dead = DeadVariables(current, candidates);
                List<Stmt> next = Filter(current, dead);
                if (Count(next) == Count(current))
                {
                    return next;
                }

                // Removing statements may have emptied a branch or a loop and so freed the variables its
                // condition or bounds read: one more round (rare, and each round is linear).
                current = next;
            }
        }

        /// <summary>The candidates that no statement which stays reads, found with use counts and a worklist.</summary>
        private static HashSet<string> DeadVariables(List<Stmt> scope, HashSet<string> candidates)
        {
            var statements = new List<Stmt>();
            IrWalker.VisitStatements(new Block(EquatableArray.From(scope)), statements.Add);
            var uses = new Dictionary<string, int>(System.StringComparer.Ordinal);
            var definers = new Dictionary<string, List<int>>(System.StringComparer.Ordinal);
            var ownReads = new List<List<string>>(statements.Count);
            var targets = new List<List<string>?>(statements.Count);
            for (int i = 0; i < statements.Count; i++)
            {
                List<string> reads = IrWalker.OwnReads(statements[i]).ToList();
                ownReads.Add(reads);
                foreach (string name in reads)
                {
                    uses[name] = uses.TryGetValue(name, out int n) ? n + 1 : 1;
                }

                List<string>? defined = RemovableTargets(statements[i], candidates);
                targets.Add(defined);
                foreach (string name in defined ?? Enumerable.Empty<string>())
                {
                    if (!definers.TryGetValue(name, out List<int>? list))
                    {
                        definers[name] = list = new List<int>();
                    }

                    list.Add(i);
                }
            }

            var dead = new HashSet<string>(System.StringComparer.Ordinal);
            var pending = new Stack<string>(candidates.Where(c => !uses.ContainsKey(c)));
            var removed = new bool[statements.Count];
            while (pending.Count > 0)
            {
                GenerationCancellation.ThrowIfRequested();
                string name = pending.Pop();
                if (!dead.Add(name) || !definers.TryGetValue(name, out List<int>? list))
                {
                    continue;
                }

                foreach (int i in list)
                {
                    if (removed[i] || !targets[i]!.All(dead.Contains))
                    {
                        continue;
                    }

                    removed[i] = true;
                    foreach (string read in ownReads[i])
                    {
                        if (--uses[read] == 0 && candidates.Contains(read))
                        {
                            pending.Push(read);
                        }
                    }
                }
            }

            return dead;
        }

        /// <summary>The removable variables a statement defines, when defining them is all it does; else null.</summary>
        private static List<string>? RemovableTargets(Stmt statement, HashSet<string> candidates)
        {
            List<string>? targets = statement switch
            {
                Assign a => new List<string> { a.Target },
                Declare d => new List<string> { d.Name },
                AddTo add => new List<string> { add.Target },
                HelperPartials h => h.Outputs.ToList(),
                HelperPartialsTangent t => t.Outputs.Concat(t.OutputTangents).ToList(),
                _ => null,
            };
            return targets != null && targets.All(candidates.Contains) ? targets : null;
        }

        /// <summary>
        /// Removes the computed vectors of a whole program that nothing reads (a Hessian-vector program does not
        /// need the adjoint temporaries the gradient is built from): their declaration and every write into them.
        /// Repeated until nothing changes, since dropping writes drops what they read.
        /// </summary>
        public static List<Stmt> EliminateVectors(List<Stmt> program)
        {
            List<Stmt> current = program;
            while (true)
            {
                var locals = new HashSet<string>(System.StringComparer.Ordinal);
                IrWalker.VisitStatements(new Block(EquatableArray.From(current)), statement =>
                {
                    if (statement is VecLocal local)
                    {
                        locals.Add(local.Name);
                    }
                });
                HashSet<string> read = IrWalker.VectorsRead(current);
                locals.ExceptWith(read);
                if (locals.Count == 0)
                {
                    return current;
                }

                current = WithoutVectors(current, locals);
            }
        }

        private static List<Stmt> WithoutVectors(IEnumerable<Stmt> statements, HashSet<string> dead)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in statements)
            {
                GenerationCancellation.ThrowIfRequested();
                switch (statement)
                {
                    case If branch:
                        var whenTrue = WithoutVectors(branch.Then.Statements, dead);
                        var whenFalse = WithoutVectors(branch.Else.Statements, dead);
                        if (whenTrue.Count + whenFalse.Count > 0)
                        {
                            output.Add(branch with { Then = new Block(EquatableArray.From(whenTrue)), Else = new Block(EquatableArray.From(whenFalse)) });
                        }

                        break;
                    case For loop:
                        var body = WithoutVectors(loop.Body.Statements, dead);
                        if (body.Count > 0)
                        {
                            output.Add(loop with { Body = new Block(EquatableArray.From(body)) });
                        }

                        break;
                    default:
                        if (!(IrWalker.VectorWritten(statement) is string target && dead.Contains(target)))
                        {
                            output.Add(statement);
                        }

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
                GenerationCancellation.ThrowIfRequested();
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
