using System.Collections.Generic;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>The small algebra loop-idiom recognition needs: int folding, affine indices, sums of products.</summary>
    internal static partial class LoopIdioms
    {
        private static readonly IntNum IntZero = new IntNum(0);
        private static readonly IntNum IntOne = new IntNum(1);

        /// <summary>Folds int constants and the identities x + 0, x - 0, x * 1, x * 0.</summary>
        private static Expr Fold(Expr expr)
        {
            if (!(expr is Binary binary) || binary.Type != ScalarType.Int)
            {
                return expr is Unary { Op: UnaryOp.Negate, Operand: IntNum n } ? new IntNum(-n.Value) : expr;
            }

            Expr left = Fold(binary.Left), right = Fold(binary.Right);
            switch (binary.Op)
            {
                case BinaryOp.Add:
                    return left is IntNum a && right is IntNum b ? new IntNum(a.Value + b.Value)
                        : IsInt(left, 0) ? right
                        : IsInt(right, 0) ? left
                        : new Binary(BinaryOp.Add, left, right);
                case BinaryOp.Subtract:
                    return left is IntNum c && right is IntNum d ? new IntNum(c.Value - d.Value)
                        : IsInt(right, 0) ? left
                        : left.Equals(right) ? IntZero
                        : new Binary(BinaryOp.Subtract, left, right);
                case BinaryOp.Multiply:
                    return left is IntNum e && right is IntNum f ? new IntNum(e.Value * f.Value)
                        : IsInt(left, 0) || IsInt(right, 0) ? IntZero
                        : IsInt(left, 1) ? right
                        : IsInt(right, 1) ? left
                        : new Binary(BinaryOp.Multiply, left, right);
                default:
                    return binary with { Left = left, Right = right };
            }
        }

        private static bool IsInt(Expr expr, int value) => expr is IntNum n && n.Value == value;

        private static Expr IntAdd(Expr a, Expr b) => Fold(new Binary(BinaryOp.Add, a, b));

        private static Expr IntSub(Expr a, Expr b) => Fold(new Binary(BinaryOp.Subtract, a, b));

        private static Expr IntMul(Expr a, Expr b) => Fold(new Binary(BinaryOp.Multiply, a, b));

        private static bool Mentions(Expr expr, string name)
        {
            bool found = false;
            IrWalker.Visit(expr, e => found |= (e is Var v && v.Name == name) || e is ColumnDot);
            return found;
        }

        /// <summary>index = Coefficient * variable + Base, with Coefficient and Base free of the variable; null
        /// when the index is not affine in it (a product of two dependent parts, a modulo, an element read).</summary>
        private static (Expr Coefficient, Expr Base)? Affine(Expr index, string variable)
        {
            if (!Mentions(index, variable))
            {
                return (IntZero, index);
            }

            switch (index)
            {
                case Var v when v.Name == variable:
                    return (IntOne, IntZero);
                case Binary { Op: BinaryOp.Add or BinaryOp.Subtract } sum when sum.Type == ScalarType.Int:
                    (Expr Coefficient, Expr Base)? left = Affine(sum.Left, variable), right = Affine(sum.Right, variable);
                    if (left == null || right == null)
                    {
                        return null;
                    }

                    return sum.Op == BinaryOp.Add
                        ? (IntAdd(left.Value.Coefficient, right.Value.Coefficient), IntAdd(left.Value.Base, right.Value.Base))
                        : (IntSub(left.Value.Coefficient, right.Value.Coefficient), IntSub(left.Value.Base, right.Value.Base));
                case Binary { Op: BinaryOp.Multiply } product when product.Type == ScalarType.Int:
                    bool leftDepends = Mentions(product.Left, variable);
                    if (leftDepends && Mentions(product.Right, variable))
                    {
                        return null;
                    }

                    Expr factor = leftDepends ? product.Right : product.Left;
                    (Expr Coefficient, Expr Base)? scaled = Affine(leftDepends ? product.Left : product.Right, variable);
                    return scaled == null ? null : (IntMul(scaled.Value.Coefficient, factor), IntMul(scaled.Value.Base, factor));
                case Unary { Op: UnaryOp.Negate } negated when negated.Type == ScalarType.Int:
                    (Expr Coefficient, Expr Base)? inner = Affine(negated.Operand, variable);
                    return inner == null ? null : (IntSub(IntZero, inner.Value.Coefficient), IntSub(IntZero, inner.Value.Base));
                default:
                    return null;
            }
        }

        /// <summary>One product of a sum: an invariant scale times the factors that depend on the loop index.</summary>
        private sealed class Term
        {
            public Term(Expr scale, List<Expr> factors)
            {
                Scale = scale;
                Factors = factors;
            }

            public Expr Scale { get; }

            public List<Expr> Factors { get; }
        }

        /// <summary>
        /// A double expression as a sum of terms scale * f1 * ... * fn, where the scale is free of the loop index
        /// and each factor is a dependent leaf (an element read, a matrix element, a vector reduction). Sums are
        /// split; a product is only taken of single terms (never distributed over a dependent sum), a quotient
        /// only by an invariant. Null when the expression has any other dependent part.
        /// </summary>
        private static List<Term>? Terms(Expr expr, System.Func<Expr, bool> depends)
        {
            if (!depends(expr))
            {
                return new List<Term> { new Term(expr, new List<Expr>()) };
            }

            switch (expr)
            {
                case Binary { Op: BinaryOp.Add or BinaryOp.Subtract } sum when sum.Type == ScalarType.Double:
                    List<Term>? left = Terms(sum.Left, depends), right = Terms(sum.Right, depends);
                    if (left == null || right == null)
                    {
                        return null;
                    }

                    foreach (Term term in right)
                    {
                        left.Add(sum.Op == BinaryOp.Add ? term : new Term(Simplify.Neg(term.Scale), term.Factors));
                    }

                    return left;
                case Unary { Op: UnaryOp.Negate } negated:
                    List<Term>? inner = Terms(negated.Operand, depends);
                    return inner?.ConvertAll(t => new Term(Simplify.Neg(t.Scale), t.Factors));
                case Binary { Op: BinaryOp.Multiply } product:
                    List<Term>? a = Terms(product.Left, depends), b = Terms(product.Right, depends);
                    if (a == null || b == null || (a.Count > 1 && b.Count > 1))
                    {
                        return null;
                    }

                    // An invariant factor distributes over a dependent sum; a dependent factor does not.
                    if (a.Count > 1 || b.Count > 1)
                    {
                        List<Term> sumSide = a.Count > 1 ? a : b;
                        Term other = a.Count > 1 ? b[0] : a[0];
                        return other.Factors.Count > 0 ? null : sumSide.ConvertAll(t => new Term(Simplify.Mul(other.Scale, t.Scale), t.Factors));
                    }

                    var factors = new List<Expr>(a[0].Factors);
                    factors.AddRange(b[0].Factors);
                    return new List<Term> { new Term(Simplify.Mul(a[0].Scale, b[0].Scale), factors) };
                case Binary { Op: BinaryOp.Divide } quotient when !depends(quotient.Right):
                    List<Term>? numerator = Terms(quotient.Left, depends);
                    return numerator?.ConvertAll(t => new Term(Simplify.Div(t.Scale, quotient.Right), t.Factors));
                case Elem { ElemType: ScalarType.Double }:
                case MatElem:
                case VecCall { Function: VectorFunction.Dot }:
                case ColumnDot:
                    return new List<Term> { new Term(Simplify.One, new List<Expr> { expr }) };
                default:
                    return null;
            }
        }
    }
}
