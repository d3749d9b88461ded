using System;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>Visits every expression of a block, statements and nested expressions alike.</summary>
    internal static class IrWalker
    {
        public static void VisitExpressions(Block block, Action<Expr> visit)
        {
            foreach (Stmt statement in block.Statements)
            {
                switch (statement)
                {
                    case Assign a:
                        Visit(a.Value, visit);
                        break;
                    case AddTo add:
                        Visit(add.Value, visit);
                        break;
                    case AddToElement element:
                        Visit(element.Index, visit);
                        Visit(element.Value, visit);
                        break;
                    case AddVector vector:
                        Visit(vector.Scale, visit);
                        break;
                    case HelperPartials h:
                        VisitAll(h.Args, visit);
                        break;
                    case If branch:
                        Visit(branch.Condition, visit);
                        VisitExpressions(branch.Then, visit);
                        VisitExpressions(branch.Else, visit);
                        break;
                    case For loop:
                        Visit(loop.From, visit);
                        Visit(loop.To, visit);
                        VisitExpressions(loop.Body, visit);
                        break;
                    case Return r:
                        Visit(r.Value, visit);
                        break;
                }
            }
        }

        public static void Visit(Expr expr, Action<Expr> visit)
        {
            visit(expr);
            switch (expr)
            {
                case Elem e:
                    Visit(e.Index, visit);
                    break;
                case MatElem m:
                    Visit(m.Row, visit);
                    Visit(m.Column, visit);
                    break;
                case Unary u:
                    Visit(u.Operand, visit);
                    break;
                case Binary b:
                    Visit(b.Left, visit);
                    Visit(b.Right, visit);
                    break;
                case Call c:
                    VisitAll(c.Args, visit);
                    break;
                case HelperCall h:
                    VisitAll(h.Args, visit);
                    break;
                case Select s:
                    Visit(s.Condition, visit);
                    Visit(s.WhenTrue, visit);
                    Visit(s.WhenFalse, visit);
                    break;
            }
        }

        private static void VisitAll(EquatableArray<Expr> args, Action<Expr> visit)
        {
            foreach (Expr arg in args)
            {
                Visit(arg, visit);
            }
        }
    }
}
