using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>Control flow: if/else (arms lowered separately, redefined variables merged by phi variables) and for loops (only += / -= accumulation crosses iterations).</summary>
    internal sealed partial class BodyLowerer
    {
        private void LowerIf(IConditionalOperation branch, List<Stmt> output)
        {
            Expr condition = LowerCondition(branch.Condition, output);
            IOperation? whenFalse = branch.WhenFalse;
            LowerBranches(condition, arm => LowerArm(branch.WhenTrue, arm), whenFalse == null ? null : arm => LowerArm(whenFalse, arm), output);
        }

        private void LowerArm(IOperation arm, List<Stmt> output)
        {
            if (join != null)
            {
                LowerSequence(Flatten(arm), 0, output);
                return;
            }

            foreach (IOperation operation in Flatten(arm))
            {
                LowerStatement(operation, output);
            }
        }

        /// <summary>An if-else whose arms the callbacks lower; variables either arm redefines are merged.</summary>
        private void LowerBranches(Expr condition, System.Action<List<Stmt>> lowerTrue, System.Action<List<Stmt>>? lowerFalse, List<Stmt> output)
        {
            Dictionary<ISymbol, Binding> before = Clone(state);
            JoinVersions? joinBefore = join;
            var whenTrue = new List<Stmt>();
            lowerTrue(whenTrue);
            Dictionary<ISymbol, Binding> afterTrue = state;
            JoinVersions? joinTrue = join;
            state = Clone(before);
            join = joinBefore;
            var whenFalse = new List<Stmt>();
            lowerFalse?.Invoke(whenFalse);
            Dictionary<ISymbol, Binding> afterFalse = state;
            JoinVersions? joinFalse = join;
            state = Clone(before);
            join = joinBefore;

            // Merge: a variable that either arm redefined gets a phi variable assigned at the end of both arms.
            foreach (KeyValuePair<ISymbol, Binding> entry in before)
            {
                Binding inTrue = afterTrue[entry.Key];
                Binding inFalse = afterFalse[entry.Key];
                if (entry.Value.IsComputed)
                {
                    state[entry.Key] = MergeComputed(entry.Value, inTrue, inFalse);
                    continue;
                }

                if (inTrue.Alias != null || (inTrue.Name == entry.Value.Name && inFalse.Name == entry.Value.Name))
                {
                    continue;
                }

                if (inTrue.Name == null || inFalse.Name == null)
                {
                    continue; // assigned on one path only: C# forbids reading it afterwards
                }

                string phi = names.Fresh(entry.Key.Name);
                output.Add(new Declare(phi, entry.Value.Type));
                whenTrue.Add(new Assign(phi, entry.Value.Type, new Var(inTrue.Name, entry.Value.Type), Declare: false));
                whenFalse.Add(new Assign(phi, entry.Value.Type, new Var(inFalse.Name, entry.Value.Type), Declare: false));
                state[entry.Key] = new Binding(phi, entry.Value.Type, entry.Value.Depth);
            }

            MergeJoin(joinBefore, joinTrue, joinFalse, whenTrue, whenFalse, output);
            output.Add(new If(condition, ToBlock(whenTrue), ToBlock(whenFalse)));
        }

        private void LowerFor(IForLoopOperation loop, List<Stmt> output)
        {
            SyntaxNode header = loop.Syntax is ForStatementSyntax forSyntax ? (SyntaxNode)forSyntax : loop.Syntax;
            Location location = loop.Syntax is ForStatementSyntax f
                ? Location.Create(f.SyntaxTree, TextSpan.FromBounds(f.ForKeyword.SpanStart, f.CloseParenToken.Span.End))
                : header.GetLocation();

            IVariableDeclaratorOperation? index = loop.Before.Length == 1 && loop.Before[0] is IVariableDeclarationGroupOperation group
                && group.Declarations.Length == 1 && group.Declarations[0].Declarators.Length == 1
                ? group.Declarations[0].Declarators[0]
                : null;
            IOperation? start = index?.Initializer?.Value ?? index?.GetVariableInitializer()?.Value;
            if (index == null || start == null || index.Symbol.Type.SpecialType != SpecialType.System_Int32)
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "it must declare exactly one int index with a start value");
                return;
            }

            ILocalSymbol indexSymbol = index.Symbol;
            if (!(loop.Condition is IBinaryOperation condition)
                || (condition.OperatorKind != BinaryOperatorKind.LessThan && condition.OperatorKind != BinaryOperatorKind.LessThanOrEqual)
                || !(condition.LeftOperand is ILocalReferenceOperation conditionIndex)
                || !SymbolEqualityComparer.Default.Equals(conditionIndex.Local, indexSymbol))
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "the condition must be 'index < end' or 'index <= end'");
                return;
            }

            if (!IsUnitIncrement(loop.AtLoopBottom, indexSymbol))
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "the index must increase by one per iteration (i++, ++i or i += 1)");
                return;
            }

            var declaredInside = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { indexSymbol };
            var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var accumulated = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (IOperation node in loop.Body.DescendantsAndSelf())
            {
                switch (node)
                {
                    case IVariableDeclaratorOperation declarator:
                        declaredInside.Add(declarator.Symbol);
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target }:
                        written.Add(target.Local);
                        break;
                    case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target } compound:
                        written.Add(target.Local);
                        if (compound.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)
                        {
                            accumulated.Add(target.Local);
                        }

                        break;
                    case ICompoundAssignmentOperation { Target: IParameterReferenceOperation target } compound:
                        // A helper's parameters are ordinary locals of the helper (accumulated like them).
                        written.Add(target.Parameter);
                        if (compound.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)
                        {
                            accumulated.Add(target.Parameter);
                        }

                        break;
                    case ISimpleAssignmentOperation { Target: IParameterReferenceOperation target }:
                        written.Add(target.Parameter);
                        break;
                    case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation target }:
                        written.Add(target.Local);
                        accumulated.Add(target.Local);
                        break;
                    case IIncrementOrDecrementOperation { Target: IParameterReferenceOperation target }:
                        written.Add(target.Parameter);
                        accumulated.Add(target.Parameter);
                        break;
                }
            }

            if (written.Contains(indexSymbol))
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "the index '" + indexSymbol.Name + "' is assigned inside the loop");
                return;
            }

            foreach (ILocalReferenceOperation read in condition.RightOperand.DescendantsAndSelf().OfType<ILocalReferenceOperation>())
            {
                if (written.Contains(read.Local))
                {
                    Report(DiagnosticCatalog.UnsupportedLoop, location, "the bound reads '" + read.Local.Name + "', which changes inside the loop");
                    return;
                }
            }

            Expr from = LowerExpr(start, output);
            Expr to = LowerExpr(condition.RightOperand, output);
            if (condition.OperatorKind == BinaryOperatorKind.LessThanOrEqual)
            {
                to = new Binary(BinaryOp.Add, to, new IntNum(1));
            }

            // Accumulators declared at this depth get a fresh version before the loop; the loop adds into it.
            var frame = new LoopFrame();
            foreach (ISymbol symbol in accumulated)
            {
                if (declaredInside.Contains(symbol) || !state.TryGetValue(symbol, out Binding? binding) || binding.Name == null || binding.Alias != null)
                {
                    continue;
                }

                frame.Accumulated.Add(symbol);
                if (binding.Depth == loops.Count)
                {
                    string version = names.Fresh(symbol.Name);
                    output.Add(new Assign(version, binding.Type, new Var(binding.Name, binding.Type), Declare: true));
                    frame.Accumulators[symbol] = version;
                }
            }

            frame.Index = indexSymbol;
            PrepareFills(loop.Body, indexSymbol, from, to, output);
            Dictionary<ISymbol, Binding> before = Clone(state);
            loops.Add(frame);
            string indexName = names.Fresh(indexSymbol.Name);
            state[indexSymbol] = new Binding(indexName, ScalarType.Int, loops.Count);
            var body = new List<Stmt>();
            foreach (IOperation operation in Flatten(loop.Body))
            {
                LowerStatement(operation, body);
            }

            loops.RemoveAt(loops.Count - 1);
            Dictionary<ISymbol, Binding> inside = state;
            state = before;
            MergeComputedAfterLoop(before, inside);
            foreach (KeyValuePair<ISymbol, string> accumulator in frame.Accumulators)
            {
                Binding binding = state[accumulator.Key];
                state[accumulator.Key] = new Binding(accumulator.Value, binding.Type, binding.Depth);
            }

            output.Add(new For(indexName, from, to, ToBlock(body)));
        }

        private static bool IsUnitIncrement(System.Collections.Immutable.ImmutableArray<IOperation> bottom, ILocalSymbol index)
        {
            if (bottom.Length != 1)
            {
                return false;
            }

            IOperation step = bottom[0] is IExpressionStatementOperation statement ? statement.Operation : bottom[0];
            return step switch
            {
                IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation target } =>
                    SymbolEqualityComparer.Default.Equals(target.Local, index),
                ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation target } compound =>
                    SymbolEqualityComparer.Default.Equals(target.Local, index) && compound.Value.ConstantValue.HasValue && Equals(compound.Value.ConstantValue.Value, 1),
                _ => false,
            };
        }
    }
}
