using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Names the intermediate values that partial derivatives read (operands of products and quotients,
    /// arguments of nonlinear functions, results that rules reuse), so the reverse sweep reads a variable
    /// instead of recomputing a subexpression. Linear structure (sums, negation) stays inline.
    /// </summary>
    internal sealed class Linearize
    {
        private readonly NameTable names;

        private Linearize(NameTable names) => this.names = names;

        public static Block Apply(Block block, NameTable names) => new Linearize(names).Rewrite(block);

        private Block Rewrite(Block block)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in block.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                switch (statement)
                {
                    case Assign a when a.Type == ScalarType.Double:
                        output.Add(a with { Value = Root(a.Value, output, resultIsNamed: true) });
                        break;
                    case AddTo add:
                        output.Add(add with { Value = Root(add.Value, output, resultIsNamed: false) });
                        break;
                    case Return r:
                        output.Add(new Return(Root(r.Value, output, resultIsNamed: false)));
                        break;
                    case AddToElement element:
                        output.Add(element with { Value = Root(element.Value, output, resultIsNamed: false) });
                        break;
                    case AddVector vector:
                        output.Add(vector with { Scale = Operand(vector.Scale, output) });
                        break;
                    case If branch:
                        output.Add(new If(branch.Condition, Rewrite(branch.Then), Rewrite(branch.Else)));
                        break;
                    case For loop:
                        output.Add(loop with { Body = Rewrite(loop.Body) });
                        break;
                    default:
                        output.Add(statement);
                        break;
                }
            }

            return new Block(EquatableArray.From(output));
        }

        /// <summary>The right-hand side of a statement; when its result is not stored under a name and the
        /// root's rule needs it, the root is named too.</summary>
        private Expr Root(Expr expr, List<Stmt> output, bool resultIsNamed)
        {
            Expr rewritten = Node(expr, output, isRoot: true);
            bool rootNeedsResult = rewritten switch
            {
                Call c => DerivativeRules.UsesResult(c.Function),
                VecCall v => DerivativeRules.UsesResult(v.Function),
                _ => false,
            };
            return rootNeedsResult && !resultIsNamed ? Name(rewritten, output) : rewritten;
        }

        /// <summary>Rewrites the children of a node; the node itself stays inline unless a rule reads its
        /// result and it is not the root (whose result the statement names).</summary>
        private Expr Node(Expr expr, List<Stmt> output, bool isRoot = false)
        {
            switch (expr)
            {
                case Unary { Op: UnaryOp.Negate } u:
                    return u with { Operand = Node(u.Operand, output) };
                case Binary b when b.Type == ScalarType.Double && (b.Op == BinaryOp.Add || b.Op == BinaryOp.Subtract):
                    return b with { Left = Node(b.Left, output), Right = Node(b.Right, output) };
                case Binary b when b.Type == ScalarType.Double && (b.Op == BinaryOp.Multiply || b.Op == BinaryOp.Divide):
                    return b with { Left = Operand(b.Left, output), Right = Operand(b.Right, output) };
                case Call c when c.Type == ScalarType.Double:
                    Expr call = c with { Args = EquatableArray.From(c.Args.Select(a => Operand(a, output)).ToList()) };
                    return DerivativeRules.UsesResult(c.Function) && !isRoot ? Name(call, output) : call;
                case VecCall v when DerivativeRules.UsesResult(v.Function) && !isRoot:
                    return Name(v, output);
                case HelperCall h:
                    return h with { Args = EquatableArray.From(h.Args.Select(a => Operand(a, output)).ToList()) };
                case Select:
                    throw new InvalidOperationException("a conditional expression reached the reverse pass; the front end turns ?: into branches");
                default:
                    return expr;
            }
        }

        /// <summary>A value a partial will read: a leaf, or a named intermediate.</summary>
        private Expr Operand(Expr expr, List<Stmt> output)
        {
            if (IsLeaf(expr))
            {
                return expr;
            }

            Expr rewritten = Node(expr, output);
            return IsLeaf(rewritten) ? rewritten : Name(rewritten, output);
        }

        private Expr Name(Expr value, List<Stmt> output)
        {
            string name = names.Fresh("t");
            output.Add(new Assign(name, ScalarType.Double, value, Declare: true));
            return new Var(name, ScalarType.Double);
        }

        /// <summary>Cheap to read again: constants, variables, elements, and anything of int type.</summary>
        public static bool IsLeaf(Expr expr) => expr switch
        {
            Num or IntNum or BoolConst or Var or Elem or MatElem or Dim => true,
            Unary { Op: UnaryOp.Negate } u => IsLeaf(u.Operand),
            Unary { Op: UnaryOp.IntToDouble } => true,
            _ => expr.Type != ScalarType.Double,
        };
    }
}
