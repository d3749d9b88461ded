
namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// Smart constructors that fold the trivial algebra the derivative passes produce (multiplying by one,
    /// adding zero, double negation), so the emitted code reads like hand-written code.
    /// </summary>
    internal static class Simplify
    {
        public static readonly Num Zero = new Num(0);
        public static readonly Num One = new Num(1);

        public static bool IsConstant(Expr e, double value) => e is Num n && n.Value.Equals(value);

        public static Expr Neg(Expr a) => a switch
        {
            Num n => new Num(-n.Value),
            Unary { Op: UnaryOp.Negate } u => u.Operand,
            _ => new Unary(UnaryOp.Negate, a),
        };

        public static Expr Add(Expr a, Expr b)
        {
            if (IsConstant(a, 0))
            {
                return b;
            }

            if (IsConstant(b, 0))
            {
                return a;
            }

            if (a is Num x && b is Num y)
            {
                return new Num(x.Value + y.Value);
            }

            return b is Unary { Op: UnaryOp.Negate } nb ? new Binary(BinaryOp.Subtract, a, nb.Operand) : new Binary(BinaryOp.Add, a, b);
        }

        public static Expr Sub(Expr a, Expr b)
        {
            if (IsConstant(b, 0))
            {
                return a;
            }

            if (IsConstant(a, 0))
            {
                return Neg(b);
            }

            if (a is Num x && b is Num y)
            {
                return new Num(x.Value - y.Value);
            }

            return b is Unary { Op: UnaryOp.Negate } nb ? new Binary(BinaryOp.Add, a, nb.Operand) : new Binary(BinaryOp.Subtract, a, b);
        }

        /// <summary>a * b. A constant zero factor gives zero: the rules only produce one where the partial is
        /// exactly zero, so this never hides a NaN the user's value would have.</summary>
        public static Expr Mul(Expr a, Expr b)
        {
            if (IsConstant(a, 0) || IsConstant(b, 0))
            {
                return Zero;
            }

            if (IsConstant(a, 1))
            {
                return b;
            }

            if (IsConstant(b, 1))
            {
                return a;
            }

            if (IsConstant(a, -1))
            {
                return Neg(b);
            }

            if (IsConstant(b, -1))
            {
                return Neg(a);
            }

            if (a is Num x && b is Num y)
            {
                return new Num(x.Value * y.Value);
            }

            if (a is Unary { Op: UnaryOp.Negate } na)
            {
                return Neg(Mul(na.Operand, b));
            }

            if (b is Unary { Op: UnaryOp.Negate } nb)
            {
                return Neg(Mul(a, nb.Operand));
            }

            // Keep constants in front: 2 * x reads better than x * 2.
            return b is Num && !(a is Num) ? new Binary(BinaryOp.Multiply, b, a) : new Binary(BinaryOp.Multiply, a, b);
        }

        public static Expr Div(Expr a, Expr b)
        {
            if (IsConstant(b, 1))
            {
                return a;
            }

            if (IsConstant(a, 0))
            {
                return Zero;
            }

            if (a is Unary { Op: UnaryOp.Negate } na)
            {
                return Neg(Div(na.Operand, b));
            }

            return new Binary(BinaryOp.Divide, a, b);
        }

        public static Expr Call(ScalarFunction function, params Expr[] args) => new Call(function, EquatableArray.Of(args));

        public static Expr Greater(Expr a, Expr b) => new Binary(BinaryOp.Greater, a, b);

        public static Expr Select(Expr condition, Expr whenTrue, Expr whenFalse) =>
            whenTrue.Equals(whenFalse) ? whenTrue : new Select(condition, whenTrue, whenFalse);

        /// <summary>adjoint * partial for partials that can be infinite at a finite point: a zero adjoint
        /// contributes exactly zero instead of 0 * inf = NaN.</summary>
        public static Expr GuardedMul(Expr adjoint, Expr partial) =>
            adjoint is Num ? Mul(adjoint, partial) : Select(new Binary(BinaryOp.Equal, adjoint, Zero), Zero, Mul(adjoint, partial));
    }
}
