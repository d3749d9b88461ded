using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using static BilevelDsl.Generators.Ir.Simplify;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// What the derivative modes ask of a primitive, answered from the primitive table (<see cref="Primitives"/>):
    /// its local partials (IR expressions, so a derivative program can be differentiated again), whether they
    /// read the result or can be infinite. Also the tangents of vector terms, which are AD's own nodes.
    /// </summary>
    internal static class DerivativeRules
    {
        /// <summary>Whether the partials of <paramref name="function"/> read its result (so it is kept in a variable).</summary>
        public static bool UsesResult(ScalarFunction function) => Primitives.Of(function).PartialUsesResult;

        /// <summary>Functions that are not differentiable everywhere (their partials encode a kink convention).</summary>
        public static bool IsNonsmooth(ScalarFunction function) => Primitives.Of(function).Smoothness == Smoothness.Kink;

        public static bool UsesResult(VectorFunction function) => Primitives.Of(function).PartialUsesResult;

        /// <summary>Whether the partial can be infinite at a finite point (then a zero adjoint must win).</summary>
        public static bool MayBeInfinite(ScalarFunction function) => Primitives.Of(function).PartialMayBeInfinite;

        /// <summary>d function(args) / d args[k], given the result r.</summary>
        public static Expr Partial(ScalarFunction function, IReadOnlyList<Expr> args, Expr r, int k) =>
            (Primitives.Of(function).Partial ?? throw new InvalidOperationException("No derivative rule for " + function))(args, r, k);

        /// <summary>d function(args) / d args[k] as a vector term (used as gradient += adjoint * term).</summary>
        public static VecTerm VectorPartial(VectorFunction function, IReadOnlyList<VecRef> args, Expr r, int k, Expr? mu = null) =>
            Primitives.Of(function).Partial(args, r, k, mu);

        /// <summary>Every scalar function that has a rule (the table's rows), for tests that walk the table.</summary>
        public static IEnumerable<ScalarFunction> DifferentiableFunctions() =>
            Primitives.All.Where(p => p.Partial != null).Select(p => p.Function);

        public static int Arity(ScalarFunction function) => Primitives.Of(function).Arity;

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
