using System;
using System.Collections.Generic;
using BilevelDsl.Generators.Ir;
using static BilevelDsl.Generators.Ad.Simplify;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// The one table of local partial derivatives. Every derivative mode reads it, and every partial is
    /// itself an IR expression (built only from differentiable IR), so a derivative program can be
    /// differentiated again. Arguments and the result are passed in as leaves (variables or constants).
    /// Kink conventions (docs/ad-conventions.md): |t|' = Sign(t) with Sign(0) = 0; at a Max/Min tie each
    /// argument gets 1/2 (Step(0) = 1/2); sqrt'(0) = 0; Pow's base partial is 0 at a zero base when the
    /// exponent is below one, its exponent partial is 0 for a non-positive base.
    /// </summary>
    internal static class DerivativeRules
    {
        /// <summary>Whether the partials of <paramref name="function"/> read its result (so it is kept in a variable).</summary>
        public static bool UsesResult(ScalarFunction function) =>
            function is ScalarFunction.Exp or ScalarFunction.Sqrt or ScalarFunction.Tan or ScalarFunction.Tanh
                or ScalarFunction.Sigmoid or ScalarFunction.Pow or ScalarFunction.SmoothAbs or ScalarFunction.SmoothSign;

        /// <summary>Functions that are not differentiable everywhere (their partials encode a kink convention).</summary>
        public static bool IsNonsmooth(ScalarFunction function) =>
            function is ScalarFunction.Abs or ScalarFunction.Max or ScalarFunction.Min;

        public static bool UsesResult(VectorFunction function) => function == VectorFunction.LogSumExp;

        /// <summary>Whether the partial can be infinite at a finite point (then a zero adjoint must win).</summary>
        public static bool MayBeInfinite(ScalarFunction function) => function is ScalarFunction.Log or ScalarFunction.Tan;

        /// <summary>d function(args) / d args[k], given the result r.</summary>
        public static Expr Partial(ScalarFunction function, IReadOnlyList<Expr> args, Expr r, int k)
        {
            Expr a = args[0];
            switch (function)
            {
                case ScalarFunction.Sin:
                    return Call(ScalarFunction.Cos, a);
                case ScalarFunction.Cos:
                    return Neg(Call(ScalarFunction.Sin, a));
                case ScalarFunction.Tan:
                    return Add(One, Mul(r, r));
                case ScalarFunction.Exp:
                    return r;
                case ScalarFunction.Log:
                    return Div(One, a);
                case ScalarFunction.Sqrt:
                    return Select(Greater(r, Zero), Div(new Num(0.5), r), Zero);
                case ScalarFunction.Pow:
                    return k == 0 ? PowBasePartial(a, args[1]) : Select(Greater(a, Zero), Mul(r, Call(ScalarFunction.Log, a)), Zero);
                case ScalarFunction.Tanh:
                    return Sub(One, Mul(r, r));
                case ScalarFunction.Atan:
                    // 1 / (1 + a^2), in terms of 1/a when |a| > 1 so that neither it nor its own derivative
                    // overflows (a^2 is inf for |a| > 1e154).
                    Expr inverse = Div(One, a);
                    Expr small = Div(One, Add(One, Mul(a, a)));
                    Expr large = Div(Mul(inverse, inverse), Add(One, Mul(inverse, inverse)));
                    return new Select(new Binary(BinaryOp.LessOrEqual, Call(ScalarFunction.Abs, a), One), small, large);
                case ScalarFunction.Abs:
                    return Call(ScalarFunction.Sign, a);
                case ScalarFunction.Max:
                    return k == 0 ? Call(ScalarFunction.Step, Sub(a, args[1])) : Call(ScalarFunction.Step, Sub(args[1], a));
                case ScalarFunction.Min:
                    return k == 0 ? Call(ScalarFunction.Step, Sub(args[1], a)) : Call(ScalarFunction.Step, Sub(a, args[1]));
                case ScalarFunction.Sigmoid:
                    return Mul(r, Sub(One, r));
                case ScalarFunction.Softplus:
                    return Call(ScalarFunction.Sigmoid, a);
                case ScalarFunction.SmoothAbs:
                    // d sqrt(t^2 + mu^2) / dt = SmoothSign(t, mu); at t = mu = 0 it is 0, matching Sign(0).
                    return k == 0 ? Call(ScalarFunction.SmoothSign, a, args[1]) : Call(ScalarFunction.SmoothSign, args[1], a);
                case ScalarFunction.SmoothSign:
                {
                    // d/dt t/r = mu^2/r^3 = SmoothSign(mu, t)^2 / r, d/dmu = -SmoothSign(t, mu) SmoothSign(mu, t) / r,
                    // with r = sqrt(t^2 + mu^2): no overflow (r huge gives 0), 0 where r = 0.
                    Expr norm = Call(ScalarFunction.SmoothAbs, a, args[1]);
                    Expr other = Call(ScalarFunction.SmoothSign, args[1], a);
                    Expr numerator = k == 0 ? Mul(other, other) : Neg(Mul(r, other));
                    return Select(Greater(norm, Zero), Div(numerator, norm), Zero);
                }

                case ScalarFunction.SmoothMax:
                case ScalarFunction.SmoothMin:
                {
                    // 1/2 (1 +- SmoothSign(a - b, mu)) for a and b (a tie with mu = 0 gives 1/2 each, the Max/Min
                    // convention); +-1/2 SmoothSign(mu, a - b) for mu. SmoothSign stays finite when a - b overflows.
                    Expr difference = Sub(a, args[1]);
                    if (k == 2)
                    {
                        Expr muPart = Mul(new Num(0.5), Call(ScalarFunction.SmoothSign, args[2], difference));
                        return function == ScalarFunction.SmoothMax ? muPart : Neg(muPart);
                    }

                    Expr sign = Call(ScalarFunction.SmoothSign, difference, args[2]);
                    bool towardA = (function == ScalarFunction.SmoothMax) == (k == 0);
                    return Mul(new Num(0.5), towardA ? Add(One, sign) : Sub(One, sign));
                }
                case ScalarFunction.Sign:
                case ScalarFunction.Step:
                    return Zero; // piecewise constant
                default:
                    throw new InvalidOperationException("No derivative rule for " + function);
            }
        }

        /// <summary>d a^b / d a = b a^(b-1), with constant exponents folded.</summary>
        private static Expr PowBasePartial(Expr a, Expr b)
        {
            if (b is Num n)
            {
                if (n.Value == 0)
                {
                    return Zero;
                }

                if (n.Value == 1)
                {
                    return One;
                }

                if (n.Value == 2)
                {
                    return Mul(new Num(2), a);
                }

                Expr power = Mul(b, Call(ScalarFunction.Pow, a, new Num(n.Value - 1)));
                return n.Value > 1 ? power : Select(new Binary(BinaryOp.Equal, a, Zero), Zero, power);
            }

            Expr general = Mul(b, Call(ScalarFunction.Pow, a, Sub(b, One)));
            Expr singular = new Binary(BinaryOp.And, new Binary(BinaryOp.Equal, a, Zero), new Binary(BinaryOp.Less, b, One));
            return Select(singular, Zero, general);
        }

        /// <summary>d function(args) / d args[k] as a vector term (used as gradient += adjoint * term).</summary>
        public static VecTerm VectorPartial(VectorFunction function, IReadOnlyList<VecRef> args, Expr r, int k, Expr? mu = null)
        {
            switch (function)
            {
                case VectorFunction.Dot:
                    return new VecScaled(1, args[1 - k]);
                case VectorFunction.SquaredNorm:
                    return new VecScaled(2, args[0]);
                case VectorFunction.Sum:
                    return new VecOnes();
                case VectorFunction.LogSumExp:
                    return new VecExpShifted(args[0], r);
                case VectorFunction.Norm1:
                    return new VecSign(args[0]);
                case VectorFunction.SmoothNorm1:
                    return new VecSmoothSign(args[0], mu ?? throw new InvalidOperationException("SmoothNorm1 without mu"));
                default:
                    throw new InvalidOperationException("No derivative rule for " + function);
            }
        }

        /// <summary>Every scalar function that has a rule (the table's rows), for tests that walk the table.</summary>
        public static IEnumerable<ScalarFunction> DifferentiableFunctions()
        {
            foreach (ScalarFunction function in (ScalarFunction[])Enum.GetValues(typeof(ScalarFunction)))
            {
                if (function is not (ScalarFunction.IntMax or ScalarFunction.IntMin or ScalarFunction.IntAbs))
                {
                    yield return function;
                }
            }
        }

        public static int Arity(ScalarFunction function) =>
            function is ScalarFunction.Pow or ScalarFunction.Max or ScalarFunction.Min or ScalarFunction.IntMax or ScalarFunction.IntMin or ScalarFunction.SmoothAbs or ScalarFunction.SmoothSign ? 2
            : function is ScalarFunction.SmoothMax or ScalarFunction.SmoothMin ? 3 : 1;

        /// <summary>
        /// The tangent of a vector term: d(term)/dt given the tangent spans of the vectors it reads
        /// (<paramref name="tangentVector"/>: null for data) and the tangents of its scalars. Each entry is
        /// (scale, term) meaning scale * term.
        /// </summary>
        public static IEnumerable<(Expr Scale, VecTerm Term)> TermTangent(VecTerm term, Func<VecRef, VecRef?> tangentVector, Func<Expr, Expr> tangentOf)
        {
            switch (term)
            {
                case VecScaled scaled:
                    if (tangentVector(scaled.Vector) is VecRef scaledDirection)
                    {
                        yield return (One, new VecScaled(scaled.Factor, scaledDirection));
                    }

                    break;
                case VecExpShifted shifted:
                    if (tangentVector(shifted.Vector) is VecRef direction)
                    {
                        yield return (One, new VecExpShiftedProduct(shifted.Vector, shifted.Shift, direction));
                    }

                    Expr shiftTangent = tangentOf(shifted.Shift);
                    if (!IsConstant(shiftTangent, 0))
                    {
                        yield return (Neg(shiftTangent), shifted);
                    }

                    break;
                case VecSmoothSign smooth:
                    if (tangentVector(smooth.Vector) is VecRef smoothDirection)
                    {
                        yield return (One, new VecSmoothSignProduct(smooth.Vector, smooth.Mu, smoothDirection));
                    }

                    break;
                case VecSoftmax softmax:
                    // d softmax(v) = J(v) v'
                    if (tangentVector(softmax.Vector) is VecRef softmaxDirection)
                    {
                        yield return (One, new VecSoftmaxJacobian(softmax.Vector, softmaxDirection));
                    }

                    break;
                case VecSoftmaxJacobian jacobian:
                    // d (J(v) u) = J(v) u' + (dJ(v)[v']) u
                    if (tangentVector(jacobian.U) is VecRef uDirection)
                    {
                        yield return (One, new VecSoftmaxJacobian(jacobian.Vector, uDirection));
                    }

                    if (tangentVector(jacobian.Vector) is VecRef vDirection)
                    {
                        yield return (One, new VecSoftmaxJacobianTangent(jacobian.Vector, vDirection, jacobian.U));
                    }

                    break;
                case VecOnes:
                case VecSign:
                    break; // constant terms
                default:
                    throw new InvalidOperationException("No tangent rule for " + term.GetType().Name);
            }
        }
    }
}
