using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using static BilevelDsl.Generators.Ir.Simplify;

namespace BilevelDsl.Generators.Ad
{
    // The directional derivative of one expression (the chain rule over the primitive table's partials and
    // helper calls); TangentMode.cs walks the statements and vector updates that use it.
    internal sealed partial class TangentMode
    {
        private void HelperPartialsWithTangents(HelperPartials partials, List<Stmt> output)
        {
            Function helper = helpers[partials.Helper];
            var argTangents = partials.Args.Where((_, k) => helper.Parameters[k].IsDifferentiable).Select(a => Tangent(a, output)).ToList();
            if (argTangents.All(t => IsConstant(t, 0)))
            {
                output.Add(partials);
                return;
            }

            var outputTangents = partials.Outputs.Select(TangentOf).ToList();
            output.Add(new HelperPartialsTangent(partials.Helper, partials.Args, EquatableArray.From(argTangents), partials.Outputs, EquatableArray.From(outputTangents)));
        }

        /// <summary>The directional derivative of an expression (statements it needs go to <paramref name="output"/>).</summary>
        private Expr Tangent(Expr expr, List<Stmt> output, Expr? result = null)
        {
            switch (expr)
            {
                case Var v:
                    return HasTangent(v.Name) ? new Var(TangentOf(v.Name), ScalarType.Double) : Zero;
                case Elem e:
                    return TangentVector(e.Vector) is VecRef elementDirection ? new Elem(elementDirection, e.Index) : Zero;
                case Unary { Op: UnaryOp.Negate } u:
                    return Neg(Tangent(u.Operand, output));
                case Binary b when b.Type == ScalarType.Double:
                    return BinaryTangent(b, output);
                case Call c when c.Type == ScalarType.Double:
                    Expr sum = Zero;
                    for (int k = 0; k < c.Args.Count; k++)
                    {
                        Expr argTangent = Tangent(c.Args[k], output);
                        if (!IsConstant(argTangent, 0))
                        {
                            Expr partial = DerivativeRules.Partial(c.Function, c.Args, result ?? c, k);
                            sum = Add(sum, DerivativeRules.MayBeInfinite(c.Function) ? GuardedMul(argTangent, partial) : Mul(partial, argTangent));
                        }
                    }

                    return sum;
                case HelperCall h:
                    return HelperCallTangent(h, output);
                case VecCall vc:
                    Expr total = Zero;
                    for (int k = 0; k < vc.Args.Count; k++)
                    {
                        if (TangentVector(vc.Args[k]) is VecRef direction)
                        {
                            total = Add(total, new VecTermDot(DerivativeRules.VectorPartial(vc.Function, vc.Args, result ?? vc, k, vc.Mu), direction));
                        }
                    }

                    return total;
                case Select s:
                    return Simplify.Select(s.Condition, Tangent(s.WhenTrue, output), Tangent(s.WhenFalse, output));
                case VecTermDot d:
                    throw new InvalidOperationException("tangent of a tangent term is not supported");
                default:
                    return Zero; // constants, data, ints, dimensions
            }
        }

        private Expr BinaryTangent(Binary b, List<Stmt> output)
        {
            Expr da = Tangent(b.Left, output);
            Expr db = Tangent(b.Right, output);
            switch (b.Op)
            {
                case BinaryOp.Add:
                    return Add(da, db);
                case BinaryOp.Subtract:
                    return Sub(da, db);
                case BinaryOp.Multiply:
                    return Add(Mul(da, b.Right), Mul(b.Left, db));
                case BinaryOp.Divide:
                    // (a/b)' = (a' - (a/b) b') / b
                    return IsConstant(db, 0) ? Div(da, b.Right) : Div(Sub(da, Mul(b, db)), b.Right);
                default:
                    return Zero;
            }
        }

        private Expr HelperCallTangent(HelperCall call, List<Stmt> output)
        {
            Function helper = helpers[call.Helper];
            var argTangents = call.Args.Select(a => Tangent(a, output)).ToList();
            var partialNames = new List<string>();
            Expr sum = Zero;
            for (int k = 0; k < call.Args.Count; k++)
            {
                if (!helper.Parameters[k].IsDifferentiable)
                {
                    continue;
                }

                string name = names.Fresh("d" + call.Helper + "_d" + helper.Parameters[k].Name);
                partialNames.Add(name);
                sum = Add(sum, Mul(new Var(name, ScalarType.Double), argTangents[k]));
            }

            if (IsConstant(sum, 0))
            {
                return Zero;
            }

            output.Add(new HelperPartials(call.Helper, call.Args, EquatableArray.From(partialNames)));
            return sum;
        }
    }
}
