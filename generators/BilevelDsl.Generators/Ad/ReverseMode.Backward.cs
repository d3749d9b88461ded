using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using static BilevelDsl.Generators.Ir.Simplify;

namespace BilevelDsl.Generators.Ad
{
    // The backward sweep of one scope: statements in reverse order, each propagating its adjoint through the
    // partials of the primitive table (Propagate) or the vector rules; ReverseMode.cs builds the scopes around it.
    internal sealed partial class ReverseMode
    {
        private List<Stmt> Backward(Block block)
        {
            var output = new List<Stmt>();
            for (int i = block.Statements.Count - 1; i >= 0; i--)
            {
                GenerationCancellation.ThrowIfRequested();
                switch (block.Statements[i])
                {
                    case Assign a when a.Type == ScalarType.Double && adjoints.TryGetValue(a.Target, out string? adjoint):
                        Guarded(adjoint, inner => Propagate(a.Value, new Var(adjoint, ScalarType.Double), new Var(a.Target, ScalarType.Double), inner), output);
                        break;
                    case AddTo add when adjoints.TryGetValue(add.Target, out string? adjoint):
                        Guarded(adjoint, inner => Propagate(add.Value, new Var(adjoint, ScalarType.Double), null, inner), output);
                        break;
                    case Return r:
                        Propagate(r.Value, One, null, output);
                        break;
                    case AddToElement element when vectorOutputs.TryGetValue(element.Vector.Name, out string? elementAdjoint) && activity.IsActive(element.Value):
                    {
                        // z[k] += e: e's adjoint is z_bar[k], named so the zero-adjoint guard can test it.
                        string adjoint = names.Fresh(element.Vector.Name + "_bar_k");
                        output.Add(new Assign(adjoint, ScalarType.Double, new Elem(element.Vector.Renamed(elementAdjoint), element.Index), Declare: true));
                        Guarded(adjoint, inner => Propagate(element.Value, new Var(adjoint, ScalarType.Double), null, inner), output);
                        break;
                    }

                    case AddVector update when vectorOutputs.TryGetValue(update.Target.Name, out string? targetAdjoint):
                        BackwardVectorUpdate(update, update.Target.Renamed(targetAdjoint), output);
                        break;
                    case MatVecUpdate product when vectorOutputs.TryGetValue(product.Target.Name, out string? productAdjoint):
                        BackwardMatVec(product, product.Target.Renamed(productAdjoint), output);
                        break;
                    case If branch:
                        Block whenTrue = new Block(EquatableArray.From(Backward(branch.Then)));
                        Block whenFalse = new Block(EquatableArray.From(Backward(branch.Else)));
                        if (whenTrue.Statements.Count + whenFalse.Statements.Count > 0)
                        {
                            output.Add(new If(branch.Condition, whenTrue, whenFalse));
                        }

                        break;
                    case For loop when fusedLoops.TryGetValue(loop.Index, out FusedLoop? fusedBackward):
                        EmitFusedCombination(fusedBackward, output);
                        break;
                    case For loop when ContributesAdjoints(loop.Body):
                        var iteration = new List<Stmt>();
                        EmitScope(loop.Body, iteration, DefinedAnywhere(loop.Body));
                        iteration = WithoutDeadDefinitions(iteration, ScopeNames(iteration));
                        output.Add(loop with { Body = new Block(EquatableArray.From(iteration)) });
                        break;
                }
            }

            return output;
        }

        /// <summary>z += s * term (Dsl.Axpy, Dsl.Softmax): the adjoints of s and of the term's vector.</summary>
        private void BackwardVectorUpdate(AddVector update, VecRef targetAdjoint, List<Stmt> output)
        {
            switch (update.Source)
            {
                case VecScaled scaled:
                    if (activity.IsActive(update.Scale))
                    {
                        Expr dot = new VecCall(VectorFunction.Dot, EquatableArray.Of(targetAdjoint, scaled.Vector));
                        Propagate(update.Scale, Mul(new Num(scaled.Factor), dot), null, output);
                    }

                    if (activity.IsActiveVector(scaled.Vector))
                    {
                        output.Add(new AddVector(AdjointOf(scaled.Vector), Mul(update.Scale, new Num(scaled.Factor)), new VecScaled(1, targetAdjoint)));
                    }

                    break;
                case VecSoftmax softmax:
                    if (activity.IsActive(update.Scale))
                    {
                        Propagate(update.Scale, new VecTermDot(softmax, targetAdjoint), null, output);
                    }

                    if (activity.IsActiveVector(softmax.Vector))
                    {
                        output.Add(new AddVector(AdjointOf(softmax.Vector), update.Scale, new VecSoftmaxJacobian(softmax.Vector, targetAdjoint)));
                    }

                    break;
                default:
                    throw new InvalidOperationException("no reverse rule for the vector update " + update.Source.GetType().Name);
            }
        }

        /// <summary>z += s M v: v gets s Mᵀ z_bar, a view M gets s z_bar vᵀ (transposed products likewise).</summary>
        private void BackwardMatVec(MatVecUpdate product, VecRef targetAdjoint, List<Stmt> output)
        {
            if (activity.IsActive(product.Scale))
            {
                throw new InvalidOperationException("a matrix-vector product with an active scale reached the reverse pass");
            }

            if (activity.IsActiveVector(product.Vector))
            {
                output.Add(new MatVecUpdate(AdjointOf(product.Vector), product.Scale, product.Matrix, targetAdjoint, !product.Transposed));
            }

            if (activity.IsActiveMatrix(product.Matrix))
            {
                MatRef matrixAdjoint = product.Matrix.Renamed(vectorOutputs[product.Matrix.Name]);
                output.Add(product.Transposed
                    ? new OuterUpdate(matrixAdjoint, product.Scale, product.Vector, targetAdjoint)
                    : new OuterUpdate(matrixAdjoint, product.Scale, targetAdjoint, product.Vector));
            }
        }

        private VecRef AdjointOf(VecRef vector) => vector.Renamed(vectorOutputs[vector.Name]);

        /// <summary>Whether a loop body moves any adjoint (an active accumulation somewhere inside it).</summary>
        private bool ContributesAdjoints(Block block) => block.Statements.Any(statement => statement switch
        {
            AddTo add => activity.IsActiveVariable(add.Target) && activity.IsActive(add.Value),
            AddToElement element => activity.IsActiveVectorName(element.Vector.Name) && activity.IsActive(element.Value),
            AddVector vector => activity.IsActiveVectorName(vector.Target.Name),
            MatVecUpdate product => activity.IsActiveVectorName(product.Target.Name),
            If branch => ContributesAdjoints(branch.Then) || ContributesAdjoints(branch.Else),
            For loop => ContributesAdjoints(loop.Body),
            _ => false,
        });

        /// <summary>Adds adjoint * d expr / d v to the adjoint of every active v that expr reads.</summary>
        private void Propagate(Expr expr, Expr adjoint, Expr? result, List<Stmt> output)
        {
            if (!activity.IsActive(expr))
            {
                return;
            }

            switch (expr)
            {
                case Var v:
                    output.Add(new AddTo(adjoints[v.Name], adjoint));
                    break;
                case Elem e:
                    output.Add(new AddToElement(AdjointOf(e.Vector), e.Index, adjoint));
                    break;
                case Unary { Op: UnaryOp.Negate } u:
                    Propagate(u.Operand, Neg(adjoint), null, output);
                    break;
                case Binary b:
                    PropagateBinary(b, adjoint, output);
                    break;
                case Call c:
                    if (result == null && DerivativeRules.UsesResult(c.Function))
                    {
                        throw new InvalidOperationException("the result of " + c.Function + " was not named before the reverse sweep");
                    }

                    for (int k = 0; k < c.Args.Count; k++)
                    {
                        if (activity.IsActive(c.Args[k]))
                        {
                            Expr partial = DerivativeRules.Partial(c.Function, c.Args, result ?? Zero, k);
                            Expr scaled = DerivativeRules.MayBeInfinite(c.Function) ? GuardedMul(adjoint, partial) : Mul(adjoint, partial);
                            Propagate(c.Args[k], scaled, null, output);
                        }
                    }

                    break;
                case HelperCall h:
                    PropagateHelper(h, adjoint, output);
                    break;
                case VecCall vc:
                    if (result == null && DerivativeRules.UsesResult(vc.Function))
                    {
                        throw new InvalidOperationException("the result of " + vc.Function + " was not named before the reverse sweep");
                    }

                    for (int k = 0; k < vc.Args.Count; k++)
                    {
                        if (activity.IsActiveVector(vc.Args[k]))
                        {
                            VecTerm term = DerivativeRules.VectorPartial(vc.Function, vc.Args, result ?? Zero, k, vc.Mu);
                            output.Add(new AddVector(AdjointOf(vc.Args[k]), adjoint, term));
                        }
                    }

                    break;
                default:
                    throw new InvalidOperationException("no reverse rule for " + expr.GetType().Name);
            }
        }

        private void PropagateBinary(Binary b, Expr adjoint, List<Stmt> output)
        {
            switch (b.Op)
            {
                case BinaryOp.Add:
                    Propagate(b.Left, adjoint, null, output);
                    Propagate(b.Right, adjoint, null, output);
                    break;
                case BinaryOp.Subtract:
                    Propagate(b.Left, adjoint, null, output);
                    Propagate(b.Right, Neg(adjoint), null, output);
                    break;
                case BinaryOp.Multiply:
                    Propagate(b.Left, Mul(adjoint, b.Right), null, output);
                    Propagate(b.Right, Mul(adjoint, b.Left), null, output);
                    break;
                case BinaryOp.Divide:
                    Propagate(b.Left, Div(adjoint, b.Right), null, output);
                    Propagate(b.Right, Neg(Div(Mul(adjoint, b.Left), Mul(b.Right, b.Right))), null, output);
                    break;
                default:
                    throw new InvalidOperationException("no reverse rule for the operator " + b.Op);
            }
        }

        private void PropagateHelper(HelperCall call, Expr adjoint, List<Stmt> output)
        {
            Function helper = helpers[call.Helper];
            var partialNames = new List<string>();
            var partials = new List<Expr?>();
            for (int k = 0; k < call.Args.Count; k++)
            {
                if (!helper.Parameters[k].IsDifferentiable)
                {
                    partials.Add(null);
                    continue;
                }

                string name = names.Fresh("d" + call.Helper + "_d" + helper.Parameters[k].Name);
                partialNames.Add(name);
                partials.Add(new Var(name, ScalarType.Double));
            }

            output.Add(new HelperPartials(call.Helper, call.Args, EquatableArray.From(partialNames)));
            for (int k = 0; k < call.Args.Count; k++)
            {
                if (partials[k] is Expr partial && activity.IsActive(call.Args[k]))
                {
                    Propagate(call.Args[k], Mul(adjoint, partial), null, output);
                }
            }
        }
    }
}
