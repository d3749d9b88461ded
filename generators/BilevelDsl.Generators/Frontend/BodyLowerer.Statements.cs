using System.Collections.Generic;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>Statements: local declarations, assignments and compound assignments, and which targets may be written.</summary>
    internal sealed partial class BodyLowerer
    {
        private void LowerStatement(IOperation operation, List<Stmt> output)
        {
            cancellationToken.ThrowIfCancellationRequested();
            budget.Count();
            if (!(operation is IBlockOperation) && !(operation is IForLoopOperation) && !(operation is IConditionalOperation))
            {
                statementSyntax = operation.Syntax;
            }

            switch (operation)
            {
                case IVariableDeclarationGroupOperation group:
                    foreach (IVariableDeclarationOperation declaration in group.Declarations)
                    {
                        foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                        {
                            DeclareLocal(declarator, output);
                        }
                    }

                    break;
                case IExpressionStatementOperation statement:
                    LowerExpressionStatement(statement.Operation, output);
                    break;
                case IReturnOperation ret when ret.ReturnedValue != null:
                    if (loops.Count > 0)
                    {
                        Report(DiagnosticCatalog.UnsupportedStatement, ret.Syntax.GetLocation(), "A return inside a loop", "; accumulate inside the loop and return after it");
                        return;
                    }

                    Expr returned = LowerExpr(ret.ReturnedValue, output);
                    if (join != null)
                    {
                        JoinReturn(returned, output);
                    }
                    else
                    {
                        NoteSite(TermSite.ReturnTarget, returned);
                        output.Add(new Return(returned));
                    }

                    break;
                case IConditionalOperation branch:
                    LowerIf(branch, output);
                    break;
                case IForLoopOperation loop:
                    LowerFor(loop, output);
                    break;
                case IEmptyOperation:
                    break;
                case IInvalidOperation:
                    failed = true; // C# already reports this code
                    break;
                case IBlockOperation block when join != null:
                    LowerSequence(block.Operations, 0, output);
                    break;
                case IBlockOperation block:
                    foreach (IOperation inner in block.Operations)
                    {
                        LowerStatement(inner, output);
                    }

                    break;
                default:
                    Report(DiagnosticCatalog.UnsupportedStatement, operation.Syntax.GetLocation(), StatementName(operation), StatementAdvice(operation));
                    break;
            }
        }

        private void DeclareLocal(IVariableDeclaratorOperation declarator, List<Stmt> output)
        {
            ILocalSymbol local = declarator.Symbol;
            IOperation? initializer = declarator.Initializer?.Value ?? declarator.GetVariableInitializer()?.Value;
            if (local.IsConst)
            {
                return; // reads of a constant fold to its value
            }

            if (local.RefKind != RefKind.None)
            {
                // A ref local could write model data (ref double r = ref D[0]; r += 1) behind the kernels' back.
                Report(DiagnosticCatalog.UnsupportedStatement, declarator.Syntax.GetLocation(), "A ref local", "; copy the value into an ordinary local (double r = D[0];)");
                state[local] = Binding.Poisoned(loops.Count);
                return;
            }

            if (ModelShapeReader.IsSpanOfDouble(local.Type) || local.Type.ToDisplayString() == MatrixViewType)
            {
                DeclareVectorLocal(declarator, local, initializer, output);
                return;
            }

            if (ModelShapeReader.IsReadOnlySpanOfDouble(local.Type))
            {
                if (initializer == null)
                {
                    Report(DiagnosticCatalog.UnsupportedStatement, declarator.Syntax.GetLocation(), "A ReadOnlySpan<double> local without an initializer", "; initialise it where it is declared and never reassign it");
                    return;
                }

                if (IsComputedVector(Unconverted(initializer)))
                {
                    ReportVector(Unconverted(initializer), "cannot be aliased by a ReadOnlySpan<double> local; pass the vector itself where it is read");
                    state[local] = Binding.Poisoned(loops.Count);
                    return;
                }

                VecRef? alias = LowerVector(initializer, output);
                if (alias?.Row != null)
                {
                    // A data row stays a span in the generated code (not X[i, j] in the hot loop).
                    string rowName = names.Fresh(local.Name);
                    output.Add(new SpanAlias(rowName, alias));
                    alias = new VecRef(rowName);
                }

                if (alias != null)
                {
                    state[local] = Binding.ForAlias(alias, loops.Count, alias.Length);
                }

                return;
            }

            ScalarType? type = ScalarTypeOf(local.Type);
            if (type == null)
            {
                Report(DiagnosticCatalog.UnsupportedStatement, declarator.Syntax.GetLocation(), "A local of type '" + local.Type.ToDisplayString() + "'", "; locals must be double, int, bool or ReadOnlySpan<double>");
                state[local] = Binding.Poisoned(loops.Count); // its uses are not reported again
                return;
            }

            if (initializer == null)
            {
                state[local] = new Binding(null, type.Value, loops.Count);
                return;
            }

            Expr value = LowerExpr(initializer, output);
            string name = names.Fresh(local.Name);
            NoteSite(name, value);
            output.Add(new Assign(name, type.Value, value, Declare: true));
            NoteInvariantInt(name, type.Value, value);
            state[local] = new Binding(name, type.Value, loops.Count);
        }

        private void LowerExpressionStatement(IOperation operation, List<Stmt> output)
        {
            switch (operation)
            {
                case ISimpleAssignmentOperation assignment when IsComputedElement(assignment.Target):
                    LowerElementWrite(assignment.Target, assignment.Value, BinaryOperatorKind.None, assignment.Syntax, output);
                    break;
                case ICompoundAssignmentOperation compoundElement when IsComputedElement(compoundElement.Target):
                    LowerElementWrite(compoundElement.Target, compoundElement.Value, compoundElement.OperatorKind, compoundElement.Syntax, output);
                    break;
                case IInvocationOperation call when IsVectorStatement(call):
                    LowerVectorStatement(call, output);
                    break;
                case ISimpleAssignmentOperation assignment:
                    if (WritableLocal(assignment.Target) is ISymbol target)
                    {
                        Binding binding = state[target];
                        if (binding.Alias != null)
                        {
                            Report(DiagnosticCatalog.UnsupportedStatement, assignment.Syntax.GetLocation(), "Reassigning the span local '" + target.Name + "'", "; declare a new local instead");
                        }
                        else if (binding.Depth < loops.Count)
                        {
                            Report(DiagnosticCatalog.LoopCarriedState, assignment.Syntax.GetLocation(), target.Name, "assigned");
                        }
                        else
                        {
                            Define(target, binding, LowerExpr(assignment.Value, output), output);
                        }
                    }

                    break;
                case ICompoundAssignmentOperation compound:
                    LowerCompound(compound.Target, compound.OperatorKind, compound.Value, compound.Syntax, output);
                    break;
                case IIncrementOrDecrementOperation step:
                    LowerCompound(step.Target, step.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract, null, step.Syntax, output);
                    break;
                default:
                    Report(DiagnosticCatalog.UnsupportedStatement, operation.Syntax.GetLocation(), StatementName(operation), StatementAdvice(operation));
                    break;
            }
        }

        private void LowerCompound(IOperation targetOperation, BinaryOperatorKind kind, IOperation? valueOperation, SyntaxNode syntax, List<Stmt> output)
        {
            if (!(WritableLocal(targetOperation) is ISymbol target))
            {
                return;
            }

            Binding binding = state[target];
            BinaryOp? op = kind switch
            {
                BinaryOperatorKind.Add => BinaryOp.Add,
                BinaryOperatorKind.Subtract => BinaryOp.Subtract,
                BinaryOperatorKind.Multiply => BinaryOp.Multiply,
                BinaryOperatorKind.Divide => BinaryOp.Divide,
                _ => null,
            };
            if (op == null || binding.Alias != null || binding.Name == null)
            {
                Report(DiagnosticCatalog.UnsupportedExpression, syntax.GetLocation(), syntax.ToString(), "compound assignment of this kind");
                return;
            }

            Expr value = valueOperation == null
                ? (binding.Type == ScalarType.Int ? (Expr)new IntNum(1) : new Num(1))
                : LowerExpr(valueOperation, output);
            if (binding.Depth < loops.Count)
            {
                // Declared outside the loop: only accumulation may cross iterations.
                if (op != BinaryOp.Add && op != BinaryOp.Subtract)
                {
                    Report(DiagnosticCatalog.LoopCarriedState, syntax.GetLocation(), target.Name, op == BinaryOp.Multiply ? "multiplied" : "divided");
                    return;
                }

                string accumulator = loops[binding.Depth].Accumulators[target];
                Expr added = op == BinaryOp.Subtract ? new Unary(UnaryOp.Negate, value) : value;
                NoteSite(accumulator, added);
                output.Add(new AddTo(accumulator, added));
                return;
            }

            Define(target, binding, new Binary(op.Value, new Var(binding.Name, binding.Type), value), output);
        }

        /// <summary>A new version of a variable: every assignment defines a fresh name.</summary>
        private void Define(ISymbol target, Binding binding, Expr value, List<Stmt> output)
        {
            string name = names.Fresh(target.Name);
            NoteSite(name, value);
            output.Add(new Assign(name, binding.Type, value, Declare: true));
            state[target] = new Binding(name, binding.Type, binding.Depth);
        }

        /// <summary>The local (or helper parameter) an assignment writes, or null after reporting why not.</summary>
        private ISymbol? WritableLocal(IOperation target)
        {
            ISymbol? symbol = target switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter when SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method) => parameter.Parameter,
                _ => null,
            };
            if (symbol != null && state.TryGetValue(symbol, out Binding? binding))
            {
                if (binding.IsPoisoned)
                {
                    failed = true;
                    return null;
                }

                if (symbol is IParameterSymbol && binding.Depth == 0 && ModelShapeReader.RoleOf(method) != null)
                {
                    Report(DiagnosticCatalog.WriteToInputOrData, target.Syntax.GetLocation(), symbol.Name, "an input variable of the objective");
                    return null;
                }

                return symbol;
            }

            string what = target switch
            {
                IFieldReferenceOperation or IPropertyReferenceOperation or IArrayElementReferenceOperation => "model data",
                IParameterReferenceOperation => "model data (a constructor parameter)",
                _ => "not a local variable",
            };
            Report(DiagnosticCatalog.WriteToInputOrData, target.Syntax.GetLocation(), target.Syntax.ToString(), what);
            return null;
        }
    }
}
