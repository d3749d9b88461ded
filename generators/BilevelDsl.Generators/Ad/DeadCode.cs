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
                var reads = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (Stmt statement in current)
                {
                    Reads(statement, reads);
                }

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
                        output.Add(new If(branch.Condition, new Block(EquatableArray.From(EliminateInLoops(branch.Then.Statements.ToList()))), new Block(EquatableArray.From(EliminateInLoops(branch.Else.Statements.ToList())))));
                        break;
                    default:
                        output.Add(statement);
                        break;
                }
            }

            return output;
        }

        /// <summary>Variables a scope declares (in its branches too, not in nested loops).</summary>
        public static HashSet<string> DeclaredIn(Block block)
        {
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            void Visit(Block b)
            {
                foreach (Stmt statement in b.Statements)
                {
                    switch (statement)
                    {
                        case Assign { Declare: true } a:
                            names.Add(a.Target);
                            break;
                        case Declare d:
                            names.Add(d.Name);
                            break;
                        case HelperPartials h:
                            names.UnionWith(h.Outputs);
                            break;
                        case HelperPartialsTangent t:
                            names.UnionWith(t.Outputs);
                            names.UnionWith(t.OutputTangents);
                            break;
                        case If branch:
                            Visit(branch.Then);
                            Visit(branch.Else);
                            break;
                    }
                }
            }

            Visit(block);
            return names;
        }

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
                            output.Add(new If(branch.Condition, new Block(EquatableArray.From(whenTrue)), new Block(EquatableArray.From(whenFalse))));
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

        /// <summary>Every variable a statement reads (an accumulation does not count as reading its target).</summary>
        private static void Reads(Stmt statement, HashSet<string> reads)
        {
            switch (statement)
            {
                case Assign a:
                    Reads(a.Value, reads);
                    break;
                case AddTo add:
                    Reads(add.Value, reads);
                    break;
                case AddToElement element:
                    Reads(element.Index, reads);
                    Reads(element.Value, reads);
                    Reads(element.Vector, reads);
                    break;
                case AddVector vector:
                    Reads(vector.Scale, reads);
                    Reads(vector.Target, reads);
                    switch (vector.Source)
                    {
                        case VecScaled scaled:
                            Reads(scaled.Vector, reads);
                            break;
                        case VecExpShifted shifted:
                            Reads(shifted.Vector, reads);
                            Reads(shifted.Shift, reads);
                            break;
                        case VecExpShiftedProduct product:
                            Reads(product.Vector, reads);
                            Reads(product.Shift, reads);
                            Reads(product.Tangent, reads);
                            break;
                        case VecSign sign:
                            Reads(sign.Vector, reads);
                            break;
                        case VecSmoothSign smooth:
                            Reads(smooth.Vector, reads);
                            Reads(smooth.Mu, reads);
                            break;
                        case VecSmoothSignProduct smoothProduct:
                            Reads(smoothProduct.Vector, reads);
                            Reads(smoothProduct.Mu, reads);
                            Reads(smoothProduct.Tangent, reads);
                            break;
                    }

                    break;
                case HelperPartials h:
                    foreach (Expr arg in h.Args)
                    {
                        Reads(arg, reads);
                    }

                    break;
                case HelperPartialsTangent t:
                    foreach (Expr arg in t.Args.Concat(t.ArgTangents))
                    {
                        Reads(arg, reads);
                    }

                    break;
                case If branch:
                    Reads(branch.Condition, reads);
                    foreach (Stmt inner in branch.Then.Statements.Concat(branch.Else.Statements))
                    {
                        Reads(inner, reads);
                    }

                    break;
                case For loop:
                    Reads(loop.From, reads);
                    Reads(loop.To, reads);
                    foreach (Stmt inner in loop.Body.Statements)
                    {
                        Reads(inner, reads);
                    }

                    break;
                case Return r:
                    Reads(r.Value, reads);
                    break;
            }
        }

        private static void Reads(VecRef vector, HashSet<string> reads)
        {
            if (vector.Row != null)
            {
                Reads(vector.Row, reads);
            }
        }

        public static void Reads(Expr expr, HashSet<string> reads)
        {
            switch (expr)
            {
                case Var v:
                    reads.Add(v.Name);
                    break;
                case Elem e:
                    Reads(e.Vector, reads);
                    Reads(e.Index, reads);
                    break;
                case MatElem m:
                    Reads(m.Row, reads);
                    Reads(m.Column, reads);
                    break;
                case Dim d:
                    Reads(d.Vector, reads);
                    break;
                case Unary u:
                    Reads(u.Operand, reads);
                    break;
                case Binary b:
                    Reads(b.Left, reads);
                    Reads(b.Right, reads);
                    break;
                case Call c:
                    foreach (Expr arg in c.Args)
                    {
                        Reads(arg, reads);
                    }

                    break;
                case HelperCall h:
                    foreach (Expr arg in h.Args)
                    {
                        Reads(arg, reads);
                    }

                    break;
                case VecCall vc:
                    foreach (VecRef arg in vc.Args)
                    {
                        Reads(arg, reads);
                    }

                    if (vc.Mu != null)
                    {
                        Reads(vc.Mu, reads);
                    }

                    break;
                case Select s:
                    Reads(s.Condition, reads);
                    Reads(s.WhenTrue, reads);
                    Reads(s.WhenFalse, reads);
                    break;
                case VecTermDot d:
                    Reads(d.Vector, reads);
                    if (d.Term is VecScaled scaled)
                    {
                        Reads(scaled.Vector, reads);
                    }
                    else if (d.Term is VecExpShifted shifted)
                    {
                        Reads(shifted.Vector, reads);
                        Reads(shifted.Shift, reads);
                    }
                    else if (d.Term is VecSign sign)
                    {
                        Reads(sign.Vector, reads);
                    }
                    else if (d.Term is VecSmoothSign smooth)
                    {
                        Reads(smooth.Vector, reads);
                        Reads(smooth.Mu, reads);
                    }

                    break;
            }
        }
    }
}
